import Foundation

/// One message on the wall, whichever channel brought it. A plain value: share it across tasks freely.
///
/// Its JSON is the public contract (DESIGN.md): fields may be added, never renamed.
public struct Post: Sendable, Hashable, Identifiable {
    /// `channel:source:native-id`; stable across redeliveries.
    public let id: PostID
    public let channel: ChannelKind
    public var author: Author
    /// Normalised: NFC, folded whitespace, no control or bidi-override characters. Rendered as text, never HTML.
    public var text: String
    public var createdAt: Date
    public var receivedAt: Date
    /// The post's permalink at its source, when it has one.
    public var url: String?
    /// Attached pictures (at most ``Media/maxPerPost``), served from the wall's cache.
    public var media: [Media]
    /// Normalised tags: lower case, accents folded, no `#`.
    public var hashtags: [String]
    /// URLs, mentions and hashtags found in `text`.
    public var spans: [TextSpan]
    /// How many reposts of this post the wall has seen.
    public var reposts: Int
    public var pinned: Bool
    /// The author's content warning (Mastodon's `spoiler_text`): the page shows it, and the text only to a follower who
    /// opens it; the projector never shows the post.
    public var contentWarning: String?

    public init(
        id: PostID, channel: ChannelKind, author: Author, text: String, createdAt: Date, receivedAt: Date,
        url: String? = nil, media: [Media] = [], hashtags: [String] = [], spans: [TextSpan] = [],
        reposts: Int = 0, pinned: Bool = false, contentWarning: String? = nil
    ) {
        self.contentWarning = contentWarning
        self.id = id
        self.channel = channel
        self.author = author
        self.text = text
        self.createdAt = createdAt
        self.receivedAt = receivedAt
        self.url = url
        self.media = media
        self.hashtags = hashtags
        self.spans = spans
        self.reposts = reposts
        self.pinned = pinned
    }
}
