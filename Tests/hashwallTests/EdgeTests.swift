import AsyncHTTPClient
import Foundation
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import hashwall

/// Followers past one machine: Redis and two nginx + Nchan edges on loopback, from `hashwall nchan-config`'s own
/// configuration, the node publishing to one of them.
@Suite struct EdgeTests {
    /// An event as a follower's page uses it: its name and its data, without the edge's bridge fields.
    static func comparable(_ event: SSEEvent) -> String {
        guard var object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else {
            return event.type + " " + event.data
        }
        object["hashwallEvent"] = nil
        object["hashwallPrevious"] = nil
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return event.type + " " + String(decoding: data, as: UTF8.self)
    }

    /// The next `count` events of `follower` other than resets.
    static func take(_ count: Int, from follower: SSEClient) async throws -> [SSEEvent] {
        var events: [SSEEvent] = []
        while events.count < count {
            let event = try await follower.next(within: .seconds(15))
            if event.type != "reset" { events.append(event) }
        }
        return events
    }

    /// A follower on an edge's `/events`. Until Nchan has its Redis connection (just after a start) it answers 503, and a
    /// page's EventSource tries again: so does this.
    static func follow(_ url: String, lastEventID: String? = nil) async throws -> SSEClient {
        try await eventually(within: .seconds(60), "the edge to serve streams") { () -> SSEClient? in
            let client = try await SSEClient.connect(to: url, lastEventID: lastEventID)
            if client.status == 200 { return client }
            await client.close()
            return nil
        }
    }

    /// An edge on loopback from the generated configuration, in `prefix`: followers on `listen`, the node's publisher
    /// on `publish`, its channels in `redis`, everything else proxied to the node on `nodePort`.
    static func startEdge(in prefix: String, listen: Int, publish: Int, redis: Redis, nodePort: Int) async throws -> Nginx {
        let text = NchanConfig(
            listen: listen, redis: redis.url, upstream: "http://127.0.0.1:\(nodePort)", publisherPort: publish, address: "127.0.0.1", prefix: prefix
        ).text
        return try await Nginx.start(configuration: text, prefix: prefix, port: listen)
    }

    /// A live node publishing to one edge (its own Redis), from the generated configuration; `body` gets the node's test
    /// client and the edge's followers' port.
    static func withNodeAndEdge(_ body: @escaping @Sendable (any TestClientProtocol, Int) async throws -> Void) async throws {
        let redis = try await Redis.start()
        defer { redis.stop() }
        let directory = try TemporaryDirectory()
        let (listen, publish) = (try freePort(), try freePort())
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.fanout.nchan.enabled = true
        config.fanout.nchan.publishURL = "http://127.0.0.1:\(publish)/pub"
        try await withLiveWall(config) { client, port in
            let edge = try await Self.startEdge(in: directory.file("edge"), listen: listen, publish: publish, redis: redis, nodePort: port)
            defer { edge.stop() }
            try await body(client, listen)
        }
    }

    /// The next event of `client`, or an error that says which one was awaited.
    static func next(_ client: SSEClient, _ what: String, within: Duration = .seconds(20)) async throws -> SSEEvent {
        do {
            return try await client.next(within: within)
        } catch {
            throw EdgeFailure(description: "\(what): \(error)")
        }
    }

    // Waits on the publisher allow a minute: until an edge's Nchan has its Redis link, a publish can hang for the
    // publisher's 5 s timeout and then back off up to 5 s, several times on a loaded machine.
    static func fanout(_ client: some TestClientProtocol) async throws -> [String: Any] {
        try json(try await client.execute(uri: "/healthz", method: .get))["fanout"] as? [String: Any] ?? [:]
    }

    @Test func followersOnTwoEdgesAndOnTheNodeGetTheSameEventsInOrderAndPublishingOutlivesARedisRestart() async throws {
        let redis = try await Redis.start()
        defer { redis.stop() }
        let directory = try TemporaryDirectory()
        let (listenA, publishA, listenB, publishB) = (try freePort(), try freePort(), try freePort(), try freePort())
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.fanout.nchan.enabled = true
        config.fanout.nchan.publishURL = "http://127.0.0.1:\(publishA)/pub"
        try await withLiveWall(config) { client, port in
            var edges: [Nginx] = []
            defer { for edge in edges { edge.stop() } }
            for (name, listen, publish) in [("a", listenA, publishA), ("b", listenB, publishB)] {
                edges.append(
                    try await Self.startEdge(in: directory.file("edge-\(name)"), listen: listen, publish: publish, redis: redis, nodePort: port))
            }
            try await eventually(within: .seconds(60), "the start-up resets published") {
                let fanout = try await Self.fanout(client)
                return fanout["state"] as? String == "ok" && (fanout["published"] as? Int ?? 0) >= 2
            }
            let followers = [
                try await Self.follow("http://127.0.0.1:\(listenA)/events"),
                try await Self.follow("http://127.0.0.1:\(listenB)/events"),
                try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events"),
            ]
            let projectors = [
                try await Self.follow("http://127.0.0.1:\(listenB)/events?view=projector"),
                try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events?view=projector"),
            ]
            var ids: [String] = []
            for text in ["Premier #capcomnet", "Deuxième #capcomnet", "Troisième #capcomnet"] {
                ids.append(try #require(try json(try await ingest(client, body(author: "Claire", text: text)))["id"] as? String))
            }
            _ = try await ErasureHTTPTests.act(client, ids[1], "hide")
            var seen: [[String]] = []
            for follower in followers {
                let events = try await Self.take(4, from: follower)
                seen.append(events.map(Self.comparable))
            }
            #expect(seen[0] == seen[2] && seen[1] == seen[2], "the same events, in the same order, on both edges and the node")
            #expect(seen[2].map { String($0.prefix { $0 != " " }) } == ["post", "post", "post", "remove"])
            // The projector's view too, from its own channel.
            let onEdge = try await Self.take(4, from: projectors[0]).map(Self.comparable)
            #expect(onEdge == (try await Self.take(4, from: projectors[1]).map(Self.comparable)))
            for projector in projectors { await projector.close() }
            // Pages load their snapshot through the edge (proxied to the node) and find the numbers to bridge with.
            let snapshot = try await HTTPSnapshot.get("http://127.0.0.1:\(listenB)/api/posts")
            #expect(snapshot.count == 2)

            // Redis restarts: what was published meanwhile waits, then goes out.
            redis.stop()
            try await ingest(client, body(author: "Paul", text: "Pendant la panne #capcomnet"))
            try await eventually(within: .seconds(60), "retrying") { try await Self.fanout(client)["state"] as? String == "retrying" }
            let again = try await Redis.start(port: redis.port)
            defer { again.stop() }
            try await eventually(within: .seconds(60), "the backlog published") {
                let fanout = try await Self.fanout(client)
                return fanout["state"] as? String == "ok" && fanout["backlog"] as? Int == 0
            }
            let late = try await Self.follow("http://127.0.0.1:\(listenB)/events")
            // A new follower gets the edge's recent events (at most 32), this one among them.
            var found = false
            for _ in 0..<32 where !found {
                let event = try await late.next(within: .seconds(15))
                found = event.type == "post" && event.data.contains("Pendant la panne")
            }
            #expect(found, "what was published during the outage reaches the edges")
            for follower in followers + [late] { await follower.close() }
        }
    }

    @Test func theGeneratedConfigurationIsCompleteAndKeepsThePublisherForTheNode() throws {
        let text = NchanConfig(
            listen: 8080, redis: "redis://10.0.0.9:6379", upstream: "http://10.0.0.2:8080", publisherPort: 9081, address: "0.0.0.0"
        ).text
        for needle in [
            "load_module /usr/lib/nginx/modules/ngx_nchan_module.so;", "nchan_redis_server redis://10.0.0.9:6379;", "server 10.0.0.2:8080;",
            "listen 0.0.0.0:8080", "location = /events", "nchan_subscriber eventsource;", "listen 0.0.0.0:9081;", "allow 10.0.0.2;", "deny all;",
            "proxy_buffering off;", "proxy_set_header X-Forwarded-For",
        ] {
            #expect(text.contains(needle), "\(needle)")
        }
        let named = NchanConfig(listen: 8080, redis: "redis://r:6379", upstream: "http://node.internal:8080", publisherPort: 9081, address: "0.0.0.0")
            .text
        #expect(named.contains("# allow <the node's address>;") && !named.contains("allow node.internal"))
    }
}

/// A plain GET of a posts page through any server (not the test client's own connection).
enum HTTPSnapshot {
    static func get(_ url: String) async throws -> [[String: Any]] {
        try await Self.json(url)["posts"] as? [[String: Any]] ?? []
    }

    static func json(_ url: String) async throws -> [String: Any] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
    }
}

/// An edge restarted, and the node killed, with followers on the edges.
@Suite struct EdgeFailureTests {
    /// Redis, one edge publishing and serving, and the node as a process of its own on a fixed port.
    @Test func anEdgeRestartLosesNothingAndANodeKilledLeavesFollowersConnectedUntilItReturns() async throws {
        let redis = try await Redis.start()
        defer { redis.stop() }
        let directory = try TemporaryDirectory()
        let (listen, publish, nodePort) = (try freePort(), try freePort(), try freePort())
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.server.port = nodePort
        config.fanout.nchan.enabled = true
        config.fanout.nchan.publishURL = "http://127.0.0.1:\(publish)/pub"
        let configPath = try writeConfig(config, in: directory)
        var node = try WallProcess(configPath: configPath, directory: directory.path)
        _ = try await node.port()
        let edge = try await EdgeTests.startEdge(in: directory.file("edge"), listen: listen, publish: publish, redis: redis, nodePort: nodePort)
        defer { edge.stop() }

        // A follower, one post; the edge restarts; a post meanwhile; the follower comes back with its Last-Event-ID.
        let follower = try await EdgeTests.follow("http://127.0.0.1:\(listen)/events")
        #expect(try await ingest(port: nodePort, body(author: "Claire", text: "Avant le redémarrage")) == 202)
        var first: SSEEvent?
        while first == nil {
            let event = try await EdgeTests.next(follower, "the first post")
            if event.type == "post" { first = event }
        }
        await follower.close()
        edge.stop()
        #expect(try await ingest(port: nodePort, body(author: "Claire", text: "Pendant le redémarrage")) == 202)
        try await edge.start(port: listen)
        // Once the node got the post through (Nchan has its Redis link back), the follower resumes.
        try await eventually(within: .seconds(60), "the post published through the restarted edge") {
            let health = try await HTTPSnapshot.json("http://127.0.0.1:\(nodePort)/healthz")
            let fanout = health["fanout"] as? [String: Any]
            return fanout?["state"] as? String == "ok" && fanout?["backlog"] as? Int == 0
        }
        let resumed = try await EdgeTests.follow("http://127.0.0.1:\(listen)/events", lastEventID: try #require(first?.id))
        var texts: [String] = []
        while !texts.contains(where: { $0.contains("Pendant le redémarrage") }) {
            let event = try await EdgeTests.next(resumed, "the post made while the edge restarted")
            if event.type == "post" { texts.append(event.data) }
        }
        #expect(!texts.contains { $0.contains("Avant le redémarrage") }, "nothing twice after a resume")

        // The node is killed: the follower stays connected to the edge; when the node returns it says reset, then goes on.
        node.signal(SIGKILL)
        _ = try await node.exitStatus(within: .seconds(10))
        node = try WallProcess(configPath: configPath, directory: directory.path)
        _ = try await node.port()
        #expect(try await ingest(port: nodePort, body(author: "Claire", text: "Après le retour du nœud")) == 202)
        var names: [String] = []
        while !names.contains("post") {
            let event = try await EdgeTests.next(resumed, "the node's reset and post after its return (so far: \(names))")
            names.append(event.type)
            if event.type == "post" { #expect(event.data.contains("Après le retour du nœud")) }
        }
        #expect(names.first == "reset", "screens behind the edge are told to reload first")
        await resumed.close()
        node.signal(SIGTERM)
        _ = try await node.exitStatus(within: .seconds(10))
    }
}

/// The follower page behind an edge, in headless Chromium: the snapshot through the edge, the stream from Nchan.
@Suite struct EdgeBrowserTests {
    @Test func theFollowerPageBehindAnEdgeShowsEachPostOnceNeverAHiddenOneAndFollowsLive() async throws {
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await EdgeTests.withNodeAndEdge { client, listen in
            // Before the page: three posts, one hidden. The edge keeps them all in its buffer, the hidden one too.
            var ids: [String] = []
            for text in ["Un #capcomnet", "Deux #capcomnet", "Trois #capcomnet"] {
                ids.append(try #require(try json(try await ingest(client, body(author: "Claire", text: text)))["id"] as? String))
            }
            _ = try await ErasureHTTPTests.act(client, ids[1], "hide")
            try await eventually(within: .seconds(60), "published") {
                let fanout = try await EdgeTests.fanout(client)
                return fanout["state"] as? String == "ok" && (fanout["published"] as? Int ?? 0) >= 6
            }

            let phone = try await driver.browser(width: 390, height: 844)
            try await phone.runBeforeEachPage(
                """
                window.__cards = [];
                new MutationObserver((records) => {
                  for (const record of records) for (const node of record.addedNodes) {
                    if (node.nodeType === 1 && node.matches('#cards .card')) window.__cards.push(node.dataset.postId);
                  }
                }).observe(document, { subtree: true, childList: true });
                """)
            try await phone.open("http://127.0.0.1:\(listen)/")
            try await phone.waitUntil("the snapshot", "return document.querySelectorAll('#cards .card').length === 2")
            // Live through the edge: a new post, then a hide.
            try await ingest(client, body(author: "Léa", text: "Quatre #capcomnet"))
            try await phone.waitUntil("the live post", "return document.body.textContent.includes('Quatre')")
            _ = try await ErasureHTTPTests.act(client, ids[0], "hide")
            try await phone.waitUntil("the hide", "return !document.body.textContent.includes('Un #capcomnet')")
            let added = try #require(try await phone.run("return window.__cards") as? [String])
            #expect(!added.contains(ids[1]), "the post hidden before the page loaded never showed")
            #expect(added.filter { $0 == ids[2] }.count == 1, "a post from the snapshot is not added again from the edge's buffer")
            #expect(try await phone.run("return document.getElementById('connection').hidden") as? Bool == true)
            await phone.close()
        }
    }
}

/// An erasure reaches the edges: their channels are purged, so no follower is sent the erased text again.
@Suite struct EdgeErasureTests {
    @Test func anErasurePurgesTheEdgesChannels() async throws {
        try await EdgeTests.withNodeAndEdge { client, listen in
            let troll = try #require(try json(try await ingest(client, body(author: "Troll", text: "QUOKKA à effacer")))["id"] as? String)
            try await ingest(client, body(author: "Claire", text: "Je reste"))
            try await eventually(within: .seconds(60), "published") { (try await EdgeTests.fanout(client)["published"] as? Int ?? 0) >= 4 }
            let erase = try await client.execute(
                uri: "/api/moderation/authors/erase", method: .post, headers: ErasureHTTPTests.moderator,
                body: ByteBuffer(string: #"{"postId":"\#(troll)"}"#))
            #expect(erase.status == .ok)
            try await ingest(client, body(author: "Claire", text: "Après l'effacement"))
            try await eventually(within: .seconds(60), "purged and published") {
                let fanout = try await EdgeTests.fanout(client)
                return fanout["state"] as? String == "ok" && fanout["backlog"] as? Int == 0
            }
            // A new follower gets what the edge keeps (its last 32 events): nothing of the erased post.
            let follower = try await EdgeTests.follow("http://127.0.0.1:\(listen)/events")
            var seen: [String] = []
            while !seen.contains(where: { $0.contains("Après l'effacement") }) {
                seen.append(try await follower.next(within: .seconds(15)).data)
            }
            #expect(!seen.contains { $0.contains("QUOKKA") }, "the edge no longer has the erased post")
            await follower.close()
        }
    }
}
