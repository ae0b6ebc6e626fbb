import Foundation
import HashwallCore

/// X API v2 payloads as the filtered stream and recent search send them (`reference/x-api.md`): only the fields the
/// wall reads. Unknown fields are ignored; ids are decimal strings (64-bit snowflakes, compared as numbers).
public struct XTweet: Decodable, Sendable, Equatable {
    public struct Reference: Decodable, Sendable, Equatable {
        /// `retweeted`, `quoted` or `replied_to`.
        public var type: String
        public var id: String
    }

    public struct Entities: Decodable, Sendable, Equatable {
        public struct URL: Decodable, Sendable, Equatable {
            public var url: String
            public var expandedURL: String?
            public var mediaKey: String?

            enum CodingKeys: String, CodingKey {
                case url
                case expandedURL = "expanded_url"
                case mediaKey = "media_key"
            }
        }
        public var urls: [URL]?
    }

    public struct Attachments: Decodable, Sendable, Equatable {
        public var mediaKeys: [String]?
        enum CodingKeys: String, CodingKey { case mediaKeys = "media_keys" }
    }

    public struct Metrics: Decodable, Sendable, Equatable {
        public var retweetCount: Int?
        enum CodingKeys: String, CodingKey { case retweetCount = "retweet_count" }
    }

    public struct NoteTweet: Decodable, Sendable, Equatable {
        public var text: String
    }

    public var id: String
    public var text: String
    public var authorID: String?
    public var createdAt: String?
    public var editHistory: [String]?
    public var referenced: [Reference]?
    public var entities: Entities?
    public var attachments: Attachments?
    public var possiblySensitive: Bool?
    public var metrics: Metrics?
    public var noteTweet: NoteTweet?

    enum CodingKeys: String, CodingKey {
        case id, text, entities, attachments
        case authorID = "author_id"
        case createdAt = "created_at"
        case editHistory = "edit_history_tweet_ids"
        case referenced = "referenced_tweets"
        case possiblySensitive = "possibly_sensitive"
        case metrics = "public_metrics"
        case noteTweet = "note_tweet"
    }

    /// The first id of its edit history: every version of a tweet is one post on the wall.
    public var originalID: String { self.editHistory?.first ?? self.id }

    /// The original this is a plain retweet of.
    public var retweetOf: String? { self.referenced?.first { $0.type == "retweeted" }?.id }

    /// Whether `a` is an older id than `b` (as numbers; a longer decimal string is a larger number).
    public static func isOlder(_ a: String, than b: String) -> Bool {
        a.count != b.count ? a.count < b.count : a < b
    }
}

public struct XUser: Decodable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var username: String
}

public struct XMedia: Decodable, Sendable, Equatable {
    public var mediaKey: String
    /// `photo`, `video` or `animated_gif`.
    public var type: String
    public var url: String?
    public var previewImageURL: String?
    public var altText: String?
    public var width: Int?
    public var height: Int?

    enum CodingKeys: String, CodingKey {
        case type, url, width, height
        case mediaKey = "media_key"
        case previewImageURL = "preview_image_url"
        case altText = "alt_text"
    }
}

/// `includes`: the authors, pictures and referenced tweets a payload's tweets name.
public struct XIncludes: Decodable, Sendable, Equatable {
    public var users: [XUser]?
    public var media: [XMedia]?
    public var tweets: [XTweet]?

    public init(users: [XUser]? = nil, media: [XMedia]? = nil, tweets: [XTweet]? = nil) {
        self.users = users
        self.media = media
        self.tweets = tweets
    }
}

/// One line of the filtered stream: a tweet with its includes, or an error (a disconnect notice).
public struct XStreamMessage: Decodable, Sendable {
    public struct Problem: Decodable, Sendable {
        public var title: String?
        public var detail: String?
        public var type: String?
    }
    /// The project's rules the tweet matched: the stream carries every rule's tweets, other tools' too.
    public struct MatchingRule: Decodable, Sendable {
        public var id: String?
        public var tag: String?
    }
    public var data: XTweet?
    public var includes: XIncludes?
    public var errors: [Problem]?
    public var matchingRules: [MatchingRule]?

    enum CodingKeys: String, CodingKey {
        case data, includes, errors
        case matchingRules = "matching_rules"
    }
}

/// A recent-search page.
public struct XSearchPage: Decodable, Sendable {
    public struct Meta: Decodable, Sendable {
        public var newestID: String?
        public var nextToken: String?
        public var resultCount: Int?
        enum CodingKeys: String, CodingKey {
            case newestID = "newest_id"
            case nextToken = "next_token"
            case resultCount = "result_count"
        }
    }
    public var data: [XTweet]?
    public var includes: XIncludes?
    public var meta: Meta?
}

/// The filtered stream's bytes as lines: each `\r\n`-terminated line is one JSON message; a bare `\r\n` is a keep-alive.
/// A line longer than ``maxLine`` is dropped whole. Fed chunk by chunk, it keeps a line cut across chunks.
public struct XLineDecoder: Sendable {
    public enum Item: Equatable, Sendable {
        case keepAlive
        case line([UInt8])
    }

    /// The longest line kept (a tweet with its includes is a few KB).
    public static let maxLine = 1 << 20
    private var line: [UInt8] = []
    private var overflow = false

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Item] {
        var items: [Item] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if self.line.last == UInt8(ascii: "\r") { self.line.removeLast() }
                if self.overflow {
                    self.overflow = false
                } else if self.line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
                    items.append(.keepAlive)
                } else {
                    items.append(.line(self.line))
                }
                self.line.removeAll(keepingCapacity: true)
            } else if self.line.count < Self.maxLine {
                self.line.append(byte)
            } else {
                self.overflow = true
                self.line.removeAll(keepingCapacity: true)
            }
        }
        return items
    }

    /// What is left of a line cut by the end of the stream (never a message).
    public var pending: Int { self.line.count }
}
