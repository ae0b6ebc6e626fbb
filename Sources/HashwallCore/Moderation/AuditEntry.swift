import Foundation

/// One moderator action, as the audit list shows it and as undo needs it. Written before the action is answered.
public struct AuditEntry: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, Codable {
        case hide, show, approve, reject, pin, unpin, ban, unban, settings, undo
        /// The tombstone of an erasure: an author's posts removed from the database on their request.
        case erased
        /// A post marked as a question for the stage, unmarked, and answered (the stage's "done").
        case question, unquestion, done
    }

    /// What an entry that named an erased post says from then on: the action, nothing of the post or its author.
    public static func erasedSummary(_ action: Action) -> String {
        "\(action.rawValue): a post since erased on its author's request"
    }

    public var id: Int64
    public var at: Date
    public var moderator: String
    public var action: Action
    public var postID: PostID?
    /// Human readable: `hid Claire: « Bravo… »`. Never holds a phone number.
    public var summary: String
    /// What undoing this entry restores; `nil` for entries that can't be undone (an undo).
    public var inverse: Inverse?
    public var undone: Bool

    /// The state an undo puts back.
    public enum Inverse: Sendable, Hashable, Codable {
        case states([PostID: PostState])
        case pinned(PostID, Bool)
        case banned(authorKey: String, Bool, states: [PostID: PostState])
        case settings(ModerationSettings)
        case question(PostID, Moderation.Question?)
    }

    public init(
        id: Int64, at: Date, moderator: String, action: Action, postID: PostID?, summary: String, inverse: Inverse?, undone: Bool = false
    ) {
        self.id = id
        self.at = at
        self.moderator = moderator
        self.action = action
        self.postID = postID
        self.summary = summary
        self.inverse = inverse
        self.undone = undone
    }
}

extension AuditEntry: Encodable {
    enum CodingKeys: String, CodingKey { case id, at, moderator, action, postId, summary, undone }

    /// The JSON moderators see: no inverse (it may name an author key).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(WireDate.format(self.at), forKey: .at)
        try container.encode(self.moderator, forKey: .moderator)
        try container.encode(self.action, forKey: .action)
        try container.encode(self.postID, forKey: .postId)
        try container.encode(self.summary, forKey: .summary)
        try container.encode(self.undone, forKey: .undone)
    }
}

extension PostID: CodingKeyRepresentable {
    public var codingKey: any CodingKey { AnyKey(stringValue: self.rawValue) }
    public init?<T: CodingKey>(codingKey: T) { self.init(codingKey.stringValue) }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
