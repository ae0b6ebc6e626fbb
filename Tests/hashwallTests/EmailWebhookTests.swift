import Crypto
import Foundation
import HTTPTypes
import HashwallChannels
import HashwallCore
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import hashwall

/// The inbound-mail webhooks over HTTP, with requests built as Mailgun, SendGrid and Postmark build them
/// (`../shared/reference/email.md`).
@Suite struct EmailWebhookTests {
    static let signingKey = "mailgun-signing-key"
    static let password = "hook-password"

    func config(_ directory: TemporaryDirectory) -> HashwallConfig {
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.channels.email.enabled = true
        config.channels.email.mailgun.enabled = true
        config.channels.email.sendgrid.enabled = true
        config.channels.email.postmark.enabled = true
        return config
    }

    var secrets: Secrets {
        var secrets = Secrets.testing
        secrets.named = [
            "HASHWALL_MAILGUN_SIGNING_KEY": Self.signingKey, "HASHWALL_SENDGRID_WEBHOOK_PASSWORD": Self.password,
            "HASHWALL_POSTMARK_WEBHOOK_PASSWORD": Self.password,
        ]
        return secrets
    }

    // MARK: - Mailgun

    static func mailgunSignature(timestamp: String, token: String, key: String = Self.signingKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data((timestamp + token).utf8), using: SymmetricKey(data: Data(key.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// A Mailgun route's form: parsed fields, signed now (or at `timestamp`) with a fresh token.
    static func mailgunForm(
        from: String = "Léa Dupré <lea@example.org>", subject: String = "#capcomnet", body: String, messageID: String,
        token: String = Secret.random(), timestamp: Date = Date(), signature: String? = nil, extra: [(String, String)] = []
    ) -> (HTTPFields, ByteBuffer) {
        let time = String(Int(timestamp.timeIntervalSince1970))
        let headers =
            #"[["From", "\#(from)"], ["Subject", "\#(subject)"], ["Message-Id", "<\#(messageID)>"], ["Date", "Mon, 07 Dec 2026 09:30:00 +0100"]]"#
        let fields =
            [
                ("recipient", "mur@in.capcomnet.example"), ("sender", "lea@example.org"), ("from", from), ("subject", subject), ("body-plain", body),
                ("message-headers", headers), ("timestamp", time), ("token", token),
                ("signature", signature ?? Self.mailgunSignature(timestamp: time, token: token)),
            ] + extra
        return ([.contentType: "application/x-www-form-urlencoded"], ByteBuffer(string: Self.form(fields)))
    }

    static func form(_ fields: [(String, String)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    @Test func theReferenceSignatureVectorVerifies() {
        let token = String(repeating: "c0ffee", count: 8) + "00"
        #expect(Self.mailgunSignature(timestamp: "1796200869", token: token) == "c0463071935033cc2ed332966baad7154dc65cdc0cf16edd0721a7d0e9ace3e7")
    }

    @Test func aSignedMailgunMessageReachesTheWallOnceDurable() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(self.config(directory), secrets: self.secrets) { client, port in
            let wall = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            let (headers, body) = Self.mailgunForm(body: "Bravo pour l'organisation !\n\n-- \nLéa, chargée de com'", messageID: "mg-1@example.org")
            let response = try await client.execute(uri: "/hooks/email/mailgun", method: .post, headers: headers, body: body)
            #expect(response.status == .ok)
            let event = try await wall.next()
            #expect(event.data.contains(#""name":"Léa Dupré""#) && event.data.contains("Bravo pour l'organisation !"))
            #expect(!event.data.contains("chargée de com") && !event.data.contains("example.org"), "signature and address are not shown")
            #expect(try await EmailIMAPTests.texts(client) == ["Bravo pour l'organisation !"])
            await wall.close()
        }
    }

    @Test func aBadMailgunSignatureIs403AndAStaleOrReplayedOneIs406AndNothingIsStored() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(self.config(directory), secrets: self.secrets) { client, _ in
            var (headers, body) = Self.mailgunForm(body: "faux", messageID: "mg-bad@example.org", signature: String(repeating: "0", count: 64))
            #expect(try await client.execute(uri: "/hooks/email/mailgun", method: .post, headers: headers, body: body).status == .forbidden)
            (headers, body) = Self.mailgunForm(
                body: "faux", messageID: "mg-bad@example.org", signature: Self.mailgunSignature(timestamp: "1", token: "t", key: "other"))
            #expect(try await client.execute(uri: "/hooks/email/mailgun", method: .post, headers: headers, body: body).status == .forbidden)
            (headers, body) = Self.mailgunForm(body: "vieux", messageID: "mg-old@example.org", timestamp: Date().addingTimeInterval(-3600))
            #expect(try await client.execute(uri: "/hooks/email/mailgun", method: .post, headers: headers, body: body).status == .notAcceptable)
            // A valid request, then its token replayed with another message: the replay stores nothing.
            let token = Secret.random()
            (headers, body) = Self.mailgunForm(body: "Vrai message", messageID: "mg-2@example.org", token: token)
            #expect(try await client.execute(uri: "/hooks/email/mailgun", method: .post, headers: headers, body: body).status == .ok)
            (headers, body) = Self.mailgunForm(body: "Message glissé", messageID: "mg-3@example.org", token: token)
            #expect(try await client.execute(uri: "/hooks/email/mailgun", method: .post, headers: headers, body: body).status == .notAcceptable)
            #expect(try await EmailIMAPTests.texts(client) == ["Vrai message"])
            let health = try await EmailIMAPTests.channel(client, "email.mailgun")
            #expect(health["posts"] as? Int == 1)
        }
    }

    @Test func mailgunRawMIMEAndMultipartFormsWithAttachmentsAreRead() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(self.config(directory), secrets: self.secrets) { client, _ in
            let raw = Mail.text(
                from: "=?utf-8?q?Zo=C3=A9?= <zoe@example.org>", subject: "#capcomnet", body: "Par body-mime", id: "mg-raw@example.org")
            let token = Secret.random()
            let time = String(Int(Date().timeIntervalSince1970))
            var (headers, body) = (
                HTTPFields([.init(name: .contentType, value: "application/x-www-form-urlencoded")]),
                ByteBuffer(
                    string: Self.form([
                        ("body-mime", raw), ("timestamp", time), ("token", token),
                        ("signature", Self.mailgunSignature(timestamp: time, token: token)),
                    ]))
            )
            #expect(try await client.execute(uri: "/hooks/email/mailgun", method: .post, headers: headers, body: body).status == .ok)
            let token2 = Secret.random()
            let multipart = Multipart(
                fields: [
                    ("from", "Jean <jean@example.org>"), ("subject", "Photo"), ("body-plain", "Avec une pièce jointe"),
                    ("message-headers", #"[["From", "Jean <jean@example.org>"], ["Message-Id", "<mg-mp@example.org>"]]"#), ("attachment-count", "1"),
                    ("timestamp", time), ("token", token2), ("signature", Self.mailgunSignature(timestamp: time, token: token2)),
                ], files: [("attachment-1", "photo.jpg", [0xFF, 0xD8, 0xFF, 0x00, 0x0D, 0x0A, 0x2D, 0x2D])])
            (headers, body) = (multipart.headers, multipart.body)
            #expect(try await client.execute(uri: "/hooks/email/mailgun", method: .post, headers: headers, body: body).status == .ok)
            #expect(Set(try await EmailIMAPTests.texts(client)) == ["Par body-mime", "Photo\nAvec une pièce jointe"])
            let posts = String(buffer: try await client.execute(uri: "/api/posts", method: .get).body)
            #expect(posts.contains(#""name":"Zoé""#) && posts.contains(#""name":"Jean""#))
        }
    }

    // MARK: - SendGrid

    @Test func sendGridParsedFieldsAreReadInTheirDeclaredCharsetsAndRawMailToo() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(self.config(directory), secrets: self.secrets) { client, _ in
            let headerBlock =
                "From: =?utf-8?q?Ren=C3=A9e?= <renee@example.org>\r\nTo: mur@in.capcomnet.example\r\nSubject: #capcomnet\r\nMessage-ID: <sg-1@example.org>\r\n"
            let latin1: [UInt8] = Array("Tr".utf8) + [0xE8] + Array("s bien, merci ".utf8) + [0x92, 0x80]  // "Très bien, merci ’€"
            let parsed = Multipart(
                fields: [("headers", headerBlock), ("from", "Renée <renee@example.org>"), ("subject", "#capcomnet"), ("attachments", "0")],
                bytes: [("text", latin1)],
                tail: [("charsets", #"{"to":"UTF-8","from":"UTF-8","subject":"UTF-8","text":"iso-8859-1"}"#)])
            var headers = parsed.headers
            headers[.authorization] = Self.basic("sendgrid", Self.password)
            #expect(try await client.execute(uri: "/hooks/email/sendgrid", method: .post, headers: headers, body: parsed.body).status == .ok)
            let raw = Multipart(fields: [
                ("email", Mail.text(from: "Paul <paul@example.org>", subject: "", body: "En mode brut", id: "sg-2@example.org"))
            ])
            headers = raw.headers
            headers[.authorization] = Self.basic("any-user", Self.password)
            #expect(try await client.execute(uri: "/hooks/email/sendgrid", method: .post, headers: headers, body: raw.body).status == .ok)
            #expect(Set(try await EmailIMAPTests.texts(client)) == ["Très bien, merci ’€", "En mode brut"])
            let posts = String(buffer: try await client.execute(uri: "/api/posts", method: .get).body)
            #expect(posts.contains(#""name":"Renée""#))
        }
    }

    @Test func sendGridAndPostmarkWithoutTheRightBasicCredentialsAre401AndStoreNothing() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(self.config(directory), secrets: self.secrets) { client, _ in
            let raw = Multipart(fields: [("email", Mail.text(from: "Eve <eve@example.org>", subject: "", body: "Intrusion", id: "sg-x@example.org"))])
            var headers = raw.headers
            var response = try await client.execute(uri: "/hooks/email/sendgrid", method: .post, headers: headers, body: raw.body)
            #expect(response.status == .unauthorized && response.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            headers[.authorization] = Self.basic("sendgrid", "wrong")
            #expect(try await client.execute(uri: "/hooks/email/sendgrid", method: .post, headers: headers, body: raw.body).status == .unauthorized)
            let json = Self.postmarkJSON(body: "Intrusion", messageID: "pm-x@example.org")
            response = try await client.execute(
                uri: "/hooks/email/postmark", method: .post, headers: [.contentType: "application/json", .authorization: Self.basic("u", "nope")],
                body: json)
            #expect(response.status == .unauthorized)
            #expect(try await EmailIMAPTests.texts(client).isEmpty)
        }
    }

    // MARK: - Postmark

    static func postmarkJSON(body: String, messageID: String, name: String = "Inès Martin", auto: Bool = false) -> ByteBuffer {
        let object: [String: Any] = [
            "From": "ines@example.org", "FromName": name, "FromFull": ["Email": "ines@example.org", "Name": name, "MailboxHash": ""],
            "To": "mur@in.capcomnet.example", "Subject": "#capcomnet", "MessageID": UUID().uuidString, "Date": "Mon, 7 Dec 2026 09:30:00 +0100",
            "TextBody": body, "HtmlBody": "<p>\(body)</p>", "MessageStream": "inbound",
            "Headers": [["Name": "Message-ID", "Value": "<\(messageID)>"], ["Name": "X-Spam-Status", "Value": "No"]]
                + (auto ? [["Name": "Auto-Submitted", "Value": "auto-replied"]] : []),
            "Attachments": [["Name": "a.pdf", "Content": "JVBERi0=", "ContentType": "application/pdf", "ContentLength": 5]],
        ]
        return ByteBuffer(bytes: Array(try! JSONSerialization.data(withJSONObject: object)))
    }

    @Test func postmarkJSONReachesTheWallAndAnAutoReplyIsAcknowledgedButNotShown() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(self.config(directory), secrets: self.secrets) { client, _ in
            let headers: HTTPFields = [.contentType: "application/json", .authorization: Self.basic("postmark", Self.password)]
            var response = try await client.execute(
                uri: "/hooks/email/postmark", method: .post, headers: headers,
                body: Self.postmarkJSON(body: "Salut depuis Postmark", messageID: "pm-1@example.org"))
            #expect(response.status == .ok)
            response = try await client.execute(
                uri: "/hooks/email/postmark", method: .post, headers: headers,
                body: Self.postmarkJSON(body: "Je suis absente", messageID: "pm-2@example.org", auto: true))
            #expect(response.status == .ok, "acknowledged, so Postmark does not retry it")
            response = try await client.execute(
                uri: "/hooks/email/postmark", method: .post, headers: headers, body: ByteBuffer(string: "{\"From\": 3"))
            #expect(response.status == .badRequest)
            #expect(try await EmailIMAPTests.texts(client) == ["Salut depuis Postmark"])
            let posts = String(buffer: try await client.execute(uri: "/api/posts", method: .get).body)
            #expect(posts.contains(#""name":"Inès Martin""#) && !posts.contains("ines@example.org"))
        }
    }

    @Test func theSameMessageByIMAPAndByAWebhookIsOnePost() async throws {
        let dovecot = try await blocking { try Dovecot.start() }
        defer { dovecot.shutdown() }
        let directory = try TemporaryDirectory()
        var config = EmailIMAPTests.config(directory, dovecot)
        config.channels.email.mailgun.enabled = true
        config.channels.email.postmark.enabled = true
        var secrets = self.secrets
        secrets.named["HASHWALL_IMAP_PASSWORD"] = dovecot.password
        try await withLiveWall(config, secrets: secrets) { client, _ in
            let raw = Mail.text(from: "Léa Dupré <lea@example.org>", subject: "#capcomnet", body: "Une seule fois", id: "twice@example.org")
            let token = Secret.random()
            let time = String(Int(Date().timeIntervalSince1970))
            let form = Self.form([
                ("body-mime", raw), ("timestamp", time), ("token", token), ("signature", Self.mailgunSignature(timestamp: time, token: token)),
            ])
            let response = try await client.execute(
                uri: "/hooks/email/mailgun", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: form))
            #expect(response.status == .ok)
            try dovecot.deliver(raw)
            try dovecot.deliver(Mail.text(from: "Léa Dupré <lea@example.org>", subject: "", body: "Et un autre", id: "after@example.org"))
            // Read in UID order: once the second is on the wall, the first was read too.
            try await eventually(within: .seconds(30), "the second mail") { try await EmailIMAPTests.texts(client).contains("Et un autre") }
            // Postmark too, with the same RFC Message-ID in its Headers (its own MessageID differs).
            _ = try await client.execute(
                uri: "/hooks/email/postmark", method: .post,
                headers: [.contentType: "application/json", .authorization: Self.basic("p", Self.password)],
                body: Self.postmarkJSON(body: "Une seule fois", messageID: "twice@example.org", name: "Léa Dupré"))
            #expect(try await EmailIMAPTests.texts(client).sorted() == ["Et un autre", "Une seule fois"])
        }
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }
}

/// A `multipart/form-data` body as the services send it: text fields, raw byte fields, then files.
struct Multipart {
    let boundary = "----hashwall" + Secret.random().prefix(16)
    var body = ByteBuffer()

    init(fields: [(String, String)], bytes: [(String, [UInt8])] = [], tail: [(String, String)] = [], files: [(String, String, [UInt8])] = []) {
        var data: [UInt8] = []
        func part(_ disposition: String, _ content: [UInt8], type: String? = nil) {
            data += Array("--\(self.boundary)\r\nContent-Disposition: form-data; \(disposition)\r\n".utf8)
            if let type { data += Array("Content-Type: \(type)\r\n".utf8) }
            data += Array("\r\n".utf8) + content + Array("\r\n".utf8)
        }
        for (name, value) in fields { part("name=\"\(name)\"", Array(value.utf8)) }
        for (name, value) in bytes { part("name=\"\(name)\"", value) }
        for (name, value) in tail { part("name=\"\(name)\"", Array(value.utf8)) }
        for (name, file, content) in files { part("name=\"\(name)\"; filename=\"\(file)\"", content, type: "image/jpeg") }
        data += Array("--\(self.boundary)--\r\n".utf8)
        self.body = ByteBuffer(bytes: data)
    }

    var headers: HTTPFields { [.contentType: "multipart/form-data; boundary=\(self.boundary)"] }
}
