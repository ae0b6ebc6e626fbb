import Hummingbird
import NIOCore

/// The request context of every Hashwall route: Hummingbird's basic one, our body limit, the client's address
/// (for login rate limits) and, once authenticated, the moderator's name.
public struct HashwallRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, as the socket says (not from headers, which anyone can write).
    public let clientAddress: String
    /// The connection: `/events` writes its frames straight into it, on its event loop.
    public let channel: any Channel
    /// Set by ``ModeratorAuthMiddleware`` for moderation routes.
    public var moderator: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// No request body we accept is larger: `/api/ingest` answers 413 beyond it.
    public var maxUploadSize: Int { Self.maxBody }
    static let maxBody = 64 * 1024
}
