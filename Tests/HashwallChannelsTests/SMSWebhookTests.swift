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
        #expect(webhook.isSigned(url: "https://wall.example.org:443/hooks/sms/twilio", fields: self.twilioFields, signature: "MjP2EWuQDGPY9Xid5lXlajbSAP8="))
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
