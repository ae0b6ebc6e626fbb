import CGMime
import Foundation
import HashwallCore
import Synchronization

/// The inbound-mail services as ``WebhookChannel``s. Each reads what the service posts into a ``MailMessage`` (the raw
/// MIME when the service sends it, else its parsed fields), then the same ``EmailRules`` as IMAP decide the post, whose
/// id comes from the RFC 5322 Message-ID: the same message by IMAP and by a webhook is one post. Each answers 200 only
/// once the post is durable; a store that fails answers 503, which every one of them retries.

/// Mailgun's routes (`forward()`): a form (or multipart form with attachments) signed with HMAC-SHA256 over
/// `timestamp` + `token`. A bad signature is 403 (Mailgun retries for 8 hours, time to fix a wrong key); a timestamp
/// more than 15 minutes off or a token already used is 406, which Mailgun does not retry, and stores nothing.
public struct MailgunChannel: WebhookChannel {
    public let name = "email.mailgun"
    public let path = "email/mailgun"
    public let methods: Set<String> = ["POST"]
    public var maxBody: Int { EmailWebhooks.maxBody }
    let signingKey: String
    let rules: EmailRules
    let tokens: UsedTokens
    let now: @Sendable () -> Date

    /// How far a signature's timestamp may be from our clock.
    public static let tolerance: TimeInterval = 15 * 60

    public init(signingKey: String, rules: EmailRules, tokens: UsedTokens = UsedTokens(), now: @escaping @Sendable () -> Date = Date.init) {
        self.signingKey = signingKey
        self.rules = rules
        self.tokens = tokens
        self.now = now
    }

    /// What Mailgun posted: the message, and the token that signed it (released again if it can't be stored).
    public struct Delivery: Sendable {
        public var mail: MailMessage
        public var token: String
    }

    public func verify(_ request: WebhookRequest) throws(WebhookFailure) {
        let fields = try EmailWebhooks.fields(request)
        guard let timestamp = fields.text("timestamp"), let token = fields.text("token"), let signature = fields.text("signature") else {
            throw .refused("timestamp, token and signature are required")
        }
        guard WebhookSignature.hmacSHA256Hex(signature, key: self.signingKey, message: Array((timestamp + token).utf8)) else {
            throw .refused("the signature does not match the signing key")
        }
        guard let seconds = TimeInterval(timestamp), abs(self.now().timeIntervalSince1970 - seconds) <= Self.tolerance else {
            throw .notAcceptable("the signature's timestamp \(timestamp) is more than 15 minutes from now")
        }
        guard self.tokens.claim(token, until: seconds + Self.tolerance, now: self.now().timeIntervalSince1970) else {
            throw .notAcceptable("this token was already used (a replay)")
        }
    }

    public func parse(_ request: WebhookRequest) throws(WebhookFailure) -> Delivery? {
        let fields = try EmailWebhooks.fields(request)
        let token = fields.text("token") ?? ""
        if let raw = fields.bytes("body-mime") {
            return Delivery(mail: try EmailWebhooks.message(raw, field: "body-mime"), token: token)
        }
        var headers: [MailMessage.Header] = []
        if let json = fields.bytes("message-headers") {
            try WebhookFailure.reading { try JSONNesting.check(json) }
            guard let list = try? JSONSerialization.jsonObject(with: Data(json)) as? [Any] else {
                throw .malformed(InvalidField("message-headers", "is not a JSON list of [name, value] pairs"))
            }
            for pair in list {
                guard let pair = pair as? [Any], pair.count == 2, let name = pair[0] as? String, let value = pair[1] as? String else { continue }
                headers.append(.init(name, value))
            }
        }
        for name in ["From", "Subject"] where !headers.contains(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) {
            if let value = fields.text(name.lowercased()) { headers.append(.init(name, value)) }
        }
        guard headers.contains(where: { $0.name.caseInsensitiveCompare("From") == .orderedSame }) else {
            throw .malformed(InvalidField("from", "is required (or message-headers, or body-mime)"))
        }
        var mail = try EmailWebhooks.message(headers: headers)
        mail.plainText = fields.text("body-plain")
        mail.html = fields.text("body-html")
        mail.attachments = max(mail.attachments, Int(fields.text("attachment-count") ?? "") ?? 0)
        return Delivery(mail: mail, token: token)
    }

    public func accept(_ delivery: Delivery, into intake: Intake) async throws -> (WebhookOutcome, WebhookResponse) {
        do {
            return (try await self.rules.accept(delivery.mail, into: intake, channelName: self.name), self.ignoredResponse)
        } catch {
            self.tokens.release(delivery.token)  // nothing was stored: Mailgun's retry may carry the same token
            throw error
        }
    }

    public var ignoredResponse: WebhookResponse { .text(200, "application/json; charset=utf-8", #"{"message":"ok"}"#) }
}

/// SendGrid Inbound Parse: a multipart form, with the raw MIME in `email` ("Send Raw") or parsed fields (`headers`,
/// `text` and `html` in the charsets `charsets` names), behind HTTP basic auth whose password is our secret (any user
/// name). Bad credentials are 401 (SendGrid retries only 5xx).
public struct SendGridChannel: WebhookChannel {
    public let name = "email.sendgrid"
    public let path = "email/sendgrid"
    public let methods: Set<String> = ["POST"]
    public var maxBody: Int { EmailWebhooks.maxBody }
    let password: String
    let rules: EmailRules

    public init(password: String, rules: EmailRules) {
        self.password = password
        self.rules = rules
    }

    public func verify(_ request: WebhookRequest) throws(WebhookFailure) {
        try EmailWebhooks.checkBasicAuth(request, password: self.password)
    }

    public func parse(_ request: WebhookRequest) throws(WebhookFailure) -> MailMessage? {
        guard request.mediaType == "multipart/form-data" else { throw .unsupportedMediaType("Content-Type must be multipart/form-data") }
        let fields = try EmailWebhooks.fields(request)
        if let raw = fields.bytes("email") { return try EmailWebhooks.message(raw, field: "email") }
        guard let block = fields.bytes("headers") else { throw .malformed(InvalidField("headers", "is required (or email, in raw mode)")) }
        var mail: MailMessage
        do {
            mail = try MailMessage.parseHeaders(block)
        } catch {
            throw .malformed(InvalidField("headers", error.description))
        }
        var charsets: [String: String] = [:]
        if let json = fields.bytes("charsets") {
            try WebhookFailure.reading { try JSONNesting.check(json) }
            charsets = (try? JSONSerialization.jsonObject(with: Data(json)) as? [String: String]) ?? [:]
        }
        mail.plainText = fields.bytes("text").map { MailCharset.decode($0, charset: charsets["text"]) }
        mail.html = fields.bytes("html").map { MailCharset.decode($0, charset: charsets["html"]) }
        mail.attachments = Int(fields.text("attachments") ?? "") ?? fields.files
        return mail
    }

    public func accept(_ mail: MailMessage, into intake: Intake) async throws -> (WebhookOutcome, WebhookResponse) {
        (try await self.rules.accept(mail, into: intake, channelName: self.name), self.ignoredResponse)
    }

    public var ignoredResponse: WebhookResponse { WebhookResponse(status: 200) }
}

/// Postmark's inbound webhook: JSON (the raw MIME in `RawEmail` when sent, else `FromFull`, `Subject`, `Date`,
/// `TextBody`, `HtmlBody` and the RFC `Message-ID` in `Headers`; Postmark's own `MessageID` is not the mail's), behind
/// HTTP basic auth. Bad credentials are 401 (retried by Postmark for hours, time to fix a wrong password).
public struct PostmarkChannel: WebhookChannel {
    public let name = "email.postmark"
    public let path = "email/postmark"
    public let methods: Set<String> = ["POST"]
    public var maxBody: Int { EmailWebhooks.maxBody }
    let password: String
    let rules: EmailRules

    public init(password: String, rules: EmailRules) {
        self.password = password
        self.rules = rules
    }

    public func verify(_ request: WebhookRequest) throws(WebhookFailure) {
        try EmailWebhooks.checkBasicAuth(request, password: self.password)
    }

    public func parse(_ request: WebhookRequest) throws(WebhookFailure) -> MailMessage? {
        guard request.mediaType == "application/json" else { throw .unsupportedMediaType("Content-Type must be application/json") }
        try WebhookFailure.reading { try JSONNesting.check(request.body) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
            throw .malformed(InvalidField("body", "is not a JSON object"))
        }
        if let raw = object["RawEmail"] as? String, !raw.isEmpty { return try EmailWebhooks.message(Array(raw.utf8), field: "RawEmail") }
        var headers: [MailMessage.Header] = []
        for entry in object["Headers"] as? [Any] ?? [] {
            guard let entry = entry as? [String: Any], let name = entry["Name"] as? String, let value = entry["Value"] as? String else { continue }
            headers.append(.init(name, value))
        }
        if let date = object["Date"] as? String { headers.append(.init("Date", date)) }
        var mail = try EmailWebhooks.message(headers: headers)
        let from = object["FromFull"] as? [String: Any]
        guard let address = (from?["Email"] as? String) ?? (object["From"] as? String), !address.isEmpty else {
            throw .malformed(InvalidField("FromFull", "is required"))
        }
        mail.fromAddress = address
        mail.fromName = ((from?["Name"] as? String) ?? (object["FromName"] as? String)).flatMap { $0.isEmpty ? nil : $0 }
        mail.subject = object["Subject"] as? String ?? ""
        mail.plainText = object["TextBody"] as? String
        mail.html = object["HtmlBody"] as? String
        mail.attachments = (object["Attachments"] as? [Any])?.count ?? 0
        return mail
    }

    public func accept(_ mail: MailMessage, into intake: Intake) async throws -> (WebhookOutcome, WebhookResponse) {
        (try await self.rules.accept(mail, into: intake, channelName: self.name), self.ignoredResponse)
    }

    public var ignoredResponse: WebhookResponse { WebhookResponse(status: 200) }
}

extension EmailRules {
    /// Hands the post `mail` becomes to `intake` (durable when this returns); `ignored` for mail that is not for the
    /// wall (automatic, empty, without the required keyword).
    func accept(_ mail: MailMessage, into intake: Intake, channelName: String) async throws -> WebhookOutcome {
        guard case .post(let post) = self.verdict(for: mail) else { return .ignored }
        _ = try await intake.accept(post, channelName: channelName)
        return .accepted
    }
}

/// Mailgun tokens already used, each kept until its signature could no longer pass the timestamp check anyway.
public final class UsedTokens: Sendable {
    private let tokens = Mutex<[String: TimeInterval]>([:])
    /// More tokens than this at once (a flood of valid signatures) and the oldest are forgotten first.
    let capacity: Int

    public init(capacity: Int = 100_000) { self.capacity = capacity }

    /// Whether `token` is used for the first time; it stays used until `until` (Unix seconds).
    func claim(_ token: String, until: TimeInterval, now: TimeInterval) -> Bool {
        self.tokens.withLock { tokens in
            if tokens.count >= self.capacity { tokens = tokens.filter { $0.value > now } }
            if tokens.count >= self.capacity, let oldest = tokens.min(by: { $0.value < $1.value }) { tokens[oldest.key] = nil }
            if let expiry = tokens[token], expiry > now { return false }
            tokens[token] = until
            return true
        }
    }

    func release(_ token: String) {
        _ = self.tokens.withLock { $0.removeValue(forKey: token) }
    }
}

/// What the three services share: bodies up to a mail's size, form fields as bytes, basic auth, a message from its
/// raw MIME or from header fields.
enum EmailWebhooks {
    /// A whole message with its attachments, encoded (SendGrid's limit is 20 MB, Mailgun's 25 MB).
    static let maxBody = 36 * 1024 * 1024

    /// A form's fields, as bytes (text fields of SendGrid's parsed mode are in their own charsets).
    struct Fields {
        var values: [(name: String, value: [UInt8])] = []
        /// File fields (attachments), not read.
        var files = 0

        func bytes(_ name: String) -> [UInt8]? { self.values.first { $0.name == name }?.value }
        func text(_ name: String) -> String? { self.bytes(name).map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The fields of a form-encoded or multipart form body.
    static func fields(_ request: WebhookRequest) throws(WebhookFailure) -> Fields {
        switch request.mediaType {
        case "application/x-www-form-urlencoded":
            return Fields(values: try request.formFields().map { ($0.name, Array($0.value.utf8)) })
        case "multipart/form-data":
            guard let fields = FormData.parse(request.body, contentType: request.header("content-type") ?? "") else {
                throw .malformed(InvalidField("body", "is not a multipart/form-data body with its boundary"))
            }
            return fields
        default:
            throw .unsupportedMediaType("Content-Type must be application/x-www-form-urlencoded or multipart/form-data")
        }
    }

    /// Whether the request's basic credentials carry `password` (any user name).
    static func checkBasicAuth(_ request: WebhookRequest, password: String) throws(WebhookFailure) {
        guard let header = request.header("authorization"), header.count > 6, header.prefix(6).lowercased() == "basic " else {
            throw .unauthorized("HTTP basic credentials are required")
        }
        guard let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let credentials = String(data: decoded, encoding: .utf8), let colon = credentials.firstIndex(of: ":")
        else { throw .unauthorized("the basic credentials are not user:password in Base64") }
        guard Secret.equal(String(credentials[credentials.index(after: colon)...]), password) else {
            throw .unauthorized("wrong password")
        }
    }

    static func message(_ raw: [UInt8], field: String) throws(WebhookFailure) -> MailMessage {
        do {
            return try MailMessage.parse(raw)
        } catch {
            throw .malformed(InvalidField(field, error.description))
        }
    }

    /// A message with these header fields (decoded by GMime like a mail's own: encoded words, addresses, dates) and no
    /// body yet. Line breaks inside values are flattened, so a field can't smuggle in another.
    static func message(headers: [MailMessage.Header]) throws(WebhookFailure) -> MailMessage {
        var block = ""
        for header in headers {
            let name = header.name.filter { $0.isASCII && $0 != ":" && !$0.isWhitespace && !$0.isNewline }
            guard !name.isEmpty, !["content-type", "content-transfer-encoding", "mime-version"].contains(name.lowercased()) else { continue }
            let value = header.value.map { $0.isNewline ? " " : String($0) }.joined()
            block += name + ": " + value + "\r\n"
        }
        guard !block.isEmpty else { return MailMessage() }
        do {
            var mail = try MailMessage.parseHeaders(Array(block.utf8))
            mail.plainText = nil
            mail.html = nil
            mail.attachments = 0
            return mail
        } catch {
            throw .malformed(InvalidField("headers", error.description))
        }
    }
}

/// `multipart/form-data`, read by GMime's MIME parser (the same boundaries and part headers as a mail's).
enum FormData {
    /// The body's fields by their `Content-Disposition` name; parts with a file name are counted, not read. `nil` when
    /// the content type has no boundary or the body holds no parts.
    static func parse(_ body: [UInt8], contentType: String) -> EmailWebhooks.Fields? {
        guard contentType.lowercased().contains("boundary="), !contentType.contains(where: \.isNewline) else { return nil }
        MIMELibrary.initialise()
        let raw = Array("Content-Type: \(contentType)\r\n\r\n".utf8) + body
        return raw.withUnsafeBufferPointer { buffer -> EmailWebhooks.Fields? in
            guard let base = buffer.baseAddress else { return nil }
            let stream = base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { g_mime_stream_mem_new_with_buffer($0, buffer.count) }
            guard let stream else { return nil }
            defer { hw_object_unref(stream) }
            guard let parser = g_mime_parser_new_with_stream(stream) else { return nil }
            defer { hw_object_unref(parser) }
            guard let object = g_mime_parser_construct_part(parser, nil) else { return nil }
            defer { hw_object_unref(object) }
            guard hw_mime_is_multipart(object) != 0 else { return nil }
            let multipart = hw_mime_multipart(object)
            var fields = EmailWebhooks.Fields()
            for index in 0..<min(Int(g_mime_multipart_get_count(multipart)), 1000) {
                guard let part = g_mime_multipart_get_part(multipart, Int32(index)), hw_mime_is_part(part) != 0 else { continue }
                guard let name = MailMessage.string(g_mime_object_get_content_disposition_parameter(part, "name")) else { continue }
                if MailMessage.string(g_mime_object_get_content_disposition_parameter(part, "filename")) != nil {
                    fields.files += 1
                    continue
                }
                guard let array = hw_mime_part_bytes(hw_mime_part(part)) else {
                    fields.values.append((name, []))
                    continue
                }
                defer { g_byte_array_free(array, 1) }
                fields.values.append((name, Array(UnsafeBufferPointer(start: array.pointee.data, count: Int(array.pointee.len)))))
            }
            return fields
        }
    }
}

/// The form reader of the inbound-mail webhooks, for the fuzzer.
public enum EmailWebhookFuzzing {
    /// How many fields `body` holds as `multipart/form-data` with `boundary`; `nil` when it is not one.
    public static func formFields(_ body: [UInt8], boundary: String) -> Int? {
        FormData.parse(body, contentType: "multipart/form-data; boundary=\(boundary)").map { $0.values.count + $0.files }
    }
}
