import Crypto
import Foundation

/// A digest that two deliveries of the same thing share. The store remembers keys beyond the posts it keeps,
/// so a late redelivery of an evicted post is still a duplicate.
///
/// A SHA-256 digest cut to 128 bits: hostile senders can't craft two different posts that collide.
public struct DedupeKey: Sendable, Hashable {
    /// The rule a key stands for; the long-text rule only matches within a time window.
    public enum Rule: UInt8, Sendable { case source = 1, authorText = 2, longText = 3 }

    public let rule: Rule
    let high: UInt64
    let low: UInt64

    /// The 17 bytes stored in the journal: the rule, then the digest.
    public var bytes: [UInt8] {
        var out: [UInt8] = [self.rule.rawValue]
        withUnsafeBytes(of: self.high.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: self.low.bigEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// Rebuilds a key from ``bytes``; `nil` for anything else.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 17, let rule = Rule(rawValue: bytes[0]) else { return nil }
        self.rule = rule
        self.high = bytes[1..<9].reduce(0) { $0 << 8 | UInt64($1) }
        self.low = bytes[9..<17].reduce(0) { $0 << 8 | UInt64($1) }
    }

    init(rule: Rule, parts: [String]) {
        var hasher = SHA256()
        hasher.update(data: [rule.rawValue])
        for var part in parts {
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            hasher.update(data: [0])
        }
        let (high, low) = hasher.finalize().withUnsafeBytes { digest in
            (digest[0..<8].reduce(0) { $0 << 8 | UInt64($1) }, digest[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
        }
        self.rule = rule
        self.high = high
        self.low = low
    }

    /// The key every delivery of source item `id` shares.
    public static func source(_ id: PostID) -> DedupeKey {
        DedupeKey(rule: .source, parts: [id.rawValue])
    }

    /// The same author (their identity folded, `@alice` as `alice`) writing the same folded text.
    public static func authorText(author: String, foldedText: String, scope: String?) -> DedupeKey {
        DedupeKey(rule: .authorText, parts: [scope ?? "", AuthorKey.foldHandle(author), foldedText])
    }

    /// The same long text, whoever wrote it and on whichever channel; matched only within a window.
    public static func longText(foldedText: String, scope: String?) -> DedupeKey {
        DedupeKey(rule: .longText, parts: [scope ?? "", foldedText])
    }
}
