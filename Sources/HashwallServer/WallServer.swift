import HashwallCore
import Hummingbird
import Prometheus

/// Everything the HTTP side needs from the rest of the wall.
public struct WallServer: Sendable {
    public var intake: Intake
    public var hub: EventHub
    public var status: ChannelStatusBoard
    public var registry: PrometheusCollectorRegistry
    public var ingestToken: String
    public var settings: WallSettings
    public var retryMilliseconds: Int

    public init(
        intake: Intake, hub: EventHub, status: ChannelStatusBoard, registry: PrometheusCollectorRegistry, ingestToken: String,
        settings: WallSettings, retryMilliseconds: Int = 3000
    ) {
        self.intake = intake
        self.hub = hub
        self.status = status
        self.registry = registry
        self.ingestToken = ingestToken
        self.settings = settings
        self.retryMilliseconds = retryMilliseconds
    }

    /// The router with every route of the public contract (DESIGN.md) that exists so far.
    public func router() -> Router<HashwallRequestContext> {
        let router = Router(context: HashwallRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: APIErrorMiddleware())
        PostRoutes(intake: self.intake, ingestToken: self.ingestToken).add(to: router)
        EventStreamRoute(hub: self.hub, retryMilliseconds: self.retryMilliseconds).add(to: router)
        HealthRoutes(intake: self.intake, hub: self.hub, status: self.status, registry: self.registry).add(to: router)
        WallRoutes(settings: self.settings).add(to: router)
        PageRoutes().add(to: router)
        return router
    }
}
