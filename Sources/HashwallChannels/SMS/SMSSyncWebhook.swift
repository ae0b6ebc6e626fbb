import Foundation
import HashwallCore

/// SMSSync (Ushahidi's Android app): `POST /hooks/sms/smssync`, form-encoded, with a shared secret.
public struct SMSSyncWebhook: Sendable {
    /// `HASHWALL_SMSSYNC_SECRET`, typed into the app.
    public let secret: String
    public let defaultCountryCode: String

    public init(secret: String, defaultCountryCode: String = "+33") {
        self.secret = secret
        self.defaultCountryCode = defaultCountryCode
    }

    /// The answer SMSSync expects; anything else and it keeps the message to send again.
    public static func answer(success: Bool, error: String? = nil) -> String {
        let escaped =
            error.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" } ?? "null"
        return #"{"payload":{"success":\#(success),"error":\#(escaped)}}"#
    }

    /// Whether the request carries the shared secret (compared in constant time).
    public func isAuthentic(_ fields: [(name: String, value: String)]) -> Bool {
        guard let given = fields.first(where: { $0.name == "secret" })?.value else { return false }
        return Secret.equal(given, self.secret)
    }

    /// - Throws: ``InvalidField`` naming the missing or malformed field.
    public func message(from fields: [(name: String, value: String)]) throws -> SMSMessage {
        func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }
        guard let id = field("message_id"), !id.isEmpty, id.count <= 128 else { throw InvalidField("message_id", "is required") }
        guard let from = field("from") else { throw InvalidField("from", "is required") }
        guard let text = field("message") else { throw InvalidField("message", "is required") }
        var receivedAt: Date?
        if let stamp = field("sent_timestamp").flatMap(Double.init) {
            receivedAt = try WireDate.plausible(stamp > 1e12 ? stamp / 1000 : stamp, field: "sent_timestamp")  // seconds or milliseconds
        }
        return SMSMessage(
            gateway: "smssync", messageID: id, from: try PhoneNumber(from, defaultCountryCode: self.defaultCountryCode, field: "from"), text: text,
            receivedAt: receivedAt)
    }
}
