import Foundation
import HashwallChannels
import HashwallCore
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import hashwall

/// The Mastodon channel against local fake servers that speak Mastodon's wire format (FakeMastodon).
@Suite struct MastodonTests {
    static func config(_ directory: TemporaryDirectory, _ servers: [(url: String, tokenEnv: String?)], pollSeconds: Double = 1) -> HashwallConfig {
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.channels.mastodon.enabled = true
        config.channels.mastodon.instances = servers.map { .init(url: $0.url, tokenEnv: $0.tokenEnv) }
        config.channels.mastodon.pollSeconds = pollSeconds
        return config
    }

    static let secrets: Secrets = {
        var secrets = Secrets.testing
        secrets.named = ["HASHWALL_MASTODON_TOKEN": "user-token"]
        return secrets
    }()

    static func status(
        _ id: String, _ html: String, acct: String = "claire@m.example", name: String = "Claire", uri: String? = nil, tags: [String] = ["capcomnet"]
    ) -> FakeMastodon.Status {
        FakeMastodon.Status(
            id: id, uri: uri ?? "https://m.example/users/\(acct.split(separator: "@")[0])/statuses/\(id)", acct: acct, displayName: name,
            html: html, tags: tags)
    }

    static let hashtagLink = #"<a href="https://m.example/tags/capcomnet" class="mention hashtag" rel="tag">#<span>capcomnet</span></a>"#

    @Test func withoutATokenTheTagTimelineIsPolledAndStatusesShowAsPlainText() async throws {
        let fake = try await FakeMastodon.start()
        let directory = try TemporaryDirectory()
        var first = Self.status(
            "113500000000000001",
            #"<p>Bravo <span class="h-card"><a href="https://other.example/@lea" class="u-url mention">@<span>lea</span></a></span> &amp; merci !<br>"#
                + #"Programme : <a href="https://example.org/programme" rel="nofollow"><span class="invisible">https://</span><span class="">example.org/programme</span></a></p>"#
                + "<p>\(Self.hashtagLink) :blobcat:</p><script>alert(1)</script>")
        first.mentions = [("lea@other.example", "lea")]
        first.reblogsCount = 3
        fake.post(first)
        try await withLiveWall(Self.config(directory, [(fake.url, nil)]), secrets: Self.secrets) { client, port in
            let wall = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            let event = try await wall.next(within: .seconds(20))
            let post = try #require(try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any])
            #expect(post["id"] as? String == "mastodon:https://m.example/users/claire/statuses/113500000000000001")
            #expect(post["channel"] as? String == "mastodon")
            #expect(
                post["text"] as? String == "Bravo @lea@other.example & merci !\nProgramme : https://example.org/programme\n\n#capcomnet :blobcat:")
            #expect((post["author"] as? [String: Any])?["handle"] as? String == "claire@m.example")
            #expect(post["reposts"] as? Int == 3)
            #expect((post["spans"] as? [[String: Any]])?.contains { $0["kind"] as? String == "url" } == true)
            // A later status arrives with the next poll, asked for with min_id; a local account gets the server's name.
            fake.post(Self.status("113500000000000002", "<p>Deuxième \(Self.hashtagLink)</p>", acct: "paul", name: ""))
            let second = try await wall.next(within: .seconds(20))
            #expect(
                second.data.contains("Deuxième") && second.data.contains(#""handle":"paul@127.0.0.1""#) && second.data.contains(#""name":"paul""#))
            #expect(fake.requests.contains { $0.target.contains("min_id=113500000000000001") })
            #expect(fake.requests.allSatisfy { $0.authorization == nil })
            let health = try await EmailIMAPTests.channel(client, "mastodon.127.0.0.1:\(fake.port)")
            #expect(health["state"] as? String == "running")
            await wall.close()
        }
        await fake.stop()
    }

    @Test func theSameStatusSeenThroughTwoServersIsOnePost() async throws {
        let one = try await FakeMastodon.start(domain: "one.example")
        let two = try await FakeMastodon.start(domain: "two.example")
        let directory = try TemporaryDirectory()
        let uri = "https://m.example/users/claire/statuses/42"
        one.post(Self.status("900", "<p>Fédéré \(Self.hashtagLink)</p>", uri: uri))
        two.post(Self.status("17", "<p>Fédéré \(Self.hashtagLink)</p>", uri: uri))
        two.post(Self.status("18", "<p>Seulement ici \(Self.hashtagLink)</p>", acct: "zoe@two.example", name: "Zoé"))
        try await withLiveWall(Self.config(directory, [(one.url, nil), (two.url, nil)]), secrets: Self.secrets) { client, _ in
            try await eventually(within: .seconds(20), "both servers read") {
                try await EmailIMAPTests.texts(client).contains("Seulement ici #capcomnet")
                    && one.requests.count > 0 && two.requests.count > 0
            }
            try await eventually(within: .seconds(20), "the second server's copy merged") {
                (try await EmailIMAPTests.channel(client, "mastodon.127.0.0.1:\(two.port)"))["state"] as? String == "running"
            }
            #expect(try await EmailIMAPTests.texts(client).sorted() == ["Fédéré #capcomnet", "Seulement ici #capcomnet"])
        }
        await one.stop()
        await two.stop()
    }

    @Test func botsOptedOutAccountsNowallAndPrivatePostsAreLeftOut() async throws {
        let fake = try await FakeMastodon.start()
        let directory = try TemporaryDirectory()
        var bot = Self.status("1", "<p>Je suis un robot \(Self.hashtagLink)</p>", acct: "bot@m.example")
        bot.bot = true
        var hidden = Self.status("2", "<p>Pas d'annuaire \(Self.hashtagLink)</p>", acct: "discret@m.example")
        hidden.discoverable = false
        var noindex = Self.status("3", "<p>Pas d'index \(Self.hashtagLink)</p>", acct: "noindex@m.example")
        noindex.noindex = true
        let nowall = Self.status("4", "<p>Pas sur le mur \(Self.hashtagLink) #NoWall</p>", tags: ["capcomnet", "nowall"])
        var warned = Self.status("5", "<p>Spoiler du film \(Self.hashtagLink)</p>")
        warned.spoiler = "Spoiler"
        var direct = Self.status("6", "<p>Privé \(Self.hashtagLink)</p>")
        direct.visibility = "private"
        let other = Self.status("7", "<p>Autre sujet #ailleurs</p>", tags: ["capcomnet"])  // the tag is on it, the text says otherwise
        let shown = Self.status("8", "<p>Visible \(Self.hashtagLink)</p>")
        for status in [bot, hidden, noindex, nowall, warned, direct, other, shown] { fake.post(status) }
        try await withLiveWall(Self.config(directory, [(fake.url, nil)]), secrets: Self.secrets) { client, _ in
            try await eventually(within: .seconds(20), "the visible status") { try await EmailIMAPTests.texts(client).contains("Visible #capcomnet") }
            #expect(try await EmailIMAPTests.texts(client).sorted() == ["Autre sujet #ailleurs", "Spoiler du film #capcomnet", "Visible #capcomnet"])
        }
        // The organiser may show bots and opted-out accounts.
        let again = try TemporaryDirectory()
        var config = Self.config(again, [(fake.url, nil)])
        config.channels.mastodon.showBots = true
        config.channels.mastodon.showUndiscoverable = true
        try await withLiveWall(config, secrets: Self.secrets) { client, _ in
            try await eventually(within: .seconds(20), "the bot's status") {
                try await EmailIMAPTests.texts(client).contains("Je suis un robot #capcomnet")
            }
            #expect(try await EmailIMAPTests.texts(client).count == 6)
        }
        await fake.stop()
    }

    @Test func aContentWarningTravelsWithThePostAndKeepsItOffTheProjector() async throws {
        let fake = try await FakeMastodon.start()
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, [(fake.url, "HASHWALL_MASTODON_TOKEN")]), secrets: Self.secrets) { client, port in
            let wall = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            let projector = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events?view=projector")
            try await eventually(within: .seconds(20), "the hashtag stream open") { fake.openStreams == 1 }
            var warned = Self.status("500", "<p>La fin du film \(Self.hashtagLink)</p>")
            warned.spoiler = "Spoiler : le film"
            fake.post(warned)
            var plain = Self.status("501", "<p>Bonjour \(Self.hashtagLink)</p>")
            fake.post(plain)
            let first = try await wall.next()
            #expect(first.type == "post" && first.data.contains(#""contentWarning":"Spoiler : le film""#) && first.data.contains("La fin du film"))
            let shown = try await projector.next()
            #expect(shown.type == "post" && shown.data.contains("Bonjour"), "the projector got the warned post: \(shown)")
            let page = String(buffer: try await client.execute(uri: "/api/posts?view=projector", method: .get).body)
            #expect(!page.contains("La fin du film") && page.contains("Bonjour"))
            #expect(String(buffer: try await client.execute(uri: "/api/posts", method: .get).body).contains("Spoiler : le film"))
            // A warning added by an edit takes the post off the projector.
            plain.spoiler = "Finalement, un avertissement"
            plain.editedAt = Date()
            fake.edit(plain)
            let removed = try await projector.next()
            #expect(removed.type == "remove" && removed.data.contains("statuses/501"))
            await wall.close()
            await projector.close()
        }
        await fake.stop()
    }

    @Test func withATokenTheStreamBringsPostsEditsBoostCountsAndDeletionsLive() async throws {
        let fake = try await FakeMastodon.start()
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, [(fake.url, "HASHWALL_MASTODON_TOKEN")]), secrets: Self.secrets) { client, port in
            let wall = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            try await eventually(within: .seconds(20), "the hashtag stream open") { fake.openStreams == 1 }
            var status = Self.status("200", "<p>En direct \(Self.hashtagLink)</p>")
            fake.post(status)
            let live = try await wall.next(within: .seconds(10))
            #expect(live.type == "post" && live.data.contains("En direct #capcomnet"))
            status.html = "<p>En direct, corrigé \(Self.hashtagLink)</p>"
            status.editedAt = Date()
            fake.edit(status)
            let edited = try await wall.next(within: .seconds(10))
            #expect(edited.type == "update" && edited.data.contains("En direct, corrigé"))
            status.reblogsCount = 5
            fake.edit(status)
            let boosted = try await wall.next(within: .seconds(10))
            #expect(boosted.type == "update" && boosted.data.contains(#""reposts":5"#))
            fake.delete(id: "200")
            let removed = try await wall.next(within: .seconds(10))
            #expect(removed.type == "remove" && removed.data.contains("statuses/200"))
            #expect(try await EmailIMAPTests.texts(client).isEmpty)
            let streamed = fake.requests.filter { $0.target.contains("streaming") }
            #expect(!streamed.isEmpty && streamed.allSatisfy { $0.authorization == "Bearer user-token" })
            await wall.close()
        }
        await fake.stop()
    }

    @Test func aStreamCutMidEventReconnectsAndCatchesUpWithoutLossOrDuplicate() async throws {
        let fake = try await FakeMastodon.start()
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, [(fake.url, "HASHWALL_MASTODON_TOKEN")]), secrets: Self.secrets) { client, _ in
            try await eventually(within: .seconds(20), "the hashtag stream open") { fake.openStreams == 1 }
            fake.post(Self.status("300", "<p>Avant la coupure \(Self.hashtagLink)</p>"))
            try await eventually(within: .seconds(10), "the first status") { try await EmailIMAPTests.texts(client).count == 1 }
            fake.cutStreams()  // half an event, then the connection ends
            fake.post(Self.status("301", "<p>Pendant la coupure \(Self.hashtagLink)</p>"))  // in the timeline only
            try await eventually(within: .seconds(30), "the status posted during the cut") {
                try await EmailIMAPTests.texts(client).contains("Pendant la coupure #capcomnet")
            }
            try await eventually(within: .seconds(30), "the stream open again") { fake.openStreams == 1 }
            fake.post(Self.status("302", "<p>Après \(Self.hashtagLink)</p>"))
            try await eventually(within: .seconds(10), "the status after") { try await EmailIMAPTests.texts(client).contains("Après #capcomnet") }
            #expect(
                try await EmailIMAPTests.texts(client).sorted() == [
                    "Après #capcomnet", "Avant la coupure #capcomnet", "Pendant la coupure #capcomnet",
                ])
            #expect(fake.requests.contains { $0.target.contains("min_id=300") }, "the catch-up starts after the last status seen")
        }
        await fake.stop()
    }

    @Test func a429WithAResetTimeMeansNoRequestBeforeIt() async throws {
        let fake = try await FakeMastodon.start()
        let directory = try TemporaryDirectory()
        fake.rateLimitNext(seconds: 4)  // from the wall's first request, however long it takes to start
        fake.post(Self.status("400", "<p>Patience \(Self.hashtagLink)</p>"))
        try await withLiveWall(Self.config(directory, [(fake.url, nil)]), secrets: Self.secrets) { client, _ in
            let name = "mastodon.127.0.0.1:\(fake.port)"
            let failing = try await eventually(within: .seconds(30), "failing with a retry time") { () -> String? in
                let health = try await EmailIMAPTests.channel(client, name)
                return health["state"] as? String == "failing" ? health["nextRetryAt"] as? String : nil
            }
            let retryAt = try WireDate.parse(failing, field: "nextRetryAt")
            let reset = try #require(fake.rateLimitedUntil)
            #expect(retryAt >= reset.addingTimeInterval(-1))
            try await eventually(within: .seconds(20), "the status after the reset") {
                try await EmailIMAPTests.texts(client) == ["Patience #capcomnet"]
            }
            let timeline = fake.requests.filter { $0.target.contains("timelines") }
            #expect(timeline.dropFirst().allSatisfy { $0.at >= reset.addingTimeInterval(-0.05) }, "asked again before the reset time")
        }
        await fake.stop()
    }

    @Test func whenTheHeadersSayNoRequestIsLeftThePollWaitsForTheResetInsteadOfEarningA429() async throws {
        let fake = try await FakeMastodon.start()
        let reset = Date().addingTimeInterval(4)
        fake.allowRequests(1, until: reset)
        fake.post(Self.status("900", "<p>Premier \(Self.hashtagLink)</p>"))
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, [(fake.url, nil)]), secrets: Self.secrets) { client, _ in
            try await eventually(within: .seconds(20), "the first status") { try await EmailIMAPTests.texts(client) == ["Premier #capcomnet"] }
            fake.post(Self.status("901", "<p>Second \(Self.hashtagLink)</p>"))
            try await eventually(within: .seconds(20), "the second status, after the reset") {
                try await EmailIMAPTests.texts(client).contains("Second #capcomnet")
            }
            let timeline = fake.requests.filter { $0.target.contains("timelines") }
            #expect(timeline.count >= 2 && timeline.dropFirst().allSatisfy { $0.at >= reset.addingTimeInterval(-0.05) }, "asked before the reset")
            #expect((try await EmailIMAPTests.channel(client, "mastodon.127.0.0.1:\(fake.port)"))["state"] as? String == "running")
        }
        await fake.stop()
    }

    @Test func aServerWhoseHashtagFeedIsForSignedInUsersSaysSoBeforeAnyTimelineRequest() async throws {
        let fake = try await FakeMastodon.start()
        fake.localHashtagFeed("authenticated")
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, [(fake.url, nil)]), secrets: Self.secrets) { client, _ in
            let error = try await eventually(within: .seconds(10), "the channel stopped with its reason") { () -> String? in
                let health = try await EmailIMAPTests.channel(client, "mastodon.127.0.0.1:\(fake.port)")
                return health["state"] as? String == "stopped" ? health["lastError"] as? String : nil
            }
            #expect(error.contains("signed-in users only") && error.contains("tokenEnv"))
            #expect(!fake.requests.contains { $0.target.contains("timelines") })
        }
        await fake.stop()
    }

    @Test func aServerThatWantsATokenSaysSoOnHealthzAndTheWallCarriesOn() async throws {
        let fake = try await FakeMastodon.start()
        fake.requireTimelineToken("user-token")
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, [(fake.url, nil)]), secrets: Self.secrets) { client, _ in
            let error = try await eventually(within: .seconds(10), "the channel stopped with its reason") { () -> String? in
                let health = try await EmailIMAPTests.channel(client, "mastodon.127.0.0.1:\(fake.port)")
                return health["state"] as? String == "stopped" ? health["lastError"] as? String : nil
            }
            #expect(error.contains("401") && error.contains("token"))
            try await ingest(client, body(author: "API", text: "Le mur tourne"))
            #expect(try await EmailIMAPTests.texts(client) == ["Le mur tourne"])
        }
        await fake.stop()
    }
}
