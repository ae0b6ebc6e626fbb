import ArgumentParser
import Foundation
import HashwallCore
import HashwallServer
import Hummingbird
import Logging

/// `hashwall [serve] --config config.json [--host H] [--port N]` runs the wall (built by `buildApplication`);
/// `hashwall export --config config.json --out DIR` writes the record from the database, the server stopped.
@main
struct HashwallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hashwall", abstract: "A live multichannel wall for events: posts, SMS and emails on one screen.",
        subcommands: [Serve.self, Export.self, NchanConfigCommand.self], defaultSubcommand: Serve.self)
}

/// Runs the wall (the default: `hashwall --config config.json` is `hashwall serve --config config.json`).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Runs the wall on a configuration.")

    @Option(name: .long, help: "The configuration file.")
    var config = "config.json"

    @Option(name: .long, help: "Address to listen on (overrides server.host).")
    var host: String?

    @Option(name: .long, help: "Port to listen on (overrides server.port; 0 picks a free one).")
    var port: Int?

    func run() async throws {
        var (config, warnings): (HashwallConfig, [String])
        do {
            (config, warnings) = try HashwallConfig.load(path: self.config)
        } catch let error as ConfigError {
            Self.fail(error.description)
        }
        if let host { config.server.host = host }
        if let port { config.server.port = port }
        let secrets = Secrets.fromEnvironment()
        let problems =
            config.validate() + secrets.moderatorAccounts(config.moderation.moderators).problems + secrets.smsHooks(config).problems
            + secrets.email(config, logger: Logger(label: "hashwall")).problems
            + secrets.mastodon(config, logger: Logger(label: "hashwall"), remove: { _ in }).problems
            + secrets.x(config, logger: Logger(label: "hashwall")).problems
        guard problems.isEmpty else { Self.fail(ConfigError(problems: problems).description) }

        var logger = Logger(label: "hashwall")
        logger.logLevel = Logger.Level(rawValue: config.log.level) ?? .info
        for warning in warnings { logger.warning("configuration", metadata: ["warning": "\(warning)"]) }

        let settled = config
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(settled, secrets: secrets, logger: logger) { port, stagePath in
                Self.announce(config: settled, port: port, secrets: secrets, stagePath: stagePath)
            }
        } catch {
            Self.fail("hashwall cannot start: \(error)")
        }
        try await app.runService()
    }

    /// Prints the URLs to open and any token made up at start-up (the organiser needs it; it is never logged).
    static func announce(config: HashwallConfig, port: Int, secrets: Secrets, stagePath: String) {
        let host = config.server.host == "0.0.0.0" || config.server.host == "::" ? "127.0.0.1" : config.server.host
        let base = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        var lines = [
            "", "Hashwall is running.",
            "  Wall:       \(base)/",
            "  Projector:  \(base)/projector",
            "  Moderate:   \(base)/moderate",
            "  Stage:      \(base)\(stagePath)   (the lectern's tablet: questions marked in the console; keep this link private)",
            "  Health:     \(base)/healthz",
        ]
        if let publicURL = config.server.publicURL { lines.append("  Public URL: \(publicURL)") }
        if secrets.generated.contains("HASHWALL_INGEST_TOKEN") {
            lines.append("  Ingest token (set HASHWALL_INGEST_TOKEN to choose one): \(secrets.ingestToken)")
        }
        if secrets.generated.contains("HASHWALL_MODERATOR_TOKEN") {
            lines.append("  Moderator token (set HASHWALL_MODERATOR_TOKEN to choose one): \(secrets.moderatorToken)")
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n\n").utf8))
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(78)  // EX_CONFIG
    }
}

/// `hashwall export --config PATH --out DIR`: every post from the database (the server stopped) as `posts.json`
/// (with state, moderation and the audit) and `posts.csv` (one row per post, formula cells escaped, no contact), and
/// the static archive of the visible posts in `archive/` (``StaticArchive``).
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Writes the wall's record from its database.")

    @Option(name: .long, help: "The configuration file (for storage.path).")
    var config = "config.json"

    @Option(name: .long, help: "The folder to write posts.json and posts.csv in (created if needed).")
    var out: String

    func run() async throws {
        let config: HashwallConfig
        do {
            config = try HashwallConfig.load(path: self.config).0
        } catch let error as ConfigError {
            Serve.fail(error.description)
        }
        var logger = Logger(label: "hashwall")
        logger.logLevel = .warning
        let metrics = WallMetrics.discarding
        let hubs = WallHubs(
            wall: EventHub(metrics: metrics, logger: logger), projector: EventHub(name: "projector", metrics: metrics, logger: logger),
            moderators: EventHub(name: "moderators", metrics: metrics, logger: logger))
        guard FileManager.default.fileExists(atPath: config.storage.path) else { Serve.fail("no database at \(config.storage.path)") }
        let journal = try Journal(path: config.storage.path, synchronous: config.storage.synchronous, hubs: hubs, metrics: metrics, logger: logger)
        let intake = try Intake(
            journal: journal, hubs: hubs, limits: StoreLimits(maxPosts: config.storage.maxPosts, maxRememberedKeys: config.storage.maxRememberedKeys),
            settings: config.moderationSettings, metrics: metrics, status: ChannelStatusBoard())
        let posts = try await intake.exportPosts()
        let audit = await intake.auditEntries(limit: Int.max)
        try FileManager.default.createDirectory(atPath: self.out, withIntermediateDirectories: true)
        struct Record: Encodable {
            var exportedAt: String
            var posts: [ModeratedPost]
            var audit: [AuditEntry]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(Record(exportedAt: WireDate.format(Date()), posts: posts, audit: audit))
        try json.write(to: URL(fileURLWithPath: self.out).appendingPathComponent("posts.json"))
        try Data(PostsCSV.encode(posts.map(\.stored)).utf8).write(to: URL(fileURLWithPath: self.out).appendingPathComponent("posts.csv"))
        let shown = try StaticArchive.write(
            posts: posts.filter { $0.stored.moderation.state == .visible }.map(\.stored.post), settings: config.wallSettings(hasLogo: false),
            mediaDirectory: config.mediaCacheDirectory, exportedAt: Date(), to: self.out + "/archive")
        print(
            "\(posts.count) posts written to \(self.out)/posts.json and \(self.out)/posts.csv; \(shown) shown on the wall in \(self.out)/archive/index.html"
        )
    }
}
