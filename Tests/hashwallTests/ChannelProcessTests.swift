import AsyncHTTPClient
import Foundation
import HashwallChannels
import HashwallCore
import HashwallTestSupport
import Logging
import NIOCore
import Testing

@testable import hashwall

/// A pulled channel (the demo, the first of them) run by the built binary, killed with SIGKILL mid-stream.
@Suite struct ChannelProcessTests {
    @Test func aPulledChannelKilledMidStreamResumesWithNoPostTwiceAndNoneMissing() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.channels.demo.enabled = true
        // 20 posts a second: a loop of the 200 samples takes 10 s, more than a loaded machine needs to see 30 posts
        // and stop the wall, so the cursor never wraps during the test.
        config.channels.demo.intervalSeconds = 0.05
        let configPath = try writeConfig(config, in: directory)

        let first = try WallProcess(configPath: configPath, directory: directory.path)
        try await Self.waitForDemoPosts(30, port: try await first.port())
        first.signal(SIGKILL)
        _ = try await first.exitStatus(within: .seconds(10))
        let second = try WallProcess(configPath: configPath, directory: directory.path)
        try await Self.waitForDemoPosts(30, port: try await second.port())
        second.signal(SIGTERM)
        #expect(try await second.exitStatus(within: .seconds(10)) == 0)

        // What the database holds: the demo's cursor, and its posts.
        let metrics = WallMetrics.discarding
        let logger = Logger(label: "test")
        let hubs = WallHubs(
            wall: EventHub(metrics: metrics, logger: logger), projector: EventHub(name: "projector", metrics: metrics, logger: logger),
            moderators: EventHub(name: "moderators", metrics: metrics, logger: logger))
        let journal = try Journal(path: config.storage.path, hubs: hubs, metrics: metrics, logger: logger)
        let cursor = try #require(try journal.channelState("demo")[ChannelSupervisor.cursorKey])
        let position = try #require(try JSONSerialization.jsonObject(with: cursor) as? [String: Int])
        let delivered = try #require(position["index"])
        let samples = try DemoSample.bundled()
        try #require(position["loop"] == 0 && delivered >= 60 && delivered < samples.count, "\(position)")
        let stored = try journal.loadWorkingSet(limits: StoreLimits(maxPosts: 100_000, maxRememberedKeys: 100_000)).posts
        let onWall = Set(stored.map(\.post.id.rawValue).filter { $0.hasPrefix("demo:") })

        // The same samples merged once each, in order, up to the cursor: exactly those posts, none twice, none missing.
        var store = PostStore(limits: StoreLimits(maxPosts: 100_000, maxRememberedKeys: 100_000))
        var expected = Set<String>()
        for index in 0..<delivered {
            if case .added(let post) = store.merge(try PreparedPost(samples[index].incoming(index: index, loop: 0), receivedAt: Date())).outcome {
                expected.insert(post.id.rawValue)
            }
        }
        #expect(
            onWall == expected,
            "twice or extra: \(onWall.subtracting(expected).sorted().prefix(5)); missing: \(expected.subtracting(onWall).sorted().prefix(5))")
    }

    /// Waits until `/healthz` says the demo has delivered `count` posts since this process started.
    static func waitForDemoPosts(_ count: Int, port: Int) async throws {
        try await eventually(within: .seconds(30), "\(count) demo posts") {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            let health = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            let demo = (health?["channels"] as? [String: Any])?["demo"] as? [String: Any]
            return (demo?["posts"] as? Int ?? 0) >= count
        }
    }
}
