import Crypto
import Foundation
import HashwallCore

/// Vonage's inbound-SMS webhook (`GET` or `POST /hooks/sms/vonage`, query, form or JSON), signed with `sig` when a
/// signature secret is configured. Long texts may come as separate parts (see ``VonageAssembler``).
public struct VonageWebhook: Sendable {
    /// How the dashboard signs: "MD5 hash" (the default) or one of the HMACs.
    public enum Method: String, Sendable, Codable, CaseIterable {
        case md5hash, md5, sha1, sha256, sha512
    }

    /// `HASHWALL_VONAGE_SIGNATURE_SECRET`; `nil`: requests are not signed.
    public let signatureSecret: String?
    public let method: Method
    public let defaultCountryCode: String
    public static let maxClockSkew: TimeInterval = 300

    public init(signatureSecret: String?, method: Method = .md5hash, defaultCountryCode: String = "+33") {
        self.signatureSecret = signatureSecret
        self.method = method
        self.defaultCountryCode = defaultCountryCode
    }

    /// One inbound part: the whole text, or part `part` of `total` of the text `reference`.
    public struct Part: Sendable, Equatable, Codable {
        public var messageID: String
        public var from: String
        public var text: String
        public var reference: String?
        public var part: Int
        public var total: Int

        public init(messageID: String, from: String, text: String, reference: String?, part: Int, total: Int) {
            self.messageID = messageID
            self.from = from
            self.text = text
            self.reference = reference
            self.part = part
            self.total = total
        }
    }

    /// The string Vonage signs: every field but `sig`, names in byte order, `&`/`=` in values turned into `_`.
    public static func signedString(_ fields: [(name: String, value: String)]) -> String {
        fields.filter { $0.name != "sig" }
            .sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
            .map { "&\($0.name)=" + $0.value.replacingOccurrences(of: "&", with: "_").replacingOccurrences(of: "=", with: "_") }
            .joined()
    }

    /// The signature of `fields` with `secret` by `method`, lowercase hex.
    public static func signature(_ fields: [(name: String, value: String)], secret: String, method: Method) -> String {
        let string = Self.signedString(fields)
        let key = SymmetricKey(data: Data(secret.utf8))
        let message = Data(string.utf8)
        let bytes: [UInt8] =
            switch method {
            case .md5hash: Array(Insecure.MD5.hash(data: Data((string + secret).utf8)))
            case .md5: Array(HMAC<Insecure.MD5>.authenticationCode(for: message, using: key))
            case .sha1: Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
            case .sha256: Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
            case .sha512: Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
            }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks `sig` (case-insensitive hex, constant time) and that `timestamp` is recent. Nothing to check unsigned.
    public func check(_ fields: [(name: String, value: String)], now: Date = Date()) throws(AndroidGatewayWebhook.SignatureProblem) {
        guard let secret = self.signatureSecret else { return }
        func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }
        guard let sig = field("sig"), let timestamp = field("timestamp").flatMap(Double.init) else { throw .missing }
        guard abs(now.timeIntervalSince1970 - timestamp) <= Self.maxClockSkew else { throw .stale }
        guard Secret.equal(sig.lowercased(), Self.signature(fields, secret: secret, method: self.method)) else { throw .wrong }
    }

    /// The part a request carries; `nil` for what is not text (binary messages), acknowledged and ignored.
    /// - Throws: ``InvalidField`` naming the missing or malformed field.
    public func part(from fields: [(name: String, value: String)]) throws -> Part? {
        func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }
        guard let id = field("messageId"), !id.isEmpty, id.count <= 64 else { throw InvalidField("messageId", "is required") }
        guard let msisdn = field("msisdn") else { throw InvalidField("msisdn", "is required") }
        if field("type") == "binary" { return nil }
        guard let text = field("text") else { throw InvalidField("text", "is required") }
        let from = try PhoneNumber("+" + msisdn.filter(\.isNumber), defaultCountryCode: self.defaultCountryCode, field: "msisdn").e164
        guard field("concat") == "true" else { return Part(messageID: id, from: from, text: text, reference: nil, part: 1, total: 1) }
        guard let reference = field("concat-ref"), !reference.isEmpty, reference.count <= 64 else { throw InvalidField("concat-ref", "is required") }
        guard let total = field("concat-total").flatMap(Int.init), (1...50).contains(total) else {
            throw InvalidField("concat-total", "must be 1 to 50")
        }
        guard let part = field("concat-part").flatMap(Int.init), (1...total).contains(part) else {
            throw InvalidField("concat-part", "must be 1 to concat-total")
        }
        return Part(messageID: id, from: from, text: text, reference: reference, part: part, total: total)
    }
}
