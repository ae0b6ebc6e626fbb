import ArgumentParser
import Foundation
import Hummingbird
import Logging

/// `hashwall --config config.json [--host H] [--port N]`: arguments only; the wall is built by `buildApplication`.
@main
struct HashwallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hashwall", abstract: "A live multichannel wall for events: posts, SMS and emails on one screen.")

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
        guard problems.isEmpty else { Self.fail(ConfigError(problems: problems).description) }

        var logger = Logger(label: "hashwall")
        logger.logLevel = Logger.Level(rawValue: config.log.level) ?? .info
        for warning in warnings { logger.warning("configuration", metadata: ["warning": "\(warning)"]) }

        let settled = config
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(settled, secrets: secrets, logger: logger) { port in
                Self.announce(config: settled, port: port, secrets: secrets)
            }
        } catch {
            Self.fail("hashwall cannot start: \(error)")
        }
        try await app.runService()
    }

    /// Prints the URLs to open and any token made up at start-up (the organiser needs it; it is never logged).
    static func announce(config: HashwallConfig, port: Int, secrets: Secrets) {
        let host = config.server.host == "0.0.0.0" || config.server.host == "::" ? "127.0.0.1" : config.server.host
        let base = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        var lines = [
            "", "Hashwall is running.",
            "  Wall:       \(base)/",
            "  Projector:  \(base)/projector",
            "  Moderate:   \(base)/moderate",
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
