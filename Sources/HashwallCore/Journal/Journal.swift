import CoreMetrics
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

    /// Largest number of entries committed in one transaction.
    static let maxBatch = 1024
    /// Entries that may wait for the disk. Overflow rule: ``Intake`` refuses new posts (503, Retry-After)
    /// until the queue drains, rather than holding unbounded memory for a disk that stalled.
    static let maxWaiting = 50_000

    public let path: String
    let pool: DatabasePool
    let hubs: WallHubs
    let metrics: WallMetrics
    let logger: Logger
    private let queue = Mutex<Queue>(Queue())
    let commits = Mutex(0)
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    private struct Queue {
        var entries: Deque<(JournalEntry, PendingCommit)> = []
        var closed = false
    }

    /// Opens (or creates) the database at `path` and brings its schema up to date.
    /// - Throws: ``JournalError/unreadable(path:reason:)`` when the file exists but is not a readable Hashwall
    ///   database. It is never recreated.
    public init(path: String, synchronous: Synchronous = .full, hubs: WallHubs, metrics: WallMetrics, logger: Logger) throws {
        self.path = path
        self.hubs = hubs
        self.metrics = metrics
        self.logger = logger
        var configuration = Configuration()
        configuration.label = "hashwall.journal"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
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

    /// Throws ``JournalError/overloaded(waiting:)`` when the queue is full; checked before merging, so a refused
    /// post leaves no trace in memory.
    public func checkCapacity() throws {
        let waiting = self.queue.withLock { $0.entries.count }
        guard waiting < Self.maxWaiting else { throw JournalError.overloaded(waiting: waiting) }
    }

    /// Commits queued entries until graceful shutdown, then commits what is left and refuses new entries.
    public func run() async {
        for await _ in self.wakeups.cancelOnGracefulShutdown() {
            await self.drain()
        }
        self.queue.withLock { $0.closed = true }
        await self.drain()
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
            }
        }
        self.metrics.commitBatchSize.record(batch.count)
        self.metrics.commitLatency.recordNanoseconds(Int64((ContinuousClock.now - started) / .nanoseconds(1)))
        if case .success = result {
            self.hubs.publish(entries, posts: &posts)
        }
        for (_, pending) in batch { pending.complete(result) }
    }
}
