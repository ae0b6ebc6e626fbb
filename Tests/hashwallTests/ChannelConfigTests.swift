import Foundation
import HashwallChannels
import HashwallTestSupport
import Logging
import Testing

@testable import hashwall

/// The email and Mastodon keys of `config.json`: read over the defaults, each mistake named by its path, each
/// missing secret named by its variable.
@Suite struct ChannelConfigTests {
    @Test func emailAndMastodonKeysAreReadAndCheckedWithTheirPaths() throws {
        let json = """
            {"event": {"hashtags": ["capcomnet"]},
             "channels": {"email": {"enabled": true, "requiredKeyword": "#capcomnet",
                                    "imap": {"enabled": true, "url": "imaps://imap.example.org/INBOX", "user": "mur", "pollSeconds": 30},
                                    "mailgun": {"enabled": true}},
                          "mastodon": {"enabled": true, "instances": [{"url": "https://mastodon.social"},
                                                                      {"url": "https://piaille.fr", "tokenEnv": "HASHWALL_PIAILLE_TOKEN"}]}}}
            """
        let (config, warnings) = try HashwallConfig.decode(Data(json.utf8), source: "config.json")
        #expect(warnings.isEmpty)
        #expect(config.validate() == [])
        #expect(config.channels.email.imap.pollSeconds == 30 && config.channels.email.requiredKeyword == "#capcomnet")
        #expect(config.channels.mastodon.instances.map(\.url) == ["https://mastodon.social", "https://piaille.fr"])
        #expect(config.channels.mastodon.pollSeconds == 15 && config.channels.mastodon.optOutHashtag == "nowall")

        // Secrets: each one the configuration needs is named by its variable.
        let secrets = Secrets(ingestToken: "i", moderatorToken: "m")
        let emailProblems = secrets.email(config, logger: .init(label: "test")).problems
        #expect(
            emailProblems.contains { $0.contains("HASHWALL_IMAP_PASSWORD") } && emailProblems.contains { $0.contains("HASHWALL_MAILGUN_SIGNING_KEY") }
        )
        let mastodon = secrets.mastodon(config, logger: .init(label: "test"), remove: { _ in })
        #expect(mastodon.problems == ["channels.mastodon.instances[1].tokenEnv: HASHWALL_PIAILLE_TOKEN is not set in the environment"])
        #expect(mastodon.sources.map(\.name) == ["mastodon.mastodon.social", "mastodon.piaille.fr"])

        var broken = config
        broken.channels.email.imap.url = "http://imap.example.org"
        broken.channels.email.imap.user = ""
        broken.channels.email.imap.pollSeconds = 0
        broken.channels.mastodon.instances = [.init(url: "mastodon.social", tokenEnv: nil)]
        broken.channels.mastodon.pollSeconds = 1
        let problems = broken.validate()
        for prefix in [
            "channels.email.imap.url:", "channels.email.imap.user:", "channels.email.imap.pollSeconds:", "channels.mastodon.instances[0].url:",
            "channels.mastodon.pollSeconds:",
        ] {
            #expect(problems.contains { $0.hasPrefix(prefix) }, "\(prefix) not named in \(problems)")
        }
        let (_, unknown) = try HashwallConfig.decode(
            Data(#"{"channels": {"mastodon": {"tokn": 1}, "email": {"imap": {"pasword": "x"}}}}"#.utf8), source: "c")
        #expect(unknown.count == 2)
    }

    @Test func xKeysAreReadAndCheckedAndItsTokenIsRequired() throws {
        let json = """
            {"event": {"hashtags": ["capcomnet", "#rennes"]},
             "channels": {"x": {"enabled": true, "mode": "search", "pollSeconds": 60, "retweets": false, "maxReadsPerDay": 500}},
             "storage": {"retentionDays": 30},
             "wall": {"privacyNotice": "Ce mur est tenu par…"}}
            """
        let (config, warnings) = try HashwallConfig.decode(Data(json.utf8), source: "config.json")
        #expect(warnings.isEmpty)
        #expect(config.validate() == [])
        #expect(config.channels.x.apiURL == "https://api.x.com" && config.channels.x.maxReadsPerDay == 500 && config.storage.retentionDays == 30)
        #expect(XRules.query(hashtags: ["capcomnet", "rennes"], retweets: false) == "(#capcomnet OR #rennes) -is:retweet")
        let secrets = Secrets(ingestToken: "i", moderatorToken: "m")
        #expect(secrets.x(config, logger: .init(label: "test")).problems.contains { $0.contains("HASHWALL_X_BEARER_TOKEN") })
        var broken = config
        broken.channels.x.mode = "firehose"
        broken.channels.x.apiURL = "api.x.com"
        broken.channels.x.pollSeconds = 1
        broken.channels.x.maxReadsPerDay = 0
        broken.storage.retentionDays = 0
        broken.event.hashtags = (0..<60).map { "hashtag\($0)" }
        let problems = broken.validate()
        for prefix in [
            "channels.x.mode:", "channels.x.apiURL:", "channels.x.pollSeconds:", "channels.x.maxReadsPerDay:", "storage.retentionDays:",
            "event.hashtags: the X rule",
        ] {
            #expect(problems.contains { $0.hasPrefix(prefix) }, "\(prefix) not named in \(problems)")
        }
    }
}
