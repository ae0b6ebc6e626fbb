import AsyncHTTPClient
import Foundation
import HashwallChannels
import HashwallCore
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import hashwall

/// The email channel against a real Dovecot IMAP server on loopback, started by each test with its own Maildir.
@Suite struct EmailIMAPTests {
    static func config(_ directory: TemporaryDirectory, _ dovecot: Dovecot, pollSeconds: Double = 1) -> HashwallConfig {
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.channels.email.enabled = true
        config.channels.email.imap.enabled = true
        config.channels.email.imap.url = dovecot.url
        config.channels.email.imap.user = dovecot.user
        config.channels.email.imap.pollSeconds = pollSeconds
        return config
    }

    static func secrets(_ password: String) -> Secrets {
        var secrets = Secrets.testing
        secrets.named = ["HASHWALL_IMAP_PASSWORD": password]
        return secrets
    }

    @Test func mailInTheMailboxReachesTheWallUnderItsAuthorsNameWithNothingQuotedAndNoAddress() async throws {
        let dovecot = try await blocking { try Dovecot.start() }
        defer { dovecot.shutdown() }
        let directory = try TemporaryDirectory()
        // One before the wall starts (caught up at start), the rest while it runs.
        try dovecot.deliver(Mail.text(from: "Léa Dupré <lea@example.org>", subject: "#capcomnet", body: "Bonjour Rennes !", id: "lea-1@example.org"))
        try await withLiveWall(Self.config(directory, dovecot), secrets: Self.secrets(dovecot.password)) { client, port in
            let wall = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            let first = try await wall.next(within: .seconds(30))
            #expect(first.type == "post" && first.data.contains(#""name":"Léa Dupré""#) && first.data.contains("Bonjour Rennes !"))
            try dovecot.deliver(
                Mail.text(
                    from: "Out of office <tom@example.org>", subject: "Absent : #capcomnet", body: "Je suis absent jusqu'au 10.",
                    id: "auto-1@example.org", headers: ["Auto-Submitted: auto-replied"]))
            try dovecot.deliver(
                Mail.text(
                    from: "=?iso-8859-1?q?Fran=E7ois_M=FCller?= <francois@example.org>", subject: "Re: #capcomnet",
                    body:
                        "Merci, à tout à l'heure !\n\nLe lun. 7 déc. 2026 à 09:41, Organisation <mur@capcomnet.example> a écrit :\n> Le programme est en ligne.\n> Bonne journée\n",
                    id: "francois-1@example.org"))
            let second = try await wall.next(within: .seconds(30))
            #expect(second.data.contains(#""name":"François Müller""#), "\(second.data)")
            #expect(second.data.contains("Merci, à tout à l'heure !"))
            #expect(!second.data.contains("programme") && !second.data.contains("a écrit"), "the quoted reply is not shown")
            let posts = try json(try await client.execute(uri: "/api/posts", method: .get))["posts"] as? [[String: Any]] ?? []
            #expect(posts.count == 2, "the auto-reply, read between the two, is not on the wall")
            let everything = String(buffer: try await client.execute(uri: "/api/posts", method: .get).body) + first.data + second.data
            #expect(!everything.contains("example.org"), "an address leaked")
            let moderated = String(
                buffer: try await client.execute(
                    uri: "/api/moderation/posts?state=visible", method: .get, headers: [.authorization: "Bearer test-moderator-token"]
                ).body)
            #expect(moderated.contains(#""contact":"francois@example.org""#), "moderators see the address")
            let health = try json(try await client.execute(uri: "/healthz", method: .get))
            let imap = (health["channels"] as? [String: [String: Any]])?["email.imap"]
            #expect(imap?["state"] as? String == "running" && imap?["posts"] as? Int == 2)
            await wall.close()
        }
    }

    /// The 35 client-shaped fixtures (Tests/HashwallChannelsTests/Fixtures/mail) through Dovecot: the 30 people's
    /// mails with their author and text, none of the 5 automatic ones.
    @Test func everyClientShapeInTheCorpusArrivesThroughIMAPAsThePersonWroteIt() async throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("HashwallChannelsTests/Fixtures/mail")
        let expected = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("expected.json"))) as? [[String: Any]])
        try #require(expected.count == 35)
        let dovecot = try await blocking { try Dovecot.start() }
        defer { dovecot.shutdown() }
        for entry in expected {
            try dovecot.deliver(Array(try Data(contentsOf: fixtures.appendingPathComponent(try #require(entry["file"] as? String)))))
        }
        @Sendable func collapsed(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let people: [(file: String, line: String)] = expected.filter { $0["ignored"] as? Bool != true }.map { person in
            (person["file"] as? String ?? "", "\(person["author"] as? String ?? "") | \(collapsed(person["text"] as? String ?? ""))")
        }
        let wanted = people.count
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, dovecot), secrets: Self.secrets(dovecot.password)) { client, _ in
            let shown = try await eventually(within: .seconds(60), "every person's mail") { () -> [String]? in
                let posts = try json(try await client.execute(uri: "/api/posts?limit=500", method: .get))["posts"] as? [[String: Any]] ?? []
                let lines = posts.compactMap { post -> String? in
                    guard let text = post["text"] as? String, let name = (post["author"] as? [String: Any])?["name"] as? String else { return nil }
                    return name + " | " + collapsed(text)
                }
                return lines.count >= wanted ? lines : nil
            }
            for person in people {
                #expect(shown.contains(person.line), "\(person.file) is not on the wall as \(person.line)")
            }
            #expect(shown.count == wanted, "an automatic mail reached the wall")
        }
    }

    @Test func dovecotStoppedAndRestartedTheChannelFailsWithoutTouchingTheWallThenRecoversAndCatchesUp() async throws {
        let dovecot = try await blocking { try Dovecot.start() }
        defer { dovecot.shutdown() }
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, dovecot), secrets: Self.secrets(dovecot.password)) { client, _ in
            try dovecot.deliver(Mail.text(from: "Ana <ana@example.org>", subject: "", body: "Avant la coupure", id: "ana-1@example.org"))
            try await eventually(within: .seconds(30), "the first mail on the wall") { try await Self.texts(client).contains("Avant la coupure") }
            try await blocking { try dovecot.stop() }
            let failing = try await eventually(within: .seconds(30), "email.imap failing on /healthz") { () -> String? in
                let imap = try await Self.channel(client)
                return imap["state"] as? String == "failing" ? imap["lastError"] as? String : nil
            }
            #expect(!failing.isEmpty)
            // The wall carries on meanwhile; mail keeps arriving in the mailbox.
            try await ingest(client, body(author: "API", text: "Pendant la coupure"))
            try dovecot.deliver(Mail.text(from: "Ana <ana@example.org>", subject: "", body: "Pendant la coupure, par mail", id: "ana-2@example.org"))
            try await blocking { try dovecot.restart() }
            try await eventually(within: .seconds(60), "the mail sent during the outage") {
                try await Self.texts(client).contains("Pendant la coupure, par mail")
            }
            let imap = try await Self.channel(client)
            #expect(imap["state"] as? String == "running" && imap["lastError"] is NSNull)
            #expect(try await Self.texts(client).count == 3)
        }
    }

    @Test func aChangedUIDVALIDITYReadsTheMailboxAgainWithoutADuplicate() async throws {
        let dovecot = try await blocking { try Dovecot.start() }
        defer { dovecot.shutdown() }
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, dovecot), secrets: Self.secrets(dovecot.password)) { client, port in
            for index in 1...3 {
                try dovecot.deliver(Mail.text(from: "Zoé <zoe@example.org>", subject: "", body: "Message \(index)", id: "zoe-\(index)@example.org"))
            }
            try await eventually(within: .seconds(30), "three mails") { try await Self.texts(client).count == 3 }
            let wall = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            let before = try await blocking { try dovecot.uidValidity() }
            try await blocking { try dovecot.renumber() }
            #expect(try await blocking { try dovecot.uidValidity() } != before)
            try dovecot.deliver(Mail.text(from: "Zoé <zoe@example.org>", subject: "", body: "Message 4", id: "zoe-4@example.org"))
            // The mailbox is read again from UID 1: messages 1 to 3 are the posts they were, only message 4 is new.
            let event = try await wall.next(within: .seconds(30))
            #expect(event.type == "post" && event.data.contains("Message 4"), "\(event)")
            let texts = try await Self.texts(client)
            #expect(texts.sorted() == ["Message 1", "Message 2", "Message 3", "Message 4"])
            await wall.close()
        }
    }

    @Test func aWrongPasswordShowsOnHealthzAndTheWallCarriesOn() async throws {
        let dovecot = try await blocking { try Dovecot.start() }
        defer { dovecot.shutdown() }
        let directory = try TemporaryDirectory()
        try await withLiveWall(Self.config(directory, dovecot), secrets: Self.secrets("not-the-password")) { client, _ in
            let error = try await eventually(within: .seconds(30), "email.imap failing") { () -> String? in
                let imap = try await Self.channel(client)
                return imap["state"] as? String == "failing" ? imap["lastError"] as? String : nil
            }
            #expect(error.lowercased().contains("login"), "\(error)")
            try await ingest(client, body(author: "API", text: "Le mur tourne"))
            #expect(try await Self.texts(client) == ["Le mur tourne"])
        }
    }

    @Test func theWallKilledMidPollResumesWithNoMessageTwiceAndNoneLost() async throws {
        let dovecot = try await blocking { try Dovecot.start() }
        defer { dovecot.shutdown() }
        let directory = try TemporaryDirectory()
        let total = 150
        for index in 1...total {
            try dovecot.deliver(Mail.text(from: "Lou <lou@example.org>", subject: "", body: "Mail numéro \(index)", id: "lou-\(index)@example.org"))
        }
        let configPath = try writeConfig(Self.config(directory, dovecot), in: directory)
        let environment = ["HASHWALL_IMAP_PASSWORD": dovecot.password]
        let first = try WallProcess(configPath: configPath, directory: directory.path, environment: environment)
        let firstPort = try await first.port()
        do {
            _ = try await eventually(within: .seconds(60), "the first batch") { () -> Int? in
                let count = try await Self.count(port: firstPort)
                return count > 0 ? count : nil
            }
        } catch {
            Issue.record("the wall's standard error: \(first.standardError.suffix(3000))")
            throw error
        }
        // Killed as soon as the first batch of 25 is on the wall: mid-read on a quiet machine (150 messages take longer
        // to fetch); a loaded one may have read them all by then, and the checks below hold either way.
        first.signal(SIGKILL)
        _ = try await first.exitStatus(within: .seconds(10))
        let second = try WallProcess(configPath: configPath, directory: directory.path, environment: environment)
        let secondPort = try await second.port()
        try await eventually(within: .seconds(60), "every mail") { try await Self.count(port: secondPort) == total }
        second.signal(SIGTERM)
        #expect(try await second.exitStatus(within: .seconds(10)) == 0)
        // What the journal holds: each mail once, and the cursor at the last UID.
        let metrics = WallMetrics.discarding
        let logger = Logger(label: "test")
        let hubs = WallHubs(
            wall: EventHub(metrics: metrics, logger: logger), projector: EventHub(name: "projector", metrics: metrics, logger: logger),
            moderators: EventHub(name: "moderators", metrics: metrics, logger: logger))
        let journal = try Journal(path: directory.path + "/wall.sqlite", hubs: hubs, metrics: metrics, logger: logger)
        let stored = try journal.loadWorkingSet(limits: StoreLimits(maxPosts: 100_000, maxRememberedKeys: 100_000)).posts
        let texts = stored.map(\.post.text)
        #expect(texts.count == total && Set(texts) == Set((1...total).map { "Mail numéro \($0)" }))
        let cursor = try #require(try journal.channelState("email.imap")[ChannelSupervisor.cursorKey])
        let position = try #require(try JSONSerialization.jsonObject(with: cursor) as? [String: Any])
        #expect(position["lastUID"] as? Int == total)
    }

    // MARK: - Helpers

    /// Every post's text on the public wall.
    static func texts(_ client: some TestClientProtocol) async throws -> [String] {
        let posts = try json(try await client.execute(uri: "/api/posts?limit=500", method: .get))["posts"] as? [[String: Any]] ?? []
        return posts.compactMap { $0["text"] as? String }
    }

    static func channel(_ client: some TestClientProtocol, _ name: String = "email.imap") async throws -> [String: Any] {
        let health = try json(try await client.execute(uri: "/healthz", method: .get))
        return (health["channels"] as? [String: [String: Any]])?[name] ?? [:]
    }

    static func count(port: Int) async throws -> Int {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/posts?limit=500"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return (object?["posts"] as? [Any])?.count ?? 0
    }
}

/// Mail written as a client would, with CRLF line ends.
enum Mail {
    static func text(from: String, subject: String, body: String, id: String?, headers: [String] = []) -> String {
        var lines = ["From: \(from)", "To: mur@capcomnet.example", "Subject: \(subject)", "Date: Mon, 07 Dec 2026 09:30:00 +0100"]
        if let id { lines.append("Message-ID: <\(id)>") }
        lines += headers
        lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", body]
        return lines.joined(separator: "\r\n")
    }
}

/// Runs blocking work (Dovecot's start and stop wait for it) on a thread of its own, off the test's executor.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
