import Foundation
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HashwallServer
@testable import hashwall

@Suite struct PagesAndHealthTests {
    /// Every file under Web/, as the URL path the server should answer it on.
    static func webFiles() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Web").standardized
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var paths: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            guard !url.hasDirectoryPath else { continue }
            let relative = String(url.standardized.path.dropFirst(root.path.count))
            // Pages are served without `.html`, the follower wall at `/`.
            paths.append(relative == "/index.html" ? "/" : relative.hasSuffix(".html") ? String(relative.dropLast(5)) : relative)
        }
        return paths.sorted()
    }

    @Test func everyPageAndAssetIsServedWithSafetyHeaders() async throws {
        let files = try Self.webFiles()
        #expect(files.contains("/") && files.contains("/projector"))
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, _ in
            for path in files {
                // The stage page lives only under its secret key (StageTests).
                let response = try await client.execute(uri: path == "/stage" ? try await StageTests.stagePath(client) : path, method: .get)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true, "\(path)")
                #expect(response.headers[.contentSecurityPolicy]?.contains("unsafe") == false, "\(path)")
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                #expect(response.headers[.referrerPolicy] != nil, "\(path)")
            }
        }
    }

    @Test func wallSettingsHealthAndMetricsAnswer() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, _ in
            try await ingest(client, body(author: "Claire", text: "Bonjour"))
            try await ingest(client, body(author: "Claire", text: "Bonjour"))
            let wall = try json(try await client.execute(uri: "/api/wall", method: .get))
            #expect(wall["hashtags"] as? [String] == ["capcomnet"])
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let healthJSON = try json(health)
            #expect(healthJSON["status"] as? String == "ok")
            #expect((healthJSON["channels"] as? [String: Any])?["api"] != nil)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"hashwall_posts_accepted_total{channel="api"} 1"#))
            #expect(metrics.contains("hashwall_duplicates_merged_total 1"))
            #expect(metrics.contains("hashwall_journal_commit_batch_size"))
        }
    }
}
