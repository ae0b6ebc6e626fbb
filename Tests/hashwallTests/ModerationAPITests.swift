import Foundation
import HTTPTypes
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import hashwall

let moderatorToken = "test-moderator-token"
/// HummingbirdTesting's client sends `Host: localhost`; a browser on the console would send this Origin.
let ownOrigin = "http://localhost"

/// A moderation request with the moderator's bearer token (or another token, or none).
@discardableResult
func moderate(
    _ client: any TestClientProtocol, _ path: String, method: HTTPRequest.Method = .post, json: String? = nil, token: String? = moderatorToken,
    headers extra: HTTPFields = [:]
) async throws -> TestResponse {
    var headers = extra
    if let token { headers[.authorization] = "Bearer \(token)" }
    if json != nil { headers[.contentType] = "application/json" }
    return try await client.execute(uri: "/api/moderation/" + path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
}

func acceptedID(_ response: TestResponse) throws -> String {
    try #require(try json(response)["id"] as? String)
}

@Suite struct ModerationAPITests {
    @Test func everyActionWorksOverHTTPAndSurvivesARestart() async throws {
        let directory = try TemporaryDirectory()
        let config = HashwallConfig.testing(journalIn: directory.path)
        let ids = try await withLiveWallReturning(config) { client, _ in
            let a = try acceptedID(try await ingest(client, body(author: "Claire", text: "à cacher")))
            let b = try acceptedID(try await ingest(client, body(author: "Paul", text: "à épingler")))
            #expect(try await moderate(client, "posts/\(a.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? a)/hide").status == .ok)
            let pinned = try await moderate(client, "posts/\(b)/pin")
            #expect(try json(pinned)["pinned"] as? Bool == true && json(pinned)["state"] as? String == "visible")
            #expect(try await moderate(client, "posts/\(b)/approve").status == .conflict)
            #expect(try await moderate(client, "posts/api%3Anope/hide").status == .notFound)
            #expect(try await moderate(client, "posts/\(b)/explode").status == .notFound)
            let audit = try json(try await moderate(client, "audit", method: .get))["entries"] as? [[String: Any]] ?? []
            #expect(audit.map { $0["action"] as? String } == ["pin", "hide"])
            #expect(audit.first?["moderator"] as? String == "moderator")
            return (a, b)
        }
        try await withLiveWall(config) { client, _ in
            let page = try await client.execute(uri: "/api/posts", method: .get)
            #expect(try postIDs(page) == [ids.1], "the hidden post must stay hidden after a restart")
            #expect((try json(page)["pinned"] as? [[String: Any]])?.first?["id"] as? String == ids.1)
            let hidden = try json(try await moderate(client, "posts?state=hidden", method: .get))["posts"] as? [[String: Any]] ?? []
            #expect(hidden.map { $0["id"] as? String } == [ids.0])
            // Undo works across the restart too: the pin goes.
            #expect(try await moderate(client, "undo").status == .ok)
            let after = try await client.execute(uri: "/api/posts", method: .get)
            #expect((try json(after)["pinned"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func inPreModeNothingReachesPublicSurfacesBeforeApproval() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.moderation.mode = "pre"
        try await withLiveWall(config) { client, port in
            let wall = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            let id = try acceptedID(try await ingest(client, body(author: "Julie", text: "en attente")))
            #expect(try postIDs(try await client.execute(uri: "/api/posts", method: .get)).isEmpty)
            let held = try json(try await moderate(client, "posts?state=held", method: .get))["posts"] as? [[String: Any]] ?? []
            #expect(held.first?["heldBecause"] as? String == "pre-moderation")
            // A replay from the very beginning shows nothing held either.
            let replay = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events", lastEventID: "0")
            _ = try await moderate(client, "posts/\(id)/approve")
            let first = try await wall.next()
            #expect(first.type == "post" && first.data.contains("en attente"))
            let replayed = try await replay.next()
            #expect(replayed.type == "post" && replayed.id == first.id)
            #expect(try postIDs(try await client.execute(uri: "/api/posts", method: .get)) == [id])
            await wall.close()
            await replay.close()
        }
    }

    @Test func hiddenPostsLeakNowhereAndLeaveOpenWallsAtOnce() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let wall = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            let id = try acceptedID(try await ingest(client, body(author: "Troll", text: "secret raid text")))
            let added = try await wall.next()
            _ = try await moderate(client, "posts/\(id)/hide")
            let removed = try await wall.next()
            #expect(removed.type == "remove" && removed.data.contains(id))
            // Redelivered and reposted: still nowhere public.
            try await ingest(client, body(author: "Troll", text: "secret raid text"))
            try await ingest(client, body(author: "Fan", text: "RT @Troll: secret raid text"))
            let snapshot = String(buffer: try await client.execute(uri: "/api/posts", method: .get).body)
            #expect(!snapshot.contains("secret raid text"))
            let replay = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events", lastEventID: added.id)
            let replayed = try await replay.next()
            #expect(replayed.type == "remove")
            #expect(await replay.pending.allSatisfy { !$0.data.contains("secret raid text") })
            #expect(!String(buffer: try await client.execute(uri: "/healthz", method: .get).body).contains("secret"))
            await wall.close()
            await replay.close()
        }
    }

    @Test func noTokenWrongTokenOrForeignOriginChangeNothing() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let id = try acceptedID(try await ingest(client, body(author: "Claire", text: "reste visible")))
            #expect(try await moderate(client, "posts/\(id)/hide", token: nil).status == .unauthorized)
            #expect(try await moderate(client, "posts/\(id)/hide", token: "wrong").status == .unauthorized)
            #expect(try await moderate(client, "posts", method: .get, token: nil).status == .unauthorized)
            // Log in as the console does, then try from another site with the cookie.
            let login = try await client.execute(
                uri: "/api/moderation/login", method: .post,
                headers: [.contentType: "application/json", .origin: ownOrigin],
                body: ByteBuffer(string: #"{"token":"\#(moderatorToken)"}"#))
            #expect(login.status == .ok)
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let session = String(try #require(cookie.split(separator: ";").first))
            let foreign = try await moderate(
                client, "posts/\(id)/hide", token: nil, headers: [.cookie: session, .origin: "https://evil.example"])
            #expect(foreign.status == .forbidden)
            let noOrigin = try await moderate(client, "posts/\(id)/hide", token: nil, headers: [.cookie: session])
            #expect(noOrigin.status == .forbidden)
            #expect(try postIDs(try await client.execute(uri: "/api/posts", method: .get)) == [id])
            let own = try await moderate(
                client, "posts/\(id)/hide", token: nil, headers: [.cookie: session, .origin: ownOrigin])
            #expect(own.status == .ok)
            #expect(try await moderate(client, "session", method: .get, token: nil, headers: [.cookie: session]).status == .ok)
        }
    }

    @Test func failedLoginsAreRateLimitedPerAddress() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, _ in
            func login(_ token: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/moderation/login", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"token":"\#(token)"}"#))
            }
            for _ in 0..<5 { #expect(try await login("guess").status == .unauthorized) }
            let limited = try await login(moderatorToken)  // even the right token waits now
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
        }
    }

    @Test func theModeratorStreamShowsEveryStateAndWhoActed() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let unauthorized = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/api/moderation/events")
            #expect(unauthorized.status == 401)
            let console = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/api/moderation/events", bearer: moderatorToken)
            let id = try acceptedID(try await ingest(client, body(author: "Claire", text: "bonjour")))
            let arrived = try await console.next()
            #expect(arrived.type == "post" && arrived.data.contains(#""state":"visible""#))
            _ = try await moderate(client, "posts/\(id)/hide")
            let changed = try await console.next()
            #expect(changed.type == "post" && changed.data.contains(#""state":"hidden""#))
            let audit = try await console.next()
            #expect(audit.type == "audit" && audit.data.contains(#""moderator":"moderator""#))
            await console.close()
            await unauthorized.close()
        }
    }

    @Test func settingsChangeLiveAndAreValidated() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, _ in
            let bad = try await moderate(
                client, "settings", method: .put,
                json: #"{"mode":"pre","channelModes":{"fax":"pre"},"blocklist":[],"trusted":[],"projectorDelaySeconds":0,"floodLimitPerMinute":0}"#)
            #expect(bad.status == .badRequest)
            #expect((try json(bad)["error"] as? String)?.contains("channelModes.fax") == true)
            let good = try await moderate(
                client, "settings", method: .put,
                json:
                    #"{"mode":"post","channelModes":{"sms":"pre"},"blocklist":["arnaque"],"trusted":[],"projectorDelaySeconds":0,"floodLimitPerMinute":0}"#
            )
            #expect(good.status == .ok)
            try await ingest(client, body(author: "Escroc", text: "Une ARNAQUE à saisir"))
            #expect(try postIDs(try await client.execute(uri: "/api/posts", method: .get)).isEmpty)
            let held = try json(try await moderate(client, "posts?state=held", method: .get))["posts"] as? [[String: Any]] ?? []
            #expect(held.first?["heldBecause"] as? String == "blocklist: «arnaque»")
        }
    }
}
