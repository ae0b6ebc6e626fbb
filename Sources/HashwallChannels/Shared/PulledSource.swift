import Foundation
import HashwallCore

/// A channel that fetches its posts (a poller or a stream), run by the ``ChannelSupervisor``.
///
/// `run(from:deliver:)` starts from the cursor saved with the last batch (`nil` the first time) and hands over
/// batches, each with the cursor that covers it, until it is cancelled (the wall stops) or fails. The supervisor
/// commits each batch and its cursor in one journal transaction before `deliver` returns, so a restart resumes
/// exactly after the last batch delivered: nothing twice, nothing missing. Returning is a failure like a throw
/// (a source runs until cancelled); a ``SourceError`` says how to retry.
public protocol PulledSource: Sendable {
    /// The channel's stable name on `/healthz`, in metrics and in the journal: `email.imap`, `mastodon.<host>`, `x`…
    var name: String { get }
    func run(from cursor: Data?, deliver: @Sendable (SourceBatch) async throws -> Void) async throws
}

/// Posts from a source and the cursor that covers them (`nil`: the cursor stays as it is).
public struct SourceBatch: Sendable {
    public var posts: [IncomingPost]
    public var cursor: Data?

    public init(posts: [IncomingPost], cursor: Data?) {
        self.posts = posts
        self.cursor = cursor
    }
}

/// How a source failed, which says how the supervisor retries it.
public enum SourceError: Error, Sendable, CustomStringConvertible {
    /// A network error, a 5xx, a stream cut: retried with exponential backoff and jitter.
    case transient(String)
    /// The upstream said to wait (a 429 with a reset time, `Retry-After`): retried at `until`, not before.
    case rateLimited(until: Date, String)
    /// A configuration the upstream refuses (a wrong token, a feed disabled): not retried until the wall restarts.
    case fatal(String)
    /// Retried after the delay the source chose (an upstream's documented reconnect schedule, such as X's).
    case retry(after: Duration, String)
    /// Stopped on purpose until `until` (a read budget reached): `paused`, not failing, and started again then.
    case paused(until: Date, String)

    public var description: String {
        switch self {
        case .transient(let reason), .fatal(let reason), .retry(_, let reason): reason
        case .rateLimited(let until, let reason): "\(reason) (rate-limited until \(WireDate.format(until)))"
        case .paused(let until, let reason): "\(reason) (paused until \(WireDate.format(until)))"
        }
    }
}
