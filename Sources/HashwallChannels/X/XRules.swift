import Foundation
import HashwallCore

/// What the wall takes from a tweet (DESIGN.md, `reference/x-api.md`): `x:` + the first id of its edit history (an edit
/// is the same post, moderated again), the author's name and handle, the full text (`note_tweet` for long posts) with
/// its entities decoded and each `t.co` link replaced by the address it stands for (picture links dropped: the pictures
/// show as such), the pictures (sensitive when X says the tweet may be), and the source's retweet count. A retweet
/// counts on its original and brings the original along when the wall does not have it yet; a quote or a reply is a post
/// of its own.
/// Which tweets are the event's is the rule's and the query's work (X matches `#tag` exactly), not this type's.
public struct XRules: Sendable {
    public init() {}

    /// The posts a stream message or a search result carries: for a retweet, the original (when included) then the
    /// retweet (a repost only).
    public func posts(for tweet: XTweet, includes: XIncludes?) -> [IncomingPost] {
        if let originalID = tweet.retweetOf {
            let original = includes?.tweets?.first { $0.id == originalID }
            var posts = original.flatMap { self.post(for: $0, includes: includes) }.map { [$0] } ?? []
            var repost = IncomingPost(
                id: PostID("x:" + tweet.originalID), channel: .x, author: self.author(of: tweet, includes: includes), text: "RT",
                repostOf: PostID("x:" + (original?.originalID ?? originalID)))
            repost.repostOnly = true
            posts.append(repost)
            return posts
        }
        return self.post(for: tweet, includes: includes).map { [$0] } ?? []
    }

    func post(for tweet: XTweet, includes: XIncludes?) -> IncomingPost? {
        let author = self.author(of: tweet, includes: includes)
        let text = Self.text(of: tweet)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        let sensitive = tweet.possiblySensitive == true
        let media = (tweet.attachments?.mediaKeys ?? []).compactMap { key in includes?.media?.first { $0.mediaKey == key } }
            .prefix(Media.maxPerPost).compactMap { item -> Media? in
                guard let source = item.type == "photo" ? item.url ?? item.previewImageURL : item.previewImageURL else { return nil }
                return Media(source: source, alt: item.altText ?? "", width: item.width, height: item.height, sensitive: sensitive)
            }
        let handle = author.handle
        return IncomingPost(
            id: PostID("x:" + tweet.originalID), channel: .x, author: author, text: text,
            createdAt: tweet.createdAt.flatMap { try? WireDate.parse($0, field: "created_at") },
            url: handle.map { "https://x.com/\($0)/status/\(tweet.originalID)" }, media: Array(media),
            authorKey: handle.map { AuthorKey.verified(channel: .x, identity: $0) }, reposts: tweet.metrics?.retweetCount)
    }

    func author(of tweet: XTweet, includes: XIncludes?) -> Author {
        guard let user = includes?.users?.first(where: { $0.id == tweet.authorID }) else { return Author(name: "X", handle: nil) }
        let name = user.name.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } ?? user.username
        return Author(name: name, handle: user.username)
    }

    /// The text as people wrote it: `note_tweet` when the tweet is long, the entities X escapes (`&amp;`, `&lt;`, `&gt;`)
    /// decoded, `t.co` links as their expanded address, picture links removed.
    static func text(of tweet: XTweet) -> String {
        var text = tweet.noteTweet?.text ?? tweet.text
        for link in tweet.entities?.urls ?? [] where !link.url.isEmpty {
            let replacement = link.mediaKey != nil || Self.isPictureLink(link.expandedURL) ? "" : (link.expandedURL ?? link.url)
            text = text.replacingOccurrences(of: link.url, with: replacement)
        }
        text = text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `https://x.com/user/status/1/photo/1` and the like: the address of an attached picture.
    static func isPictureLink(_ url: String?) -> Bool {
        guard let url else { return false }
        return url.contains("/photo/") || url.contains("/video/")
    }

    /// The stream rule (and search query) for the event's hashtags: `#a OR #b`, with `-is:retweet` when retweets are
    /// left out (they cost a paid read each).
    public static func query(hashtags: [String], retweets: Bool) -> String {
        let tags = hashtags.map(Hashtags.fold).filter { !$0.isEmpty }.map { "#" + $0 }
        let any = tags.count > 1 ? "(" + tags.joined(separator: " OR ") + ")" : tags.joined()
        return retweets ? any : any + " -is:retweet"
    }
}
