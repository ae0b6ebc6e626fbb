import Foundation
import HashwallCore

/// One item of the bundled demo sample (`Resources/demo-posts.json`).
public struct DemoSample: Sendable, Decodable, Equatable {
    public var channel: ChannelKind
    public var author: Author
    public var text: String
    public var url: String?
    /// Index of an earlier item this one reposts (the source's own repost field).
    public var repostOf: Int?

    /// The sample bundled with Hashwall.
    /// - Throws: when the resource is missing or not valid JSON of this shape.
    public static func bundled() throws -> [DemoSample] {
        try JSONDecoder().decode([DemoSample].self, from: Data(PackageResources.demo_posts_json))
    }

    /// The post this item (at `index`) becomes in loop `loop`: fresh ids and a fresh dedupe scope each loop, so the
    /// loop shows again while duplicates and reposts inside one loop still merge. `run`, when not empty, sets the
    /// ids of one run apart.
    public func incoming(index: Int, loop: Int, run: String = "") -> IncomingPost {
        let prefix = run.isEmpty ? "demo:\(loop)-" : "demo:\(run)-\(loop)-"
        return IncomingPost(
            id: PostID(prefix + "\(index)"), channel: self.channel, author: self.author, text: self.text,
            url: self.url, repostOf: self.repostOf.map { PostID(prefix + "\($0)") }, dedupeScope: prefix)
    }
}
