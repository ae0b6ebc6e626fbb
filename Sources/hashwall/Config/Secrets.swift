import Foundation
import HashwallChannels
import HashwallCore
import HashwallServer
import Logging

/// Tokens from the environment, or random ones made at start-up (and printed, so the organiser can use them).
struct Secrets: Sendable, Equatable {
    var ingestToken: String
    var moderatorToken: String
    /// Which tokens were made up here rather than read from the environment.
    var generated: Set<String> = []
    /// Named moderators' tokens, by environment variable.
    var named: [String: String] = [:]

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Secrets {
        var generated: Set<String> = []
        func token(_ name: String) -> String {
            if let value = environment[name], !value.isEmpty { return value }
            generated.insert(name)
            return Secret.random()
        }
        let ingest = token("HASHWALL_INGEST_TOKEN")
        let moderator = token("HASHWALL_MODERATOR_TOKEN")
        let named = environment.filter { $0.key.hasPrefix("HASHWALL_") && !$0.value.isEmpty }
        return Secrets(ingestToken: ingest, moderatorToken: moderator, generated: generated, named: named)
    }

    /// The SMS webhooks the configuration enables, with their secrets; a problem for each required secret missing.
    func smsHooks(_ config: HashwallConfig) -> (hooks: SMSHooks, problems: [String]) {
        let sms = config.channels.sms
        let rules = SMSRules(namePrefix: sms.namePrefix, requiredKeyword: sms.requiredKeyword, optOutWords: sms.optOutWords)
        var hooks = SMSHooks(rules: rules)
        var problems: [String] = []
        guard sms.enabled else { return (hooks, problems) }
        if sms.twilio.enabled {
            if let token = self.named["HASHWALL_TWILIO_AUTH_TOKEN"] {
                hooks.twilio = TwilioWebhook(authToken: token, defaultCountryCode: sms.defaultCountryCode)
                hooks.twilioURL = config.server.publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }.map { $0 + "/hooks/sms/twilio" }
            } else {
                problems.append("channels.sms.twilio.enabled: HASHWALL_TWILIO_AUTH_TOKEN must be set in the environment")
            }
        }
        if sms.smssync.enabled {
            if let secret = self.named["HASHWALL_SMSSYNC_SECRET"] {
                hooks.smsSync = SMSSyncWebhook(secret: secret, defaultCountryCode: sms.defaultCountryCode)
            } else {
                problems.append("channels.sms.smssync.enabled: HASHWALL_SMSSYNC_SECRET must be set in the environment")
            }
        }
        if sms.twilio.enabled, sms.twilio.thankYou == true {
            hooks.twilioThankYou =
                sms.twilio.thankYouText
                ?? (config.wall.language == "en" ? "Thanks! Your message is on the wall." : "Merci ! Votre message est sur le mur.")
        }
        if sms.vonage.enabled {
            hooks.vonage = VonageWebhook(
                signatureSecret: self.named["HASHWALL_VONAGE_SIGNATURE_SECRET"],
                method: sms.vonage.signatureMethod.flatMap(VonageWebhook.Method.init(rawValue:)) ?? .md5hash,
                defaultCountryCode: sms.defaultCountryCode)
        }
        if sms.android.enabled {
            hooks.android = AndroidGatewayWebhook(
                signingKey: self.named["HASHWALL_ANDROID_SMS_SIGNING_KEY"], defaultCountryCode: sms.defaultCountryCode)
        }
        return (hooks, problems)
    }

    /// The email channel the configuration enables: its IMAP source and its webhooks, with their secrets; a problem
    /// for each required secret missing.
    func email(_ config: HashwallConfig, logger: Logger) -> (imap: IMAPSource?, webhooks: [any WebhookChannel], problems: [String]) {
        let email = config.channels.email
        guard email.enabled else { return (nil, [], []) }
        let rules = EmailRules(requiredKeyword: email.requiredKeyword, anonymousName: config.wall.language == "en" ? "Email" : "E-mail")
        var problems: [String] = []
        var imap: IMAPSource?
        if email.imap.enabled {
            if let password = self.named["HASHWALL_IMAP_PASSWORD"] {
                if let server = IMAPServer(url: email.imap.url, user: email.imap.user, password: password) {
                    imap = IMAPSource(
                        server: server, rules: rules, pollInterval: .milliseconds(Int64(email.imap.pollSeconds * 1000)), logger: logger)
                }  // else: the URL is named by validate()
            } else {
                problems.append("channels.email.imap.enabled: HASHWALL_IMAP_PASSWORD must be set in the environment")
            }
        }
        var webhooks: [any WebhookChannel] = []
        func secret(_ enabled: Bool, _ key: String, _ variable: String, _ make: (String) -> any WebhookChannel) {
            guard enabled else { return }
            if let value = self.named[variable] {
                webhooks.append(make(value))
            } else {
                problems.append("channels.email.\(key).enabled: \(variable) must be set in the environment")
            }
        }
        secret(email.mailgun.enabled, "mailgun", "HASHWALL_MAILGUN_SIGNING_KEY") { MailgunChannel(signingKey: $0, rules: rules) }
        secret(email.sendgrid.enabled, "sendgrid", "HASHWALL_SENDGRID_WEBHOOK_PASSWORD") { SendGridChannel(password: $0, rules: rules) }
        secret(email.postmark.enabled, "postmark", "HASHWALL_POSTMARK_WEBHOOK_PASSWORD") { PostmarkChannel(password: $0, rules: rules) }
        return (imap, webhooks, problems)
    }

    /// The Mastodon servers the configuration follows, each with its token when `tokenEnv` names one; a problem for
    /// each `tokenEnv` not set in the environment.
    func mastodon(
        _ config: HashwallConfig, logger: Logger, remove: @escaping @Sendable (PostID) async -> Void
    ) -> (sources: [MastodonSource], problems: [String]) {
        let mastodon = config.channels.mastodon
        guard mastodon.enabled else { return ([], []) }
        let rules = MastodonRules(
            hashtags: config.event.hashtags, optOutHashtag: mastodon.optOutHashtag, showBots: mastodon.showBots,
            showUndiscoverable: mastodon.showUndiscoverable)
        let userAgent = Self.userAgent(config)
        var sources: [MastodonSource] = []
        var problems: [String] = []
        var hosts: Set<String> = []
        for (index, instance) in mastodon.instances.enumerated() {
            var token: String?
            if let variable = instance.tokenEnv {
                token = self.named[variable]
                if token == nil { problems.append("channels.mastodon.instances[\(index)].tokenEnv: \(variable) is not set in the environment") }
            }
            guard
                let source = MastodonSource(
                    url: instance.url, token: token, tags: config.event.hashtags, rules: rules,
                    pollInterval: .milliseconds(Int64(mastodon.pollSeconds * 1000)), userAgent: userAgent, logger: logger, remove: remove)
            else { continue }  // the URL is named by validate()
            guard hosts.insert(source.name).inserted else {
                problems.append("channels.mastodon.instances[\(index)].url: \(instance.url) is listed twice")
                continue
            }
            sources.append(source)
        }
        return (sources, problems)
    }

    /// Bluesky's Jetstream source, when the configuration enables it.
    func bluesky(_ config: HashwallConfig, logger: Logger, remove: @escaping @Sendable (PostID) async -> Void) -> BlueskySource? {
        let bluesky = config.channels.bluesky
        guard bluesky.enabled else { return nil }
        var search: BlueskySearch?
        if let identifier = bluesky.identifier, !identifier.isEmpty, let password = self.named["HASHWALL_BLUESKY_APP_PASSWORD"] {
            search = BlueskySearch(service: bluesky.serviceURL, identifier: identifier, password: password, userAgent: Self.userAgent(config))
        }
        return BlueskySource(
            jetstreamURL: bluesky.jetstreamURL, appviewURL: bluesky.appviewURL,
            rules: BlueskyRules(hashtags: config.event.hashtags, optOutHashtag: bluesky.optOutHashtag), userAgent: Self.userAgent(config),
            logger: logger, search: search, remove: remove)
    }

    /// The X channel when enabled, or the problem (the bearer token `HASHWALL_X_BEARER_TOKEN` is required).
    func x(_ config: HashwallConfig, logger: Logger, report: @escaping @Sendable (XSource.Usage) -> Void = { _ in }) -> (
        source: XSource?, problems: [String]
    ) {
        let x = config.channels.x
        guard x.enabled else { return (nil, []) }
        guard let token = self.named["HASHWALL_X_BEARER_TOKEN"], !token.isEmpty else {
            return (nil, ["channels.x.enabled: HASHWALL_X_BEARER_TOKEN is not set in the environment (the app's bearer token)"])
        }
        let source = XSource(
            apiURL: x.apiURL, token: token, hashtags: config.event.hashtags, mode: XSource.Mode(rawValue: x.mode) ?? .stream,
            pollInterval: .milliseconds(Int64(x.pollSeconds * 1000)), retweets: x.retweets, maxReadsPerDay: x.maxReadsPerDay,
            userAgent: Self.userAgent(config), silence: .milliseconds(Int64(x.stallSeconds * 1000)), logger: logger, report: report)
        return (source, [])
    }

    /// How the wall names itself to the networks it reads: Hashwall and the URL where it runs.
    static func userAgent(_ config: HashwallConfig) -> String {
        "Hashwall/1.0 (event wall; +\(config.server.publicURL ?? "https://github.com/hashwall/hashwall"))"
    }

    /// Every moderator: the default one, then those the configuration names whose variable is set.
    /// Returns the accounts and a problem for each named moderator whose variable is missing.
    func moderatorAccounts(_ moderators: [HashwallConfig.Moderation.Moderator]) -> (accounts: [ModeratorAccounts.Account], problems: [String]) {
        var accounts = [ModeratorAccounts.Account(name: "moderator", token: self.moderatorToken)]
        var problems: [String] = []
        for (index, moderator) in moderators.enumerated() {
            guard let token = self.named[moderator.tokenEnv] else {
                problems.append("moderation.moderators[\(index)].tokenEnv: \(moderator.tokenEnv) is not set in the environment")
                continue
            }
            accounts.append(.init(name: moderator.name, token: token))
        }
        return (accounts, problems)
    }
}
