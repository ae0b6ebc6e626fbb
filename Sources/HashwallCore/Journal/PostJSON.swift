import Foundation

/// Encodes posts to JSON once per commit: a new post's journal row, its wall (and projector) frame and its
/// moderators' frame share one encoding, instead of three runs of `JSONEncoder` over the same post.
public struct PostJSON {
    let encoder: JSONEncoder
    private var memo: [PostID: (post: Post, json: Data)] = [:]

    init() {
        self.encoder = JSONEncoder()
        self.encoder.outputFormatting = .withoutEscapingSlashes
    }

    /// The post's JSON, encoded the first time this post (in this exact version) is asked for.
    mutating func encode(_ post: Post) throws -> Data {
        if let cached = self.memo[post.id], cached.post == post { return cached.json }
        let json = PostJSONWriter.encode(post)
        self.memo[post.id] = (post, json)
        return json
    }

    /// A moderated post's JSON: the post's own object with the moderation fields appended to it.
    mutating func encode(_ moderated: ModeratedPost) throws -> Data {
        var json = try self.encode(moderated.stored.post)
        json.removeLast()  // the post's closing brace: the object goes on
        json.append(contentsOf: PostJSONWriter.moderationFields(moderated))
        json.append(UInt8(ascii: "}"))
        return json
    }
}
