import Crypto
import Foundation
import HashwallCore

/// What the organiser decides about mail (`channels.email` in the configuration), and how a mail becomes a post:
/// the person's own words under their decoded name, never their address, never a thread, a signature or an
/// attachment; automatic mail never.
public struct EmailRules: Sendable, Equatable {
    /// When set, only mail holding this word or hashtag (in its subject or body) is for the wall; by default every
    /// mail to the event's address is.
    public var requiredKeyword: String?
    /// The name shown when a mail has no display name.
    public var anonymousName: String

    public init(requiredKeyword: String? = nil, anonymousName: String = "E-mail") {
        self.requiredKeyword = requiredKeyword
        self.anonymousName = anonymousName
    }

    /// What becomes of a mail.
    public enum Verdict: Sendable, Equatable {
        case post(IncomingPost)
        /// Not for the wall, and why (for the log).
        case ignored(String)
    }

    public func verdict(for mail: MailMessage) -> Verdict {
        if let reason = AutomaticMail.reason(
            headers: mail.headers.map { ($0.name, $0.value) }, fromAddress: mail.fromAddress, isReport: mail.isReport)
        {
            return .ignored("automatic mail (\(reason))")
        }
        let body = Self.body(of: mail)
        let subject = MailText.subjectCore(TextNormaliser.normalise(mail.subject))
        let subjectSays = !subject.isReply && !MailText.isEmptySubject(subject.core)
        var text: String
        if body.isEmpty {
            text = MailText.isEmptySubject(subject.core) ? "" : subject.core
        } else if subjectSays, !TextNormaliser.fold(body).hasPrefix(TextNormaliser.fold(subject.core)) {
            text = subject.core + "\n" + body
        } else {
            text = body
        }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return .ignored("no text") }
        if let keyword = self.requiredKeyword.map(Hashtags.fold), !keyword.isEmpty {
            let words = Set(TextNormaliser.fold(mail.subject + " " + text).split { !($0.isLetter || $0.isNumber) }.map(String.init))
            guard words.contains(keyword) else { return .ignored("no \(keyword)") }
        }
        let name = mail.fromName.map(TextNormaliser.normalise).flatMap { $0.isEmpty ? nil : $0 } ?? self.anonymousName
        let address = mail.fromAddress?.trimmingCharacters(in: .whitespaces).lowercased()
        let authorKey =
            address.map { AuthorKey.verified(channel: .email, identity: AuthorKey.emailIdentity(address: $0)) }
            ?? AuthorKey.unverified(channel: .email, name: name)
        return .post(
            IncomingPost(
                id: Self.postID(for: mail, body: body), channel: .email, author: Author(name: name, handle: nil), text: text,
                createdAt: mail.date, authorKey: authorKey, contact: address))
    }

    /// The person's own words: the plain body (or the HTML one as text, quotes left out), without the quoted
    /// thread, signature or mobile footer.
    static func body(of mail: MailMessage) -> String {
        let text: String
        if let plain = mail.plainText, !plain.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            text = plain
        } else if let html = mail.html {
            text = HTMLText.text(html, options: .init(dropQuotes: true))
        } else {
            text = mail.plainText ?? ""
        }
        return MailText.authored(text.replacingOccurrences(of: "\r\n", with: "\n"))
    }

    /// `email:` and a digest of the Message-ID, so the same message through IMAP and a webhook is one post (and the
    /// Message-ID, which names the sender's machine, is not public); a message without one gets a digest of who
    /// sent it, when, its subject and its text.
    public static func postID(for mail: MailMessage, body: String) -> PostID {
        let source: String
        if let id = mail.messageID?.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t")), !id.isEmpty {
            source = "message-id\u{0}" + id
        } else {
            let date = mail.date.map { String(Int($0.timeIntervalSince1970)) } ?? ""
            source = ["content", mail.fromAddress?.lowercased() ?? "", date, mail.subject, body].joined(separator: "\u{0}")
        }
        let digest = SHA256.hash(data: Array(source.utf8)).prefix(16).map { AuthorKey.hex($0) }.joined()
        return PostID("email:" + digest)
    }
}
