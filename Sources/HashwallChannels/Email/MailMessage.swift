import CGMime
import Foundation
import Synchronization

/// A mail as the wall reads it: the headers it needs and the text of its body, decoded by GMime (RFC 5322 headers,
/// RFC 2047 encoded words, RFC 2231 parameters, transfer encodings, nested multiparts) and by the charset rules of
/// ``MailCharset``. What the person wrote is decided later, by ``EmailRules``.
public struct MailMessage: Sendable, Equatable {
    /// A header field, its value unfolded.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The RFC 5322 Message-ID, without angle brackets; `nil` when the message has none.
    public var messageID: String?
    /// The From display name, decoded; `nil` when there is none.
    public var fromName: String?
    /// The From address (never public).
    public var fromAddress: String?
    public var subject: String
    /// The Date header; `nil` when missing or unreadable.
    public var date: Date?
    public var headers: [Header]
    /// The text/plain body, decoded, `format=flowed` re-joined; `nil` when the message has none.
    public var plainText: String?
    /// The text/html body, decoded (HTML, not yet text); `nil` when the message has none.
    public var html: String?
    /// Parts that are attachments (never shown).
    public var attachments: Int
    /// A `multipart/report`: a bounce or a read receipt.
    public var isReport: Bool

    public init(
        messageID: String? = nil, fromName: String? = nil, fromAddress: String? = nil, subject: String = "", date: Date? = nil,
        headers: [Header] = [], plainText: String? = nil, html: String? = nil, attachments: Int = 0, isReport: Bool = false
    ) {
        self.messageID = messageID
        self.fromName = fromName
        self.fromAddress = fromAddress
        self.subject = subject
        self.date = date
        self.headers = headers
        self.plainText = plainText
        self.html = html
        self.attachments = attachments
        self.isReport = isReport
    }

    /// The first value of the header `name` (any case).
    public func header(_ name: String) -> String? {
        self.headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Messages larger than this are not read (an enormous message is skipped, never blocks the mailbox).
    public static let maxSize = 25 * 1024 * 1024
    /// Multipart nesting deeper than this is not followed.
    static let maxDepth = 16
    /// Parts beyond this many are not looked at.
    static let maxParts = 256

    /// Reads a raw RFC 5322 message.
    /// - Throws: ``MailError`` when the bytes are not a message (or are too large).
    public static func parse(_ raw: [UInt8]) throws(MailError) -> MailMessage {
        guard raw.count <= Self.maxSize else { throw .tooLarge(raw.count) }
        MIMELibrary.initialise()
        guard let message = Self.construct(raw) else { throw .unreadable("GMime found no message in \(raw.count) bytes") }
        defer { hw_object_unref(message) }
        return Self.read(message)
    }

    /// Reads a raw header block (a webhook's `headers` field) as a message without a body.
    public static func parseHeaders(_ block: [UInt8]) throws(MailError) -> MailMessage {
        var raw = block
        while let last = raw.last, last == 0x0A || last == 0x0D { raw.removeLast() }
        raw += Array("\r\n\r\n".utf8)
        return try Self.parse(raw)
    }

    private static func construct(_ raw: [UInt8]) -> UnsafeMutablePointer<GMimeMessage>? {
        raw.withUnsafeBufferPointer { buffer -> UnsafeMutablePointer<GMimeMessage>? in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return nil }
            let stream = base.withMemoryRebound(to: UInt8.self, capacity: buffer.count) {
                g_mime_stream_mem_new_with_buffer(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self), buffer.count)
            }
            guard let stream else { return nil }
            defer { hw_object_unref(stream) }
            guard let parser = g_mime_parser_new_with_stream(stream) else { return nil }
            defer { hw_object_unref(parser) }
            return g_mime_parser_construct_message(parser, nil)
        }
    }

    private static func read(_ message: UnsafeMutablePointer<GMimeMessage>) -> MailMessage {
        var mail = MailMessage()
        mail.messageID = Self.string(g_mime_message_get_message_id(message)).flatMap { $0.isEmpty ? nil : $0 }
        mail.subject = Self.string(g_mime_message_get_subject(message)) ?? ""
        if let date = g_mime_message_get_date(message) { mail.date = Date(timeIntervalSince1970: TimeInterval(g_date_time_to_unix(date))) }
        if let from = g_mime_message_get_from(message), internet_address_list_length(from) > 0,
            let address = internet_address_list_get_address(from, 0)
        {
            mail.fromName = Self.string(internet_address_get_name(address)).flatMap { $0.isEmpty ? nil : $0 }
            mail.fromAddress = Self.string(hw_address_mailbox(address)).flatMap { $0.isEmpty ? nil : $0 }
        }
        let object = hw_mime_message_object(message)
        // Encoded words cut inside a character: decoded again once merged.
        if let raw = Self.rawHeader(object, "Subject"),
            let merged = EncodedWords.merged(raw), let decoded = g_mime_utils_header_decode_text(nil, merged)
        {
            mail.subject = Self.string(decoded)?.trimmingCharacters(in: .whitespaces) ?? mail.subject
            g_free(decoded)
        }
        if let raw = Self.rawHeader(object, "From"), let merged = EncodedWords.merged(raw), let list = internet_address_list_parse(nil, merged) {
            if internet_address_list_length(list) > 0, let address = internet_address_list_get_address(list, 0) {
                mail.fromName = Self.string(internet_address_get_name(address)).flatMap { $0.isEmpty ? nil : $0 } ?? mail.fromName
            }
            hw_object_unref(list)
        }
        if let list = g_mime_object_get_header_list(object) {
            let count = min(Int(g_mime_header_list_get_count(list)), 500)
            for index in 0..<count {
                guard let header = g_mime_header_list_get_header_at(list, Int32(index)) else { continue }
                mail.headers.append(Header(Self.string(g_mime_header_get_name(header)) ?? "", Self.string(g_mime_header_get_value(header)) ?? ""))
            }
        }
        if let body = g_mime_message_get_mime_part(message) {
            var walk = PartWalk()
            walk.visit(body, depth: 0)
            mail.plainText = walk.plain
            mail.html = walk.html
            mail.attachments = walk.attachments
            mail.isReport = walk.isReport
        }
        return mail
    }

    /// The raw (undecoded) value of the first header `name`.
    static func rawHeader(_ object: UnsafeMutablePointer<GMimeObject>?, _ name: String) -> String? {
        guard let object, let list = g_mime_object_get_header_list(object), let header = g_mime_header_list_get_header(list, name) else { return nil }
        return Self.string(g_mime_header_get_raw_value(header))
    }

    static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) }
    }
}

/// Why a mail could not be read.
public enum MailError: Error, Sendable, CustomStringConvertible, Equatable {
    case tooLarge(Int)
    case unreadable(String)

    public var description: String {
        switch self {
        case .tooLarge(let size): "the message is \(size) bytes, more than \(MailMessage.maxSize)"
        case .unreadable(let reason): reason
        }
    }
}

/// The walk over a message's MIME tree: the first text/plain and text/html bodies, attachments counted.
struct PartWalk {
    var plain: String?
    var html: String?
    var attachments = 0
    var isReport = false
    var parts = 0

    mutating func visit(_ object: UnsafeMutablePointer<GMimeObject>, depth: Int, related: Bool = false) {
        self.parts += 1
        guard depth <= MailMessage.maxDepth, self.parts <= MailMessage.maxParts else { return }
        let type = g_mime_object_get_content_type(object)
        let media = type.flatMap { MailMessage.string(g_mime_content_type_get_media_type($0))?.lowercased() } ?? "text"
        let subtype = type.flatMap { MailMessage.string(g_mime_content_type_get_media_subtype($0))?.lowercased() } ?? "plain"
        if hw_mime_is_multipart(object) != 0 {
            if subtype == "report" { self.isReport = true }
            let multipart = hw_mime_multipart(object)
            let count = Int(g_mime_multipart_get_count(multipart))
            for index in 0..<count {
                guard let child = g_mime_multipart_get_part(multipart, Int32(index)) else { continue }
                self.visit(child, depth: depth + 1, related: related || subtype == "related")
            }
            return
        }
        if hw_mime_is_message_part(object) != 0 {
            self.attachments += 1  // a forwarded message: not what this person wrote
            return
        }
        guard hw_mime_is_part(object) != 0 else { return }
        let part = hw_mime_part(object)
        if media == "application", subtype == "pgp-signature" || subtype == "pkcs7-signature" || subtype == "x-pkcs7-signature" {
            return  // a signature is not something the person attached
        }
        let isBody = media == "text" && (subtype == "plain" || subtype == "html")
        if g_mime_part_is_attachment(part) != 0 || (!isBody && !related) {
            self.attachments += 1  // a file, or a picture pasted in the text (an HTML body's own pictures are not counted)
            return
        }
        guard isBody, self.plain == nil || (subtype == "html" && self.html == nil) else { return }
        let charset = MailMessage.string(g_mime_object_get_content_type_parameter(object, "charset"))
        guard let array = hw_mime_part_bytes(part) else { return }
        defer { g_byte_array_free(array, 1) }
        let bytes = Array(UnsafeBufferPointer(start: array.pointee.data, count: Int(array.pointee.len)))
        let text = MailCharset.decode(bytes, charset: charset)
        if subtype == "html" {
            if self.html == nil { self.html = text }
        } else if self.plain == nil {
            let format = MailMessage.string(g_mime_object_get_content_type_parameter(object, "format"))?.lowercased()
            let delSp = MailMessage.string(g_mime_object_get_content_type_parameter(object, "delsp"))?.lowercased() == "yes"
            self.plain = format == "flowed" ? MailText.unflow(text, delSp: delSp) : text
        }
    }
}

/// Bytes in a declared charset as text. UTF-8 (and its aliases) as such; `iso-8859-1`, `latin1` and `us-ascii` as
/// Windows-1252, as browsers do (WHATWG Encoding), since that is what such mail really holds; any other label through
/// GMime's iconv; an unknown or missing label as UTF-8 when the bytes are, else Windows-1252. Never fails: an
/// invalid sequence becomes U+FFFD.
public enum MailCharset {
    public static func decode(_ bytes: [UInt8], charset: String?) -> String {
        let label = (charset ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        switch label {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8":
            return String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "ibm819", "us-ascii", "ascii", "ansi_x3.4-1968", "windows-1252",
            "cp1252", "x-cp1252":
            return Self.windows1252(bytes)
        case "":
            return Self.utf8OrWindows1252(bytes)
        default:
            MIMELibrary.initialise()
            let converted = bytes.withUnsafeBufferPointer { buffer -> String? in
                guard let base = buffer.baseAddress else { return "" }
                return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer -> String? in
                    guard let text = hw_mime_to_utf8(label, pointer, buffer.count) else { return nil }
                    defer { g_free(text) }
                    return MailMessage.string(text)
                }
            }
            return converted ?? Self.utf8OrWindows1252(bytes)
        }
    }

    static func utf8OrWindows1252(_ bytes: [UInt8]) -> String {
        String(validating: bytes, as: UTF8.self) ?? Self.windows1252(bytes)
    }

    /// Windows-1252: Latin-1 with printable characters in 0x80–0x9F (’ “ ” € œ …).
    static func windows1252(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for byte in bytes {
            if (0x80...0x9F).contains(byte) {
                scalars.append(Self.c1[Int(byte - 0x80)])
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    private static let c1: [Unicode.Scalar] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ].map { Unicode.Scalar(UInt32($0)) ?? "\u{FFFD}" }
}

/// GMime's one-time initialisation.
enum MIMELibrary {
    private static let done = Mutex(false)

    static func initialise() {
        Self.done.withLock { done in
            guard !done else { return }
            g_mime_init()
            done = true
        }
    }
}

/// RFC 2047 encoded words that some clients (Lotus Notes, old webmails) cut in the middle of a UTF-8 character:
/// `=?UTF-8?B?SMM=?= =?UTF-8?B?qWzDqG5l?=` is "Hélène" only when the two words' bytes are joined before decoding,
/// which GMime does not do. Adjacent words of the same charset are merged into one, as bytes, for GMime to decode.
enum EncodedWords {
    /// `value` with adjacent same-charset encoded words merged; `nil` when there were none to merge.
    static func merged(_ value: String) -> String? {
        let unfolded = value.replacingOccurrences(of: "\r\n", with: "").replacingOccurrences(of: "\n", with: "")
        let pattern = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/
        var output = ""
        var pending: (charset: String, bytes: [UInt8])?
        var gap = ""
        var merges = 0
        var rest = unfolded[...]
        func flush() {
            if let word = pending { output += "=?\(word.charset)?B?\(Data(word.bytes).base64EncodedString())?=" }
            pending = nil
        }
        while let match = rest.firstMatch(of: pattern) {
            let between = rest[rest.startIndex..<match.range.lowerBound]
            let charset = String(match.output.1)
            let bytes = Self.decode(match.output.3, base64: match.output.2.lowercased() == "b")
            if let word = pending, between.allSatisfy(\.isWhitespace), word.charset.lowercased() == charset.lowercased(), let bytes {
                pending = (word.charset, word.bytes + bytes)
                merges += 1
            } else {
                flush()
                output += between
                if let bytes { pending = (charset, bytes) } else { output += match.output.0 }
            }
            gap = ""
            rest = rest[match.range.upperBound...]
        }
        flush()
        output += gap + rest
        return merges > 0 ? output : nil
    }

    private static func decode(_ text: Substring, base64: Bool) -> [UInt8]? {
        if base64 {
            var padded = String(text)
            while padded.count % 4 != 0 { padded += "=" }
            return Data(base64Encoded: padded).map(Array.init)
        }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "_") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "="), index + 2 < utf8.count,
                let value = UInt8(String(decoding: utf8[index + 1...index + 2], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return bytes
    }
}
