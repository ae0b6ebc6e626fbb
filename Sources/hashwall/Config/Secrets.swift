import Foundation

/// Tokens from the environment, or random ones made at start-up (and printed, so the organiser can use them).
struct Secrets: Sendable, Equatable {
    var ingestToken: String
    var moderatorToken: String
    /// Which tokens were made up here rather than read from the environment.
    var generated: Set<String> = []

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Secrets {
        var generated: Set<String> = []
        func token(_ name: String) -> String {
            if let value = environment[name], !value.isEmpty { return value }
            generated.insert(name)
            return Self.randomToken()
        }
        let ingest = token("HASHWALL_INGEST_TOKEN")
        let moderator = token("HASHWALL_MODERATOR_TOKEN")
        return Secrets(ingestToken: ingest, moderatorToken: moderator, generated: generated)
    }

    /// 32 random bytes from the system's generator, hex-encoded.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
