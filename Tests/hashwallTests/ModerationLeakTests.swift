import Foundation
import HTTPTypes
import HashwallChannels
import HashwallCore
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HashwallServer
@testable import hashwall

/// The leak matrix: for each way a post is not visible, every public path, over HTTP on the real server. The
/// post's text and the sender's number appear nowhere a member of the public can look.
@Suite struct ModerationLeakTests {
    /// A marker per non-visible state; each post's text holds its marker.
    static let states = ["HIDDEN", "HELD", "REJECTED", "BANNED", "BANNEDNEXT", "EDITEDBAD"]
    /// Markers that were never visible at any time (those of hidden and banned posts were, before the moderator acted).
    static let neverVisible: Set<String> = ["HELD", "REJECTED", "BANNEDNEXT", "EDITEDBAD"]
    static let number = "+33611223344"

    @Test func noNonVisiblePostNorAnySendersNumberReachesAPublicPath() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.moderation.blocklist = ["interdit"]
        config.channels.sms.enabled = true
        config.channels.sms.smssync.enabled = true
        var secrets = Secrets.testing
        secrets.named = ["HASHWALL_SMSSYNC_SECRET": "sync-secret"]
        try await withLiveWall(config, secrets: secrets) { client, port in
            let base = "http://127.0.0.1:\(port)"
            let start = try json(try await client.execute(uri: "/api/posts", method: .get))["lastEventId"] as? String ?? "0"
            let early = try await SSEClient.connect(to: base + "/events")
            let earlyProjector = try await SSEClient.connect(to: base + "/events?view=projector")

            var ids: [String: String] = [:]
            ids["HIDDEN"] = try acceptedID(try await ingest(client, Self.post("hidden", "Hugo", "HIDDEN une remarque")))
            #expect(try await moderate(client, "posts/\(ids["HIDDEN"]!)/hide").status == .ok)
            ids["HELD"] = try acceptedID(try await ingest(client, Self.post("held", "Hélène", "HELD c'est interdit")))
            ids["REJECTED"] = try acceptedID(try await ingest(client, Self.post("rejected", "Rémi", "REJECTED interdit aussi")))
            #expect(try await moderate(client, "posts/\(ids["REJECTED"]!)/reject").status == .ok)
            ids["BANNED"] = try acceptedID(try await ingest(client, Self.post("banned", "Bruno", "BANNED premier message")))
            #expect(try await moderate(client, "authors/ban", json: #"{"postId":"\#(ids["BANNED"]!)"}"#).status == .ok)
            ids["BANNEDNEXT"] = try acceptedID(try await ingest(client, Self.post("banned-next", "Bruno", "BANNEDNEXT encore moi")))
            ids["EDITED"] = try acceptedID(try await ingest(client, Self.post("edited", "Édith", "Un message anodin")))
            _ = try await ingest(client, Self.post("edited", "Édith", "EDITEDBAD devenu interdit"))
            // One SMS, visible: its text may show, its sender's number never.
            let form = "from=%2B33611223344&message=Bonjour+du+public&message_id=m-1&secret=sync-secret"
            let sms = try await client.execute(
                uri: "/hooks/sms/smssync", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form)
            )
            #expect(sms.status == .ok)
            _ = try await ingest(client, Self.post("sentinel", "Zoé", "SENTINEL la fin"))

            // Live streams opened before: never-visible posts never, the others only before their removal.
            for stream in [early, earlyProjector] {
                var seen: [SSEEvent] = []
                while !(seen.last?.data.contains("SENTINEL") ?? false) { seen.append(try await stream.next()) }
                for marker in Self.neverVisible { #expect(!seen.contains { $0.data.contains(marker) }, "live: \(marker)") }
                for (marker, idKey) in [("HIDDEN", "HIDDEN"), ("BANNED", "BANNED")] {
                    let removal = seen.firstIndex { $0.type == "remove" && $0.data.contains(ids[idKey]!) }
                    #expect(removal != nil, "live: \(marker) was never removed")
                    #expect(!seen[(removal ?? 0)...].contains { $0.data.contains(marker + " ") }, "live: \(marker) after its removal")
                }
                #expect(!seen.contains { $0.data.contains("EDITED") && $0.type != "remove" && $0.data.contains("interdit") })
                await stream.close()
            }

            // Every other public path, read now.
            var texts: [(String, String)] = []
            for path in ["/api/posts?limit=100", "/api/posts?view=projector&limit=100", "/", "/projector", "/healthz", "/api/wall"] {
                texts.append((path, String(buffer: try await client.execute(uri: path, method: .get).body)))
            }
            for (state, id) in ids where state != "EDITED" {
                let encoded = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", ":"])) ?? id
                let one = try await client.execute(uri: "/api/posts/\(encoded)", method: .get)
                #expect(one.status == .notFound, "/api/posts/{id} of \(state)")
                texts.append(("/api/posts/{\(state)}", String(buffer: one.body)))
                texts.append(("/p/{\(state)}", String(buffer: try await client.execute(uri: "/p/\(encoded)", method: .get).body)))
            }
            for replayPath in ["/events", "/events?view=projector"] {
                let replay = try await SSEClient.connect(to: base + replayPath, lastEventID: start)
                var events: [SSEEvent] = []
                while !(events.last?.data.contains("SENTINEL") ?? false) { events.append(try await replay.next()) }
                texts.append(("replay \(replayPath)", events.map(\.data).joined(separator: "\n")))
                await replay.close()
            }
            let late = try await SSEClient.connect(to: base + "/events")
            _ = try await ingest(client, Self.post("sentinel-2", "Zoé", "SENTINEL2"))
            texts.append(("live after", try await late.next().data))
            await late.close()

            for (path, text) in texts {
                for marker in Self.states { #expect(!text.contains(marker + " "), "\(path) shows \(marker)") }
                #expect(!text.contains("interdit"), "\(path) shows an edit into the blocklist")
                for form in [
                    "33611223344", "0611223344", "06 11 22 33 44", String(AuthorKey.phoneIdentity(e164: Self.number).dropFirst(4).prefix(8)),
                ] {
                    #expect(!text.contains(form), "\(path) shows the sender's number (\(form))")
                }
            }
            #expect(texts.first { $0.0.hasPrefix("/api/posts?limit") }?.1.contains("Bonjour du public") == true, "the SMS itself is public")
        }
    }

    static func post(_ id: String, _ name: String, _ text: String) -> String {
        let object: [String: Any] = ["id": id, "author": ["name": name, "handle": name.lowercased()], "text": text]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }
}

/// What one client, or one address, may take: event streams, and guesses at tokens.
@Suite struct ClientLimitsTests {
    @Test func openStreamsAreLimitedPerAddressWith429AndInAllWith503() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.server.maxStreamsPerAddress = 2
        config.server.maxStreams = 3
        config.server.trustedProxies = ["127.0.0.1"]
        try await withLiveWall(config) { _, port in
            let url = "http://127.0.0.1:\(port)/events"
            let a1 = try await SSEClient.connect(to: url, headers: [("X-Forwarded-For", "203.0.113.1")])
            let a2 = try await SSEClient.connect(to: url, headers: [("X-Forwarded-For", "203.0.113.1")])
            #expect(a1.status == 200 && a2.status == 200)
            let a3 = try await SSEClient.connect(to: url, headers: [("X-Forwarded-For", "203.0.113.1")])
            #expect(a3.status == 429)
            // Another client behind the same proxy is not one of them.
            let b1 = try await SSEClient.connect(to: url, headers: [("X-Forwarded-For", "203.0.113.2")])
            #expect(b1.status == 200)
            let b2 = try await SSEClient.connect(to: url, headers: [("X-Forwarded-For", "203.0.113.2")])
            #expect(b2.status == 503)
            await a1.close()
            let again = try await eventually(within: .seconds(10), "a closed stream's place is free again") { () async throws -> SSEClient? in
                let attempt = try await SSEClient.connect(to: url, headers: [("X-Forwarded-For", "203.0.113.1")])
                if attempt.status == 200 { return attempt }
                await attempt.close()
                return nil
            }
            for stream in [a2, a3, b1, b2, again] { await stream.close() }
        }
    }

    @Test func bearerGuessesAreLimitedPerAddressAndAForwardedAddressCountsOnlyFromATrustedProxy() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.server.trustedProxies = ["127.0.0.1"]
        try await withLiveWall(config) { client, _ in
            let attacker: HTTPFields = [.init("X-Forwarded-For")!: "198.51.100.66"]
            let moderatorAddress: HTTPFields = [.init("X-Forwarded-For")!: "198.51.100.10"]
            for _ in 0..<5 { #expect(try await moderate(client, "posts", method: .get, token: "guess", headers: attacker).status == .unauthorized) }
            #expect(
                try await moderate(client, "posts", method: .get, headers: attacker).status == .tooManyRequests,
                "the attacker waits, right token or not")
            #expect(
                try await moderate(client, "posts", method: .get, headers: moderatorAddress).status == .ok, "the real moderator is not locked out")
            // The ingest token counts the same way.
            var headers = attacker
            headers[.contentType] = "application/json"
            headers[.authorization] = "Bearer \(testIngestToken)"
            let ingestResponse = try await client.execute(
                uri: "/api/ingest", method: .post, headers: headers, body: ByteBuffer(string: body(author: "A", text: "t")))
            #expect(ingestResponse.status == .tooManyRequests)
        }
        // Without a trusted proxy, the header is anybody's to write: it is ignored, and the socket's address counts.
        let other = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: other.path)) { (client: any TestClientProtocol, _: Int) async throws in
            for i in 0..<5 {
                let spoofed: HTTPFields = [.init("X-Forwarded-For")!: "192.0.2.\(i)"]
                #expect(try await moderate(client, "posts", method: .get, token: "guess", headers: spoofed).status == .unauthorized)
            }
            #expect(try await moderate(client, "posts", method: .get, headers: [.init("X-Forwarded-For")!: "192.0.2.99"]).status == .tooManyRequests)
        }
    }

    @Test func theFailureTableAndTheThankYouTableAreBounded() {
        let limiter = AuthFailureLimiter(limit: 5, window: 60, maxAddresses: 100)
        for i in 0..<1_000 { limiter.recordFailure(for: "10.0.\(i / 256).\(i % 256)") }
        #expect(limiter.count <= 100)
        #expect(limiter.waitTime(for: "10.0.3.231") == nil)
        for _ in 0..<5 { limiter.recordFailure(for: "10.9.9.9") }
        #expect(limiter.waitTime(for: "10.9.9.9") != nil, "the newest attacker is remembered")
        let thanked = ThankedSenders(capacity: 10)
        for i in 0..<100 { #expect(thanked.firstTime("sender-\(i)")) }
        #expect(!thanked.firstTime("sender-99"))
        #expect(thanked.firstTime("sender-0"), "the oldest were forgotten")
    }
}
