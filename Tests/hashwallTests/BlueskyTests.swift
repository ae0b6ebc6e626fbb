import AsyncHTTPClient
import Foundation
import HashwallChannels
import HashwallCore
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import hashwall

/// The Bluesky channel against a local Jetstream and AppView that speak their wire formats (FakeJetstream).
@Suite struct BlueskyTests {
    static func config(_ directory: TemporaryDirectory, _ fake: FakeJetstream) -> HashwallConfig {
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.channels.bluesky.enabled = true
        config.channels.bluesky.jetstreamURL = fake.jetstreamURL
        config.channels.bluesky.appviewURL = fake.appviewURL
        return config
    }

    static let claire = "did:plc:claire0000000000000000"
    static let paul = "did:plc:paul00000000000000000000"

    @Test func postsWithTheHashtagInAFacetInTagsOrOnlyInTheTextAreShownUnderTheAuthorsName() async throws {
        let fake = try await FakeJetstream.start()
        fake.profile(did: Self.claire, handle: "claire.bsky.social", name: "Claire")
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, fake)) { client, _ in
            try await eventually(within: .seconds(20), "subscribed") { fake.openConnections == 1 }
            fake.post(did: Self.claire, rkey: "a1", text: "Bravo #CapComNet", facetTag: "CapComNet")
            fake.post(did: Self.claire, rkey: "a2", text: "Le hashtag est dans tags seulement", tags: ["capcomnet"])
            fake.post(did: Self.paul, rkey: "a3", text: "Écrit à la main #capcomnet, sans facette")
            fake.post(did: Self.paul, rkey: "a4", text: "Rien à voir #ailleurs", facetTag: "ailleurs")
            fake.post(did: Self.paul, rkey: "a5", text: "Pas pour le mur #capcomnet #nowall")
            fake.post(did: Self.paul, rkey: "a6", text: "Dernier #capcomnet")
            try await eventually(within: .seconds(20), "the last post") { try await EmailIMAPTests.texts(client).contains("Dernier #capcomnet") }
            #expect(
                Set(try await EmailIMAPTests.texts(client)) == [
                    "Bravo #CapComNet", "Le hashtag est dans tags seulement", "Écrit à la main #capcomnet, sans facette", "Dernier #capcomnet",
                ])
            let posts = String(buffer: try await client.execute(uri: "/api/posts", method: .get).body)
            #expect(posts.contains(#""name":"Claire""#) && posts.contains(#""handle":"claire.bsky.social""#))
            #expect(posts.contains("bluesky:at://\(Self.claire)/app.bsky.feed.post/a1"))
            #expect(posts.contains(#""handle":"\#(Self.paul)""#), "no profile: the DID stands in")
            #expect(fake.subscriptions.first?.contains("wantedCollections=app.bsky.feed.post") == true)
            let health = try await EmailIMAPTests.channel(client, "bluesky")
            #expect(health["state"] as? String == "running")
        }
        await fake.stop()
    }

    @Test func repostsCountEditsUpdateDeletionsRemoveAndSelfLabelledPostsAreHeld() async throws {
        let fake = try await FakeJetstream.start()
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, fake)) { client, port in
            try await eventually(within: .seconds(20), "subscribed") { fake.openConnections == 1 }
            let wall = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            fake.post(did: Self.claire, rkey: "b1", text: "Original #capcomnet")
            let first = try await wall.next()
            #expect(first.type == "post" && first.data.contains("Original"))
            let uri = "at://\(Self.claire)/app.bsky.feed.post/b1"
            fake.repost(did: Self.paul, rkey: "r1", subject: uri)
            fake.repost(did: Self.paul, rkey: "r2", subject: "at://\(Self.paul)/app.bsky.feed.post/unknown")  // not on the wall: nothing
            let reposted = try await wall.next()
            #expect(reposted.type == "update" && reposted.data.contains(#""reposts":1"#))
            fake.post(did: Self.claire, rkey: "b1", text: "Original, corrigé #capcomnet", operation: "update")
            let edited = try await wall.next()
            #expect(edited.type == "update" && edited.data.contains("Original, corrigé"))
            fake.delete(did: Self.claire, rkey: "b1")
            let removed = try await wall.next()
            #expect(removed.type == "remove" && removed.data.contains(uri))
            fake.post(did: Self.paul, rkey: "b2", text: "Photo osée #capcomnet", labels: ["nudity"], images: [("bafkreiosee", "Osée")])
            fake.post(did: Self.paul, rkey: "b3", text: "Après #capcomnet")
            let after = try await wall.next()
            #expect(after.type == "post" && after.data.contains("Après"), "the self-labelled post is not shown: \(after)")
            let held = String(
                buffer: try await client.execute(
                    uri: "/api/moderation/posts?state=held", method: .get, headers: [.authorization: "Bearer test-moderator-token"]
                ).body)
            #expect(held.contains("Photo osée") && held.contains("self-labelled: nudity"))
            #expect(
                held.contains(#""sensitive":true"#)
                    && held.contains("/media/" + Media.key(for: BlueskyRules.imageCDN + Self.paul + "/bafkreiosee@jpeg")))
            #expect(try await EmailIMAPTests.texts(client) == ["Après #capcomnet"])
            await wall.close()
        }
        await fake.stop()
    }

    @Test func withAnAppPasswordSearchBackfillsWhatWasPostedBeforeAndAnExpiredTokenIsRefreshed() async throws {
        let fake = try await FakeJetstream.start()
        fake.searchable(did: Self.claire, handle: "claire.bsky.social", name: "Claire", rkey: "old1", text: "Avant le mur #capcomnet")
        fake.searchable(did: Self.paul, handle: "paul.bsky.social", name: "Paul", rkey: "old2", text: "Hors sujet #ailleurs")
        fake.expireAccessToken()
        let directory = try TemporaryDirectory()
        var config = Self.config(directory, fake)
        config.channels.bluesky.serviceURL = fake.appviewURL
        config.channels.bluesky.identifier = "mur.bsky.social"
        var secrets = Secrets.testing
        secrets.named = ["HASHWALL_BLUESKY_APP_PASSWORD": "app-password"]
        try await withLiveWall(config, secrets: secrets) { client, _ in
            try await eventually(within: .seconds(20), "the backfilled post") {
                try await EmailIMAPTests.texts(client).contains("Avant le mur #capcomnet")
            }
            try await eventually(within: .seconds(20), "subscribed") { fake.openConnections == 1 }
            fake.post(did: Self.paul, rkey: "live", text: "En direct #capcomnet")
            try await eventually(within: .seconds(20), "the live post") { try await EmailIMAPTests.texts(client).contains("En direct #capcomnet") }
            #expect(Set(try await EmailIMAPTests.texts(client)) == ["Avant le mur #capcomnet", "En direct #capcomnet"])
            #expect(fake.sessionsCreated == 1 && fake.sessionsRefreshed == 1, "one session, refreshed once when it expired")
            #expect(fake.searches.first?.contains("q=%23capcomnet") == true && fake.searches.first?.contains("sort=latest") == true)
            let posts = String(buffer: try await client.execute(uri: "/api/posts", method: .get).body)
            #expect(posts.contains(#""handle":"claire.bsky.social""#))
        }
        // A wrong app password: search is logged as failing, Jetstream goes on.
        let again = try TemporaryDirectory()
        var wrong = Self.config(again, fake)
        wrong.channels.bluesky.serviceURL = fake.appviewURL
        wrong.channels.bluesky.identifier = "mur.bsky.social"
        var bad = Secrets.testing
        bad.named = ["HASHWALL_BLUESKY_APP_PASSWORD": "wrong"]
        let subscribed = fake.subscriptions.count
        try await withLiveWall(wrong, secrets: bad) { client, _ in
            try await eventually(within: .seconds(20), "subscribed") { fake.subscriptions.count > subscribed }
            fake.post(did: Self.paul, rkey: "live2", text: "Toujours en direct #capcomnet")
            try await eventually(within: .seconds(20), "the live post") {
                try await EmailIMAPTests.texts(client).contains("Toujours en direct #capcomnet")
            }
        }
        await fake.stop()
    }

    @Test func anEventLargerThanTheBoundIsSkippedAndTheStreamGoesOn() async throws {
        let fake = try await FakeJetstream.start()
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, fake)) { client, _ in
            try await eventually(within: .seconds(20), "subscribed") { fake.openConnections == 1 }
            fake.post(did: Self.paul, rkey: "big", text: "#capcomnet " + String(repeating: "a", count: 1_100_000))
            fake.post(did: Self.paul, rkey: "small", text: "Petit #capcomnet")
            try await eventually(within: .seconds(20), "the small post") { try await EmailIMAPTests.texts(client) == ["Petit #capcomnet"] }
            #expect(fake.subscriptions.count == 1, "the connection was not dropped")
            #expect(fake.subscriptions.first?.contains("maxMessageSizeBytes=1048576") == true)
        }
        await fake.stop()
    }

    @Test func theWallKilledAndRestartedResumesFromItsCursorWithNoPostTwiceAndNoneLost() async throws {
        let fake = try await FakeJetstream.start()
        let directory = try TemporaryDirectory()
        let configPath = try writeConfig(Self.config(directory, fake), in: directory)
        let first = try WallProcess(configPath: configPath, directory: directory.path)
        let firstPort = try await first.port()
        try await eventually(within: .seconds(20), "subscribed") { fake.openConnections == 1 }
        for index in 1...5 { fake.post(did: Self.claire, rkey: "k\(index)", text: "Avant \(index) #capcomnet") }
        try await eventually(within: .seconds(20), "five posts") { try await EmailIMAPTests.count(port: firstPort) == 5 }
        first.signal(SIGKILL)
        _ = try await first.exitStatus(within: .seconds(10))
        fake.dropConnections()
        for index in 1...5 { fake.post(did: Self.claire, rkey: "m\(index)", text: "Pendant \(index) #capcomnet") }
        let second = try WallProcess(configPath: configPath, directory: directory.path)
        let secondPort = try await second.port()
        try await eventually(within: .seconds(20), "every post") { try await EmailIMAPTests.count(port: secondPort) == 10 }
        let resumed = try #require(fake.subscriptions.last)
        #expect(resumed.contains("cursor="), "the second connection starts from the cursor: \(resumed)")
        fake.post(did: Self.claire, rkey: "n1", text: "Après #capcomnet")
        try await eventually(within: .seconds(20), "the post after") { try await EmailIMAPTests.count(port: secondPort) == 11 }
        second.signal(SIGTERM)
        #expect(try await second.exitStatus(within: .seconds(10)) == 0)
        await fake.stop()
    }
}
