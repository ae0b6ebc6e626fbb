import Foundation
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import hashwall

@Suite struct IngestAndStreamTests {
    @Test func ingestedPostReachesTwoEventStreams() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let a = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            let b = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            #expect(a.status == 200)
            #expect(a.headers.contains { $0.0.lowercased() == "content-type" && $0.1.hasPrefix("text/event-stream") })
            #expect(a.headers.contains { $0.0.lowercased() == "cache-control" && $0.1 == "no-cache" })
            #expect(a.headers.contains { $0.0.lowercased() == "x-accel-buffering" && $0.1 == "no" })
            #expect(a.headers.contains { $0.0.lowercased() == "x-content-type-options" && $0.1 == "nosniff" })
            #expect(a.headers.contains { $0.0.lowercased() == "content-security-policy" && $0.1.contains("default-src 'self'") })
            let response = try await ingest(client, body(author: "Claire", text: "Bravo #CapComNét"))
            #expect(response.status == .accepted)
            let id = try #require(try json(response)["id"] as? String)
            var numbers: [String?] = []
            for stream in [a, b] {
                let event = try await stream.next(within: .seconds(10))
                numbers.append(event.id)
                #expect(event.type == "post")
                #expect(event.data.contains(id) && event.data.contains(#""hashtags":["capcomnet"]"#))
            }
            #expect(numbers[0] != nil && numbers[0] == numbers[1])
            // A client that asks to close the connection after the response still gets a live stream.
            let closing = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events", closeAfter: true)
            try await ingest(client, body(author: "Claire", text: "Encore un #capcomnet"))
            #expect(try await closing.next(within: .seconds(10)).data.contains("Encore un"))
            await a.close()
            await b.close()
            await closing.close()
        }
    }

    @Test func clientsThatLeaveAreDetachedAndTheOthersKeepReceiving() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            var streams: [SSEClient] = []
            for _ in 1...5 { streams.append(try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")) }
            let stays = streams.removeLast()
            for stream in streams { await stream.close() }
            try await eventually("the four departed clients detached") {
                (try json(try await client.execute(uri: "/healthz", method: .get))["sseClients"] as? Int) == 1
            }
            #expect(try await ingest(client, body(author: "Yann", text: "Toujours là ?")).status == .accepted)
            #expect(try await stays.next(within: .seconds(10)).data.contains("Toujours là ?"))
            await stays.close()
            try await eventually("the last client detached") {
                (try json(try await client.execute(uri: "/healthz", method: .get))["sseClients"] as? Int) == 0
            }
        }
    }

    @Test func reconnectingWithLastEventIDYieldsExactlyTheGap() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let live = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            var numbers: [String] = []
            for i in 1...5 {
                try await ingest(client, body(author: "A\(i)", text: "message \(i)"))
                numbers.append(try #require(try await live.next().id))
            }
            // A client that saw the second event comes back: it gets the third to the fifth, then live ones.
            let stream = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events", lastEventID: numbers[1])
            var seen: [String] = []
            for _ in 0..<3 { seen.append(try await stream.next().id ?? "") }
            #expect(seen == Array(numbers[2...4]))
            try await ingest(client, body(author: "A6", text: "message 6"))
            let sixth = try await live.next().id
            #expect(try await stream.next().id == sixth)
            #expect(await stream.pending.isEmpty)
            await stream.close()
            await live.close()
        }
    }

    @Test func aTooOldLastEventIDYieldsResetAndTheSnapshotCatchesUp() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.server.replayWindow = 3
        try await withLiveWall(config) { client, port in
            let live = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            var numbers: [String] = []
            for i in 1...8 {
                try await ingest(client, body(author: "A\(i)", text: "message \(i)"))
                numbers.append(try #require(try await live.next().id))
            }
            let stream = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events?lastEventId=\(numbers[0])")
            let reset = try await stream.next()
            #expect(reset.type == "reset" && reset.id == numbers[7])
            try await ingest(client, body(author: "A9", text: "message 9"))
            let ninth = try await live.next()
            let next = try await stream.next()
            #expect(next.type == "post" && next.id == ninth.id)  // nothing older than the reset was sent
            let snapshot = try await client.execute(uri: "/api/posts?limit=50", method: .get)
            #expect(try postIDs(snapshot).count == 9)
            #expect(try json(snapshot)["lastEventId"] as? String == ninth.id)
            await stream.close()
            await live.close()
        }
    }

    @Test func aStalledClientIsDroppedWhileAnotherKeepsReceiving() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.server.clientQueue = 8
        try await withLiveWall(config) { client, port in
            let stalled = try StalledClient(port: port, path: "/events")
            let healthy = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            try await eventually("both streams subscribed") {
                (try json(try await client.execute(uri: "/healthz", method: .get))["sseClients"] as? Int) == 2
            }
            // Big posts fill the stalled client's socket buffers quickly.
            let filler = String(repeating: "€", count: 19_000)
            var sent = 0
            try await eventually(within: .seconds(60), "the stalled client to be dropped") {
                sent += 1
                let response = try await ingest(client, body(author: "Gros \(sent)", text: "\(sent) \(filler)"))
                #expect(response.status == .accepted)
                return (try json(try await client.execute(uri: "/healthz", method: .get))["sseClients"] as? Int) == 1
            }
            var received = 0
            for _ in 1...sent {
                let event = try await healthy.next(within: .seconds(20))
                if event.type == "post" { received += 1 }
            }
            #expect(received == sent)
            #expect(stalled.drainUntilClosed(seconds: 20), "the server should close the stalled connection")
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains("hashwall_sse_slow_clients_dropped_total 1"))
            await healthy.close()
        }
    }

    @Test func anIdleStreamOutlivesTheServerIdleTimeoutAndGetsHeartbeats() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.server.idleTimeoutSeconds = 0.5
        config.server.heartbeatSeconds = 2
        try await withLiveWall(config) { client, port in
            let stream = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            // Silent for 2 s, four times the idle timeout: the heartbeat still arrives on the same stream.
            try await stream.waitForComments(1, within: .seconds(15))
            #expect(try await ingest(port: port, body(author: "Claire", text: "toujours là ?")) == 202)
            #expect(try await stream.next().type == "post")
            #expect(await !stream.ended)
            await stream.close()
        }
    }

    @Test func fiftyConcurrentIngestsOfTheSameBodyMakeOnePost() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let response = try await ingest(client, body(author: "Claire", text: "Une seule fois #capcomnet"))
                        return response.status == .accepted ? try json(response)["id"] as? String : nil
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(ids.count == 50 && ids.allSatisfy { $0 != nil })
            #expect(Set(ids.compactMap { $0 }).count == 1)
            let posts = try await client.execute(uri: "/api/posts", method: .get)
            #expect(try postIDs(posts).count == 1)
        }
    }

    @Test func snapshotPagesWithBeforeNewestFirst() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, _ in
            for i in 1...7 {
                try await ingest(client, #"{"id":"p\#(i)","author":{"name":"A\#(i)"},"text":"m\#(i)","createdAt":"2026-12-02T09:4\#(i):00Z"}"#)
            }
            let first = try await client.execute(uri: "/api/posts?limit=3", method: .get)
            #expect(try postIDs(first) == ["api:p7", "api:p6", "api:p5"])
            let next = try await client.execute(uri: "/api/posts?limit=3&before=api%3Ap5", method: .get)
            #expect(try postIDs(next) == ["api:p4", "api:p3", "api:p2"])
            let unknown = try await client.execute(uri: "/api/posts?before=api%3Anope", method: .get)
            #expect(unknown.status == .badRequest)
            #expect(try await client.execute(uri: "/api/posts?limit=0", method: .get).status == .badRequest)
        }
    }
}
