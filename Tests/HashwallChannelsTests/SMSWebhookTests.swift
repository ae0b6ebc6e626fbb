import Foundation
import HashwallChannels
import HashwallCore
import Testing

/// Signatures and parsing, checked against the test vectors in ../shared/reference/sms-gateways.md.
@Suite struct SMSWebhookTests {
    let twilioFields: [(name: String, value: String)] = [
        ("AccountSid", "AC00000000000000000000000000000001"), ("Body", "Bravo #capcomnet"), ("From", "+33612345642"),
        ("MessageSid", "SM00000000000000000000000000000001"), ("NumMedia", "0"), ("To", "+33700000001"),
    ]

    @Test func twilioSignatureMatchesTheReferenceVectors() {
        let webhook = TwilioWebhook(authToken: "test-auth-token-123")
        let url = "https://wall.example.org/hooks/sms/twilio"
        #expect(webhook.isSigned(url: url, fields: self.twilioFields, signature: "MjP2EWuQDGPY9Xid5lXlajbSAP8="))
        #expect(!webhook.isSigned(url: url, fields: self.twilioFields, signature: "MjP2EWuQDGPY9Xid5lXlajbSAP9="))
        #expect(!webhook.isSigned(url: url + "x", fields: self.twilioFields, signature: "MjP2EWuQDGPY9Xid5lXlajbSAP8="))
        // Twilio's own documentation example.
        let docs = TwilioWebhook(authToken: "12345")
        let fields: [(name: String, value: String)] = [
            ("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"), ("From", "+12349013030"), ("To", "+18005551212"),
        ]
        #expect(docs.isSigned(url: "https://mycompany.com/myapp.php?foo=1&bar=2", fields: fields, signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ="))
        // The same URL with its default port is accepted too, as Twilio's validator does.
        #expect(
            webhook.isSigned(
                url: "https://wall.example.org:443/hooks/sms/twilio", fields: self.twilioFields, signature: "MjP2EWuQDGPY9Xid5lXlajbSAP8="))
    }

    @Test func formBodiesDecodePlusAsSpaceAndPercentEscapes() throws {
        let fields = try #require(FormBody.parse(Array("Body=Bravo+%23capcomnet+%C3%A9t%C3%A9+%F0%9F%91%8F&From=%2B33612345642".utf8)))
        #expect(fields.map(\.value) == ["Bravo #capcomnet été 👏", "+33612345642"])
        #expect(FormBody.parse([0x42, 0x3D, 0xFF]) == nil)
    }

    @Test func androidGatewaySignatureMatchesTheReferenceVector() throws {
        let body = Array(
            #"{"deviceId":"dev1","event":"sms:received","id":"evt-0001","payload":{"messageId":"a1b2c3","message":"Bravo #capcomnet","phoneNumber":"+33612345642","simNumber":1,"receivedAt":"2026-12-02T09:41:07.000+01:00"},"webhookId":"wh-1"}"#
                .utf8)
        let webhook = AndroidGatewayWebhook(signingKey: "android-signing-key")
        let signature = "3fe3e1ff6a925bde56d101eaad5675963fa41cdab05f91fcfea51db7240b775a"
        let at = Date(timeIntervalSince1970: 1_796_200_868)
        try webhook.check(body: body, signature: signature, timestamp: "1796200868", now: at)
        #expect(throws: AndroidGatewayWebhook.SignatureProblem.wrong) {
            try webhook.check(body: body + [0x20], signature: signature, timestamp: "1796200868", now: at)
        }
        #expect(throws: AndroidGatewayWebhook.SignatureProblem.stale) {
            try webhook.check(body: body, signature: signature, timestamp: "1796200868", now: at.addingTimeInterval(600))
        }
        #expect(throws: AndroidGatewayWebhook.SignatureProblem.missing) { try webhook.check(body: body, signature: nil, timestamp: nil, now: at) }
        let message = try #require(try webhook.message(from: body))
        #expect(message.messageID == "evt-0001" && message.from.e164 == "+33612345642" && message.text == "Bravo #capcomnet")
        #expect(try webhook.message(from: Array(#"{"id":"x","event":"system:ping","payload":{}}"#.utf8)) == nil)
        #expect(throws: InvalidField.self) { try webhook.message(from: Array(#"{"event":"sms:received"}"#.utf8)) }
    }

    @Test func numbersAreNormalisedAndNeverShownWhole() throws {
        for text in ["+33612345642", "0033612345642", "06 12 34 56 42", "+33 6.12.34.56.42"] {
            let number = try PhoneNumber(text, field: "From")
            #expect(number.e164 == "+33612345642", "\(text)")
            #expect(number.masked == "+33 6 •• •• •• 42")
        }
        #expect(try PhoneNumber("+14155550123", field: "From").masked.hasPrefix("+1 4"))
        #expect(throws: InvalidField.self) { try PhoneNumber("hello", field: "From") }
        #expect(throws: InvalidField.self) { try PhoneNumber("+33<script>", field: "From") }
        let a = try PhoneNumber("+33612345642", field: "f").authorKey
        let b = try PhoneNumber("0612345642", field: "f").authorKey
        #expect(!a.contains("612345642") && a == b)
    }

    @Test func rulesSignNamesDropOptOutsAndKeepAccentsAndEmoji() throws {
        let rules = SMSRules()
        let from = try PhoneNumber("+33612345642", field: "From")
        let signed = try #require(rules.post(for: SMSMessage(gateway: "t", messageID: "1", from: from, text: "Claire : Bravo à tous 👏\nMerci")))
        #expect(signed.author.name == "Claire" && signed.text == "Bravo à tous 👏\nMerci")
        #expect(signed.author.handle == "+33 6 •• •• •• 42" && signed.id == PostID("sms:t:1"))
        let unsigned = try #require(rules.post(for: SMSMessage(gateway: "t", messageID: "2", from: from, text: "Rdv à 9:30 en salle B")))
        #expect(unsigned.author.name == "SMS")
        #expect(rules.post(for: SMSMessage(gateway: "t", messageID: "3", from: from, text: " stop ")) == nil)
        #expect(rules.post(for: SMSMessage(gateway: "t", messageID: "4", from: from, text: "Arrêt")) == nil)
        #expect(rules.post(for: SMSMessage(gateway: "t", messageID: "5", from: from, text: "  ")) == nil)
        let keyword = SMSRules(requiredKeyword: "#capcomnet")
        #expect(keyword.post(for: SMSMessage(gateway: "t", messageID: "6", from: from, text: "hello")) == nil)
        #expect(keyword.post(for: SMSMessage(gateway: "t", messageID: "7", from: from, text: "Bravo #CapComNét")) != nil)
    }
}

@Suite struct VonageWebhookTests {
    let ours: [(name: String, value: String)] = [
        ("msisdn", "33612345642"), ("to", "33700000001"), ("messageId", "0A0000001234ABCD"), ("text", "Bravo #capcomnet"), ("type", "text"),
        ("keyword", "BRAVO"), ("message-timestamp", "2026-12-02 08:41:07"), ("timestamp", "1796200867"), ("nonce", "a1b2c3d4"),
    ]

    @Test func signaturesMatchTheReferenceAndVendorVectors() throws {
        #expect(
            VonageWebhook.signedString(self.ours)
                == "&keyword=BRAVO&message-timestamp=2026-12-02 08:41:07&messageId=0A0000001234ABCD&msisdn=33612345642&nonce=a1b2c3d4&text=Bravo #capcomnet&timestamp=1796200867&to=33700000001&type=text"
        )
        #expect(VonageWebhook.signature(self.ours, secret: "vonage-sig-secret", method: .md5hash) == "f5507e792df9bd5a7fbde5912463cc21")
        #expect(
            VonageWebhook.signature(self.ours, secret: "vonage-sig-secret", method: .sha256)
                == "1f077911f0bafa22b33ff80aeae69b5d708a5fbf88b95459bec23391a792a78b")
        let vendor: [(name: String, value: String)] = [
            ("message-timestamp", "2013-11-21 15:27:30"), ("messageId", "020000001B0FE827"), ("msisdn", "14843472194"), ("text", "Test again"),
            ("timestamp", "1385047698"), ("to", "13239877404"), ("type", "text"),
        ]
        let secret = "my_secret_key_for_testing"
        #expect(VonageWebhook.signature(vendor, secret: secret, method: .md5hash) == "d2e7b1dc968737c5998ad624e02f90b7")
        #expect(VonageWebhook.signature(vendor, secret: secret, method: .md5) == "ddebd46008c2d4e93cce578a332a52d5")
        #expect(VonageWebhook.signature(vendor, secret: secret, method: .sha1) == "27d0d05c2876c7cb1720dbcdba4d492e1e55c09a")
        #expect(
            VonageWebhook.signature(vendor, secret: secret, method: .sha256) == "ddb8397c2b90aac7f3882d306475c9a5058c92322eef43c92b298b6e0fc0d330")
        let ampersands: [(name: String, value: String)] = [
            ("keyword", "TEST"), ("message-timestamp", "2017-04-04 22:57:47"), ("messageId", "0B00000042AC53BD"), ("msisdn", "14843472194"),
            ("nonce", "929d6744-bd28-42c8-b6cf-31d5b4f43732"), ("text", "Test with & and ="), ("timestamp", "1491346667"), ("to", "12192259404"),
            ("type", "text"),
        ]
        #expect(VonageWebhook.signature(ampersands, secret: secret, method: .md5hash) == "e06d9763e3fd0b9c31beb5fc2fcb011c")
    }

    @Test func signedRequestsAreCheckedWithTheirTimestamp() throws {
        let webhook = VonageWebhook(signatureSecret: "vonage-sig-secret")
        let at = Date(timeIntervalSince1970: 1_796_200_867)
        try webhook.check(self.ours + [("sig", "F5507E792DF9BD5A7FBDE5912463CC21")], now: at)  // any case
        #expect(throws: AndroidGatewayWebhook.SignatureProblem.wrong) {
            try webhook.check(self.ours.map { $0.name == "text" ? ($0.name, "autre") : $0 } + [("sig", "f5507e792df9bd5a7fbde5912463cc21")], now: at)
        }
        #expect(throws: AndroidGatewayWebhook.SignatureProblem.stale) {
            try webhook.check(self.ours + [("sig", "f5507e792df9bd5a7fbde5912463cc21")], now: at.addingTimeInterval(3600))
        }
        #expect(throws: AndroidGatewayWebhook.SignatureProblem.missing) { try webhook.check(self.ours, now: at) }
        try VonageWebhook(signatureSecret: nil).check(self.ours)  // unsigned set-up: nothing to check
    }

    @Test func partsAreReadWithTheirPlace() throws {
        let webhook = VonageWebhook(signatureSecret: nil)
        let part = try #require(
            try webhook.part(from: self.ours + [("concat", "true"), ("concat-ref", "42"), ("concat-total", "3"), ("concat-part", "2")]))
        #expect(part.from == "+33612345642" && part.reference == "42" && part.part == 2 && part.total == 3)
        #expect(throws: InvalidField.self) {
            try webhook.part(from: self.ours + [("concat", "true"), ("concat-ref", "42"), ("concat-total", "3"), ("concat-part", "4")])
        }
        #expect(try webhook.part(from: [("messageId", "1"), ("msisdn", "33612345642"), ("type", "binary")]) == nil)
    }
}

/// The webhook seam without a server: verify and parse are plain functions of the request's values.
@Suite struct WebhookChannelTests {
    let rules = SMSRules()

    @Test func smsSyncVerifiesItsSecretAndParsesItsFormAndAnswersInItsOwnJSON() throws {
        let channel = SMSSyncChannel(webhook: SMSSyncWebhook(secret: "s3cret"), rules: self.rules)
        let form = "from=%2B33612345678&message=Bonjour+%23capcomnet&message_id=m-9&secret=s3cret"
        let request = WebhookRequest(
            method: "post", url: "http://wall/hooks/sms/smssync", headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
            body: Array(form.utf8))
        try channel.verify(request)
        let message = try #require(try channel.parse(request))
        #expect(message.text == "Bonjour #capcomnet" && message.messageID == "m-9" && message.from.e164 == "+33612345678")
        var forged = request
        forged.body = Array(form.replacingOccurrences(of: "s3cret", with: "guess").utf8)
        #expect(throws: WebhookFailure.self) { try channel.verify(forged) }
        #expect(channel.response(to: .refused("wrong or missing secret"))?.status == 403)
        var json = request
        json.headers["content-type"] = "application/json"
        do {
            _ = try channel.parse(json)
            Issue.record("a JSON body was parsed as a form")
        } catch {
            guard case .unsupportedMediaType = error else {
                Issue.record("\(error)")
                return
            }
        }
    }

    @Test func androidParsesItsJSONAndIgnoresOtherEvents() throws {
        let channel = AndroidGatewayChannel(webhook: AndroidGatewayWebhook(signingKey: nil), rules: self.rules)
        let received =
            #"{"event":"sms:received","id":"e1","payload":{"messageId":"m1","message":"Salut","phoneNumber":"+33612345678","receivedAt":"2026-12-02T09:41:07.000+01:00"}}"#
        let request = WebhookRequest(
            method: "POST", url: "http://wall/hooks/sms/android", headers: ["content-type": "application/json"], body: Array(received.utf8))
        try channel.verify(request)
        #expect(try channel.parse(request)?.text == "Salut")
        let other = WebhookRequest(
            method: "POST", url: "http://wall/hooks/sms/android", body: Array(#"{"event":"sms:sent","id":"e2","payload":{}}"#.utf8))
        #expect(try channel.parse(other) == nil)
    }
}
