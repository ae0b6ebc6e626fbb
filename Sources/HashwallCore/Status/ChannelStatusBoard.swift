import Foundation
import Synchronization

/// Each channel's state, as `/healthz` and the consoles show it. Channels write, the server reads.
public final class ChannelStatusBoard: Sendable {
    public enum State: String, Sendable, Codable {
        case starting, running, failing, stopped
        /// Stopped on purpose for a while (a read budget reached), started again at `nextRetryAt`.
        case paused
    }

    /// What a paid channel read (X): tweets today and this month (UTC), and the day's budget when one is set.
    public struct Reads: Sendable, Encodable, Equatable {
        public var today: Int
        public var thisMonth: Int
        public var maxPerDay: Int?

        public init(today: Int, thisMonth: Int, maxPerDay: Int?) {
            self.today = today
            self.thisMonth = thisMonth
            self.maxPerDay = maxPerDay
        }

        enum CodingKeys: String, CodingKey { case today, thisMonth, maxPerDay }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.today, forKey: .today)
            try container.encode(self.thisMonth, forKey: .thisMonth)
            try container.encode(self.maxPerDay, forKey: .maxPerDay)
        }
    }

    /// One channel's state, its counts and its last error (never a secret, never a phone number).
    public struct Status: Sendable, Encodable, Equatable {
        public var state: State
        public var posts: Int = 0
        public var lastPostAt: Date?
        public var lastError: String?
        public var errors: Int = 0
        /// Requests refused for a bad or missing signature (webhooks).
        public var signatureFailures: Int = 0
        /// Times a pulled channel started again after a failure.
        public var reconnects: Int = 0
        /// When a failing channel tries again (while it backs off).
        public var nextRetryAt: Date?
        /// Paid reads (X only).
        public var reads: Reads?

        enum CodingKeys: String, CodingKey { case state, posts, lastPostAt, lastError, errors, signatureFailures, reconnects, nextRetryAt, reads }

        /// Dates as the rest of the API writes them (ISO 8601), absent values as `null`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.state, forKey: .state)
            try container.encode(self.posts, forKey: .posts)
            try container.encode(self.lastPostAt.map(WireDate.format), forKey: .lastPostAt)
            try container.encode(self.lastError, forKey: .lastError)
            try container.encode(self.errors, forKey: .errors)
            try container.encode(self.signatureFailures, forKey: .signatureFailures)
            try container.encode(self.reconnects, forKey: .reconnects)
            try container.encode(self.nextRetryAt.map(WireDate.format), forKey: .nextRetryAt)
            try container.encodeIfPresent(self.reads, forKey: .reads)
        }
    }

    private let statuses = Mutex<[String: Status]>([:])

    public init() {}

    /// Sets a channel's state; `error` is recorded (and counted) when given.
    public func set(_ channel: String, _ state: State, error: String? = nil) {
        self.statuses.withLock { statuses in
            var status = statuses[channel] ?? Status(state: state)
            status.state = state
            if let error {
                status.lastError = error
                status.errors += 1
            }
            statuses[channel] = status
        }
    }

    /// Counts a request refused for its signature (also an error).
    public func recordSignatureFailure(_ channel: String, _ problem: String) {
        self.statuses.withLock { statuses in
            var status = statuses[channel] ?? Status(state: .running)
            status.signatureFailures += 1
            status.errors += 1
            status.lastError = problem
            statuses[channel] = status
        }
    }

    /// Counts `count` posts accepted from `channel`.
    public func recordPosts(_ channel: String, count: Int = 1, at date: Date) {
        guard count > 0 else { return }
        self.statuses.withLock { statuses in
            var status = statuses[channel] ?? Status(state: .running)
            status.posts += count
            status.lastPostAt = date
            statuses[channel] = status
        }
    }

    /// A pulled channel failed with `error` and tries again at `retryAt` (`nil`: never, for a fatal error: `stopped`).
    public func failed(_ channel: String, error: String, retryAt: Date?) {
        self.statuses.withLock { statuses in
            var status = statuses[channel] ?? Status(state: .failing)
            status.state = retryAt == nil ? .stopped : .failing
            status.lastError = error
            status.errors += 1
            status.nextRetryAt = retryAt
            statuses[channel] = status
        }
    }

    /// A pulled channel stopped on purpose until `until` (its `reason` shown as `lastError`, not counted as an error).
    public func paused(_ channel: String, reason: String, until: Date) {
        self.statuses.withLock { statuses in
            var status = statuses[channel] ?? Status(state: .paused)
            status.state = .paused
            status.lastError = reason
            status.nextRetryAt = until
            statuses[channel] = status
        }
    }

    /// A paid channel's reads now.
    public func setReads(_ channel: String, _ reads: Reads) {
        self.statuses.withLock { statuses in
            var status = statuses[channel] ?? Status(state: .starting)
            status.reads = reads
            statuses[channel] = status
        }
    }

    /// A pulled channel starts again after a failure.
    public func reconnecting(_ channel: String) {
        self.statuses.withLock { statuses in
            var status = statuses[channel] ?? Status(state: .starting)
            status.reconnects += 1
            status.nextRetryAt = nil
            statuses[channel] = status
        }
    }

    /// A channel works (again): `running`, its last error cleared.
    public func healthy(_ channel: String) {
        self.statuses.withLock { statuses in
            var status = statuses[channel] ?? Status(state: .running)
            status.state = .running
            status.lastError = nil
            status.nextRetryAt = nil
            statuses[channel] = status
        }
    }

    /// Every channel's status now.
    public var snapshot: [String: Status] { self.statuses.withLock { $0 } }
}
