import Crypto
import Foundation
import HashwallCore

/// The JSON body of `POST /api/ingest` (DESIGN.md), checked field by field. Parsing is a pure function of the
/// bytes, so it is fuzzed without a server (`make fuzz`).
public struct IngestBody: Decodable, Sendable, Equatable {
    public struct AuthorBody: Decodable, Sendable, Equatable {
        var name: String
        var handle: String?
    }

    var id: String?
    var author: AuthorBody
    var text: String
    var createdAt: String?
    var url: String?
    var repostOf: String?

    private static let decoder = JSONDecoder()

    /// Decodes `bytes`; every problem becomes an ``InvalidField`` naming the field.
    public static func decode(_ bytes: [UInt8]) throws -> IngestBody {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw InvalidField("body", "is not valid UTF-8") }
        try JSONNesting.check(bytes)
        if let body = Self.quickDecode(bytes) { return body }
        do {
            return try Self.decoder.decode(IngestBody.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw Self.invalidField(error)
        }
    }

    /// The post this body describes. Without an `id`, the id comes from the content, so the same body twice is one post.
    public func incoming() throws -> IncomingPost {
        // Counts in characters, but only for strings that may be too long: counting is a walk over the text.
        if let id, id.isEmpty || Self.longer(id, than: 256) || id.unicodeScalars.contains(where: Self.isControl) {
            throw InvalidField("id", "must be 1 to 256 characters without control characters")
        }
        guard !Self.longer(self.author.name, than: 200) else { throw InvalidField("author.name", "is longer than 200 characters") }
        if let handle = self.author.handle, Self.longer(handle, than: 200) { throw InvalidField("author.handle", "is longer than 200 characters") }
        guard !Self.longer(self.text, than: 20_000) else { throw InvalidField("text", "is longer than 20000 characters") }
        if let url {
            guard !Self.longer(url, than: 2048), let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? "") else {
                throw InvalidField("url", "must be an http or https URL")
            }
        }
        let createdAt = try self.createdAt.map { try WireDate.parse($0, field: "createdAt") }
        let nativeID = self.id ?? Self.contentID(self.author.name, self.author.handle ?? "", self.text)
        return IncomingPost(
            id: PostID("api:" + nativeID), channel: .api, author: Author(name: self.author.name, handle: self.author.handle),
            text: self.text, createdAt: createdAt, url: self.url, repostOf: self.repostOf.map { PostID("api:" + $0) })
    }

    /// Whether `text` has more than `limit` characters (no character is shorter than one UTF-8 byte).
    private static func longer(_ text: String, than limit: Int) -> Bool {
        text.utf8.count > limit && text.count > limit
    }

    /// Unicode's control characters (general category Cc): U+0000–U+001F and U+007F–U+009F.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func contentID(_ parts: String...) -> String {
        let digest = SHA256.hash(data: Array(parts.joined(separator: "\u{0}").utf8))
        return "h" + digest.prefix(10).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    public static func invalidField(_ error: DecodingError) -> InvalidField {
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (key.map { [$0] } ?? [])
            return keys.isEmpty ? "body" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return InvalidField(path(context.codingPath, key), "is required")
        case .valueNotFound(_, let context):
            return InvalidField(path(context.codingPath), "must not be null")
        case .typeMismatch(let type, let context):
            return InvalidField(path(context.codingPath), "must be \(type == String.self ? "a string" : "an object")")
        case .dataCorrupted(let context):
            return InvalidField(path(context.codingPath), context.codingPath.isEmpty ? "is not valid JSON" : "is malformed")
        @unknown default:
            return InvalidField("body", "is not valid")
        }
    }
}
