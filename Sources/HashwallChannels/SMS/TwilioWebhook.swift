import Foundation
import HashwallCore

/// Twilio's inbound-SMS webhook (`POST /hooks/sms/twilio`, form-encoded), checked with `X-Twilio-Signature`.
public struct TwilioWebhook: Sendable {
    /// The account's auth token (`HASHWALL_TWILIO_AUTH_TOKEN`).
    public let authToken: String
    public let defaultCountryCode: String

    public init(authToken: String, defaultCountryCode: String = "+33") {
        self.authToken = authToken
        self.defaultCountryCode = defaultCountryCode
    }

    /// The empty TwiML answer: no reply SMS. (Never plain text: Twilio would text it back.)
    public static let emptyResponse = #"<?xml version="1.0" encoding="UTF-8"?><Response></Response>"#

    /// TwiML that texts `message` back to the sender.
    public static func reply(_ message: String) -> String {
        let escaped = message.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        return #"<?xml version="1.0" encoding="UTF-8"?><Response><Message>"# + escaped + "</Message></Response>"
    }

    /// Whether `signature` signs `fields` for `url`, the exact public URL Twilio called. As Twilio's own
    /// validator does, the URL is tried with and without its default port.
    public func isSigned(url: String, fields: [(name: String, value: String)], signature: String) -> Bool {
        Self.urlVariants(url).contains {
            WebhookSignature.hmacSHA1Base64(signature, key: self.authToken, message: Self.signedString(url: $0, fields: fields))
        }
    }

    /// The string Twilio signs: the URL, then each name and value, names sorted; a repeated name's distinct values sorted.
    public static func signedString(url: String, fields: [(name: String, value: String)]) -> String {
        var byName: [String: Set<String>] = [:]
        for field in fields { byName[field.name, default: []].insert(field.value) }
        var out = url
        for name in byName.keys.sorted(by: Self.byteOrder) {
            for value in (byName[name] ?? []).sorted(by: Self.byteOrder) { out += name + value }
        }
        return out
    }

    /// Reads the message out of checked fields.
    /// - Throws: ``InvalidField`` naming the missing or malformed field.
    public func message(from fields: [(name: String, value: String)]) throws -> SMSMessage {
        func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }
        guard let sid = field("MessageSid") ?? field("SmsMessageSid") ?? field("SmsSid"), !sid.isEmpty, sid.count <= 64,
            sid.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { throw InvalidField("MessageSid", "is missing or malformed") }
        guard let from = field("From") else { throw InvalidField("From", "is required") }
        guard let body = field("Body") else { throw InvalidField("Body", "is required") }
        return SMSMessage(
            gateway: "twilio", messageID: sid, from: try PhoneNumber(from, defaultCountryCode: self.defaultCountryCode, field: "From"), text: body)
    }

    static func urlVariants(_ url: String) -> [String] {
        guard var components = URLComponents(string: url) else { return [url] }
        var variants = [url]
        let defaultPort = components.scheme == "https" ? 443 : 80
        if components.port == nil {
            components.port = defaultPort
        } else if components.port == defaultPort {
            components.port = nil
        }
        if let other = components.string, other != url { variants.append(other) }
        return variants
    }

    private static func byteOrder(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
}
