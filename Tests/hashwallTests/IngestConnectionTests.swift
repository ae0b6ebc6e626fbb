import Foundation
import HTTPTypes
import HashwallTestSupport
import HummingbirdTesting
import Testing

@testable import hashwall

/// `POST /api/ingest` on a connection that asks only for it is answered below Hummingbird's request loop
/// (`FastPathHandler`), with the posts of every connection made durable in batches: the same answers as the
/// route gives, in order, on keep-alive connections, and the connection handed to the router at its first other
/// request.
@Suite struct IngestConnectionTests {
    static func post(_ body: String, token: String? = testIngestToken, type: String = "application/json", extra: String = "") -> String {
        let auth = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        return
            "POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\n\(auth)Content-Type: \(type)\r\n\(extra)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func postsPipelinedOnOneConnectionAreAcceptedAndAnsweredInOrder() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let connection = try RawHTTPConnection(port: port)
            let bodies = (1...5).map { body(author: "Anaïs", text: "Message \($0) #capcomnet", id: "pipelined-\($0)") }
            try connection.send(bodies.prefix(3).map { Self.post($0) }.joined())
            try connection.send(bodies.suffix(2).map { Self.post($0) }.joined())
            let answers = try await connection.responses(5)
            #expect(answers.map(\.status) == [202, 202, 202, 202, 202])
            #expect(answers.map(\.body) == (1...5).map { #"{"id":"api:pipelined-\#($0)"}"# })
            #expect(
                answers.allSatisfy {
                    $0.headers["content-type"] == "application/json; charset=utf-8" && $0.headers["x-content-type-options"] == "nosniff"
                })
            // Acknowledged means stored: every one is in the snapshot.
            let posts = try json(try await client.execute(uri: "/api/posts", method: .get))["posts"] as? [[String: Any]] ?? []
            #expect(Set(posts.compactMap { $0["id"] as? String }) == Set((1...5).map { "api:pipelined-\($0)" }))
        }
    }

    @Test func postsPipelinedBeyondWhatTheServerBuffersAreAllAnsweredInOrder() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { _, port in
            // 64 posts of 10 KiB in one go: more than the 256 KiB the handler keeps behind an answer, so it stops
            // reading until it has answered what it holds, then reads on.
            let padding = String(repeating: "x", count: 10_000)
            let connection = try RawHTTPConnection(port: port)
            try connection.send((1...64).map { Self.post(body(author: "Lou", text: "\($0) \(padding) #capcomnet", id: "bulk-\($0)")) }.joined())
            let answers = try await connection.responses(64, within: 60)
            #expect(answers.map(\.status) == Array(repeating: 202, count: 64))
            #expect(answers.map(\.body) == (1...64).map { #"{"id":"api:bulk-\#($0)"}"# })
        }
    }

    @Test func refusalsAreTheRoutesOwnAndTheConnectionGoesOn() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { _, port in
            let big = String(repeating: "a", count: 70 * 1024)
            let requests = [
                Self.post(body(author: "A", text: "no token"), token: nil),
                Self.post(body(author: "A", text: "form"), type: "application/x-www-form-urlencoded"),
                Self.post(#"{"author":{"name":"A"},"text":"\#(big)"}"#),
                Self.post(#"{"author":{"name":"A"}}"#),
                Self.post(##"{"author":{"name":"A"},"text":"#capcomnet ok","id":"after-refusals"}"##),
            ]
            // Each answered on a connection of its own (the fast path) and, after a first GET, through the router.
            let fast = try RawHTTPConnection(port: port)
            try fast.send(requests.joined())
            let fastAnswers = try await fast.responses(requests.count)
            let routed = try RawHTTPConnection(port: port)
            try routed.send("GET /api/wall HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + requests.joined())
            let routedAnswers = Array(try await routed.responses(requests.count + 1).dropFirst())
            #expect(fastAnswers.map(\.status) == [401, 415, 413, 400, 202])
            #expect(fastAnswers.map(\.status) == routedAnswers.map(\.status))
            #expect(fastAnswers.map(\.body) == routedAnswers.map(\.body))
            #expect(fastAnswers[0].body == #"{"error":"missing or wrong bearer token"}"#)
            #expect(fastAnswers[0].headers["www-authenticate"] == #"Bearer realm="hashwall""#)
            #expect(fastAnswers[3].body.contains("text"))
            #expect(fastAnswers[4].body == #"{"id":"api:after-refusals"}"#)
        }
    }

    @Test func aConnectionThatAsksForSomethingElseIsHandedToTheRouterAndKeepsWorking() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { _, port in
            let connection = try RawHTTPConnection(port: port)
            try connection.send(Self.post(body(author: "Yves", text: "Avant #capcomnet", id: "before")))
            try connection.send("GET /api/posts/api%3Abefore HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try connection.send(Self.post(body(author: "Yves", text: "Après #capcomnet", id: "after")))
            let answers = try await connection.responses(3)
            #expect(answers.map(\.status) == [202, 200, 202])
            #expect(answers[1].body.contains("Avant #capcomnet"))
            #expect(answers[2].body == #"{"id":"api:after"}"#)
        }
    }

    @Test func aClientThatHalfClosesAfterItsPostStillGetsTheAnswer() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { _, port in
            let connection = try RawHTTPConnection(port: port)
            try connection.send(Self.post(body(author: "Zoé", text: "Et au revoir #capcomnet", id: "half")))
            connection.halfClose()
            #expect(await connection.readUntilClosed(within: 30))
            #expect(RawHTTPConnection.parse(Array(connection.received.utf8)).map(\.body) == [#"{"id":"api:half"}"#])
        }
    }
}
