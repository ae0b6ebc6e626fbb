import Foundation

/// A post as moderators see it: the public JSON plus its state, why it is held and since when, and whether
/// its author is banned or trusted.
public struct ModeratedPost: Sendable, Encodable {
    public var stored: StoredPost
    public var authorBanned: Bool
    public var authorTrusted: Bool

    public init(stored: StoredPost, authorBanned: Bool, authorTrusted: Bool) {
        self.stored = stored
        self.authorBanned = authorBanned
        self.authorTrusted = authorTrusted
    }

    enum CodingKeys: String, CodingKey { case state, heldSince, heldBecause, authorBanned, authorTrusted, contact }

    public func encode(to encoder: any Encoder) throws {
        try self.stored.post.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.stored.moderation.state, forKey: .state)
        try container.encode(self.stored.moderation.heldSince.map { WireDate.format(.init(timeIntervalSince1970: $0)) }, forKey: .heldSince)
        try container.encode(self.stored.moderation.heldBecause, forKey: .heldBecause)
        try container.encode(self.authorBanned, forKey: .authorBanned)
        try container.encode(self.authorTrusted, forKey: .authorTrusted)
        try container.encode(self.stored.moderation.contact, forKey: .contact)
    }
}
