/// A post's identity across the system: `channel:source:native-id`, e.g. `sms:twilio:SM0a1b`.
///
/// A wrapper, so that text can't pass for an id. Stable across redeliveries of the same source item.
public struct PostID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The id as it appears in JSON and URLs.
    public let rawValue: String

    /// Wraps `rawValue` as it is; callers build it from trusted parts (see ``IncomingPost``).
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }

    public var description: String { self.rawValue }
}
