import Foundation
import HashwallChannels
import HashwallCore
import HashwallServer
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle

/// The wall, assembled: journal, hub, intake, channels and the HTTP server, as one Hummingbird application
/// whose services start in that order and stop in reverse (the server first, so open streams end at once).
///
/// Used by the executable and by the end-to-end tests alike.
/// - Throws: ``JournalError`` when the database can't be opened; nothing is bound then.
func buildApplication(
    _ config: HashwallConfig, secrets: Secrets, logger: Logger,
    onServerRunning: @escaping @Sendable (_ port: Int, _ stagePath: String) async -> Void = { _, _ in }
) async throws -> some ApplicationProtocol {
    let registry = PrometheusCollectorRegistry()
    let metrics = WallMetrics(factory: PrometheusMetricsFactory(registry: registry))
    let status = ChannelStatusBoard()
    let hubLimits = EventHub.Limits(
        replayWindow: config.server.replayWindow, clientQueue: config.server.clientQueue,
        heartbeat: .milliseconds(Int64(config.server.heartbeatSeconds * 1000)))
    let hubs = WallHubs(
        wall: EventHub(name: "wall", limits: hubLimits, metrics: metrics, logger: logger),
        projector: EventHub(name: "projector", limits: hubLimits, metrics: metrics, logger: logger),
        moderators: EventHub(name: "moderators", limits: hubLimits, metrics: metrics, logger: logger))
    let path = config.storage.path
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let journal = try Journal(path: path, synchronous: config.storage.synchronous, hubs: hubs, metrics: metrics, logger: logger)
    let limits = StoreLimits(maxPosts: config.storage.maxPosts, maxRememberedKeys: config.storage.maxRememberedKeys)
    let intake = try Intake(
        journal: journal, hubs: hubs, limits: limits, settings: config.moderationSettings, metrics: metrics, status: status)
    status.set("api", .running)
    let (accounts, _) = secrets.moderatorAccounts(config.moderation.moderators)
    var (smsHooks, _) = secrets.smsHooks(config)
    var smsServices: [any Service] = []
    if smsHooks.vonage != nil {
        let assembler = try VonageAssembler(journal: journal, intake: intake, rules: smsHooks.rules)
        smsHooks.vonageAssembler = assembler
        smsServices.append(assembler)
    }
    let email = secrets.email(config, logger: logger)
    let webhooks = smsHooks.channels + email.webhooks
    for channel in webhooks {
        status.set(channel.name, .running)
    }

    var sources: [any PulledSource] = []
    if config.channels.demo.enabled {
        sources.append(DemoSource(samples: try DemoSample.bundled(), interval: .milliseconds(Int64(config.channels.demo.intervalSeconds * 1000))))
    }
    if let imap = email.imap { sources.append(imap) }
    // A post deleted at its source leaves the wall (hidden, with the reason in the audit; a moderator may show it).
    sources +=
        secrets.mastodon(config, logger: logger) { id in
            _ = try? await intake.moderate(id, .hide, by: "Mastodon (deleted by its author)")
        }.sources
    if let bluesky = secrets.bluesky(
        config, logger: logger, remove: { id in _ = try? await intake.moderate(id, .hide, by: "Bluesky (deleted by its author)") })
    {
        sources.append(bluesky)
    }
    if let x = secrets.x(
        config, logger: logger,
        report: { usage in status.setReads("x", .init(today: usage.today, thisMonth: usage.thisMonth, maxPerDay: usage.maxPerDay)) }
    ).source {
        sources.append(x)
    }
    let supervisor = ChannelSupervisor(sources: sources, intake: intake, journal: journal, status: status, metrics: metrics, logger: logger)
    var services: [any Service] = [journal] + hubs.all + [ProjectorRelease(intake: intake)] + smsServices + [supervisor]
    var fanout: NchanPublisher?
    if config.fanout.nchan.enabled {
        let publisher = NchanPublisher(
            publishURL: config.fanout.nchan.publishURL, maxBacklog: config.fanout.nchan.maxBacklog, metrics: metrics, logger: logger)
        publisher.attach(to: hubs)
        services.append(publisher)
        fanout = publisher
    }
    if let days = config.storage.retentionDays { services.append(ContactRetention(intake: intake, days: days, logger: logger)) }

    let publicOrigin = config.server.publicURL.flatMap(URL.init(string:)).flatMap { url -> String? in
        guard let scheme = url.scheme, let host = url.host else { return nil }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }
    let logo = config.wall.logo.flatMap { try? LogoFile.load(path: $0).get() }  // validated before start-up
    let server = WallServer(
        intake: intake, hubs: hubs, moderators: ModeratorAccounts(accounts), publicOrigin: publicOrigin, status: status, registry: registry,
        ingestToken: secrets.ingestToken,
        settings: config.wallSettings(hasLogo: logo != nil),
        retryMilliseconds: config.server.sseRetryMilliseconds, webhooks: webhooks, metrics: metrics, logo: logo,
        addresses: ClientAddresses(trustedProxies: config.server.trustedProxies),
        streams: StreamAdmission(perAddress: config.server.maxStreamsPerAddress, total: config.server.maxStreams),
        media: MediaCache(directory: config.mediaCacheDirectory, userAgent: Secrets.userAgent(config), logger: logger), fanout: fanout)
    return Application(
        router: server.router(),
        server: .streamingHTTP1(
            configuration: .init(idleTimeout: .milliseconds(Int64(config.server.idleTimeoutSeconds * 1000))), server: server),
        configuration: .init(address: .hostname(config.server.host, port: config.server.port), serverName: "hashwall"),
        services: services,
        onServerRunning: { channel in
            // Open streams are not tasks of the server, which would otherwise wait for them when it stops: they
            // end (cleanly, each response completed) as soon as its graceful shutdown begins. This task inherits
            // the server's shutdown signal.
            Task {
                try? await gracefulShutdown()
                hubs.endStreams()
            }
            await onServerRunning(channel.localAddress?.port ?? config.server.port, "/stage/" + intake.stageKey)
        },
        logger: logger)
}

extension HashwallConfig {
    /// What the pages are told of the event (`GET /api/wall`), and the archive's title and language.
    func wallSettings(hasLogo: Bool) -> WallSettings {
        WallSettings(
            title: self.wall.title, hashtags: self.event.hashtags.map(Hashtags.fold),
            howToContribute: self.wall.howToContribute, theme: self.wall.theme, language: self.wall.language,
            followerURL: self.server.publicURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" }, accentColor: self.wall.accentColor,
            logoURL: hasLogo ? "/logo" : nil, privacyNotice: self.wall.privacyNotice)
    }

    /// The picture cache: `media-cache/` beside the database.
    var mediaCacheDirectory: String {
        URL(fileURLWithPath: self.storage.path).deletingLastPathComponent().path + "/media-cache"
    }
}
