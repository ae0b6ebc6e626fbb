import AsyncHTTPClient
import Crypto
import Foundation
import HTTPTypes
import HashwallChannels
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing

@testable import hashwall

/// The SMS webhooks over HTTP, with requests built as each gateway builds them.
@Suite struct SMSHookTests {
    static let twilioToken = "test-auth-token-123"
    static let publicURL = "https://wall.example.org"

    func config(_ directory: TemporaryDirectory) -> HashwallConfig {
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.server.publicURL = Self.publicURL
        config.channels.sms.enabled = true
        config.channels.sms.twilio.enabled = true
        config.channels.sms.android.enabled = true
        config.channels.sms.smssync.enabled = true
        return config
    }

    var secrets: Secrets {
        var secrets = Secrets.testing
        secrets.named = ["HASHWALL_TWILIO_AUTH_TOKEN": Self.twilioToken, "HASHWALL_SMSSYNC_SECRET": "sync-secret"]
        return secrets
    }

    /// A Twilio request: form-encoded, signed over the public URL and the decoded values.
    static func twilioRequest(sid: String, body: String, from: String = "+33612345642", signature: String? = nil) -> (HTTPFields, ByteBuffer) {
        let fields: [(name: String, value: String)] = [
            ("AccountSid", "AC00000000000000000000000000000001"), ("Body", body), ("From", from), ("MessageSid", sid), ("NumMedia", "0"),
            ("To", "+33700000001"),
        ]
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let form = fields.map { "\($0.name)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        let signed = TwilioWebhook.signedString(url: Self.publicURL + "/hooks/sms/twilio", fields: fields)
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(signed.utf8), using: SymmetricKey(data: Data(Self.twilioToken.utf8)))
        let headers: HTTPFields = [
            .contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Twilio-Signature")!: signature ?? Data(mac).base64EncodedString(),
        ]
        return (headers, ByteBuffer(string: form))
    }

    @Test func aSignedTwilioTextReachesTheWallMaskedAndAnswersEmptyTwiML() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(self.config(directory), secrets: self.secrets) { client, port in
            let wall = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            let (headers, body) = Self.twilioRequest(sid: "SM00000000000000000000000000000001", body: "Claire : Bravo à tous 👏 #capcomnet")
            let response = try await client.execute(uri: "/hooks/sms/twilio", method: .post, headers: headers, body: body)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/xml") == true)
            #expect(String(buffer: response.body).contains("<Response></Response>"))
            let event = try await wall.next()
            #expect(event.data.contains(#""name":"Claire""#) && event.data.contains("+33 6 •• •• •• 42") && event.data.contains("Bravo à tous 👏"))
            let everything =
                String(buffer: try await client.execute(uri: "/api/posts", method: .get).body) + event.data
                + String(buffer: try await client.execute(uri: "/healthz", method: .get).body)
            #expect(!everything.contains("612345642"), "the full number leaked")
            await wall.close()
        }
    }

    @Test func aBadOrMissingTwilioSignatureIs403AndStoresNothing() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(self.config(directory), secrets: self.secrets) { client, _ in
            var (headers, body) = Self.twilioRequest(sid: "SM1", body: "faux", signature: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
            #expect(try await client.execute(uri: "/hooks/sms/twilio", method: .post, headers: headers, body: body).status == .forbidden)
            headers[HTTPField.Name("X-Twilio-Signature")!] = nil
            #expect(try await client.execute(uri: "/hooks/sms/twilio", method: .post, headers: headers, body: body).status == .forbidden)
            // A valid signature replayed with another body.
            let (signed, _) = Self.twilioRequest(sid: "SM2", body: "vrai")
            (_, body) = Self.twilioRequest(sid: "SM2", body: "modifié")
            #expect(try await client.execute(uri: "/hooks/sms/twilio", method: .post, headers: signed, body: body).status == .forbidden)
            let huge = ByteBuffer(string: "Body=" + String(repeating: "a", count: 40 * 1024))
            #expect(
                try await client.execute(
                    uri: "/hooks/sms/twilio", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: huge
                ).status == .contentTooLarge)
            #expect(try postIDs(try await client.execute(uri: "/api/posts", method: .get)).isEmpty)
            let health = try json(try await client.execute(uri: "/healthz", method: .get))
            #expect(((health["channels"] as? [String: Any])?["sms.twilio"] as? [String: Any])?["signatureFailures"] as? Int == 3)
        }
    }

    @Test func aRetryStormOfTwentyCopiesMakesOnePostAlsoAfterARestart() async throws {
        let directory = try TemporaryDirectory()
        let config = self.config(directory)
        let (headers, body) = Self.twilioRequest(sid: "SM0000000000000000000000000000000A", body: "Une seule fois")
        try await withLiveWall(config, secrets: self.secrets) { client, _ in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await client.execute(uri: "/hooks/sms/twilio", method: .post, headers: headers, body: body).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.count == 20 && statuses.allSatisfy { $0 == .ok })
            #expect(try postIDs(try await client.execute(uri: "/api/posts", method: .get)).count == 1)
        }
        try await withLiveWall(config, secrets: self.secrets) { (client: any TestClientProtocol, _: Int) async throws in
            #expect(try await client.execute(uri: "/hooks/sms/twilio", method: .post, headers: headers, body: body).status == .ok)
            #expect(try postIDs(try await client.execute(uri: "/api/posts", method: .get)).count == 1)
        }
    }

    @Test func androidAndSMSSyncDeliveriesAreAcceptedOnceAndMalformedOnesNamed() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(self.config(directory), secrets: self.secrets) { client, _ in
            let android =
                #"{"deviceId":"d","event":"sms:received","id":"evt-1","payload":{"messageId":"a1","message":"Depuis le Wi-Fi 📶","phoneNumber":"+33611111111","receivedAt":"2026-12-02T09:41:07.000+01:00"}}"#
            for _ in 0..<2 {
                let response = try await client.execute(
                    uri: "/hooks/sms/android", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: android))
                #expect(response.status == .ok)
            }
            let malformed = try await client.execute(
                uri: "/hooks/sms/android", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"event":"sms:received","id":"evt-2","payload":{"message":"x"}}"#))
            #expect(malformed.status == .badRequest)
            #expect((try json(malformed)["error"] as? String)?.contains("payload.sender") == true)

            let form = "from=%2B33622222222&message=Bonjour+STOP+pas+pour+moi&message_id=m-1&secret=sync-secret&sent_timestamp=1796200867000"
            let sync = try await client.execute(
                uri: "/hooks/sms/smssync", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form)
            )
            #expect(sync.status == .ok)
            #expect(String(buffer: sync.body) == #"{"payload":{"success":true,"error":null}}"#)
            let wrong = try await client.execute(
                uri: "/hooks/sms/smssync", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: form.replacingOccurrences(of: "sync-secret", with: "nope")))
            #expect(wrong.status == .forbidden)
            #expect(try postIDs(try await client.execute(uri: "/api/posts", method: .get)).count == 2)
        }
    }

    @Test func aGatewayThatIsNotEnabledAnswers404() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { (client: any TestClientProtocol, _: Int) async throws in
            let (headers, body) = Self.twilioRequest(sid: "SM1", body: "x")
            #expect(try await client.execute(uri: "/hooks/sms/twilio", method: .post, headers: headers, body: body).status == .notFound)
            #expect(try await client.execute(uri: "/hooks/sms/android", method: .post, body: ByteBuffer(string: "{}")).status == .notFound)
        }
    }
}

@Suite struct SMSMoreHookTests {
    /// The other suite's wall, with Vonage and Twilio's thank-you on.
    func config(_ directory: TemporaryDirectory) -> HashwallConfig {
        var config = SMSHookTests().config(directory)
        config.channels.sms.twilio.thankYou = true
        config.channels.sms.vonage.enabled = true
        return config
    }

    var secrets: Secrets { SMSHookTests().secrets }

    static func vonage(_ client: any TestClientProtocol, part: Int, of total: Int, text: String, id: String) async throws -> HTTPResponse.Status {
        let query =
            "msisdn=33611112222&to=33700000001&messageId=\(id)&type=text&concat=true&concat-ref=77&concat-total=\(total)&concat-part=\(part)&text="
            + (text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        return try await client.execute(uri: "/hooks/sms/vonage?" + query, method: .get).status
    }

    @Test func vonagePartsOutOfOrderBecomeOnePostOnceAllArrivedAlsoAcrossARestart() async throws {
        let directory = try TemporaryDirectory()
        let config = self.config(directory)
        try await withLiveWall(config, secrets: self.secrets) { (client: any TestClientProtocol, _: Int) async throws in
            #expect(try await Self.vonage(client, part: 3, of: 3, text: "salle B.", id: "c") == .noContent)
            #expect(try await Self.vonage(client, part: 1, of: 3, text: "Rendez-vous à la pause devant la ", id: "a") == .noContent)
            #expect(try await Self.vonage(client, part: 1, of: 3, text: "Rendez-vous à la pause devant la ", id: "a") == .noContent)  // retry
            #expect(try postIDs(try await client.execute(uri: "/api/posts", method: .get)).isEmpty)
        }
        try await withLiveWall(config, secrets: self.secrets) { client, _ in
            #expect(try await Self.vonage(client, part: 2, of: 3, text: "machine à café, ", id: "b") == .noContent)
            let page = try json(try await client.execute(uri: "/api/posts", method: .get))
            let texts = (page["posts"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(texts == ["Rendez-vous à la pause devant la machine à café, salle B."])
        }
    }

    @Test func twilioThanksEachSenderOnceAndModeratorsAloneSeeTheFullNumber() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(self.config(directory), secrets: self.secrets) { client, _ in
            var replies: [String] = []
            for (sid, text) in [("SM0000000000000000000000000000000B", "Premier"), ("SM0000000000000000000000000000000C", "Deuxième")] {
                let (headers, body) = SMSHookTests.twilioRequest(sid: sid, body: text)
                replies.append(String(buffer: try await client.execute(uri: "/hooks/sms/twilio", method: .post, headers: headers, body: body).body))
            }
            #expect(replies[0].contains("<Message>Merci ! Votre message est sur le mur.</Message>"))
            #expect(replies[1].contains("<Response></Response>"))
            let moderated = String(buffer: try await moderate(client, "posts", method: .get).body)
            #expect(moderated.contains(#""contact":"+33612345642""#))
            #expect(!String(buffer: try await client.execute(uri: "/api/posts", method: .get).body).contains("612345642"))
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"hashwall_sms_webhooks_total{gateway="twilio",outcome="accepted"} 2"#))
        }
    }
}
