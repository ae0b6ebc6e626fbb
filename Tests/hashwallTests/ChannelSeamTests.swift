import Foundation
import HTTPTypes
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import hashwall

/// The channels as the pages, operators and gateways see them: one list, one health shape, one metrics family.
@Suite struct ChannelSeamTests {
    @Test func theWallListsEveryChannelKindWithItsLabelInTheWallsLanguage() async throws {
        for (language, email, demo) in [("fr", "E-mail", "Démo"), ("en", "Email", "Demo")] {
            let directory = try TemporaryDirectory()
            var config = HashwallConfig.testing(journalIn: directory.path)
            config.wall.language = language
            try await withLiveWall(config) { client, _ in
                let list = try json(try await client.execute(uri: "/api/wall", method: .get))["channels"] as? [[String: Any]] ?? []
                #expect(list.map { $0["filter"] as? Bool } == [true, true, true, true, true, false, false])
                let channels = list.map { $0.compactMapValues { $0 as? String } }
                #expect(channels.map { $0["name"] ?? "" } == ["x", "mastodon", "bluesky", "sms", "email", "api", "demo"])
                #expect(channels.first { $0["name"] == "email" }?["label"] == email)
                #expect(channels.first { $0["name"] == "demo" }?["label"] == demo)
                #expect(channels.allSatisfy { $0["icon"] == $0["name"] })
            }
        }
    }

    @Test func healthShowsEachChannelsStateAndMetricsAreLabelledByChannel() async throws {
        let directory = try TemporaryDirectory()
        var config = SMSHookTests().config(directory)
        config.channels.demo.enabled = true
        config.channels.demo.intervalSeconds = 0.05
        try await withLiveWall(config, secrets: SMSHookTests().secrets) { client, _ in
            let (headers, body) = SMSHookTests.twilioRequest(sid: "SM00000000000000000000000000000042", body: "Bonjour #capcomnet")
            #expect(try await client.execute(uri: "/hooks/sms/twilio", method: .post, headers: headers, body: body).status == .ok)
            try await eventually("the demo running with posts") {
                let health = try json(try await client.execute(uri: "/healthz", method: .get))
                let demo = (health["channels"] as? [String: Any])?["demo"] as? [String: Any]
                return demo?["state"] as? String == "running" && (demo?["posts"] as? Int ?? 0) > 0
            }
            let health = try json(try await client.execute(uri: "/healthz", method: .get))
            let channels = try #require(health["channels"] as? [String: [String: Any]])
            for name in ["demo", "sms.twilio", "sms.android", "sms.smssync"] {
                let channel = try #require(channels[name], "\(name) missing from /healthz")
                for key in ["state", "posts", "lastPostAt", "lastError", "reconnects", "nextRetryAt"] {
                    #expect(channel.keys.contains(key), "\(name).\(key)")
                }
            }
            #expect(channels["demo"]?["lastError"] is NSNull)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"hashwall_webhooks_total{channel="sms.twilio",outcome="accepted"} 1"#))
            #expect(metrics.contains(#"hashwall_channel_state{channel="demo"} 1"#))
            #expect(metrics.contains(#"hashwall_channel_posts_total{channel="demo"}"#))
            // A path with no enabled channel is a 404; a known channel refuses a method it does not take.
            #expect(try await client.execute(uri: "/hooks/email/mailgun", method: .post).status == .notFound)
            #expect(try await client.execute(uri: "/hooks/sms/twilio", method: .get).status == .notFound)
        }
    }
}
