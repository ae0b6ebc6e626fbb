import AsyncHTTPClient
import Foundation
import HashwallTestSupport
import NIOCore
import NIOHTTP1
import Testing

@testable import hashwall

/// Tests that run the built binary: durability across kill -9, start-up refusals, and shutdown.
@Suite struct ProcessTests {
    @Test func killNineAfter202AnswersLosesNoneOfThosePosts() async throws {
        let directory = try TemporaryDirectory()
        let configPath = try writeConfig(.testing(journalIn: directory.path), in: directory)
        let first = try WallProcess(configPath: configPath, directory: directory.path)
        let port = try await first.port()
        // Concurrent publishers; every post answered 202 must survive.
        let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
            for publisher in 0..<8 {
                group.addTask {
                    var ids: [String] = []
                    for i in 0..<25 {
                        let id = "k\(publisher)-\(i)"
                        if try await ingest(port: port, body(author: "P\(publisher)", text: "durable \(publisher) \(i)", id: id)) == 202 {
                            ids.append("api:" + id)
                        }
                    }
                    return ids
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(acknowledged.count == 200)
        first.signal(SIGKILL)
        _ = try await first.exitStatus(within: .seconds(10))

        let second = try WallProcess(configPath: configPath, directory: directory.path)
        let secondPort = try await second.port()
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(secondPort)/api/posts?limit=500")
        request.method = .GET
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 10 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(data.readableBytesView)) as? [String: Any]
        let ids = Set((object?["posts"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        #expect(Set(acknowledged).isSubset(of: ids), "lost: \(Set(acknowledged).subtracting(ids).sorted().prefix(5))")
        #expect(Int(object?["lastEventId"] as? String ?? "") ?? 0 >= 200, "event numbers must keep rising across the restart")
        second.signal(SIGTERM)
        _ = try await second.exitStatus(within: .seconds(10))
    }

    @Test func aCorruptDatabaseStopsStartUpWithAClearMessage() async throws {
        let directory = try TemporaryDirectory()
        let config = HashwallConfig.testing(journalIn: directory.path)
        try Data(String(repeating: "garbage ", count: 1000).utf8).write(to: URL(fileURLWithPath: config.storage.path))
        let wall = try WallProcess(configPath: try writeConfig(config, in: directory), directory: directory.path)
        let status = try await wall.exitStatus(within: .seconds(30))
        #expect(status != 0)
        #expect(wall.standardError.contains(config.storage.path))
        #expect(wall.standardError.contains("not a database"))
        #expect(!wall.standardOutput.contains("Hashwall is running"))
    }

    @Test func anInvalidConfigurationNamesEveryProblemAndStopsBeforeBinding() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("config.json")
        try Data(#"{"server":{"port":70000},"moderation":{"mode":"later"},"wall":{"language":"de"},"colour":"red"}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let wall = try WallProcess(configPath: path, directory: directory.path)
        #expect(try await wall.exitStatus(within: .seconds(30)) != 0)
        for field in ["server.port", "moderation.mode", "wall.language"] {
            #expect(wall.standardError.contains(field), "\(field) not named in: \(wall.standardError)")
        }
    }

    @Test func sigtermWithOpenStreamsExitsWithinTwoSeconds() async throws {
        let directory = try TemporaryDirectory()
        let wall = try WallProcess(configPath: try writeConfig(.testing(journalIn: directory.path), in: directory), directory: directory.path)
        let port = try await wall.port()
        var streams: [SSEClient] = []
        for _ in 0..<5 { streams.append(try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")) }
        _ = try await ingest(port: port, body(author: "Claire", text: "avant l'arrêt"))
        for stream in streams { _ = try await stream.next() }
        wall.signal(SIGTERM)
        #expect(try await wall.exitStatus(within: .seconds(2)) == 0)
        for stream in streams {
            try await stream.waitUntilEnded(within: .seconds(5))
            await stream.close()
        }
    }
}
