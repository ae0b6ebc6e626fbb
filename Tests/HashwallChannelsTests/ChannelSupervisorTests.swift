import Foundation
import HashwallChannels
import HashwallCore
import HashwallTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// A wall's core (journal, hubs, intake) with a supervisor over `sources`, run until `body` returns.
func withSupervisedSources<T: Sendable>(
    _ sources: [any PulledSource], path: String, backoff: Backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2)),
    onRetry: @escaping @Sendable (String, Duration) -> Void = { _, _ in },
    _ body: @Sendable (Intake, ChannelStatusBoard) async throws -> T
) async throws -> T {
    let metrics = WallMetrics.discarding
    let logger = Logger(label: "test")
    let hubs = WallHubs(
        wall: EventHub(metrics: metrics, logger: logger), projector: EventHub(name: "projector", metrics: metrics, logger: logger),
        moderators: EventHub(name: "moderators", metrics: metrics, logger: logger))
    let journal = try Journal(path: path, hubs: hubs, metrics: metrics, logger: logger)
    let status = ChannelStatusBoard()
    let intake = try Intake(
        journal: journal, hubs: hubs, limits: StoreLimits(maxPosts: 100, maxRememberedKeys: 10_000), settings: ModerationSettings(blocklist: []),
        metrics: metrics, status: status)
    let supervisor = ChannelSupervisor(
        sources: sources, intake: intake, journal: journal, status: status, metrics: metrics, logger: logger, backoff: backoff,
        onRetry: onRetry)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await journal.run() }
        group.addTask { await supervisor.run() }
        defer { group.cancelAll() }
        return try await body(intake, status)
    }
}

func post(_ id: String, _ text: String) -> IncomingPost {
    IncomingPost(id: PostID(id), channel: .mastodon, author: Author(name: "M", handle: "m@example.social"), text: text)
}

@Suite struct ChannelSupervisorTests {
    @Test func aSourceThatFailsHangsOrIsRateLimitedStopsNoOther() async throws {
        let directory = try TemporaryDirectory()
        let until = Date().addingTimeInterval(1)
        let failing = ScriptedSource(name: "failing", runs: Array(repeating: [.fail(.transient("connection refused"))], count: 50))
        let hanging = ScriptedSource(name: "hanging", runs: [[.hang]])
        let crashing = ScriptedSource(name: "crashing", runs: [[.crash("index out of range")], [.finish]])
        let limited = ScriptedSource(
            name: "limited",
            runs: [[.fail(.rateLimited(until: until, "429 Too Many Requests"))], [.deliver([post("x:late", "après la limite")], cursor: nil)]])
        let healthy = ScriptedSource(
            name: "healthy", runs: [(1...5).map { .deliver([post("x:\($0)", "message \($0)")], cursor: Data("\($0)".utf8)) }])
        try await withSupervisedSources([failing, hanging, crashing, limited, healthy], path: directory.file("wall.sqlite")) { intake, status in
            try await eventually("the healthy source's posts") { try await intake.snapshot(limit: 10).posts.count >= 5 }
            try await eventually("the failing source failing, and retried") {
                let failing = status.snapshot["failing"]
                return failing?.state == .failing && failing?.lastError == "connection refused" && (failing?.reconnects ?? 0) >= 2
            }
            #expect(status.snapshot["healthy"]?.state == .running && status.snapshot["healthy"]?.lastError == nil)
            #expect(status.snapshot["failing"]?.nextRetryAt != nil)
            // A crash is retried like a transient failure, and a source that returns is restarted too.
            try await eventually("the crashing source restarted twice") { crashing.starts.count >= 3 }
            // The rate-limited source waited for the upstream's time, then delivered.
            try await eventually("the rate-limited source's post") { try await intake.visiblePost(PostID("x:late")) != nil }
            let restarted = try #require(limited.startDates.dropFirst().first)
            #expect(restarted >= until.addingTimeInterval(-0.01), "retried before the upstream's time")
            #expect(status.snapshot["limited"]?.state == .running)
            #expect(hanging.starts.count == 1, "a hanging source is left to hang")
        }
    }

    @Test func aFatalErrorStopsTheSourceForGoodWithItsReason() async throws {
        let directory = try TemporaryDirectory()
        let fatal = ScriptedSource(name: "x", runs: [[.fail(.fatal("401 Unauthorized: check HASHWALL_X_BEARER_TOKEN"))], [.finish]])
        try await withSupervisedSources([fatal], path: directory.file("wall.sqlite")) { _, status in
            try await eventually("stopped") { status.snapshot["x"]?.state == .stopped }
            #expect(status.snapshot["x"]?.lastError?.contains("HASHWALL_X_BEARER_TOKEN") == true)
            #expect(status.snapshot["x"]?.nextRetryAt == nil)
            #expect(fatal.starts.count == 1)
        }
    }

    @Test func theBackoffGrowsAndStartsOverAfterASuccess() async throws {
        let directory = try TemporaryDirectory()
        let fail = SourceStep.fail(.transient("down"))
        // Four failures, a run that delivers then fails, then failures again.
        let runs: [[SourceStep]] = [[fail], [fail], [fail], [fail], [.deliver([post("x:1", "un")], cursor: nil), fail], [fail], [fail]]
        let source = ScriptedSource(name: "flaky", runs: runs)
        // The delays the supervisor chooses, as it chooses them (the clock of a loaded machine does not decide).
        let delays = Mutex<[Duration]>([])
        let record: @Sendable (String, Duration) -> Void = { _, delay in delays.withLock { $0.append(delay) } }
        try await withSupervisedSources(
            [source], path: directory.file("wall.sqlite"), backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(10)), onRetry: record
        ) {
            _, _ in
            try await eventually(within: .seconds(30), "seven starts") { source.starts.count >= 7 }
            let chosen = delays.withLock { $0 }
            // Drawn in [step/2, step] with the step doubling: 100, 200, 400, 800 ms; after the run that delivered, the
            // first step again (without the reset it would be drawn from the fifth step, 800 to 1,600 ms).
            let ms = chosen.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }
            #expect(ms.count >= 6, "\(ms)")
            #expect((50...100).contains(ms[0]) && (100...200).contains(ms[1]) && (200...400).contains(ms[2]) && (400...800).contains(ms[3]), "\(ms)")
            #expect((50...100).contains(ms[4]), "the backoff did not start over: \(ms)")
        }
    }

    @Test func gracefulShutdownStopsEverySourcePromptly() async throws {
        let directory = try TemporaryDirectory()
        let sources = (0..<5).map { ScriptedSource(name: "s\($0)", runs: [[.deliver([], cursor: nil), .hang]]) }
        let metrics = WallMetrics.discarding
        let logger = Logger(label: "test")
        let hubs = WallHubs(
            wall: EventHub(metrics: metrics, logger: logger), projector: EventHub(name: "projector", metrics: metrics, logger: logger),
            moderators: EventHub(name: "moderators", metrics: metrics, logger: logger))
        let journal = try Journal(path: directory.file("wall.sqlite"), hubs: hubs, metrics: metrics, logger: logger)
        let status = ChannelStatusBoard()
        let intake = try Intake(journal: journal, hubs: hubs, limits: StoreLimits(), metrics: metrics, status: status)
        let supervisor = ChannelSupervisor(sources: sources, intake: intake, journal: journal, status: status, metrics: metrics, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: journal), .init(service: supervisor)], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await eventually("every source running") { sources.allSatisfy { status.snapshot[$0.name]?.state == .running } }
            let asked = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.next()
            // Hanging sources are cancelled, not waited for (a loaded machine may take a few seconds, never minutes).
            #expect(ContinuousClock.now - asked < .seconds(15))
        }
        #expect(sources.allSatisfy { status.snapshot[$0.name]?.state == .stopped })
    }

    @Test func aBatchAndItsCursorCommitTogetherAndARestartResumesFromIt() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        let first = ScriptedSource(
            name: "feed",
            runs: [
                [
                    .deliver([post("x:1", "un"), post("x:2", "deux")], cursor: Data("2".utf8)),
                    .deliver([post("x:3", "trois")], cursor: Data("3".utf8)),
                ]
            ])
        try await withSupervisedSources([first], path: path) { intake, _ in
            try await eventually("three posts") { try await intake.snapshot(limit: 10).posts.count == 3 }
        }
        let second = ScriptedSource(name: "feed", runs: [[.hang]])
        try await withSupervisedSources([second], path: path) { _, _ in
            try await eventually("restarted") { !second.cursors.isEmpty }
            #expect(second.cursors == [Data("3".utf8)])
        }
    }
}

typealias SourceStep = ScriptedSource.Step
