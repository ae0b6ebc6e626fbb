import Crypto
import Foundation

/// A picture attached to a post. Screens load it from the wall's own cache (`url`, `/media/<key>`), never from its
/// source, and only while its post is visible.
public struct Media: Sendable, Hashable, Codable {
    /// `/media/<key>`: where pages load it.
    public var url: String
    /// Where the wall fetches it (the network's own URL).
    public var source: String
    /// The alt text the author wrote ("" when none).
    public var alt: String
    public var width: Int?
    public var height: Int?
    /// Marked sensitive by its author: blurred on the follower page until opened, never on the projector.
    public var sensitive: Bool

    /// A picture from `source` (http or https only; `nil` otherwise), its cache key derived from the URL.
    public init?(source: String, alt: String = "", width: Int? = nil, height: Int? = nil, sensitive: Bool = false) {
        guard let url = URL(string: source), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false,
            source.utf8.count <= 2048
        else { return nil }
        self.source = source
        self.url = "/media/" + Self.key(for: source)
        self.alt = String(TextNormaliser.normalise(alt).prefix(1500))
        self.width = width.flatMap { (1...20_000).contains($0) ? $0 : nil }
        self.height = height.flatMap { (1...20_000).contains($0) ? $0 : nil }
        self.sensitive = sensitive
    }

    /// 32 hex characters of SHA-256 of the source URL.
    public static func key(for source: String) -> String {
        SHA256.hash(data: Array(source.utf8)).prefix(16).map { AuthorKey.hex($0) }.joined()
    }

    /// The cache key of this picture.
    public var key: String { String(self.url.dropFirst("/media/".count)) }

    /// At most this many pictures per post.
    public static let maxPerPost = 4
}
