import Foundation

/// An ``IncomingPost`` checked and normalised, with the keys the store merges it by.
public struct PreparedPost: Sendable {
    /// Texts at least this long (in folded characters) are merged across channels and authors.
    public static let longTextMinimum = 40

    public var post: Post
    /// The text folded for comparison (``TextNormaliser/fold(_:)``): dedupe keys and the blocklist.
    public var foldedText: String
    /// The content keys: same author and text, and, for long texts, the text alone.
    public var contentKeys: [DedupeKey]
    /// What this post reposts, when it is a repost: the original's id, or the key of its author and text.
    public var repostTarget: RepostTarget?
    /// Who wrote it, for bans, trust and the flood limit (see ``AuthorKey``).
    public var authorKey: String
    /// See ``Moderation/contact``.
    public var contact: String?
    /// See ``IncomingPost/holdReason``.
    public var holdReason: String?
    /// See ``IncomingPost/repostOnly``.
    public var repostOnly: Bool

    public enum RepostTarget: Sendable, Equatable {
        case id(PostID)
        case content(DedupeKey)
    }

    /// Normalises `incoming`, received at `receivedAt`.
    /// - Throws: ``InvalidField`` when the author's name or the text is empty once normalised.
    public init(_ incoming: IncomingPost, receivedAt: Date) throws {
        var text = TextNormaliser.normalise(incoming.text)
        if text.isEmpty, incoming.repostOnly, incoming.repostOf != nil { text = "↻" }  // never shown: it only counts
        guard !text.isEmpty else { throw InvalidField("text", "is empty") }
        let name = TextNormaliser.oneLine(TextNormaliser.normalise(incoming.author.name))
        guard !name.isEmpty else { throw InvalidField("author.name", "is empty") }
        let handle = incoming.author.handle.map { TextNormaliser.oneLine(TextNormaliser.normalise($0)) }
        let scan = TextScanner.scan(text)
        // A date in the future would pin a post on top of the wall: no post is newer than its arrival.
        let createdAt = min(
            try incoming.createdAt.map { try WireDate.plausible($0.timeIntervalSince1970, field: "createdAt") } ?? receivedAt, receivedAt)
        self.post = Post(
            id: incoming.id, channel: incoming.channel,
            author: Author(name: name, handle: handle?.isEmpty == true ? nil : handle),
            text: text, createdAt: createdAt, receivedAt: receivedAt, url: incoming.url, media: Array(incoming.media.prefix(Media.maxPerPost)),
            hashtags: scan.hashtags, spans: scan.spans, reposts: max(0, incoming.reposts ?? 0),
            contentWarning: incoming.contentWarning.map { TextNormaliser.oneLine(TextNormaliser.normalise($0)) }
                .flatMap { $0.isEmpty ? nil : String($0.prefix(500)) })

        let folded = TextNormaliser.fold(text)
        self.foldedText = self.post.contentWarning.map { TextNormaliser.fold($0) + "\n" + folded } ?? folded
        let identity = incoming.authorKey ?? self.post.author.handle ?? name
        if let verified = incoming.authorKey ?? self.post.author.handle {
            self.authorKey = AuthorKey.verified(channel: incoming.channel, identity: verified)
        } else {
            self.authorKey = AuthorKey.unverified(channel: incoming.channel, name: name)
        }
        self.contact = incoming.contact
        self.holdReason = incoming.holdReason.flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        self.repostOnly = incoming.repostOnly && incoming.repostOf != nil
        var keys = [DedupeKey.authorText(author: identity, foldedText: folded, scope: incoming.dedupeScope)]
        if folded.count >= Self.longTextMinimum {
            keys.append(.longText(foldedText: folded, scope: incoming.dedupeScope))
        }
        self.contentKeys = keys

        if let original = incoming.repostOf {
            self.repostTarget = .id(original)
        } else if let retweet = Retweet(text) {
            let original = TextNormaliser.fold(retweet.text)
            self.repostTarget = .content(.authorText(author: retweet.handle, foldedText: original, scope: incoming.dedupeScope))
        }
    }
}

/// Text of the form `RT @handle: original text`.
struct Retweet {
    var handle: String
    var text: String

    init?(_ text: String) {
        guard text.hasPrefix("RT @") else { return nil }
        let rest = text.dropFirst(4)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let handle = rest[..<colon]
        let original = rest[rest.index(after: colon)...].drop(while: { $0 == " " })
        guard !handle.isEmpty, !handle.contains(" "), !original.isEmpty else { return nil }
        self.handle = String(handle)
        self.text = String(original)
    }
}
