import CoreMetrics
import Crypto
import DequeModule
import Foundation
import GRDB
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// The durable record of the wall: posts, dedupe keys and the event counter, in SQLite (WAL) through GRDB.
///
/// Writes go through one queue and are committed in batches: everything submitted while a commit is on
/// disk goes into the next transaction, so durability costs one fsync per batch, not per post. Entries are
/// committed, and their events published to the ``WallHubs``, in the order they were submitted.
/// The writer is a `Service`: run it before anything submits, stop it after.
public final class Journal: Service, Sendable {
    /// How hard SQLite pushes each commit to the disk (`PRAGMA synchronous`).
    public enum Synchronous: String, Sendable, Codable, CaseIterable {
        case full = "FULL", normal = "NORMAL", off = "OFF"
    }

    /// When the WAL is copied back into the database, off the commit path (see ``checkpointRegularly()``).
    public struct Checkpoints: Sendable {
        /// How often a passive checkpoint runs.
        public var interval: Duration
        /// WAL frames (pages) past which a checkpoint also rewinds the WAL, so that it does not grow without end.
        public var rewindFrames: Int

        public init(interval: Duration = .milliseconds(250), rewindFrames: Int = 4096) {
            self.interval = interval
            self.rewindFrames = rewindFrames
        }
    }
    /// Largest number of entries committed in one transaction.
    static let maxBatch = 1024
    /// Entries that may wait for the disk. Overflow rule: ``Intake`` refuses new posts (503, Retry-After)
    /// until the queue drains, rather than holding unbounded memory for a disk that stalled.
    static let maxWaiting = 50_000

    public let path: String
    let synchronous: Synchronous
    let checkpoints: Checkpoints
    let pool: DatabasePool
    /// Random, made once per database: keys the digests that stand for something personal in public ids
    /// (``keyedDigest(_:)``), so that nobody without the database can test guesses against them.
    let installationSecret: SymmetricKey
    /// Told of each commit once it is durable (the event hubs publish its events).
    let listener: any CommitListener
    let metrics: WallMetrics
    let logger: Logger
    private let queue = Mutex<Queue>(Queue())
    let commits = Mutex(0)
    private let failures = Mutex(0)
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    private struct Queue {
        var entries: Deque<(JournalEntry, PendingCommit)> = []
        var closed = false
    }

    /// Opens (or creates) the database at `path` and brings its schema up to date.
    /// - Throws: ``JournalError/unreadable(path:reason:)`` when the file exists but is not a readable Hashwall
    ///   database. It is never recreated.
    /// `listener` hears of every commit, in order, once it is durable.
    public init(
        path: String, synchronous: Synchronous = .full, checkpoints: Checkpoints = Checkpoints(), listener: any CommitListener,
        metrics: WallMetrics, logger: Logger
    ) throws {
        self.path = path
        self.synchronous = synchronous
        self.checkpoints = checkpoints
        self.listener = listener
        self.metrics = metrics
        self.logger = logger
        var configuration = Configuration()
        configuration.label = "hashwall.journal"
        // A commit that meets a checkpoint rewinding the WAL waits for it (milliseconds) instead of failing.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
            // No checkpoint inside a commit (SQLite's default, every 1000 pages, made one commit in a hundred
            // wait 10-25 ms): ``checkpointRegularly()`` does it from its own connection instead.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            // Deleted and overwritten content is zeroed, not left in free space: an erased post leaves no bytes behind.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        do {
            self.pool = try DatabasePool(path: path, configuration: configuration)
            try self.pool.read { db in
                let check = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "no answer"
                guard check == "ok" else { throw JournalError.unreadable(path: path, reason: "integrity check failed: \(check)") }
            }
            let migrator = Self.migrator
            try self.pool.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw JournalError.unreadable(path: path, reason: "it was written by a newer version of Hashwall")
                }
            }
            try migrator.migrate(self.pool)
            let secret = try self.pool.read { db in
                try Data.fetchOne(db, sql: "SELECT value FROM channelState WHERE channel = 'hashwall' AND key = 'installationSecret'")
            }
            guard let secret, secret.count >= 16 else { throw JournalError.unreadable(path: path, reason: "the installation secret is missing") }
            self.installationSecret = SymmetricKey(data: secret)
        } catch let error as JournalError {
            throw error
        } catch let error as DatabaseError {
            throw JournalError.unreadable(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw JournalError.unreadable(path: path, reason: "\(error)")
        }
        (self.wakeups, self.wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues `entry` for the next commit and returns at once; wait on the result to know it is durable.
    /// Entries are committed in the order of these calls.
    public func submit(_ entry: JournalEntry) -> PendingCommit {
        let pending = PendingCommit()
        let accepted = self.queue.withLock { queue in
            guard !queue.closed else { return false }
            queue.entries.append((entry, pending))
            return true
        }
        if accepted {
            self.wake.yield()
        } else {
            pending.complete(.failure(.closed))
        }
        return pending
    }

    /// Copies the whole WAL into the database and truncates it, so that no older version of a page (an erased post,
    /// a wiped contact) stays in the WAL file. Retries while readers hold it, for up to about two seconds.
    public func rewindWAL() async {
        for _ in 0..<40 {
            do {
                let done = try await self.pool.writeWithoutTransaction { db -> Bool in
                    let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                    return (row?[0] as Int? ?? 1) == 0
                }
                if done { return }
            } catch {
                self.logger.debug("WAL rewind retried", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        self.logger.warning("the WAL could not be rewound after an erasure: older pages stay in it until the next checkpoint")
    }

    /// A digest of `parts` keyed with this installation's secret, 24 hex digits: stable for this wall, and no help
    /// to someone who guesses a phone number or an address (they would need the database).
    public func keyedDigest(_ parts: String...) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(parts.joined(separator: "\u{0}").utf8), using: self.installationSecret)
        return mac.prefix(12).map { AuthorKey.hex($0) }.joined()
    }

    /// How many commits have failed since start: a reader of memory compares it before and after to know whether
    /// what it read may have been rolled back.
    public var failedCommits: Int { self.failures.withLock { $0 } }

    /// Throws ``JournalError/overloaded(waiting:)`` when the queue is full; checked before merging, so a refused
    /// post leaves no trace in memory.
    public func checkCapacity() throws {
        let waiting = self.queue.withLock { $0.entries.count }
        guard waiting < Self.maxWaiting else { throw JournalError.overloaded(waiting: waiting) }
    }

    /// Commits queued entries until graceful shutdown, then commits what is left and refuses new entries.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.checkpointRegularly() }
            for await _ in self.wakeups.cancelOnGracefulShutdown() {
                await self.drain()
            }
            self.queue.withLock { $0.closed = true }
            await self.drain()
            group.cancelAll()
        }
        // Leave a small WAL behind: everything into the database file.
        _ = try? await self.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
    }

    /// Copies committed pages from the WAL into the database every ``Checkpoints/interval``, from a connection of its
    /// own (a passive checkpoint never blocks the writer), until cancelled; commits then only append to the WAL.
    /// Under steady writes a passive checkpoint never catches up with the writer, so the WAL would only grow: past
    /// ``Checkpoints/rewindFrames`` a RESTART checkpoint follows the passive one, holding the writer only for the few
    /// pages the passive one left, and the next commit starts the WAL from its beginning again.
    private func checkpointRegularly() async {
        var configuration = Configuration()
        configuration.label = "hashwall.checkpoint"
        configuration.busyMode = .timeout(2)
        let synchronous = self.synchronous
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)") }
        guard let connection = try? DatabaseQueue(path: self.path, configuration: configuration) else {
            self.logger.warning("no checkpoint connection: SQLite checkpoints inside commits instead")
            try? await self.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_autocheckpoint = 1000") }
            return
        }
        let checkpoints = self.checkpoints
        while (try? await Task.sleep(for: checkpoints.interval)) != nil {
            do {
                try await connection.writeWithoutTransaction { db in
                    let frames = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")?[1] as Int? ?? 0
                    if frames > checkpoints.rewindFrames { try db.checkpoint(.restart) }
                }
            } catch {
                self.logger.debug("checkpoint skipped", metadata: ["error": "\(error)"])
            }
        }
    }

    private func drain() async {
        while true {
            let batch: [(JournalEntry, PendingCommit)] = self.queue.withLock { queue in
                let count = min(queue.entries.count, Self.maxBatch)
                defer { queue.entries.removeFirst(count) }
                return Array(queue.entries.prefix(count))
            }
            if batch.isEmpty { return }
            await self.commit(batch)
        }
    }

    private func commit(_ batch: [(JournalEntry, PendingCommit)]) async {
        let entries = batch.map(\.0)
        let started = ContinuousClock.now
        let result: Result<Void, JournalError>
        var posts = PostJSON()
        if entries.allSatisfy(\.isEmpty) {
            result = .success(())
        } else {
            do {
                let encoded = try entries.map { try EncodedEntry($0, posts: &posts) }
                try await self.pool.write { db in
                    for entry in encoded { try entry.write(to: db) }
                }
                self.commits.withLock { $0 += 1 }
                result = .success(())
            } catch {
                self.logger.error("journal write failed", metadata: ["error": "\(error)", "batch": "\(batch.count)"])
                result = .failure(.writeFailed(path: self.path, reason: "\(error)"))
                self.failures.withLock { $0 += 1 }
            }
        }
        self.metrics.commitBatchSize.record(batch.count)
        self.metrics.commitLatency.recordNanoseconds(Int64((ContinuousClock.now - started) / .nanoseconds(1)))
        if case .success = result {
            self.listener.committed(entries, encodings: &posts)
        }
        for (_, pending) in batch { pending.complete(result) }
    }
}

extension Journal {
    /// A journal whose commits the wall's event hubs publish.
    public convenience init(
        path: String, synchronous: Synchronous = .full, checkpoints: Checkpoints = Checkpoints(), hubs: WallHubs, metrics: WallMetrics,
        logger: Logger
    ) throws {
        try self.init(path: path, synchronous: synchronous, checkpoints: checkpoints, listener: hubs, metrics: metrics, logger: logger)
    }
}

/// Hears of each journal commit once it is durable, in commit order, with the entries it made durable and the
/// JSON of their posts (encoded once for the rows, reusable for frames). Called on the journal's writer: be quick.
public protocol CommitListener: Sendable {
    func committed(_ entries: [JournalEntry], encodings: inout PostJSON)
}
