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

/// `GET /api/moderation/export`: the whole record, any time, as JSON (with moderation and audit) or CSV (escaped).
@Suite struct ExportTests {
    @Test func csvEscapesFormulasAndJSONCarriesStatesAndTheAudit() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, _ in
            try await ingest(client, body(author: "@admin", text: "=HYPERLINK(\"http://evil.example\",\"clic\") #capcomnet"))
            try await ingest(client, body(author: "Claire", text: "Bravo, \"merci\" !\nDeuxième ligne"))
            let hidden = try json(try await ingest(client, body(author: "Paul", text: "-1 pour moi")))
            let id = try #require(hidden["id"] as? String)
            _ = try await client.execute(
                uri: "/api/moderation/posts/\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/hide", method: .post,
                headers: StatsTests.moderator)

            #expect(try await client.execute(uri: "/api/moderation/export?format=csv", method: .get).status == .unauthorized)
            let csv = try await client.execute(uri: "/api/moderation/export?format=csv", method: .get, headers: StatsTests.moderator)
            #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let text = String(buffer: csv.body)
            #expect(text.hasPrefix("\"id\",\"channel\",\"state\""))
            #expect(text.contains(#""'=HYPERLINK(""http://evil.example"",""clic"") #capcomnet""#), "a formula is escaped and quotes doubled")
            #expect(text.contains(#""'@admin""#) && text.contains(#""'-1 pour moi""#))
            #expect(text.contains("\"Bravo, \"\"merci\"\" !\nDeuxième ligne\""), "a line break stays inside its quoted cell")
            #expect(text.contains(#""hidden""#))
            #expect(
                text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 1 + 3,
                "a header and one line per post (one cell holds a bare LF)")

            let exported = try json(try await client.execute(uri: "/api/moderation/export?format=json", method: .get, headers: StatsTests.moderator))
            let posts = try #require(exported["posts"] as? [[String: Any]])
            #expect(posts.count == 3 && posts.contains { $0["state"] as? String == "hidden" && $0["id"] as? String == id })
            let audit = try #require(exported["audit"] as? [[String: Any]])
            #expect(audit.contains { ($0["postId"] as? String ?? $0["postID"] as? String) == id })
            #expect(
                try await client.execute(uri: "/api/moderation/export?format=xls", method: .get, headers: StatsTests.moderator).status == .badRequest)
        }
    }
}

/// `hashwall export --config … --out DIR`, the built binary, with the server stopped.
@Suite struct OfflineExportTests {
    @Test func theExportCommandWritesEveryPostFromTheDatabase() async throws {
        let directory = try TemporaryDirectory()
        let configPath = try writeConfig(.testing(journalIn: directory.path), in: directory)
        let wall = try WallProcess(configPath: configPath, directory: directory.path)
        let port = try await wall.port()
        #expect(try await ingest(port: port, body(author: "Claire", text: "=1+1 #capcomnet")) == 202)
        #expect(try await ingest(port: port, body(author: "Paul", text: "Bonjour #capcomnet")) == 202)
        wall.signal(SIGTERM)
        #expect(try await wall.exitStatus(within: .seconds(10)) == 0)

        let out = directory.file("export")
        let export = Process()
        export.executableURL = try WallProcess.binary
        export.arguments = ["export", "--config", configPath, "--out", out]
        export.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        export.standardOutput = FileHandle.nullDevice
        try export.run()
        try await eventually(within: .seconds(30), "the export to finish") { !export.isRunning }
        #expect(export.terminationStatus == 0)
        let csv = try String(contentsOfFile: out + "/posts.csv", encoding: .utf8)
        #expect(csv.contains(#""'=1+1 #capcomnet""#) && csv.contains("Bonjour #capcomnet"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/posts.json"))) as? [String: Any])
        #expect((json["posts"] as? [[String: Any]])?.count == 2)
        let archive = try String(contentsOfFile: out + "/archive/index.html", encoding: .utf8)
        #expect(archive.contains("=1+1 #capcomnet") && archive.contains("Bonjour #capcomnet") && !archive.contains("<script"))
    }
}
