import Foundation
import HashwallCore
import Testing

/// Builds prepared posts for the store's rules.
func prepared(
    _ id: String, channel: ChannelKind = .x, name: String = "Claire", handle: String? = "claire_m", text: String,
    at createdAt: Date = Date(timeIntervalSince1970: 1_800_000_000), repostOf: String? = nil
) throws -> PreparedPost {
    try PreparedPost(
        IncomingPost(
            id: PostID(id), channel: channel, author: Author(name: name, handle: handle), text: text, createdAt: createdAt,
            repostOf: repostOf.map(PostID.init)),
        receivedAt: createdAt.addingTimeInterval(1))
}

@Suite struct PostStoreTests {
    var store = PostStore(limits: StoreLimits(maxPosts: 100, maxRememberedKeys: 1000))

    @Test mutating func sameSourceIDAgainIsOnePostAndMayUpdateIt() throws {
        #expect(self.store.merge(try prepared("x:1", text: "Bonjour #capcomnet")).outcome.postID == PostID("x:1"))
        #expect(self.store.merge(try prepared("x:1", text: "Bonjour #capcomnet")).outcome == .duplicate(PostID("x:1")))
        let edited = self.store.merge(try prepared("x:1", text: "Bonjour à tous #capcomnet")).outcome
        guard case .updated(let post) = edited else {
            Issue.record("expected an update, got \(edited)")
            return
        }
        #expect(post.text == "Bonjour à tous #capcomnet")
        #expect(self.store.count == 1)
    }

    @Test mutating func retweetOfAPostAlreadyInRaisesItsCountInsteadOfAddingACard() throws {
        _ = self.store.merge(try prepared("x:1", text: "La com publique, c'est l'écoute #capcomnet"))
        let outcome = self.store.merge(
            try prepared("x:2", name: "Paul", handle: "paul", text: "RT @claire_m: La com publique, c'est l'écoute #capcomnet")
        ).outcome
        #expect(outcome == .reposted(try #require(self.store.post(PostID("x:1")))))
        #expect(self.store.post(PostID("x:1"))?.reposts == 1)
        #expect(self.store.count == 1)
        // The same retweet delivered again is not counted twice.
        _ = self.store.merge(try prepared("x:2", name: "Paul", handle: "paul", text: "RT @claire_m: La com publique, c'est l'écoute #capcomnet"))
        #expect(self.store.post(PostID("x:1"))?.reposts == 1)
    }

    @Test mutating func sourceRepostFieldRaisesTheOriginalsCount() throws {
        _ = self.store.merge(try prepared("mastodon:1", channel: .mastodon, handle: "claire@piaille.fr", text: "Atelier sobriété en salle B"))
        let boost = try prepared(
            "mastodon:2", channel: .mastodon, name: "Léa", handle: "lea@piaille.fr", text: "Atelier sobriété en salle B", repostOf: "mastodon:1")
        guard case .reposted(let original) = self.store.merge(boost).outcome else {
            Issue.record("not counted as a repost")
            return
        }
        #expect(original.id == PostID("mastodon:1") && original.reposts == 1)
        #expect(self.store.count == 1)
    }

    @Test mutating func sameAuthorSameTextTwiceIsOne() throws {
        _ = self.store.merge(try prepared("sms:a", channel: .sms, handle: "+33 6 •• •• •• 42", text: "Bravo  pour la table ronde !"))
        let again = self.store.merge(try prepared("sms:b", channel: .sms, handle: "+33 6 •• •• •• 42", text: "bravo pour la table ronde !"))
        #expect(again.outcome == .duplicate(PostID("sms:a")))
        #expect(self.store.count == 1)
    }

    @Test mutating func sameLongTextOnTwoChannelsWithinTenMinutesIsOne() throws {
        let text = "Retrouvez la synthèse de la plénière sur la communication de crise dans le livret du forum."
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        _ = self.store.merge(try prepared("mastodon:1", channel: .mastodon, handle: "alice@piaille.fr", text: text, at: start))
        let cross = self.store.merge(
            try prepared("bluesky:1", channel: .bluesky, handle: "alice.bsky.social", text: text, at: start.addingTimeInterval(540)))
        #expect(cross.outcome == .duplicate(PostID("mastodon:1")))
        let late = self.store.merge(
            try prepared("bluesky:2", channel: .bluesky, name: "Bob", handle: "bob.bsky.social", text: text, at: start.addingTimeInterval(1260)))
        #expect(late.outcome.postID == PostID("bluesky:2"))  // outside the window: a post of its own
        #expect(self.store.count == 2)
    }

    @Test mutating func twoAuthorsWhoBothWriteBravoAreTwoPosts() throws {
        _ = self.store.merge(try prepared("x:1", name: "Claire", handle: "claire_m", text: "Bravo !"))
        _ = self.store.merge(try prepared("x:2", name: "Paul", handle: "paul", text: "Bravo !"))
        #expect(self.store.count == 2)
    }

    @Test mutating func orderIsNewestFirstByCreatedAtThenArrival() throws {
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        _ = self.store.merge(try prepared("x:a", handle: "a", text: "a", at: t.addingTimeInterval(10)))
        _ = self.store.merge(try prepared("x:b", handle: "b", text: "b", at: t))
        _ = self.store.merge(try prepared("x:c", handle: "c", text: "c", at: t.addingTimeInterval(10)))
        _ = self.store.merge(try prepared("x:d", handle: "d", text: "d", at: t.addingTimeInterval(5)))
        #expect(self.store.page(limit: 10)?.map(\.id.rawValue) == ["x:c", "x:a", "x:d", "x:b"])
        #expect(self.store.page(limit: 2, before: PostID("x:a"))?.map(\.id.rawValue) == ["x:d", "x:b"])
    }

    @Test func memoryIsBoundedAndEvictedPostsStayDuplicates() throws {
        var store = PostStore(limits: StoreLimits(maxPosts: 10, maxRememberedKeys: 1000))
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<25 {
            _ = store.merge(try prepared("x:\(i)", handle: "h\(i)", text: "message \(i)", at: t.addingTimeInterval(Double(i))))
        }
        #expect(store.count == 10)
        #expect(store.page(limit: 100)?.last?.id == PostID("x:15"))
        #expect(store.merge(try prepared("x:0", handle: "h0", text: "message 0", at: t)).outcome == .duplicate(PostID("x:0")))
        #expect(store.merge(try prepared("sms:retry", handle: "h3", text: "message 3", at: t)).outcome == .duplicate(PostID("x:3")))
        #expect(store.count == 10)
    }

    @Test func pinnedPostsAreNotEvicted() throws {
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        var pinned = try prepared("x:pinned", handle: "org", text: "Bienvenue au forum", at: t)
        pinned.post.pinned = true
        var store = PostStore(limits: StoreLimits(maxPosts: 10, maxRememberedKeys: 1000))
        _ = store.merge(pinned)
        for i in 0..<30 {
            _ = store.merge(try prepared("x:\(i)", handle: "h\(i)", text: "message \(i)", at: t.addingTimeInterval(Double(i + 1))))
        }
        #expect(store.post(PostID("x:pinned")) != nil)
        #expect(store.count == 10)
    }

    @Test func futureDatesAreClampedToArrival() throws {
        let now = Date()
        let post = try PreparedPost(
            IncomingPost(
                id: PostID("api:f"), channel: .api, author: Author(name: "X"), text: "from the future", createdAt: now.addingTimeInterval(86400)),
            receivedAt: now
        ).post
        #expect(post.createdAt == now)
    }

    @Test func emptyTextOrNameIsAnInvalidField() {
        #expect(throws: InvalidField("text", "is empty")) {
            try PreparedPost(IncomingPost(id: PostID("api:e"), channel: .api, author: Author(name: "A"), text: " \u{202E}\n "), receivedAt: Date())
        }
        #expect(throws: InvalidField("author.name", "is empty")) {
            try PreparedPost(IncomingPost(id: PostID("api:e"), channel: .api, author: Author(name: "\u{0007}"), text: "hi"), receivedAt: Date())
        }
    }
}
