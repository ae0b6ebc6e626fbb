import Foundation
import HashwallChannels
import HashwallCore
import HashwallServer
import Logging

extension HashwallConfig {
    /// Whether `text` is a URL with one of `schemes` and a host.
    static func isURL(_ text: String, schemes: Set<String>) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { return false }
        return schemes.contains(scheme) && url.host?.isEmpty == false
    }

    /// Every problem with the values, each named by its path (`server.port: must be 1 to 65535, got 0`).
    func validate() -> [String] {
        var problems: [String] = []
        func check(_ ok: Bool, _ problem: @autoclosure () -> String) { if !ok { problems.append(problem()) } }
        check((0...65535).contains(self.server.port), "server.port: must be 0 to 65535 (0 picks a free port), got \(self.server.port)")
        check(!self.server.host.isEmpty, "server.host: must not be empty")
        if let publicURL = self.server.publicURL {
            let scheme = URL(string: publicURL)?.scheme?.lowercased()
            check(scheme == "http" || scheme == "https", "server.publicURL: must be an http or https URL, got \"\(publicURL)\"")
        }
        check(self.server.idleTimeoutSeconds > 0, "server.idleTimeoutSeconds: must be more than 0, got \(self.server.idleTimeoutSeconds)")
        check(self.server.sseRetryMilliseconds >= 100, "server.sseRetryMilliseconds: must be at least 100, got \(self.server.sseRetryMilliseconds)")
        check(self.server.heartbeatSeconds > 0, "server.heartbeatSeconds: must be more than 0, got \(self.server.heartbeatSeconds)")
        check(self.server.replayWindow >= 1, "server.replayWindow: must be at least 1, got \(self.server.replayWindow)")
        check(self.server.clientQueue >= 8, "server.clientQueue: must be at least 8, got \(self.server.clientQueue)")
        check(self.server.maxStreamsPerAddress >= 1, "server.maxStreamsPerAddress: must be at least 1, got \(self.server.maxStreamsPerAddress)")
        check(self.server.maxStreams >= 1, "server.maxStreams: must be at least 1, got \(self.server.maxStreams)")
        check(self.channels.demo.intervalSeconds > 0, "channels.demo.intervalSeconds: must be more than 0, got \(self.channels.demo.intervalSeconds)")
        check(["post", "pre"].contains(self.moderation.mode), "moderation.mode: must be \"post\" or \"pre\", got \"\(self.moderation.mode)\"")
        for (channel, mode) in self.moderation.channelModes {
            check(
                ChannelKind(rawValue: channel) != nil,
                "moderation.channelModes.\(channel): is not a channel (x, mastodon, bluesky, sms, email, api, demo)")
            check(["post", "pre"].contains(mode), "moderation.channelModes.\(channel): must be \"post\" or \"pre\", got \"\(mode)\"")
        }
        for problem in self.moderationSettings.problems() { problems.append("moderation.\(problem)") }
        for (index, moderator) in self.moderation.moderators.enumerated() {
            check(!moderator.name.isEmpty, "moderation.moderators[\(index)].name: must not be empty")
            check(!moderator.tokenEnv.isEmpty, "moderation.moderators[\(index)].tokenEnv: must name an environment variable")
        }
        check(
            self.channels.sms.defaultCountryCode.hasPrefix("+") && self.channels.sms.defaultCountryCode.dropFirst().allSatisfy(\.isNumber),
            "channels.sms.defaultCountryCode: must be + and digits, got \"\(self.channels.sms.defaultCountryCode)\"")
        if let method = self.channels.sms.vonage.signatureMethod {
            check(
                VonageWebhook.Method(rawValue: method) != nil,
                "channels.sms.vonage.signatureMethod: must be one of \(VonageWebhook.Method.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(method)\""
            )
        }
        let imap = self.channels.email.imap
        if self.channels.email.enabled, imap.enabled {
            check(
                Self.isURL(imap.url, schemes: ["imap", "imaps"]),
                "channels.email.imap.url: must be an imap:// or imaps:// URL with a host, got \"\(imap.url)\"")
            check(!imap.user.isEmpty, "channels.email.imap.user: must name the mailbox's user")
        }
        check(imap.pollSeconds >= 1, "channels.email.imap.pollSeconds: must be at least 1, got \(imap.pollSeconds)")
        if let keyword = self.channels.email.requiredKeyword {
            check(!Hashtags.fold(keyword).isEmpty, "channels.email.requiredKeyword: must not be empty")
        }
        let mastodon = self.channels.mastodon
        check(
            mastodon.pollSeconds >= 3,
            "channels.mastodon.pollSeconds: must be at least 3 (servers allow 300 paging requests in 15 minutes), got \(mastodon.pollSeconds)")
        for (index, instance) in mastodon.instances.enumerated() {
            check(
                Self.isURL(instance.url, schemes: ["http", "https"]),
                "channels.mastodon.instances[\(index)].url: must be an https:// URL such as https://mastodon.social, got \"\(instance.url)\"")
        }
        if mastodon.enabled {
            check(!mastodon.instances.isEmpty, "channels.mastodon.instances: name at least one server, e.g. [{\"url\": \"https://mastodon.social\"}]")
            check(!self.event.hashtags.isEmpty, "event.hashtags: Mastodon follows the event's hashtags: name at least one")
        }
        let bluesky = self.channels.bluesky
        if bluesky.enabled {
            check(
                Self.isURL(bluesky.jetstreamURL, schemes: ["ws", "wss"]),
                "channels.bluesky.jetstreamURL: must be a wss:// URL such as wss://jetstream2.us-east.bsky.network/subscribe, got \"\(bluesky.jetstreamURL)\""
            )
            for (key, value) in [("appviewURL", bluesky.appviewURL), ("serviceURL", bluesky.serviceURL)] {
                check(
                    Self.isURL(value, schemes: ["http", "https"]),
                    "channels.bluesky.\(key): must be an https:// URL, got \"\(value)\"")
            }
            check(!self.event.hashtags.isEmpty, "event.hashtags: Bluesky follows the event's hashtags: name at least one")
        }
        let x = self.channels.x
        if x.enabled {
            check(
                Self.isURL(x.apiURL, schemes: ["http", "https"]),
                "channels.x.apiURL: must be an https:// URL, got \"\(x.apiURL)\"")
            check(["stream", "search"].contains(x.mode), "channels.x.mode: must be \"stream\" or \"search\", got \"\(x.mode)\"")
            check(x.pollSeconds >= 2, "channels.x.pollSeconds: must be at least 2, got \(x.pollSeconds)")
            check(x.stallSeconds >= 1, "channels.x.stallSeconds: must be at least 1, got \(x.stallSeconds)")
            if let max = x.maxReadsPerDay { check(max >= 1, "channels.x.maxReadsPerDay: must be at least 1 (or absent for no limit), got \(max)") }
            check(!self.event.hashtags.isEmpty, "event.hashtags: X follows the event's hashtags: name at least one")
            let query = XRules.query(hashtags: self.event.hashtags.map { String($0.drop { $0 == "#" }) }, retweets: x.retweets)
            check(query.count <= 512, "event.hashtags: the X rule \"\(query.prefix(40))…\" is longer than X's 512 characters")
        }
        let nchan = self.fanout.nchan
        if nchan.enabled {
            check(
                Self.isURL(nchan.publishURL, schemes: ["http", "https"]),
                "fanout.nchan.publishURL: must be an edge's publisher, like http://10.0.0.5:9081/pub, got \"\(nchan.publishURL)\"")
            check(nchan.maxBacklog >= 100, "fanout.nchan.maxBacklog: must be at least 100, got \(nchan.maxBacklog)")
        }
        check(!self.storage.path.isEmpty, "storage.path: must not be empty")
        check(self.storage.maxPosts >= 10, "storage.maxPosts: must be at least 10, got \(self.storage.maxPosts)")
        check(
            self.storage.maxRememberedKeys >= self.storage.maxPosts * 4,
            "storage.maxRememberedKeys: must be at least 4 × storage.maxPosts (\(self.storage.maxPosts * 4)), got \(self.storage.maxRememberedKeys)")
        if let days = self.storage.retentionDays {
            check(days >= 1, "storage.retentionDays: must be at least 1 (or absent to keep contacts), got \(days)")
        }
        if let notice = self.wall.privacyNotice {
            check(notice.count <= 10_000, "wall.privacyNotice: must be at most 10,000 characters, got \(notice.count)")
        }
        for (index, tag) in self.event.hashtags.enumerated() {
            check(!Hashtags.fold(tag).isEmpty, "event.hashtags[\(index)]: must not be empty")
        }
        check(["dark", "light"].contains(self.wall.theme), "wall.theme: must be \"dark\" or \"light\", got \"\(self.wall.theme)\"")
        check(["fr", "en"].contains(self.wall.language), "wall.language: must be \"fr\" or \"en\", got \"\(self.wall.language)\"")
        if let accent = self.wall.accentColor {
            check(accent.wholeMatch(of: /#[0-9a-fA-F]{6}/) != nil, "wall.accentColor: must be a colour like \"#e4007c\", got \"\(accent)\"")
        }
        if let logo = self.wall.logo {
            switch LogoFile.load(path: logo) {
            case .success: break
            case .failure(let problem): problems.append("wall.logo: \(problem.reason)")
            }
        }
        check(
            Logger.Level(rawValue: self.log.level) != nil,
            "log.level: must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(self.log.level)\"")
        return problems
    }

    /// The moderation settings the file asks for (the moderators' own changes, once saved, win at start-up).
    var moderationSettings: ModerationSettings {
        ModerationSettings(
            mode: ModerationMode(rawValue: self.moderation.mode) ?? .post,
            channelModes: self.moderation.channelModes.compactMapValues(ModerationMode.init(rawValue:)),
            blocklist: Blocklist.defaultEntries + self.moderation.blocklist, trusted: self.moderation.trusted,
            projectorDelaySeconds: self.moderation.projectorDelaySeconds, floodLimitPerMinute: self.moderation.floodLimitPerMinute)
    }
}
