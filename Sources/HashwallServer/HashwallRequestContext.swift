import Hummingbird

/// The request context of every Hashwall route: Hummingbird's basic one with our body limit.
public struct HashwallRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// No request body we accept is larger: `/api/ingest` answers 413 beyond it.
    public var maxUploadSize: Int { 64 * 1024 }
}
