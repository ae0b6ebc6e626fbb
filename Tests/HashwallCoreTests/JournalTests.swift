import Foundation
import GRDB
import HashwallCore
import HashwallTestSupport
import Logging
import Testing

/// Opens a journal and intake on `path`, runs the journal's writer around `body`, then stops it.
func makeHubs(_ limits: EventHub.Limits = .init()) -> WallHubs {
    WallHubs(
        wall: EventHub(name: "wall", limits: limits, metrics: .discarding, logger: Logger(label: "test")),
        projector: EventHub(name: "projector", limits: limits, metrics: .discarding, logger: Logger(label: "test")),
        moderators: EventHub(name: "moderators", limits: limits, metrics: .discarding, logger: Logger(label: "test")))
}

func withWall<T: Sendable>(
    path: String, limits: StoreLimits = StoreLimits(maxPosts: 100, maxRememberedKeys: 10_000), settings: ModerationSettings = ModerationSettings(),
    _ body: @Sendable (Intake, WallHubs, Journal) async throws -> T
) async throws -> T {
    let hubs = makeHubs()
    let journal = try Journal(path: path, hubs: hubs, metrics: .discarding, logger: Logger(label: "test"))
    let intake = try Intake(journal: journal, hubs: hubs, limits: limits, settings: settings, metrics: .discarding, status: ChannelStatusBoard())
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await journal.run() }
        defer { group.cancelAll() }
        return try await body(intake, hubs, journal)
    }
}

func incoming(_ id: String, name: String = "Claire", text: String) -> IncomingPost {
    IncomingPost(id: PostID(id), channel: .api, author: Author(name: name), text: text)
}

@Suite struct JournalTests {
    @Test func acceptedPostsAndTheEventCounterSurviveARestart() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        try await withWall(path: path) { intake, _, _ in
            for i in 0..<5 { _ = try await intake.accept(incoming("api:\(i)", name: "A\(i)", text: "post \(i)")) }
            _ = try await intake.accept(incoming("api:0", name: "A0", text: "post 0, edited"))
        }
        try await withWall(path: path) { intake, hub, _ in
            let snapshot = try await intake.snapshot(limit: 10)
            #expect(snapshot.posts.count == 5)
            #expect(snapshot.posts.contains { $0.text == "post 0, edited" })
            #expect(hub.wall.lastEvent == snapshot.lastEvent)
            let before = hub.wall.lastEvent
            // A redelivery after the restart is still a duplicate, and numbers keep rising.
            #expect(try await intake.accept(incoming("api:3", name: "A3", text: "post 3")) == PostID("api:3"))
            _ = try await intake.accept(incoming("api:new", text: "after restart"))
            #expect(hub.wall.lastEvent > before)
        }
    }

    @Test func checkpointsOffTheCommitPathKeepTheWALSmallAndNeverFailACommit() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        let hubs = makeHubs()
        // Checkpoints every 2 ms, rewinding past 16 pages: they meet commits all the time.
        let journal = try Journal(
            path: path, checkpoints: .init(interval: .milliseconds(2), rewindFrames: 16), hubs: hubs, metrics: .discarding,
            logger: Logger(label: "test"))
        let intake = try Intake(
            journal: journal, hubs: hubs, limits: StoreLimits(maxPosts: 100, maxRememberedKeys: 10_000), settings: ModerationSettings(),
            metrics: .discarding, status: ChannelStatusBoard())
        var largestWAL = 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await journal.run() }
            for i in 0..<600 {
                _ = try await intake.accept(incoming("api:\(i)", name: "W\(i)", text: "post \(i) " + String(repeating: "x", count: 500)))
                let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
                largestWAL = max(largestWAL, size)
            }
            group.cancelAll()
        }
        // Without rewinding, these 600 commits leave a WAL of about 21 MB (measured); with it, about 1.5 MB.
        #expect(largestWAL < 4 << 20, "the WAL grew to \(largestWAL) bytes")
        let newest = try await withWall(path: path) { intake, _, _ in try await intake.snapshot(limit: 10).posts.first?.text }
        #expect(newest?.hasPrefix("post 599") == true)
    }

    @Test func concurrentAcceptsAreCommittedTogether() async throws {
        let directory = try TemporaryDirectory()
        let registry = BatchCounter()
        try await withWall(path: directory.file("wall.sqlite")) { intake, hub, journal in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<200 {
                    group.addTask { _ = try await intake.accept(incoming("api:\(i)", name: "N\(i)", text: "concurrent \(i)")) }
                }
                try await group.waitForAll()
            }
            #expect(try await intake.snapshot(limit: 500).posts.count == 200)
            await registry.set(try journal.commitCount())
        }
        let commits = await registry.value
        #expect(commits < 200, "200 concurrent posts took \(commits) commits: no group commit")
    }

    @Test func aCorruptFileStopsStartUpNamingTheFileAndIsLeftUntouched() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        let garbage = Data(String(repeating: "this is not a database ", count: 200).utf8)
        try garbage.write(to: URL(fileURLWithPath: path))
        do {
            _ = try Journal(path: path, hubs: makeHubs(), metrics: .discarding, logger: Logger(label: "test"))
            Issue.record("a corrupt database was opened")
        } catch let error as JournalError {
            #expect(error.description.contains(path))
            #expect(error.description.contains("not a database"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func aKeyLearnedAgainDedupesToItsNewestPostAfterARestart() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        // Two posts in memory, eight keys: "hello" is forgotten after a few posts, then learned again by a new post.
        try await withWall(path: path, limits: StoreLimits(maxPosts: 2, maxRememberedKeys: 8)) { intake, _, _ in
            #expect(try await intake.accept(incoming("api:first", text: "hello")) == PostID("api:first"))
            for i in 0..<6 { _ = try await intake.accept(incoming("api:filler\(i)", name: "F\(i)", text: "filler \(i)")) }
            #expect(try await intake.accept(incoming("api:second", text: "hello")) == PostID("api:second"))
        }
        // Restarted with room for every key on disk: both rows of the "hello" key come back, the newest wins.
        try await withWall(path: path, limits: StoreLimits(maxPosts: 2, maxRememberedKeys: 100)) { intake, _, _ async throws in
            #expect(try await intake.accept(incoming("api:third", text: "hello")) == PostID("api:second"))
            #expect(try await intake.accept(incoming("api:first", text: "hello")) == PostID("api:first"))  // its own id still known
        }
    }

    @Test func keysWrittenBeforeTheyBecameALogAreKeptByTheMigration() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        try await withWall(path: path) { intake, _, _ in
            _ = try await intake.accept(incoming("api:old", text: "written under v7"))
        }
        // Back to v7's table (a unique index on the key), as a database written before v8 has it.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE v7 (key BLOB NOT NULL UNIQUE, postID TEXT NOT NULL, createdAt REAL NOT NULL);
                    INSERT INTO v7 SELECT key, postID, createdAt FROM dedupeKey;
                    DROP TABLE dedupeKey;
                    ALTER TABLE v7 RENAME TO dedupeKey;
                    DELETE FROM grdb_migrations WHERE identifier LIKE 'v8:%';
                    """)
        }
        try queue.close()
        try await withWall(path: path) { intake, _, _ async throws in
            #expect(try await intake.accept(incoming("api:again", text: "written under v7")) == PostID("api:old"))
        }
        let indexes = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dedupeKey'")
        }
        #expect(indexes.isEmpty, "\(indexes)")
    }

    @Test func aDatabaseFromANewerVersionIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        try await withWall(path: path) { _, _, journal in try journal.recordForeignMigration("v99: from the future") }
        #expect(throws: JournalError.self) {
            _ = try Journal(path: path, hubs: makeHubs(), metrics: .discarding, logger: Logger(label: "t"))
        }
    }
}

actor BatchCounter {
    var value = 0
    func set(_ value: Int) { self.value = value }
}

@Suite struct JournalFailureTests {
    @Test func aPostWhoseWriteFailsIsNotOnTheWallAndItsRetryIsNew() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        try await withWall(path: path) { intake, _, journal in
            _ = try await intake.accept(incoming("api:small", text: "petit"))
            let pages = try #require(try await journal.pageCount())
            try await journal.limitSize(pages: pages)  // the disk is full
            let big = incoming("api:big", name: "Gros", text: String(repeating: "plein ", count: 3000))
            await #expect(throws: JournalError.self) { _ = try await intake.accept(big) }
            #expect(try await intake.snapshot(limit: 10).posts.map(\.id.rawValue) == ["api:small"])
            try await journal.limitSize(pages: 1_000_000)  // space again
            #expect(try await intake.accept(big) == PostID("api:big"))
            #expect(try await intake.snapshot(limit: 10).posts.count == 2)
        }
        try await withWall(path: path) { (intake: Intake, _: WallHubs, _: Journal) async throws in
            #expect(try await intake.snapshot(limit: 10).posts.count == 2, "the retry was taken for a duplicate and never written")
        }
    }
}
