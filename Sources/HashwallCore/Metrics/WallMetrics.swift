import CoreMetrics
import Metrics

/// The core's metrics, made from the factory the server chooses (Prometheus), so that each app in a test
/// process has its own registry and nothing is bootstrapped globally.
public struct WallMetrics: Sendable {
    public let postsAccepted: [ChannelKind: Counter]
    public let duplicatesMerged: Counter
    public let repostsCounted: Counter
    /// Clients connected, per stream (`wall`, `projector`, `moderators`).
    public let sseClients: [String: Gauge]
    /// Frames handed to clients: one per event per connected client.
    public let eventsSent: Counter
    public let slowClientsDropped: Counter
    public let commitBatchSize: Recorder
    public let commitLatency: Timer
    let factory: any MetricsFactory

    /// What happened to webhook requests, per channel (`sms.twilio`, `email.mailgun`…) and outcome (`accepted`,
    /// `ignored`, `bad_signature`, `malformed`): `hashwall_webhooks_total{channel,outcome}`, and for the SMS gateways
    /// also the first series, `hashwall_sms_webhooks_total{gateway="twilio",outcome}`.
    public func webhook(channel: String, _ outcome: String) -> WebhookCounter {
        var counters = [Counter(label: "hashwall_webhooks_total", dimensions: [("channel", channel), ("outcome", outcome)], factory: self.factory)]
        if channel.hasPrefix("sms.") {
            counters.append(
                Counter(
                    label: "hashwall_sms_webhooks_total", dimensions: [("gateway", String(channel.dropFirst(4))), ("outcome", outcome)],
                    factory: self.factory))
        }
        return WebhookCounter(counters: counters)
    }

    /// Posts a channel delivered: `hashwall_channel_posts_total{channel}`.
    public func channelPosts(_ channel: String) -> Counter {
        Counter(label: "hashwall_channel_posts_total", dimensions: [("channel", channel)], factory: self.factory)
    }

    /// Failures of a channel (each retry counts): `hashwall_channel_errors_total{channel}`.
    public func channelErrors(_ channel: String) -> Counter {
        Counter(label: "hashwall_channel_errors_total", dimensions: [("channel", channel)], factory: self.factory)
    }

    /// A channel's state: 0 starting, 1 running, 2 failing, 3 stopped (`hashwall_channel_state{channel}`).
    public func channelState(_ channel: String) -> Gauge {
        Gauge(label: "hashwall_channel_state", dimensions: [("channel", channel)], factory: self.factory)
    }

    /// The fan-out to Nchan edges: events published (`hashwall_fanout_published_total`), failed attempts
    /// (`hashwall_fanout_failures_total`), resets sent after an overflow or a restart (`hashwall_fanout_resets_total`) and
    /// events waiting (`hashwall_fanout_backlog`).
    public var fanout: (published: Counter, failures: Counter, resets: Counter, backlog: Gauge) {
        (
            Counter(label: "hashwall_fanout_published_total", factory: self.factory),
            Counter(label: "hashwall_fanout_failures_total", factory: self.factory),
            Counter(label: "hashwall_fanout_resets_total", factory: self.factory),
            Gauge(label: "hashwall_fanout_backlog", factory: self.factory)
        )
    }

    /// Metrics that go nowhere, for tests of the core.
    public static var discarding: WallMetrics { WallMetrics(factory: NOOPMetricsHandler.instance) }

    public init(factory: any MetricsFactory) {
        self.factory = factory
        self.postsAccepted = Dictionary(
            uniqueKeysWithValues: ChannelKind.allCases.map {
                ($0, Counter(label: "hashwall_posts_accepted_total", dimensions: [("channel", $0.rawValue)], factory: factory))
            })
        self.duplicatesMerged = Counter(label: "hashwall_duplicates_merged_total", factory: factory)
        self.repostsCounted = Counter(label: "hashwall_reposts_counted_total", factory: factory)
        self.sseClients = Dictionary(
            uniqueKeysWithValues: ["wall", "projector", "moderators", "stage"].map {
                ($0, Gauge(label: "hashwall_sse_clients", dimensions: [("stream", $0)], factory: factory))
            })
        self.eventsSent = Counter(label: "hashwall_sse_frames_sent_total", factory: factory)
        self.slowClientsDropped = Counter(label: "hashwall_sse_slow_clients_dropped_total", factory: factory)
        self.commitBatchSize = Recorder(label: "hashwall_journal_commit_batch_size", factory: factory)
        self.commitLatency = Timer(label: "hashwall_journal_commit_duration_seconds", factory: factory)
    }
}

/// One webhook outcome, counted in every series that names it.
public struct WebhookCounter: Sendable {
    let counters: [Counter]

    public func increment() {
        for counter in self.counters { counter.increment() }
    }
}
