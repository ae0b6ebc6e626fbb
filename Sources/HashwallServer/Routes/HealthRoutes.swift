import HashwallCore
import Hummingbird
import NIOCore
import Prometheus

/// `GET /healthz` (liveness and each channel's state, JSON) and `GET /metrics` (Prometheus text).
struct HealthRoutes {
    let intake: Intake
    let hubs: WallHubs
    let status: ChannelStatusBoard
    let registry: PrometheusCollectorRegistry
    let fanout: NchanPublisher?

    func add(to router: Router<HashwallRequestContext>) {
        router.get("healthz", use: self.health)
        router.get("metrics", use: self.metrics)
    }

    struct Health: Encodable {
        var status = "ok"
        var posts: Int
        var lastEventId: String
        /// Open event streams: followers' and projectors' (`/events`) and moderators'.
        var sseClients: Int
        var channels: [String: ChannelStatusBoard.Status]
        /// The fan-out to Nchan edges, when enabled.
        var fanout: NchanPublisher.Status?
    }

    @Sendable func health(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        JSONBody.response(
            Health(
                posts: await self.intake.count, lastEventId: String(self.hubs.wall.lastEvent),
                sseClients: self.hubs.all.map(\.clientCount).reduce(0, +),
                channels: self.status.snapshot, fanout: self.fanout?.status))
    }

    @Sendable func metrics(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        var bytes: [UInt8] = []
        self.registry.emit(into: &bytes)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
