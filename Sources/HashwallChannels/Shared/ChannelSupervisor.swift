import CoreMetrics
import Foundation
import HashwallCore
import Logging
import ServiceLifecycle
import Synchronization

/// Runs every pulled channel (``PulledSource``), each on a task of its own, for as long as the wall runs.
///
/// A source that fails never ends another source or the wall: its error is classified (``SourceError``), shown on
/// `/healthz` (`failing`, `lastError`, `nextRetryAt`, `reconnects`) and in the metrics, and it is started again from
/// its saved cursor after a delay: exponential with jitter for transient errors, the upstream's own time when
/// rate-limited, never for a fatal one (`stopped` until the organiser fixes the configuration and restarts). A
/// source that delivered a batch before it failed starts over from the shortest delay. Graceful shutdown cancels
/// every source and waits only for them to return.
public struct ChannelSupervisor: Service {
    let sources: [any PulledSource]
    let intake: Intake
    let journal: Journal
    let status: ChannelStatusBoard
    let metrics: WallMetrics
    let logger: Logger
    let backoff: Backoff
    /// Told each retry delay chosen, by source name (tests and diagnostics).
    let onRetry: @Sendable (String, Duration) -> Void

    /// The journal key of each source's cursor, under its name.
    public static let cursorKey = "cursor"

    public init(
        sources: [any PulledSource], intake: Intake, journal: Journal, status: ChannelStatusBoard, metrics: WallMetrics, logger: Logger,
        backoff: Backoff = Backoff(), onRetry: @escaping @Sendable (String, Duration) -> Void = { _, _ in }
    ) {
        self.onRetry = onRetry
        self.sources = sources
        self.intake = intake
        self.journal = journal
        self.status = status
        self.metrics = metrics
        self.logger = logger
        self.backoff = backoff
    }

    public func run() async {
        for source in self.sources { self.set(source.name, .starting) }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for source in self.sources {
                    group.addTask { await self.supervise(source) }
                }
            }
        }
        // With no source, or once every source has stopped for good, wait for the wall to stop: a service that
        // returns early would stop the whole service group.
        try? await gracefulShutdown()
        for source in self.sources { self.set(source.name, .stopped) }
    }

    /// Runs `source` again and again until cancelled, or until it fails fatally.
    func supervise(_ source: any PulledSource) async {
        let name = source.name
        var backoff = self.backoff
        var attempts = 0
        attempt: while !Task.isCancelled {
            if attempts > 0 { self.status.reconnecting(name) }
            attempts += 1
            let delivered = DeliveryFlag()
            let failure: SourceError
            do {
                let cursor = try self.journal.channelState(name)[Self.cursorKey]
                try await source.run(from: cursor) { batch in
                    try await self.commit(batch, from: name)
                    delivered.set()
                }
                failure = .transient("the source stopped")
            } catch let error as SourceError {
                failure = error
            } catch {
                failure = .transient("\(error)")
            }
            if Task.isCancelled { break }
            if delivered.value { backoff.reset() }
            if case .paused = failure {} else { self.metrics.channelErrors(name).increment() }  // a pause is on purpose
            let now = Date()
            let delay: Duration
            switch failure {
            case .fatal(let reason):
                self.status.failed(name, error: reason, retryAt: nil)
                self.metrics.channelState(name).record(Self.gaugeValue(.stopped))
                self.logger.error("channel stopped: fix its configuration and restart", metadata: ["channel": "\(name)", "error": "\(reason)"])
                return
            case .rateLimited(let until, _):
                delay = .milliseconds(Int64(max(0, until.timeIntervalSince(now)) * 1000))
            case .retry(let after, _):
                delay = after
            case .paused(let until, let reason):
                self.status.paused(name, reason: reason, until: until)
                self.metrics.channelState(name).record(Self.gaugeValue(.paused))
                self.logger.notice("channel paused", metadata: ["channel": "\(name)", "reason": "\(reason)", "until": "\(WireDate.format(until))"])
                do { try await Task.sleep(for: .milliseconds(Int64(max(0, until.timeIntervalSinceNow) * 1000))) } catch { break attempt }
                continue attempt
            case .transient:
                delay = backoff.next()
            }
            self.onRetry(name, delay)
            let retryAt = now.addingTimeInterval(Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            self.status.failed(name, error: failure.description, retryAt: retryAt)
            self.metrics.channelState(name).record(Self.gaugeValue(.failing))
            self.logger.warning(
                "channel failing; retrying", metadata: ["channel": "\(name)", "error": "\(failure)", "retryAt": "\(WireDate.format(retryAt))"])
            do { try await Task.sleep(for: delay) } catch { break }
        }
    }

    /// Commits one batch and its cursor together; the source is healthy once it has (an empty batch without a
    /// cursor only says so). A post the wall can't show (empty text…) is skipped with a log line, never the batch.
    func commit(_ batch: SourceBatch, from name: String) async throws {
        let now = Date()
        var prepared: [PreparedPost] = []
        for post in batch.posts {
            do {
                prepared.append(try PreparedPost(post, receivedAt: now))
            } catch {
                self.logger.warning("post skipped", metadata: ["channel": "\(name)", "id": "\(post.id)", "error": "\(error)"])
            }
        }
        if !prepared.isEmpty || batch.cursor != nil {
            _ = try await self.intake.accept(prepared, channelName: name, channelState: batch.cursor.map { [(Self.cursorKey, $0)] } ?? [])
            self.metrics.channelPosts(name).increment(by: Int64(prepared.count))
        }
        self.set(name, .running)
    }

    private func set(_ name: String, _ state: ChannelStatusBoard.State) {
        if state == .running { self.status.healthy(name) } else { self.status.set(name, state) }
        self.metrics.channelState(name).record(Self.gaugeValue(state))
    }

    /// The state gauge's values: 0 starting, 1 running, 2 failing, 3 stopped, 4 paused.
    static func gaugeValue(_ state: ChannelStatusBoard.State) -> Int {
        switch state {
        case .starting: 0
        case .running: 1
        case .failing: 2
        case .stopped: 3
        case .paused: 4
        }
    }
}

/// Whether a source delivered anything in its current run.
final class DeliveryFlag: Sendable {
    private let delivered = Mutex(false)
    func set() { self.delivered.withLock { $0 = true } }
    var value: Bool { self.delivered.withLock { $0 } }
}
