import Foundation
import HashwallCore
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import hashwall

/// `GET /api/moderation/stats`: the organiser's figures, counted from the database, the same after a restart.
@Suite struct StatsTests {
    static let moderator: HTTPFields = [.authorization: "Bearer test-moderator-token"]

    static func stats(_ client: any TestClientProtocol) async throws -> WallStats {
        let response = try await client.execute(uri: "/api/moderation/stats", method: .get, headers: Self.moderator)
        return try JSONDecoder().decode(WallStats.self, from: Data(response.body.readableBytesView))
    }

    @Test func countsPerChannelAndStatePostsPerMinuteAndTopAuthorsSurviveARestart() async throws {
        let directory = try TemporaryDirectory()
        let config = HashwallConfig.testing(journalIn: directory.path)
        let first = try await withLiveWallReturning(config) { client, _ -> WallStats in
            for text in ["Un", "Deux", "Trois"] { try await ingest(client, body(author: "Claire", text: "\(text) #capcomnet")) }
            let paul = try json(try await ingest(client, body(author: "Paul", text: "Bonjour #capcomnet")))
            let id = try #require(paul["id"] as? String)
            let hide = try await client.execute(
                uri: "/api/moderation/posts/\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/hide", method: .post,
                headers: Self.moderator)
            #expect(hide.status == .ok)
            #expect(try await client.execute(uri: "/api/moderation/stats", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/moderation/stats?minutes=0", method: .get, headers: Self.moderator).status == .badRequest)
            return try await Self.stats(client)
        }
        let api = first.channels["api"]
        #expect(api == ["visible": 3, "hidden": 1, "held": 0, "rejected": 0])
        #expect(first.topAuthors.map(\.name) == ["Claire"] && first.topAuthors.first?.posts == 3, "hidden posts do not count")
        #expect(first.contributors == 2)
        #expect(first.perMinute.compactMap { $0.channels["api"] }.reduce(0, +) == 4)

        let second = try await withLiveWallReturning(config) { client, _ in try await Self.stats(client) }
        #expect(second.channels == first.channels && second.topAuthors == first.topAuthors, "the same figures after a restart")
    }
}
