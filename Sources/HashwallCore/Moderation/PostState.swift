/// Where a post stands with the moderators. Only `visible` posts reach public surfaces.
public enum PostState: String, Sendable, Hashable, Codable, CaseIterable {
    /// On the wall.
    case visible
    /// Taken off the wall by a moderator (or because its author was banned); never comes back by itself.
    case hidden
    /// Waiting for a moderator: pre-moderation, the blocklist, a banned author or the flood limit.
    case held
    /// Refused while held.
    case rejected
}

/// A post's moderation record: its state, why and since when it is held, and whose it is.
public struct Moderation: Sendable, Hashable {
    public var state: PostState
    public var heldSince: Double?
    public var heldBecause: String?
    /// `channel:identity`, the key bans, trust and the flood limit go by. Never public (for SMS it stands
    /// for the phone number).
    public var authorKey: String
    /// How to reach the author, for moderators only: an SMS sender's full number. Never on a public surface.
    public var contact: String?
    /// Marked by a moderator as a question for the stage (the lectern's `/stage` page), and when it was answered.
    public var question: Question?

    /// A question for the stage: when a moderator marked it, and when the stage tapped "done" (nil while open).
    public struct Question: Sendable, Hashable, Codable {
        public var markedAt: Double
        public var doneAt: Double?

        public init(markedAt: Double, doneAt: Double? = nil) {
            self.markedAt = markedAt
            self.doneAt = doneAt
        }

        public var isOpen: Bool { self.doneAt == nil }
    }

    public init(
        state: PostState = .visible, heldSince: Double? = nil, heldBecause: String? = nil, authorKey: String, contact: String? = nil,
        question: Question? = nil
    ) {
        self.question = question
        self.state = state
        self.heldSince = heldSince
        self.heldBecause = heldBecause
        self.authorKey = authorKey
        self.contact = contact
    }
}

/// A post with everything the store and the journal keep about it.
public struct StoredPost: Sendable, Hashable {
    public var post: Post
    /// Rank in arrival order: ties in `createdAt` go by it.
    public var arrival: Int64
    public var moderation: Moderation

    public init(post: Post, arrival: Int64, moderation: Moderation) {
        self.post = post
        self.arrival = arrival
        self.moderation = moderation
    }
}
