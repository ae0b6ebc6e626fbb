import Foundation
import HTTPTypes
import HashwallTestSupport
import HummingbirdTesting
import Testing

@testable import hashwall

/// `GET /events` as the first request of a connection is served below Hummingbird's request loop
/// (`StreamingHTTP1Channel`): what HTTP/1.1 asks of it there, and the same stream when it comes later on a
/// keep-alive connection.
@Suite struct StreamConnectionTests {
    static let streamRequest = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"

    static func openStreams(_ client: any TestClientProtocol) async throws -> Int? {
        try json(try await client.execute(uri: "/healthz", method: .get))["sseClients"] as? Int
    }

    @Test func aStreamOnAFreshConnectionCarriesItsHeadersAndLivePostsThenEndsCleanlyWhenTheServerStops() async throws {
        let directory = try TemporaryDirectory()
        let stream = try await withLiveWallReturning(.testing(journalIn: directory.path)) { client, port in
            let stream = try RawHTTPConnection(port: port)
            try stream.send(Self.streamRequest)
            let head = try await stream.read(until: "\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
            let lines = head.lowercased()
            #expect(lines.contains("content-type: text/event-stream; charset=utf-8\r\n"))
            #expect(lines.contains("transfer-encoding: chunked\r\n"))
            #expect(lines.contains("cache-control: no-cache\r\n"))
            #expect(lines.contains("x-content-type-options: nosniff\r\n"))
            #expect(lines.contains("content-security-policy: default-src 'self'"))
            try await stream.read(until: "retry: ")
            try await ingest(client, body(author: "Maël", text: "Première question #capcomnet"))
            try await stream.read(until: "Première question")
            #expect(stream.received.contains("event: post\n"))
            try await eventually("the stream counted") { try await Self.openStreams(client) == 1 }
            return stream
        }
        // The server stopped gracefully: the response ended with the last chunk, then the connection closed.
        #expect(await stream.readUntilClosed(within: 10))
        #expect(stream.received.hasSuffix("\r\n0\r\n\r\n"))
    }

    @Test func aStreamAskedAfterAnotherRequestOnTheSameConnectionStreamsToo() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let connection = try RawHTTPConnection(port: port)
            try connection.send("GET /api/wall HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let head = try await connection.read(until: "\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
            let length = try #require(
                head.lowercased().components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) })
            try await connection.read(until: "Test wall")
            #expect(connection.received.utf8.count <= head.utf8.count + length)
            try connection.send(Self.streamRequest)
            try await connection.read(until: "text/event-stream")
            try await ingest(client, body(author: "Maël", text: "Sur la même connexion #capcomnet"))
            try await connection.read(until: "Sur la même connexion")
            #expect(connection.received.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        }
    }

    @Test func aRequestPipelinedBehindAStreamClosesTheConnectionUnanswered() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let connection = try RawHTTPConnection(port: port)
            try connection.send(Self.streamRequest + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await connection.readUntilClosed(within: 10))
            #expect(connection.received.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(connection.received.components(separatedBy: "HTTP/1.1 ").count == 2)
            try await eventually("the stream detached") { try await Self.openStreams(client) == 0 }
        }
    }

    @Test func aClientThatHalfClosesIsDetachedAndItsConnectionClosed() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let stream = try RawHTTPConnection(port: port)
            try stream.send(Self.streamRequest)
            try await stream.read(until: "retry: ")
            try await eventually("the stream counted") { try await Self.openStreams(client) == 1 }
            stream.halfClose()
            #expect(await stream.readUntilClosed(within: 10))
            try await eventually("the stream detached") { try await Self.openStreams(client) == 0 }
        }
    }

    @Test func aMalformedFirstRequestGets400() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { _, port in
            let malformed = try RawHTTPConnection(port: port)
            try malformed.send("NOT HTTP AT ALL\r\n\r\n")
            #expect(await malformed.readUntilClosed(within: 30))
            #expect(malformed.received.hasPrefix("HTTP/1.1 400"))
        }
    }

    @Test func aConnectionWithoutARequestIsClosedWhenIdle() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.server.idleTimeoutSeconds = 0.5
        try await withLiveWall(config) { _, port in
            let silent = try RawHTTPConnection(port: port)
            #expect(await silent.readUntilClosed(within: 30))
            #expect(silent.received.isEmpty)
        }
    }
}
