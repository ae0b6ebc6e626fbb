/// A recognised part of a post's text, so pages can link it without ever parsing markup.
///
/// Offsets count UTF-16 code units (what JavaScript's `String.prototype.slice` uses); `end` is exclusive.
public struct TextSpan: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case url, mention, hashtag }
    public var kind: Kind
    public var start: Int
    public var end: Int

    public init(kind: Kind, start: Int, end: Int) {
        self.kind = kind
        self.start = start
        self.end = end
    }
}
