import Foundation
import HashwallCore

/// A Jetstream v1 event (`reference/mastodon-bluesky.md`, "Jetstream v1"): only the fields the wall reads.
public struct JetstreamEvent: Decodable, Sendable, Equatable {
    public struct Commit: Decodable, Sendable, Equatable {
        public var operation: String
        public var collection: String
        public var rkey: String
        public var record: BlueskyRecord?
    }

    public struct Account: Decodable, Sendable, Equatable {
        public var active: Bool?
    }

    public var did: String
    /// Microseconds since 1970: the cursor.
    public var timeUS: Int64
    public var kind: String
    public var commit: Commit?
    public var account: Account?

    enum CodingKeys: String, CodingKey {
        case did, kind, commit, account
        case timeUS = "time_us"
    }

    /// One event from a text frame (its nesting checked first).
    public static func decode(_ bytes: [UInt8]) throws -> JetstreamEvent {
        try JSONNesting.check(bytes)
        return try JSONDecoder().decode(JetstreamEvent.self, from: Data(bytes))
    }

    /// `at://did/collection/rkey`
    public var uri: String? { self.commit.map { "at://\(self.did)/\($0.collection)/\($0.rkey)" } }
}

/// A post or repost record (`app.bsky.feed.post`, `app.bsky.feed.repost`).
public struct BlueskyRecord: Decodable, Sendable, Equatable {
    public struct Facet: Decodable, Sendable, Equatable {
        public struct Feature: Decodable, Sendable, Equatable {
            public var type: String?
            public var tag: String?
            enum CodingKeys: String, CodingKey {
                case tag
                case type = "$type"
            }
        }
        public var features: [Feature]?
    }

    public struct Subject: Decodable, Sendable, Equatable {
        public var uri: String
    }

    public struct SelfLabels: Decodable, Sendable, Equatable {
        public struct Value: Decodable, Sendable, Equatable { public var val: String }
        public var values: [Value]?
    }

    /// `app.bsky.embed.images`, or `app.bsky.embed.recordWithMedia` whose `media` is one.
    public final class Embed: Decodable, Sendable, Equatable {
        public struct Image: Decodable, Sendable, Equatable {
            public struct Blob: Decodable, Sendable, Equatable {
                public struct Link: Decodable, Sendable, Equatable {
                    public var link: String
                    enum CodingKeys: String, CodingKey { case link = "$link" }
                }
                public var ref: Link?
            }
            public struct AspectRatio: Decodable, Sendable, Equatable {
                public var width: Int?
                public var height: Int?
            }
            public var alt: String?
            public var image: Blob?
            public var aspectRatio: AspectRatio?
        }
        public let images: [Image]?
        public let media: Embed?

        enum CodingKeys: String, CodingKey { case images, media }

        public static func == (a: Embed, b: Embed) -> Bool { a.images == b.images && a.media == b.media }

        /// The pictures, wherever this embed holds them.
        public var allImages: [Image] { self.images ?? self.media?.images ?? [] }
    }

    public var text: String?
    public var createdAt: String?
    public var embed: Embed?
    public var facets: [Facet]?
    public var tags: [String]?
    public var labels: SelfLabels?
    public var subject: Subject?
}

/// An author's profile from the AppView (`app.bsky.actor.getProfiles`).
public struct BlueskyProfile: Decodable, Sendable, Equatable {
    public var did: String
    public var handle: String
    public var displayName: String?
}

/// Which Bluesky events are for the wall and what they show.
public struct BlueskyRules: Sendable, Equatable {
    public var hashtags: Set<String>
    public var optOutHashtag: String
    /// Where Bluesky serves a post's pictures (`<did>/<cid>@jpeg` after it).
    public static let imageCDN = "https://cdn.bsky.app/img/feed_fullsize/plain/"
    /// Self-labels that hold a post for a moderator.
    public static let heldLabels: Set<String> = ["porn", "sexual", "nudity", "graphic-media"]

    public init(hashtags: [String], optOutHashtag: String = "nowall") {
        self.hashtags = Set(hashtags.map(Hashtags.fold).filter { !$0.isEmpty })
        self.optOutHashtag = Hashtags.fold(optOutHashtag)
    }

    /// The folded hashtags a post record carries: its tag facets, its `tags`, and those its text shows (facets are
    /// written by the posting app and can be missing).
    public static func hashtags(of record: BlueskyRecord) -> Set<String> {
        var tags = Set((record.tags ?? []).map(Hashtags.fold))
        for facet in record.facets ?? [] {
            for feature in facet.features ?? [] where feature.type == "app.bsky.richtext.facet#tag" {
                if let tag = feature.tag { tags.insert(Hashtags.fold(tag)) }
            }
        }
        if let text = record.text { tags.formUnion(TextScanner.scan(TextNormaliser.normalise(text)).hashtags) }
        tags.remove("")
        return tags
    }

    /// Whether a post record is for the wall: one of the event's hashtags, not the opt-out one.
    public func wants(_ record: BlueskyRecord) -> Bool {
        let tags = Self.hashtags(of: record)
        if !self.optOutHashtag.isEmpty, tags.contains(self.optOutHashtag) { return false }
        return !tags.isDisjoint(with: self.hashtags)
    }

    /// The post of a created or updated post record by `profile`.
    public func post(uri: String, did: String, rkey: String, record: BlueskyRecord, profile: BlueskyProfile?) -> IncomingPost? {
        guard let text = record.text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        let handle = profile?.handle ?? did
        let name = profile?.displayName.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } ?? handle
        let labels = Set((record.labels?.values ?? []).map { $0.val.lowercased() }).intersection(Self.heldLabels)
        var post = IncomingPost(
            id: PostID("bluesky:" + uri), channel: .bluesky, author: Author(name: name, handle: handle), text: text,
            createdAt: record.createdAt.flatMap { try? WireDate.parse($0, field: "createdAt") },
            url: "https://bsky.app/profile/\(did)/post/\(rkey)", authorKey: did)
        if !labels.isEmpty { post.holdReason = "self-labelled: " + labels.sorted().joined(separator: ", ") }
        // Pictures from Bluesky's CDN by the blob's CID (the record only has blob references), sensitive when labelled.
        post.media = (record.embed?.allImages ?? []).prefix(Media.maxPerPost).compactMap { image in
            guard let cid = image.image?.ref?.link, cid.allSatisfy({ $0.isLetter || $0.isNumber }), did.allSatisfy({ $0 != "/" && $0 != "?" })
            else { return nil }
            return Media(
                source: Self.imageCDN + did + "/" + cid + "@jpeg", alt: image.alt ?? "", width: image.aspectRatio?.width,
                height: image.aspectRatio?.height, sensitive: !labels.isEmpty)
        }
        return post
    }
}
