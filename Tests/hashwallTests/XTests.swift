import Foundation
import HashwallCore
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import hashwall

/// The X channel against a local fake X (FakeX) that speaks the API v2 wire format: rules, filtered stream, recent
/// search, rate limits, costs.
@Suite struct XTests {
    static func config(
        _ directory: TemporaryDirectory, _ fake: FakeX, mode: String = "stream", retweets: Bool = true, maxReadsPerDay: Int? = nil,
        path: String? = nil
    ) -> HashwallConfig {
        var config = HashwallConfig.testing(journalIn: path ?? directory.path)
        config.channels.x.enabled = true
        config.channels.x.apiURL = fake.url
        config.channels.x.mode = mode
        config.channels.x.pollSeconds = 2
        config.channels.x.retweets = retweets
        config.channels.x.maxReadsPerDay = maxReadsPerDay
        config.channels.x.stallSeconds = 5  // a loaded machine's pauses are not silences
        return config
    }

    static func secrets(_ fake: FakeX) -> Secrets {
        var secrets = Secrets.testing
        secrets.named = ["HASHWALL_X_BEARER_TOKEN": fake.bearer]
        return secrets
    }

    static func tweet(_ fake: FakeX, _ text: String, author: String = "1", id: String? = nil) -> FakeX.Tweet {
        FakeX.Tweet(id: id ?? fake.nextTweetID(), text: text, authorID: author)
    }

    static func posts(_ client: some TestClientProtocol) async throws -> [[String: Any]] {
        try json(try await client.execute(uri: "/api/posts?limit=500", method: .get))["posts"] as? [[String: Any]] ?? []
    }

    static func channel(_ client: some TestClientProtocol) async throws -> [String: Any] {
        try await EmailIMAPTests.channel(client, "x")
    }

    @Test func theRuleIsSetOnceAcrossRestartsAndOtherToolsRulesAreLeftAlone() async throws {
        let fake = try await FakeX.start()
        let foreign = fake.addForeignRule(value: "#autrechose", tag: "other-tool")
        let directory = try TemporaryDirectory()
        for round in 0..<2 {
            try await withLiveWall(Self.config(directory, fake), secrets: Self.secrets(fake)) { client, _ in
                try await eventually(within: .seconds(15), "the stream connected") { fake.isStreamConnected }
                try await eventually(within: .seconds(10), "running") { try await Self.channel(client)["state"] as? String == "running" }
                guard round == 0 else { return }
                // The other tool's tweets come down the same stream: they are not the event's.
                fake.post(Self.tweet(fake, "Pour l'autre outil #autrechose"))
                fake.post(Self.tweet(fake, "Pour le mur #capcomnet"))
                try await eventually(within: .seconds(10), "the event's tweet") { try await Self.posts(client).count >= 1 }
                #expect(try await Self.posts(client).compactMap { $0["text"] as? String } == ["Pour le mur #capcomnet"])
            }
        }
        let rules = fake.rules
        #expect(rules.count == 2)
        #expect(rules.contains { $0.id == foreign && $0.value == "#autrechose" })
        #expect(rules.contains { $0.value == "#capcomnet" && $0.tag == "hashwall" })
        #expect(fake.ruleWrites == 1, "the rule is added once, not again at the restart")
        await fake.stop()
    }

    @Test func tweetsRetweetsQuotesEditsAndPicturesReachTheWallAsTheyShould() async throws {
        let fake = try await FakeX.start()
        fake.add(user: .init(id: "1", name: "Claire", username: "claire_l"))
        fake.add(user: .init(id: "2", name: "Paul", username: "paul"))
        fake.add(user: .init(id: "3", name: "Léa", username: "lea"))
        fake.add(media: .init(key: "3_1", url: fake.url + "/media/photo.png", altText: "La salle", width: 1200, height: 800))
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, fake), secrets: Self.secrets(fake)) { client, _ in
            try await eventually(within: .seconds(15), "the stream connected") { fake.isStreamConnected }
            // Entities decoded, a t.co link shown as the address it stands for.
            var first = Self.tweet(fake, "Q&amp;R à 14 h &lt;salle B&gt; https://t.co/abc #capcomnet")
            first.entitiesURLs = [(url: "https://t.co/abc", expandedURL: "https://capcomnet.example/programme", start: 30, end: 46)]
            fake.post(first)
            try await eventually(within: .seconds(10), "the first tweet") { try await Self.posts(client).count == 1 }
            let shown = try #require(try await Self.posts(client).first)
            #expect(shown["text"] as? String == "Q&R à 14 h <salle B> https://capcomnet.example/programme #capcomnet")
            #expect(shown["id"] as? String == "x:" + first.id)
            #expect((shown["author"] as? [String: Any])?["handle"] as? String == "claire_l")
            #expect(shown["url"] as? String == "https://x.com/claire_l/status/\(first.id)")
            #expect((shown["spans"] as? [[String: Any]])?.contains { $0["kind"] as? String == "url" } == true)

            // A malformed line is skipped; the stream goes on.
            fake.writeRawLine("{\"data\": {\"id\": ")
            // A sensitive picture; a quote; a retweet of a tweet the wall does not have (it brings the original, once).
            var photo = Self.tweet(fake, "La salle est pleine #capcomnet", author: "3")
            photo.mediaKeys = ["3_1"]
            photo.possiblySensitive = true
            fake.post(photo)
            let original = Self.tweet(fake, "Le programme de demain #capcomnet", author: "2")
            fake.post(FakeX.Tweet(id: original.id, text: original.text, authorID: "2"))
            let quote = FakeX.Tweet(
                id: fake.nextTweetID(), text: "Tout à fait d'accord #capcomnet", authorID: "3", referenced: [(type: "quoted", id: first.id)])
            fake.post(quote)
            for author in ["1", "3"] {
                fake.post(
                    FakeX.Tweet(
                        id: fake.nextTweetID(), text: "RT @paul: Le programme de demain #capcomnet", authorID: author,
                        referenced: [(type: "retweeted", id: original.id)]))
            }
            try await eventually(within: .seconds(10), "the photo, the original and the quote") { try await Self.posts(client).count == 4 }
            try await eventually(within: .seconds(10), "both retweets counted") {
                (try await Self.posts(client).first { $0["id"] as? String == "x:" + original.id }?["reposts"] as? Int ?? 0) >= 2
            }
            let posts = try await Self.posts(client)
            #expect(!posts.contains { ($0["text"] as? String)?.hasPrefix("RT @") == true }, "a retweet is a count, not a card")
            let media = try #require(posts.first { $0["id"] as? String == "x:" + photo.id }?["media"] as? [[String: Any]])
            #expect(media.first?["sensitive"] as? Bool == true && media.first?["alt"] as? String == "La salle")

            // An edit: a new id whose history starts with the first one, the same post, updated.
            let editID = fake.nextTweetID()
            let edit = FakeX.Tweet(id: editID, text: "Q&amp;R à 15 h, pas 14 h #capcomnet", authorID: "1", editHistory: [first.id, editID])
            fake.post(edit)
            try await eventually(within: .seconds(10), "the edit") {
                try await Self.posts(client).first { $0["id"] as? String == "x:" + first.id }?["text"] as? String == "Q&R à 15 h, pas 14 h #capcomnet"
            }
            #expect(try await Self.posts(client).count == 4)
            let reads = try #require(try await Self.channel(client)["reads"] as? [String: Any])
            #expect((reads["today"] as? Int ?? 0) >= 6 && reads["thisMonth"] as? Int == reads["today"] as? Int)
        }
        await fake.stop()
    }

    @Test func aCutStreamReconnectsWithBackoffAndSearchFillsTheGapWithoutDuplicates() async throws {
        let fake = try await FakeX.start()
        fake.add(user: .init(id: "1", name: "Claire", username: "claire_l"))
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, fake), secrets: Self.secrets(fake)) { client, _ in
            try await eventually(within: .seconds(15), "the stream connected") { fake.isStreamConnected }
            let first = Self.tweet(fake, "Avant la coupure #capcomnet")
            fake.post(first)
            try await eventually(within: .seconds(10), "the first tweet") { try await Self.posts(client).count == 1 }
            // The stream is cut mid-line; the first search after it answers 503: the gap waits for the next try.
            fake.failNext(1, status: 503)
            fake.cutStream(midLine: true)
            try await eventually(within: .seconds(5), "the cut seen") { !fake.isStreamConnected }
            let missed = [Self.tweet(fake, "Pendant la coupure, un #capcomnet"), Self.tweet(fake, "Pendant la coupure, deux #capcomnet")]
            for tweet in missed { fake.post(tweet) }
            try await eventually(within: .seconds(30), "the gap filled") { try await Self.posts(client).count == 3 }
            try await eventually(within: .seconds(15), "the stream back") { fake.isStreamConnected }
            let texts = try await Self.posts(client).compactMap { $0["text"] as? String }
            #expect(Set(texts).count == 3, "nothing twice")
            #expect(fake.searchRequests.contains { $0["since_id"] == first.id }, "the gap is searched from the last tweet seen")
            let channel = try await Self.channel(client)
            #expect((channel["reconnects"] as? Int ?? 0) >= 1)
            // After the 503, X's schedule: about 5 s before the next try.
            let times = fake.requestTimes.filter { $0.path.hasPrefix("/2/tweets/search/recent") }.map(\.at)
            if times.count >= 2 { #expect(times[times.count - 1].timeIntervalSince(times[times.count - 2]) >= 4) }
        }
        await fake.stop()
    }

    @Test func a429WithAResetTimeIsWaitedOutAndNoRequestComesBeforeIt() async throws {
        let fake = try await FakeX.start()
        let directory = try TemporaryDirectory()
        let limitedAt = try await withLiveWallReturning(Self.config(directory, fake), secrets: Self.secrets(fake)) { client, _ -> Date in
            try await eventually(within: .seconds(15), "the stream connected") { fake.isStreamConnected }
            let scripted = Date()
            fake.failNext(1, status: 429, resetIn: 3)
            fake.disconnectNotice()
            try await eventually(within: .seconds(10), "rate-limited") {
                (try await Self.channel(client)["lastError"] as? String)?.contains("429") == true
            }
            try await eventually(within: .seconds(20), "the stream back") { fake.isStreamConnected }
            return scripted
        }
        let resetAt = limitedAt.addingTimeInterval(3)
        let requests = fake.requestTimes.filter { !$0.path.contains("rules") && $0.at > limitedAt }.map(\.at)
        #expect(requests.count >= 2, "the refused request and the ones after the reset")
        #expect(requests.dropFirst().allSatisfy { $0 >= resetAt.addingTimeInterval(-0.05) }, "no request before x-rate-limit-reset")
        await fake.stop()
    }

    @Test func theDailyReadBudgetPausesTheChannelWithAClearState() async throws {
        let fake = try await FakeX.start()
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, fake, maxReadsPerDay: 2), secrets: Self.secrets(fake)) { client, _ in
            try await eventually(within: .seconds(15), "the stream connected") { fake.isStreamConnected }
            for i in 1...3 { fake.post(Self.tweet(fake, "Tweet \(i) #capcomnet")) }
            try await eventually(within: .seconds(10), "paused") { try await Self.channel(client)["state"] as? String == "paused" }
            let channel = try await Self.channel(client)
            #expect((channel["lastError"] as? String)?.contains("budget") == true)
            #expect((channel["reads"] as? [String: Any])?["today"] as? Int == 2)
            #expect((channel["reads"] as? [String: Any])?["maxPerDay"] as? Int == 2)
            #expect(try await Self.posts(client).count == 2)
            try await eventually(within: .seconds(5), "the stream closed") { !fake.isStreamConnected }
        }
        await fake.stop()
    }

    @Test func aStalledStreamIsReconnectedAndSearchModePollsFromTheLastTweet() async throws {
        let fake = try await FakeX.start()
        fake.keepAliveInterval = 0.3
        let directory = try TemporaryDirectory()
        // Keep-alives every 0.3 s, silence allowed 5 s (config(…)): the stream stays; stalled, it is reconnected.
        try await withLiveWall(Self.config(directory, fake), secrets: Self.secrets(fake)) { client, _ in
            try await eventually(within: .seconds(15), "the stream connected") { fake.isStreamConnected }
            fake.post(Self.tweet(fake, "Un #capcomnet"))
            try await eventually(within: .seconds(10), "the tweet") { try await Self.posts(client).count == 1 }
            #expect(fake.streamConnections == 1, "keep-alives keep the stream")
            fake.stall()
            try await eventually(within: .seconds(20), "a new connection after the silence") { fake.streamConnections >= 2 }
        }
        let search = try TemporaryDirectory()
        let opened = fake.streamConnections  // the stream-mode wall has stopped: nothing opens a stream now but a bug
        try await withLiveWall(Self.config(search, fake, mode: "search"), secrets: Self.secrets(fake)) { client, _ in
            try await eventually(within: .seconds(10), "the newest page") { try await Self.posts(client).count == 1 }
            let next = Self.tweet(fake, "Deux #capcomnet")
            fake.post(next)
            try await eventually(within: .seconds(10), "the next poll") { try await Self.posts(client).count == 2 }
            #expect(fake.searchRequests.last?["since_id"] != nil)
            #expect(fake.streamConnections == opened, "search mode never opens the stream")
        }
        await fake.stop()
    }
}

/// The console shows what X costs: reads today and this month, and the paused state.
@Suite struct XConsoleBrowserTests {
    @Test func theConsoleShowsTheReadsAndThePausedState() async throws {
        let fake = try await FakeX.start()
        let directory = try TemporaryDirectory()
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(XTests.config(directory, fake, maxReadsPerDay: 1), secrets: XTests.secrets(fake)) { client, port in
            try await eventually(within: .seconds(15), "the stream connected") { fake.isStreamConnected }
            fake.post(XTests.tweet(fake, "Un seul #capcomnet"))
            try await eventually(within: .seconds(10), "paused") { try await XTests.channel(client)["state"] as? String == "paused" }
            let console = try await driver.browser(width: 1440, height: 900)
            #expect(try await ModerationBrowserTests.logIn(console, at: "http://127.0.0.1:\(port)", token: moderatorToken) == 200)
            try await console.waitUntil("the X channel", "return document.querySelector('#channels .channel[data-channel=\"x\"]') !== null")
            let text =
                try await console.run(
                    "const c = document.querySelector('#channels .channel[data-channel=\"x\"]'); return [c.dataset.state, c.querySelector('.channel-state').textContent, c.querySelector('.channel-reads')?.textContent]"
                ) as? [Any]
            #expect(text?[0] as? String == "paused" && text?[1] as? String == "en pause")
            #expect(text?[2] as? String == "1 / 1 lus aujourd’hui, 1 ce mois-ci")
            await console.close()
        }
        await fake.stop()
    }
}
