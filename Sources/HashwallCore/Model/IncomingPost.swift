import Foundation

/// A post as a channel hands it to the ``Intake``, before normalisation and merging.
public struct IncomingPost: Sendable, Hashable {
    public var id: PostID
    public var channel: ChannelKind
    public var author: Author
    public var text: String
    /// When the source says it was written; `nil` means now. Clamped to the arrival time when in the future.
    public var createdAt: Date?
    public var url: String?
    public var media: [Media]
    /// The source's own repost field (a boost, a retweet), naming the original.
    public var repostOf: PostID?
    /// Who wrote it, for merging only, when the shown handle is not unique enough (a masked phone number);
    /// `nil` means the handle, else the name.
    public var authorKey: String?
    /// The author's full address (an SMS number), shown to moderators only.
    public var contact: String?
    /// The source's own count of reposts (Mastodon's `reblogs_count`), when it keeps one: the post shows at least that
    /// many. `nil` for channels that don't.
    public var reposts: Int?
    /// The author's content warning, when the post has one (see ``Post/contentWarning``).
    public var contentWarning: String?
    /// Why the source asks a moderator to look first (a self-labelled post, say): held whatever the moderation mode.
    public var holdReason: String?
    /// Only a repost of `repostOf`, with nothing of its own to show: it counts on the original when the wall has it,
    /// and is dropped otherwise (its `text` is never shown).
    public var repostOnly = false
    /// Separates dedupe keys of otherwise equal content, e.g. each loop of the demo sample; `nil` for real channels.
    public var dedupeScope: String?

    public init(
        id: PostID, channel: ChannelKind, author: Author, text: String, createdAt: Date? = nil,
        url: String? = nil, media: [Media] = [], repostOf: PostID? = nil, authorKey: String? = nil, contact: String? = nil,
        dedupeScope: String? = nil, reposts: Int? = nil
    ) {
        self.reposts = reposts
        self.contact = contact
        self.id = id
        self.channel = channel
        self.author = author
        self.text = text
        self.createdAt = createdAt
        self.url = url
        self.media = media
        self.repostOf = repostOf
        self.authorKey = authorKey
        self.dedupeScope = dedupeScope
    }
}
