extension IngestBody {
    /// `bytes` (valid UTF-8) read in one pass, when they are strict JSON (RFC 8259) that `JSONDecoder` reads
    /// the same way: an object with `author` (an object with a string `name`) and a string `text`, each known key
    /// once, with the type it must have. `nil` for anything else — a missing, null or mistyped field, a repeated key,
    /// a lone surrogate, a trailing comma — and ``decode(_:)`` asks `JSONDecoder`, whose answer (and error) stands.
    /// A test and the ingest fuzzer compare both over every kind of body; this path is a fraction of the decoder's cost.
    public static func quickDecode(_ bytes: [UInt8]) -> IngestBody? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = QuickJSONReader(bytes: buffer)
            guard let body = reader.ingestBody(), reader.atEnd else { return nil }
            return body
        }
    }
}

/// A strict JSON reader over UTF-8 bytes, for the few shapes ``IngestBody/quickDecode(_:)`` takes; every method
/// returns `nil` (or `false`) where the bytes are not what it reads.
struct QuickJSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    /// Only white space is left.
    var atEnd: Bool {
        mutating get {
            self.skipSpace()
            return self.index == self.bytes.count
        }
    }

    mutating func ingestBody() -> IngestBody? {
        var id: String??, author: IngestBody.AuthorBody?, text: String?
        var createdAt: String??, url: String??, repostOf: String??
        let complete = self.object { reader, key in
            switch key {
            case "id": return Self.once(&id, reader.optionalString())
            case "author": return Self.once(&author, reader.author())
            case "text": return Self.once(&text, reader.string())
            case "createdAt": return Self.once(&createdAt, reader.optionalString())
            case "url": return Self.once(&url, reader.optionalString())
            case "repostOf": return Self.once(&repostOf, reader.optionalString())
            default: return reader.skipValue()
            }
        }
        guard complete, let author, let text else { return nil }
        return IngestBody(id: id ?? nil, author: author, text: text, createdAt: createdAt ?? nil, url: url ?? nil, repostOf: repostOf ?? nil)
    }

    private mutating func author() -> IngestBody.AuthorBody? {
        var name: String?, handle: String??
        let complete = self.object { reader, key in
            switch key {
            case "name": return Self.once(&name, reader.string())
            case "handle": return Self.once(&handle, reader.optionalString())
            default: return reader.skipValue()
            }
        }
        guard complete, let name else { return nil }
        return IngestBody.AuthorBody(name: name, handle: handle ?? nil)
    }

    /// Sets `slot` to `value` the first time; false when the key came before (`JSONDecoder` keeps the first) or
    /// `value` is missing.
    private static func once<T>(_ slot: inout T?, _ value: T?) -> Bool {
        guard slot == nil, let value else { return false }
        slot = value
        return true
    }

    /// An object, each member's value read by `member` (given the reader after the colon, and the key).
    private mutating func object(_ member: (inout QuickJSONReader, String) -> Bool) -> Bool {
        guard self.take(UInt8(ascii: "{")) else { return false }
        if self.take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = self.string(), self.take(UInt8(ascii: ":")), member(&self, key) else { return false }
        } while self.take(UInt8(ascii: ","))
        return self.take(UInt8(ascii: "}"))
    }

    /// A string, or `.some(nil)` for null.
    private mutating func optionalString() -> String?? {
        if self.literal("null") { return .some(nil) }
        return self.string().map { .some($0) }
    }

    mutating func string() -> String? {
        guard self.take(Self.quote) else { return nil }
        let start = self.index
        while self.index < self.bytes.count {  // most strings have no escape: one copy
            let byte = self.bytes[self.index]
            if byte == Self.quote {
                defer { self.index += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self)
            }
            if byte == Self.backslash { break }
            if byte < 0x20 { return nil }
            self.index += 1
        }
        var out = Array(self.bytes[start..<self.index])
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            self.index += 1
            switch byte {
            case Self.quote:
                return String(decoding: out, as: UTF8.self)
            case Self.backslash:
                guard self.index < self.bytes.count else { return nil }
                let escape = self.bytes[self.index]
                self.index += 1
                switch escape {
                case Self.quote, Self.backslash, UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = self.escapedScalar() else { return nil }
                    out.append(contentsOf: UTF8.encode(scalar)!)
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                out.append(byte)
            }
        }
        return nil
    }

    /// After `\u`: four hex digits, and a second escape for the low half of a surrogate pair.
    private mutating func escapedScalar() -> Unicode.Scalar? {
        guard let unit = self.hex4() else { return nil }
        switch unit {
        case 0xD800..<0xDC00:
            guard self.take(Self.backslash, skippingSpace: false), self.take(UInt8(ascii: "u"), skippingSpace: false),
                let low = self.hex4(), (0xDC00..<0xE000).contains(low)
            else { return nil }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        case 0xDC00..<0xE000:
            return nil
        default:
            return Unicode.Scalar(unit)
        }
    }

    private mutating func hex4() -> UInt32? {
        guard self.index + 4 <= self.bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            self.index += 1
        }
        return value
    }

    /// Any value, read and dropped (a key the body does not use). Nesting is bounded before: ``JSONNesting``.
    mutating func skipValue() -> Bool {
        switch self.peek() {
        case Self.quote: return self.string() != nil
        case UInt8(ascii: "{"): return self.object { reader, _ in reader.skipValue() }
        case UInt8(ascii: "["):
            self.index += 1
            if self.take(UInt8(ascii: "]")) { return true }
            repeat {
                guard self.skipValue() else { return false }
            } while self.take(UInt8(ascii: ","))
            return self.take(UInt8(ascii: "]"))
        case UInt8(ascii: "t"): return self.literal("true")
        case UInt8(ascii: "f"): return self.literal("false")
        case UInt8(ascii: "n"): return self.literal("null")
        default: return self.number()
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func number() -> Bool {
        self.skipSpace()
        _ = self.take(UInt8(ascii: "-"), skippingSpace: false)
        if self.take(UInt8(ascii: "0"), skippingSpace: false) {
            // no more digits may follow a leading zero
        } else if self.digits() == 0 {
            return false
        }
        if self.take(UInt8(ascii: "."), skippingSpace: false), self.digits() == 0 { return false }
        if self.take(UInt8(ascii: "e"), skippingSpace: false) || self.take(UInt8(ascii: "E"), skippingSpace: false) {
            if !self.take(UInt8(ascii: "+"), skippingSpace: false) { _ = self.take(UInt8(ascii: "-"), skippingSpace: false) }
            if self.digits() == 0 { return false }
        }
        return true
    }

    private mutating func digits() -> Int {
        let start = self.index
        while self.index < self.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self.bytes[self.index]) { self.index += 1 }
        return self.index - start
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        self.skipSpace()
        let count = word.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count else { return false }
        for offset in 0..<count where self.bytes[self.index + offset] != word.utf8Start[offset] { return false }
        self.index += count
        return true
    }

    private mutating func peek() -> UInt8? {
        self.skipSpace()
        return self.index < self.bytes.count ? self.bytes[self.index] : nil
    }

    private mutating func take(_ byte: UInt8, skippingSpace: Bool = true) -> Bool {
        if skippingSpace { self.skipSpace() }
        guard self.index < self.bytes.count, self.bytes[self.index] == byte else { return false }
        self.index += 1
        return true
    }

    private mutating func skipSpace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
            default: return
            }
        }
    }
}
