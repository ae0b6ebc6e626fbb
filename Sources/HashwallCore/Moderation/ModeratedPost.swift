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

    public func encode(to encoder: any Encoder) throws {
        try self.stored.post.encode(to: encoder)
        try Fields(self).encode(to: encoder)
    }

    /// The fields moderators see besides the post's own.
    struct Fields: Encodable {
        let moderated: ModeratedPost

        init(_ moderated: ModeratedPost) { self.moderated = moderated }

        enum CodingKeys: String, CodingKey { case state, heldSince, heldBecause, authorBanned, authorTrusted, contact, question }

        struct QuestionJSON: Encodable {
            var markedAt: String
            var doneAt: String?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(self.markedAt, forKey: .markedAt)
                try container.encode(self.doneAt, forKey: .doneAt)
            }

            enum CodingKeys: String, CodingKey { case markedAt, doneAt }
        }

        func encode(to encoder: any Encoder) throws {
            let moderation = self.moderated.stored.moderation
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(moderation.state, forKey: .state)
            try container.encode(moderation.heldSince.map { WireDate.format(.init(timeIntervalSince1970: $0)) }, forKey: .heldSince)
            try container.encode(moderation.heldBecause, forKey: .heldBecause)
            try container.encode(self.moderated.authorBanned, forKey: .authorBanned)
            try container.encode(self.moderated.authorTrusted, forKey: .authorTrusted)
            try container.encode(moderation.contact, forKey: .contact)
            try container.encode(
                moderation.question.map {
                    QuestionJSON(
                        markedAt: WireDate.format(Date(timeIntervalSince1970: $0.markedAt)),
                        doneAt: $0.doneAt.map { WireDate.format(Date(timeIntervalSince1970: $0)) })
                }, forKey: .question)
        }
    }
}
