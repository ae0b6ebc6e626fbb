import Crypto
import Foundation

/// Who wrote a post, as bans, trust and the flood limit see it: `channel:identity`.
///
/// The identity is what the channel itself vouches for: an SMS sender's number or an e-mail address (digested,
/// so the journal holds neither), a network handle, the handle an integration gives. A display name is chosen by
/// the sender, so a post with nothing better gets a key of another form (`channel~:name`) that can be banned but
/// never trusted. `@alice` and `alice` are one handle.
public enum AuthorKey {
    /// The key of a verified `identity` on `channel`.
    public static func verified(channel: ChannelKind, identity: String) -> String {
        channel.rawValue + ":" + Self.foldHandle(identity)
    }

    /// The key of an author known only by the `name` they chose.
    public static func unverified(channel: ChannelKind, name: String) -> String {
        channel.rawValue + "~:" + TextNormaliser.fold(name)
    }

    /// The identity part of a verified key (folded), `nil` for an unverified one.
    public static func verifiedIdentity(_ key: String) -> String? {
        guard let colon = key.firstIndex(of: ":"), !key[..<colon].hasSuffix("~") else { return nil }
        return String(key[key.index(after: colon)...])
    }

    /// A handle folded for comparison: lower case, accents folded, no leading `@`.
    public static func foldHandle(_ handle: String) -> String {
        var folded = TextNormaliser.fold(handle)
        while folded.hasPrefix("@") { folded.removeFirst() }
        return folded
    }

    /// The identity of an SMS sender: a digest of the E.164 number (`+33612345642`), the same in every installation
    /// so that a number on the trusted list matches. Never public.
    public static func phoneIdentity(e164: String) -> String {
        "sms-" + SHA256.hash(data: Array(("hashwall-sms\u{0}" + e164).utf8)).prefix(12).map { Self.hex($0) }.joined()
    }

    /// The identity of an e-mail sender: a digest of the address, lower case (`lea@example.org`), the same in every
    /// installation so that an address on the trusted list matches. Never public.
    public static func emailIdentity(address: String) -> String {
        let folded = address.trimmingCharacters(in: .whitespaces).lowercased()
        return "mail-" + SHA256.hash(data: Array(("hashwall-email\u{0}" + folded).utf8)).prefix(12).map { Self.hex($0) }.joined()
    }

    /// `text` as an e-mail address when it is written as one (`lea@example.org`, no leading `@`), else `nil`.
    /// Trusted-list entries in this form match e-mail senders (and, as handles, `user@server` accounts).
    static func emailAddress(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !trimmed.contains(where: \.isWhitespace) else { return nil }
        return trimmed.lowercased()
    }

    /// `text` as an E.164 number when it is written as one (`+33 6 12 34 56 42`, dots, dashes or brackets
    /// allowed), else `nil`. Trusted-list entries in this form match SMS senders.
    static func e164(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("+") else { return nil }
        let rest = trimmed.dropFirst()
        guard rest.allSatisfy({ $0.isASCII && ($0.isNumber || " .-()".contains($0)) }) else { return nil }
        let digits = rest.filter(\.isNumber)
        return (8...15).contains(digits.count) ? "+" + digits : nil
    }

    public static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
