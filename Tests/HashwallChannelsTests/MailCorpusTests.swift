import Foundation
import HashwallCore
import Testing

@testable import HashwallChannels

/// Raw mail as real clients send it (Fixtures/mail, README there), read by GMime and our rules: the author and the
/// text the wall shows, the attachments counted, the Message-ID, and automatic mail left out.
@Suite struct MailCorpusTests {
    struct Expectation: Decodable, Sendable, CustomTestStringConvertible {
        var file: String
        var author: String?
        var text: String?
        var attachments: Int?
        var messageID: String?
        var ignored: Bool?

        var testDescription: String { self.file }
    }

    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/mail")

    static let expectations: [Expectation] = {
        let data = (try? Data(contentsOf: Self.directory.appendingPathComponent("expected.json"))) ?? Data("[]".utf8)
        return (try? JSONDecoder().decode([Expectation].self, from: data)) ?? []
    }()

    static func raw(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Self.directory.appendingPathComponent(file)))
    }

    /// Whitespace runs (U+00A0 included) as one space, ends trimmed.
    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test func theCorpusIsThere() {
        #expect(Self.expectations.count == 35)
    }

    @Test(arguments: Self.expectations)
    func eachMessageShowsWhatThePersonWrote(_ expected: Expectation) throws {
        let mail = try MailMessage.parse(try Self.raw(expected.file))
        let verdict = EmailRules().verdict(for: mail)
        if expected.ignored == true {
            guard case .ignored = verdict else {
                Issue.record("\(expected.file) is automatic mail and reached the wall: \(verdict)")
                return
            }
            return
        }
        guard case .post(let post) = verdict else {
            Issue.record("\(expected.file) was left out: \(verdict)")
            return
        }
        #expect(post.author.name == expected.author, "\(expected.file)")
        #expect(Self.collapsed(post.text) == Self.collapsed(expected.text ?? ""), "\(expected.file)")
        #expect(mail.attachments == expected.attachments, "\(expected.file)")
        #expect(mail.messageID == expected.messageID, "\(expected.file)")
        #expect(post.channel == .email && post.author.handle == nil)
        #expect(post.id.rawValue.hasPrefix("email:"))
        if let address = mail.fromAddress {
            #expect(!post.text.contains(address) && !post.author.name.contains(address), "the address is never public")
            #expect(post.contact == address.lowercased())
        }
    }

    @Test func theMessageIDIsTheIdentityAndAMessageWithoutOneGetsAStableContentID() throws {
        let gmail = try MailMessage.parse(try Self.raw("01-gmail-fr-hashtag-subject.eml"))
        var relayed = gmail
        relayed.plainText = "the same message, as a webhook read it"
        #expect(EmailRules.postID(for: gmail, body: "a") == EmailRules.postID(for: relayed, body: "b"))
        let bare = try MailMessage.parse(try Self.raw("29-curl-no-message-id.eml"))
        #expect(bare.messageID == nil)
        #expect(
            EmailRules.postID(for: bare, body: "x")
                == EmailRules.postID(for: try MailMessage.parse(try Self.raw("29-curl-no-message-id.eml")), body: "x"))
        #expect(EmailRules.postID(for: bare, body: "x") != EmailRules.postID(for: bare, body: "y"))
    }

    @Test func aRequiredKeywordLeavesOutMailWithoutIt() throws {
        let rules = EmailRules(requiredKeyword: "#capcomnet")
        let tagged = try MailMessage.parse(try Self.raw("02-gmail-en-signature.eml"))  // the subject holds it
        let untagged = MailMessage(fromName: "Ana", fromAddress: "ana@example.org", subject: "Bonjour", plainText: "Rien sur le mot-clé ici")
        guard case .post = rules.verdict(for: tagged) else {
            Issue.record("a tagged mail was left out")
            return
        }
        #expect(rules.verdict(for: untagged) == .ignored("no capcomnet"))
    }

    @Test func hostileAndBrokenInputIsReadOrRefusedNeverACrash() throws {
        #expect(throws: MailError.self) { try MailMessage.parse([]) }
        let huge = [UInt8](repeating: 0x41, count: MailMessage.maxSize + 1)
        #expect(throws: MailError.tooLarge(huge.count)) { try MailMessage.parse(huge) }
        var nested = "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
        for depth in 0..<200 { nested += "--b\(depth)\r\nContent-Type: multipart/mixed; boundary=b\(depth + 1)\r\n\r\n" }
        nested += "--b200\r\nContent-Type: text/plain\r\n\r\ndeep\r\n"
        let mail = try MailMessage.parse(Array(nested.utf8))
        #expect(mail.plainText == nil, "nesting deeper than the bound is not followed")
        let html = try MailMessage.parse(
            Array(
                "From: x@example.org\r\nContent-Type: text/html\r\n\r\n<p>Hi <script>alert(1)</script><b>there</b> &amp; <img src=x onerror=alert(2)></p>"
                    .utf8))
        guard case .post(let post) = EmailRules().verdict(for: html) else {
            Issue.record("an HTML-only mail was left out")
            return
        }
        #expect(post.text == "Hi there &")
    }
}
