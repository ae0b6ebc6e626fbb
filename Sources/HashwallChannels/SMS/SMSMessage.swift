import Foundation
import HashwallCore

/// An inbound SMS as any gateway delivers it, once its request has been checked.
public struct SMSMessage: Sendable, Equatable {
    /// `twilio`, `android`, `smssync`: part of the post id.
    public var gateway: String
    /// The gateway's id for this delivery: the same on every retry, so retries make one post.
    public var messageID: String
    public var from: PhoneNumber
    public var text: String
    public var receivedAt: Date?

    public init(gateway: String, messageID: String, from: PhoneNumber, text: String, receivedAt: Date? = nil) {
        self.gateway = gateway
        self.messageID = messageID
        self.from = from
        self.text = text
        self.receivedAt = receivedAt
    }
}

/// What the organiser decides about texts (`channels.sms` in the configuration).
public struct SMSRules: Sendable, Equatable {
    /// Read "Claire : Bravo !" as a text signed by Claire.
    public var namePrefix: Bool
    /// When set, only texts holding this word (or hashtag) are for the wall.
    public var requiredKeyword: String?
    /// Texts that are only one of these words (STOP, ARRET…) are never shown.
    public var optOutWords: [String]
    /// The name shown for an unsigned text.
    public var anonymousName: String

    public static let defaultOptOutWords = ["STOP", "STOP SMS", "ARRET", "ARRÊT", "UNSUBSCRIBE", "DESABONNER", "DÉSABONNER", "END", "QUIT", "CANCEL"]

    public init(
        namePrefix: Bool = true, requiredKeyword: String? = nil, optOutWords: [String] = Self.defaultOptOutWords, anonymousName: String = "SMS"
    ) {
        self.namePrefix = namePrefix
        self.requiredKeyword = requiredKeyword
        self.optOutWords = optOutWords
        self.anonymousName = anonymousName
    }

    /// The post `message` becomes, or `nil` when it is not for the wall (empty, an opt-out word, no required keyword).
    /// The number is never in the post: the handle is masked, the author key a digest.
    public func post(for message: SMSMessage) -> IncomingPost? {
        let text = TextNormaliser.normalise(message.text)
        guard !text.isEmpty else { return nil }
        let folded = TextNormaliser.fold(text)
        if self.optOutWords.contains(where: { TextNormaliser.fold($0) == folded.trimmingCharacters(in: .punctuationCharacters) }) { return nil }
        if let keyword = self.requiredKeyword.map(Hashtags.fold), !keyword.isEmpty {
            let words = Set(folded.split { !($0.isLetter || $0.isNumber) }.map(String.init))
            guard words.contains(keyword) else { return nil }
        }
        var name = self.anonymousName
        var body = text
        if self.namePrefix, let colon = text.firstIndex(of: ":") {
            let candidate = text[..<colon].trimmingCharacters(in: .whitespaces)
            let rest = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            // A short run of words before the colon, not a URL or a time ("9:30").
            if (1...30).contains(candidate.count), candidate.split(separator: " ").count <= 3, candidate.first?.isLetter == true,
                !candidate.contains(where: \.isNumber), !candidate.lowercased().hasPrefix("http"), !rest.isEmpty
            {
                name = candidate
                body = rest
            }
        }
        return IncomingPost(
            id: PostID("sms:\(message.gateway):\(message.messageID)"), channel: .sms, author: Author(name: name, handle: message.from.masked),
            text: body, createdAt: message.receivedAt, authorKey: message.from.authorKey, contact: message.from.e164)
    }
}
