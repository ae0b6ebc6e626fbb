import Foundation
import HashwallCore

/// The webhook of the open-source SMS Gateway for Android (`POST /hooks/sms/android`, JSON): a phone on the
/// venue's Wi-Fi feeds the wall with no internet at all. Signed with `X-Signature`/`X-Timestamp` when a key is set.
public struct AndroidGatewayWebhook: Sendable {
    /// `HASHWALL_ANDROID_SMS_SIGNING_KEY`; `nil`: requests are not signed.
    public let signingKey: String?
    public let defaultCountryCode: String
    /// Signed requests older or newer than this are refused (replays).
    public static let maxClockSkew: TimeInterval = 300

    public init(signingKey: String?, defaultCountryCode: String = "+33") {
        self.signingKey = signingKey
        self.defaultCountryCode = defaultCountryCode
    }

    /// Why a request's signature is refused.
    public enum SignatureProblem: Error, Equatable, CustomStringConvertible {
        case missing, stale, wrong
        public var description: String {
            switch self {
            case .missing: "X-Signature and X-Timestamp are required"
            case .stale: "X-Timestamp is more than 5 minutes away from now"
            case .wrong: "X-Signature does not match"
            }
        }
    }

    /// Checks `X-Signature` = hex HMAC-SHA256(key, raw body + `X-Timestamp`), and that the timestamp is recent.
    /// Nothing to check when no key is configured.
    public func check(body: [UInt8], signature: String?, timestamp: String?, now: Date = Date()) throws(SignatureProblem) {
        guard let key = self.signingKey else { return }
        guard let signature, let timestamp, let seconds = Double(timestamp) else { throw .missing }
        guard abs(now.timeIntervalSince1970 - seconds) <= Self.maxClockSkew else { throw .stale }
        guard WebhookSignature.hmacSHA256Hex(signature, key: key, message: body + Array(timestamp.utf8)) else { throw .wrong }
    }

    struct Delivery: Decodable {
        struct Payload: Decodable {
            var messageId: String?
            var message: String?
            var phoneNumber: String?
            var sender: String?
            var receivedAt: String?
        }
        var id: String
        var event: String
        var payload: Payload?
    }

    /// The message a delivery carries; `nil` for events other than `sms:received` (answered 200 and ignored).
    /// - Throws: ``InvalidField`` naming the bad field.
    public func message(from body: [UInt8]) throws -> SMSMessage? {
        let delivery: Delivery
        try JSONNesting.check(body)
        do {
            delivery = try JSONDecoder().decode(Delivery.self, from: Data(body))
        } catch let DecodingError.keyNotFound(key, context) {
            throw InvalidField((context.codingPath + [key]).map(\.stringValue).joined(separator: "."), "is required")
        } catch {
            throw InvalidField("body", "is not the JSON of an SMS Gateway for Android webhook")
        }
        guard delivery.event == "sms:received" else { return nil }
        guard !delivery.id.isEmpty, delivery.id.count <= 128 else { throw InvalidField("id", "is empty or too long") }
        guard let payload = delivery.payload else { throw InvalidField("payload", "is required") }
        guard let number = payload.sender ?? payload.phoneNumber else { throw InvalidField("payload.sender", "is required") }
        guard let text = payload.message else { throw InvalidField("payload.message", "is required") }
        let receivedAt = try payload.receivedAt.map { try WireDate.parse($0, field: "payload.receivedAt") }
        return SMSMessage(
            gateway: "android", messageID: delivery.id,
            from: try PhoneNumber(number, defaultCountryCode: self.defaultCountryCode, field: "payload.sender"), text: text, receivedAt: receivedAt)
    }
}
