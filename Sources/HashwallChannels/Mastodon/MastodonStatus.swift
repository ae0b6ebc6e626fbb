import Foundation
import HashwallCore

/// A Mastodon Status as the REST API and the streams send it: only the fields the wall reads
/// (`reference/mastodon-bluesky.md`, "Status fields a wall needs"). Unknown fields are ignored.
public struct MastodonStatus: Decodable, Sendable, Equatable {
    public struct Account: Decodable, Sendable, Equatable {
        public var acct: String
        public var username: String?
        public var displayName: String?
        public var url: String?
        public var bot: Bool?
        public var discoverable: Bool?
        public var noindex: Bool?

        enum CodingKeys: String, CodingKey {
            case acct, username, url, bot, discoverable, noindex
            case displayName = "display_name"
        }
    }

    public struct Tag: Decodable, Sendable, Equatable {
        public var name: String
    }

    public struct Mention: Decodable, Sendable, Equatable {
        public var acct: String
        public var username: String
    }

    public struct Attachment: Decodable, Sendable, Equatable {
        public struct Meta: Decodable, Sendable, Equatable {
            public struct Size: Decodable, Sendable, Equatable {
                public var width: Int?
                public var height: Int?
            }
            public var original: Size?
            public var small: Size?
        }
        /// `image`, `gifv`, `video`, `audio`, `unknown`.
        public var type: String
        public var url: String?
        public var previewURL: String?
        /// The alt text.
        public var description: String?
        public var meta: Meta?

        enum CodingKeys: String, CodingKey {
            case type, url, description, meta
            case previewURL = "preview_url"
        }
    }

    /// A boost's original, boxed (a Status holds a Status).
    public final class Reblog: Decodable, Sendable, Equatable {
        public let status: MastodonStatus
        public required init(from decoder: any Decoder) throws { self.status = try MastodonStatus(from: decoder) }
        public static func == (a: Reblog, b: Reblog) -> Bool { a.status == b.status }
    }

    /// Per instance: the same status has other ids elsewhere.
    public var id: String
    /// The federation URI: the same on every instance, the post's identity.
    public var uri: String
    public var url: String?
    public var createdAt: String?
    /// Sanitised HTML.
    public var content: String
    public var spoilerText: String?
    public var sensitive: Bool?
    public var visibility: String?
    public var account: Account
    public var reblog: Reblog?
    public var tags: [Tag]?
    public var mentions: [Mention]?
    public var reblogsCount: Int?
    public var editedAt: String?
    public var mediaAttachments: [Attachment]?

    enum CodingKeys: String, CodingKey {
        case id, uri, url, content, sensitive, visibility, account, reblog, tags, mentions
        case createdAt = "created_at"
        case spoilerText = "spoiler_text"
        case reblogsCount = "reblogs_count"
        case editedAt = "edited_at"
        case mediaAttachments = "media_attachments"
    }

    /// Decodes one status (a stream's `data`, at most `maxBytes`).
    public static func decode(_ bytes: some Collection<UInt8>) throws -> MastodonStatus {
        try JSONNesting.check(Array(bytes))
        return try JSONDecoder().decode(MastodonStatus.self, from: Data(bytes))
    }

    /// Whether `a` is an older id than `b` (ids are digits: by length, then as text; anything else as text).
    public static func isOlder(_ a: String, than b: String) -> Bool {
        a.count != b.count && a.allSatisfy(\.isNumber) && b.allSatisfy(\.isNumber) ? a.count < b.count : a < b
    }
}

/// Which statuses are for the wall and what they show: the event's hashtags, people who did not opt out; a content
/// warning travels with the post (``Post/contentWarning``).
public struct MastodonRules: Sendable, Equatable {
    /// The event's hashtags, folded (``Hashtags/fold(_:)``).
    public var hashtags: Set<String>
    /// A post with this tag is never shown (folded, no `#`).
    public var optOutHashtag: String
    /// Show accounts that are bots (`bot: true`).
    public var showBots: Bool
    /// Show accounts that opted out of discovery (`discoverable: false` or `noindex: true`).
    public var showUndiscoverable: Bool

    public init(hashtags: [String], optOutHashtag: String = "nowall", showBots: Bool = false, showUndiscoverable: Bool = false) {
        self.hashtags = Set(hashtags.map(Hashtags.fold).filter { !$0.isEmpty })
        self.optOutHashtag = Hashtags.fold(optOutHashtag)
        self.showBots = showBots
        self.showUndiscoverable = showUndiscoverable
    }

    public enum Verdict: Sendable, Equatable {
        case post(IncomingPost)
        case ignored(String)
    }

    /// What `status`, read from the instance at `host`, becomes. A boost is its original (whose `reblogs_count`
    /// already counts the boost).
    public func verdict(for status: MastodonStatus, host: String) -> Verdict {
        let status = status.reblog?.status ?? status
        guard status.visibility == nil || status.visibility == "public" else { return .ignored("not public") }
        let (text, _) = HTMLText.convert(status.content)
        let folded = Set(
            (status.tags ?? []).map { Hashtags.fold($0.name) } + TextScanner.scan(TextNormaliser.normalise(text)).hashtags)
        if !self.optOutHashtag.isEmpty, folded.contains(self.optOutHashtag) { return .ignored("#\(self.optOutHashtag)") }
        guard self.hashtags.isEmpty || !folded.isDisjoint(with: self.hashtags) else { return .ignored("none of the event's hashtags") }
        if status.account.bot == true, !self.showBots { return .ignored("a bot account") }
        if status.account.discoverable == false || status.account.noindex == true, !self.showUndiscoverable {
            return .ignored("an account that opted out of discovery")
        }
        let acct = Self.qualified(status.account.acct, host: host)
        var shown = text
        for mention in status.mentions ?? [] where !mention.acct.contains("@") || mention.acct.lowercased() != mention.username.lowercased() {
            shown = Self.qualifyMention(in: shown, username: mention.username, acct: Self.qualified(mention.acct, host: host))
        }
        guard !shown.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return .ignored("no text") }
        let name =
            status.account.displayName.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            ?? status.account.username ?? acct
        // Pictures: an image itself, a video's or GIF's still preview; its alt text; sensitive when the status is.
        let media = (status.mediaAttachments ?? []).prefix(Media.maxPerPost).compactMap { attachment -> Media? in
            guard let source = (attachment.type == "image" ? attachment.url : attachment.previewURL) ?? attachment.previewURL else { return nil }
            let size = attachment.type == "image" ? attachment.meta?.original ?? attachment.meta?.small : attachment.meta?.small
            return Media(
                source: source, alt: attachment.description ?? "", width: size?.width, height: size?.height, sensitive: status.sensitive == true)
        }
        var post = IncomingPost(
            id: PostID("mastodon:" + status.uri), channel: .mastodon, author: Author(name: name, handle: acct), text: shown,
            createdAt: status.createdAt.flatMap { try? WireDate.parse($0, field: "created_at") }, url: status.url ?? status.uri,
            media: media, authorKey: acct.lowercased(), reposts: status.reblogsCount)
        // Shown as such: the warning on the page, the text only to a follower who opens it, never on the projector.
        post.contentWarning = status.spoilerText.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        return .post(post)
    }

    /// `user` on `host` is `user@host`; `user@other` stays.
    static func qualified(_ acct: String, host: String) -> String {
        acct.contains("@") ? acct : acct + "@" + host
    }

    /// `@username` (not already followed by `@server`) as `@user@server`.
    static func qualifyMention(in text: String, username: String, acct: String) -> String {
        let needle = "@" + username
        var result = ""
        var rest = text[...]
        while let range = rest.range(of: needle, options: .caseInsensitive) {
            result += rest[..<range.lowerBound]
            let after = rest[range.upperBound...].first
            let before = result.last
            let isWhole =
                (after == nil || !(after!.isLetter || after!.isNumber || after! == "_" || after! == "@"))
                && (before == nil || !(before!.isLetter || before!.isNumber))
            result += isWhole ? "@" + acct : String(rest[range])
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
