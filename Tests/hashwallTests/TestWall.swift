import AsyncHTTPClient
import Foundation
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import hashwall

let testIngestToken = "test-ingest-token"

extension HashwallConfig {
    /// A wall for tests: a free port, its journal in `directory`, no demo, fast heartbeats only when asked.
    static func testing(journalIn directory: String) -> HashwallConfig {
        var config = HashwallConfig()
        config.server.host = "127.0.0.1"
        config.server.port = 0
        config.storage.path = directory + "/wall.sqlite"
        config.channels.demo.enabled = false
        config.event.hashtags = ["capcomnet"]
        config.wall.title = "Test wall"
        return config
    }
}

extension Secrets {
    static let testing = Secrets(ingestToken: testIngestToken, moderatorToken: "test-moderator-token")
}

/// Builds the real application from `config` and runs `body` against it on loopback.
func withLiveWall(
    _ config: HashwallConfig, secrets: Secrets = .testing, _ body: @escaping @Sendable (any TestClientProtocol, Int) async throws -> Void
) async throws {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    let app = try await buildApplication(config, secrets: secrets, logger: logger)
    try await app.test(.live) { client in
        try await body(client, try #require(client.port))
    }
}

/// Like ``withLiveWall(_:_:)``, returning what `body` returns.
func withLiveWallReturning<T: Sendable>(
    _ config: HashwallConfig, secrets: Secrets = .testing, _ body: @escaping @Sendable (any TestClientProtocol, Int) async throws -> T
)
    async throws -> T
{
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    let app = try await buildApplication(config, secrets: secrets, logger: logger)
    return try await app.test(.live) { client in
        try await body(client, try #require(client.port))
    }
}

/// `POST /api/ingest` with the test token and a JSON body.
@discardableResult
func ingest(_ client: any TestClientProtocol, _ json: String, token: String? = testIngestToken, contentType: String = "application/json") async throws
    -> TestResponse
{
    var headers: HTTPFields = [.contentType: contentType]
    if let token { headers[.authorization] = "Bearer \(token)" }
    return try await client.execute(uri: "/api/ingest", method: .post, headers: headers, body: ByteBuffer(string: json))
}

/// The JSON of a response body.
func json(_ response: TestResponse) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:]
}

func postIDs(_ response: TestResponse) throws -> [String] {
    (try json(response)["posts"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
}

func body(author: String, text: String, id: String? = nil) -> String {
    let object: [String: Any] = ["author": ["name": author], "text": text].merging(id.map { ["id": $0] } ?? [:]) { a, _ in a }
    return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}

/// `POST /api/ingest` on a connection of AsyncHTTPClient's shared pool, which reconnects when the server has
/// closed an idle connection (the test client of HummingbirdTesting keeps one connection and does not).
func ingest(port: Int, _ json: String) async throws -> Int {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/ingest")
    request.method = .POST
    request.headers.add(name: "Authorization", value: "Bearer \(testIngestToken)")
    request.headers.add(name: "Content-Type", value: "application/json")
    request.body = .bytes(ByteBuffer(string: json))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    _ = try await response.body.collect(upTo: 1 << 20)
    return Int(response.status.code)
}
