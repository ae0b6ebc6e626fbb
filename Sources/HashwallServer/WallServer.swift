import HashwallChannels
import HashwallCore
import Hummingbird
import Prometheus

/// Everything the HTTP side needs from the rest of the wall.
public struct WallServer: Sendable {
    public var intake: Intake
    public var hubs: WallHubs
    public var moderators: ModeratorAccounts
    /// `server.publicURL`'s origin, accepted by the moderation Origin check besides the Host header.
    public var publicOrigin: String?
    public var status: ChannelStatusBoard
    public var registry: PrometheusCollectorRegistry
    public var ingestToken: String
    public var settings: WallSettings
    public var logo: LogoFile?
    public var retryMilliseconds: Int
    /// Every enabled webhook channel, mounted under `/hooks/`.
    public var webhooks: [any WebhookChannel]
    public var metrics: WallMetrics
    /// Whose requests are whose (`server.trustedProxies`), and how many event streams each may hold open.
    public var addresses: ClientAddresses
    public var streams: StreamAdmission
    /// Where pictures are cached; `nil`: no `/media` route.
    public var media: MediaCache?
    /// The fan-out to Nchan edges, when enabled (its state on `/healthz`).
    public var fanout: NchanPublisher?
    /// Failed token guesses per address, for every route that takes a token.
    let failures = AuthFailureLimiter()
    /// `POST /api/ingest`, for the router and for fresh connections (``StreamingHTTP1Channel``).
    public let ingest: IngestEndpoint

    public init(
        intake: Intake, hubs: WallHubs, moderators: ModeratorAccounts, publicOrigin: String?, status: ChannelStatusBoard,
        registry: PrometheusCollectorRegistry, ingestToken: String,
        settings: WallSettings, retryMilliseconds: Int = 3000, webhooks: [any WebhookChannel] = [], metrics: WallMetrics = .discarding,
        logo: LogoFile? = nil,
        addresses: ClientAddresses = ClientAddresses(), streams: StreamAdmission = StreamAdmission(), media: MediaCache? = nil,
        fanout: NchanPublisher? = nil
    ) {
        self.fanout = fanout
        self.ingest = IngestEndpoint(intake: intake, token: ingestToken, failures: self.failures, addresses: addresses)
        self.media = media
        self.addresses = addresses
        self.streams = streams
        self.logo = logo
        self.metrics = metrics
        self.webhooks = webhooks
        self.intake = intake
        self.hubs = hubs
        self.moderators = moderators
        self.publicOrigin = publicOrigin
        self.status = status
        self.registry = registry
        self.ingestToken = ingestToken
        self.settings = settings
        self.retryMilliseconds = retryMilliseconds
    }

    /// The public streams (`/events`), for the router and for the connections that ask for one first thing
    /// (``StreamingHTTP1Channel``).
    public var eventStreams: EventStreams {
        EventStreams(hubs: self.hubs, retryMilliseconds: self.retryMilliseconds, admission: self.streams, addresses: self.addresses)
    }

    /// The router with every route of the public contract (DESIGN.md) that exists so far.
    public func router() -> Router<HashwallRequestContext> {
        let router = Router(context: HashwallRequestContext.self)
        let failures = self.failures
        // The public stream comes before the middlewares, which Hummingbird applies only to routes added after
        // them: each would keep one more async frame (about 1 KiB) suspended under every open stream, and this
        // route sets the security headers itself and throws nothing for the error middleware to turn into JSON.
        EventStreamRoute(streams: self.eventStreams).add(to: router)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: APIErrorMiddleware())
        PostRoutes(intake: self.intake, ingest: self.ingest).add(to: router)
        ModerationRoutes(
            intake: self.intake, hubs: self.hubs, accounts: self.moderators, publicOrigin: self.publicOrigin,
            retryMilliseconds: self.retryMilliseconds, failures: failures, addresses: self.addresses, media: self.media,
            settings: self.settings, fanout: self.fanout
        ).add(to: router)
        HealthRoutes(intake: self.intake, hubs: self.hubs, status: self.status, registry: self.registry, fanout: self.fanout).add(to: router)
        WallRoutes(settings: self.settings, logo: self.logo).add(to: router)
        HookRoutes(intake: self.intake, channels: self.webhooks, status: self.status, metrics: self.metrics).add(to: router)
        if let media = self.media { MediaRoutes(intake: self.intake, cache: media).add(to: router) }
        StageRoutes(intake: self.intake, hubs: self.hubs, retryMilliseconds: self.retryMilliseconds).add(to: router)
        AnnouncementRoutes(intake: self.intake).add(to: router)
        PageRoutes().add(to: router)
        return router
    }
}
