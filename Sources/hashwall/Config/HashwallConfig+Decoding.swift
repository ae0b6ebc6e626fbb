import Foundation

extension HashwallConfig {
    /// Reads and decodes the file at `path`.
    /// - Throws: ``ConfigError`` naming the field for a value of the wrong type, or the file for unreadable JSON.
    static func load(path: String) throws -> (HashwallConfig, warnings: [String]) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(problems: ["\(path): cannot be read (\(error.localizedDescription))"])
        }
        return try Self.decode(data, source: path)
    }

    static func decode(_ data: Data, source: String) throws -> (HashwallConfig, warnings: [String]) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ConfigError(problems: ["\(source): is not valid JSON (\(error.localizedDescription))"])
        }
        do {
            // Every key may be left out: the file is laid over the defaults, then decoded.
            let defaults = try JSONSerialization.jsonObject(with: JSONEncoder().encode(HashwallConfig()))
            let merged = try JSONSerialization.data(withJSONObject: Self.overlay(object, on: defaults))
            let config = try JSONDecoder().decode(HashwallConfig.self, from: merged)
            return (config, Self.unknownKeys(in: object, known: Self.knownKeys, path: ""))
        } catch let error as DecodingError {
            throw ConfigError(problems: [Self.describe(error)])
        }
    }

    /// `top` laid over `base`: objects merge key by key, anything else in `top` wins.
    private static func overlay(_ top: Any, on base: Any) -> Any {
        guard var base = base as? [String: Any], let top = top as? [String: Any] else { return top }
        for (key, value) in top {
            base[key] = base[key].map { Self.overlay(value, on: $0) } ?? value
        }
        return base
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)): must be \(Self.kind(of: type))"
        case .valueNotFound(let type, let context): return "\(path(context.codingPath)): must be \(Self.kind(of: type)), not null"
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): is required"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String].Type: "a list of strings"
        default: "an object"
        }
    }

    /// The keys this version understands, as a tree; anything else is named in a start-up warning.
    /// A leaf is `[:]`; `["*": …]` would accept any key.
    private static var knownKeys: [String: Any] {
        [
            "event": ["name": [:], "hashtags": [:]] as [String: Any],
            "server": [
                "host": [:], "port": [:], "publicURL": [:], "idleTimeoutSeconds": [:], "sseRetryMilliseconds": [:],
                "heartbeatSeconds": [:], "replayWindow": [:], "clientQueue": [:], "maxStreamsPerAddress": [:], "maxStreams": [:],
                "trustedProxies": [:],
            ] as [String: Any],
            "channels": [
                "demo": ["enabled": [:], "intervalSeconds": [:]] as [String: Any],
                "sms": [
                    "enabled": [:], "namePrefix": [:], "requiredKeyword": [:], "optOutWords": [:], "defaultCountryCode": [:],
                    "twilio": ["*": [:]] as [String: Any], "vonage": ["*": [:]] as [String: Any], "smssync": ["*": [:]] as [String: Any],
                    "android": ["*": [:]] as [String: Any],
                ] as [String: Any],
                "mastodon": [
                    "enabled": [:], "instances": [:], "pollSeconds": [:], "showBots": [:], "showUndiscoverable": [:], "optOutHashtag": [:],
                ] as [String: Any],
                "bluesky": [
                    "enabled": [:], "jetstreamURL": [:], "appviewURL": [:], "serviceURL": [:], "identifier": [:], "optOutHashtag": [:],
                ] as [String: Any],
                "x": [
                    "enabled": [:], "apiURL": [:], "mode": [:], "pollSeconds": [:], "retweets": [:], "maxReadsPerDay": [:], "stallSeconds": [:],
                ] as [String: Any],
                "email": [
                    "enabled": [:], "requiredKeyword": [:],
                    "imap": ["enabled": [:], "url": [:], "user": [:], "pollSeconds": [:]] as [String: Any],
                    "mailgun": ["enabled": [:]] as [String: Any], "sendgrid": ["enabled": [:]] as [String: Any],
                    "postmark": ["enabled": [:]] as [String: Any],
                ] as [String: Any],
            ] as [String: Any],
            "moderation": [
                "mode": [:], "channelModes": [:], "blocklist": [:], "trusted": [:], "projectorDelaySeconds": [:], "floodLimitPerMinute": [:],
                "moderators": [:],
            ] as [String: Any],
            "storage": ["path": [:], "synchronous": [:], "maxPosts": [:], "maxRememberedKeys": [:], "retentionDays": [:]] as [String: Any],
            "wall": [
                "title": [:], "howToContribute": [:], "theme": [:], "language": [:], "accentColor": [:], "logo": [:], "privacyNotice": [:],
            ] as [String: Any],
            "log": ["level": [:]] as [String: Any],
            "fanout": ["nchan": ["enabled": [:], "publishURL": [:], "maxBacklog": [:]] as [String: Any]] as [String: Any],
        ]
    }

    private static func unknownKeys(in object: Any, known: [String: Any], path: String) -> [String] {
        guard let dictionary = object as? [String: Any], !known.isEmpty else { return [] }
        var warnings: [String] = []
        for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            if key.hasPrefix("_") || key.hasPrefix("$") { continue }  // comments such as "_comment"
            if known["*"] != nil { continue }  // a gateway's own keys are free (DESIGN.md)
            guard let subtree = known[key] as? [String: Any] else {
                warnings.append("\(keyPath): unknown key, ignored")
                continue
            }
            warnings += Self.unknownKeys(in: value, known: subtree, path: keyPath)
        }
        return warnings
    }
}

/// Configuration problems, every one named by its path; start-up prints them all and exits before binding.
struct ConfigError: Error, CustomStringConvertible {
    var problems: [String]
    var description: String { "invalid configuration:\n" + self.problems.map { "  - \($0)" }.joined(separator: "\n") }
}
