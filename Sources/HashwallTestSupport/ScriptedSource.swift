import Foundation
import HashwallChannels
import HashwallCore
import Synchronization

/// A ``PulledSource`` for tests that plays a script: one list of steps per run (the first run plays the first
/// list, a restart the next). It records the cursor and the time of each start. When a run's steps are played, or
/// the runs are all used, it waits, as a connected stream with nothing to say, until cancelled.
public final class ScriptedSource: PulledSource, Sendable {
    public enum Step: Sendable {
        /// Hands over a batch.
        case deliver([IncomingPost], cursor: Data?)
        /// Fails the run with this error.
        case fail(SourceError)
        /// Fails the run with an error that is not a ``SourceError`` (a bug, a library's error).
        case crash(String)
        /// Returns from the run, as a source must not.
        case finish
        /// Waits until cancelled, as a stream that hangs.
        case hang
    }

    struct Crash: Error, CustomStringConvertible { var description: String }

    public let name: String
    private let state:
        Mutex<(runs: [[Step]], cursors: [Data?], starts: [ContinuousClock.Instant], dates: [Date], failures: [ContinuousClock.Instant])>

    public init(name: String, runs: [[Step]]) {
        self.name = name
        self.state = Mutex((runs, [], [], [], []))
    }

    /// The cursor each run started from, in order.
    public var cursors: [Data?] { self.state.withLock { $0.cursors } }
    /// When each run started.
    public var starts: [ContinuousClock.Instant] { self.state.withLock { $0.starts } }
    /// When each run that failed failed (its error thrown), in order.
    public var failures: [ContinuousClock.Instant] { self.state.withLock { $0.failures } }
    /// When each run started, by the wall clock (to compare with an upstream's reset time).
    public var startDates: [Date] { self.state.withLock { $0.dates } }

    public func run(from cursor: Data?, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        let steps = self.state.withLock { state -> [Step] in
            state.cursors.append(cursor)
            state.starts.append(.now)
            state.dates.append(Date())
            return state.runs.isEmpty ? [] : state.runs.removeFirst()
        }
        for step in steps {
            switch step {
            case .deliver(let posts, let cursor): try await deliver(SourceBatch(posts: posts, cursor: cursor))
            case .fail(let error):
                self.state.withLock { $0.failures.append(.now) }
                throw error
            case .crash(let reason):
                self.state.withLock { $0.failures.append(.now) }
                throw Crash(description: reason)
            case .finish: return
            case .hang: break
            }
            if case .hang = step { break }
        }
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
