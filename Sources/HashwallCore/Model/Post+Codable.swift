import Foundation

extension Post: Codable {
    enum CodingKeys: String, CodingKey {
        case id, channel, author, text, createdAt, receivedAt, url, media, hashtags, spans, reposts, pinned, contentWarning
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(PostID.self, forKey: .id)
        self.channel = try container.decode(ChannelKind.self, forKey: .channel)
        self.author = try container.decode(Author.self, forKey: .author)
        self.text = try container.decode(String.self, forKey: .text)
        self.createdAt = try WireDate.parse(container.decode(String.self, forKey: .createdAt), field: "createdAt")
        self.receivedAt = try WireDate.parse(container.decode(String.self, forKey: .receivedAt), field: "receivedAt")
        self.url = try container.decodeIfPresent(String.self, forKey: .url)
        self.media = (try? container.decodeIfPresent([Media].self, forKey: .media)) ?? []
        self.hashtags = try container.decodeIfPresent([String].self, forKey: .hashtags) ?? []
        self.spans = try container.decodeIfPresent([TextSpan].self, forKey: .spans) ?? []
        self.reposts = try container.decodeIfPresent(Int.self, forKey: .reposts) ?? 0
        self.pinned = try container.decodeIfPresent(Bool.self, forKey: .pinned) ?? false
        self.contentWarning = try container.decodeIfPresent(String.self, forKey: .contentWarning)
    }

    /// Writes every key (`contentWarning` only when there is one), `url` as `null` when absent, and dates as ISO 8601 (milliseconds only when present).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.channel, forKey: .channel)
        try container.encode(self.author, forKey: .author)
        try container.encode(self.text, forKey: .text)
        try container.encode(WireDate.format(self.createdAt), forKey: .createdAt)
        try container.encode(WireDate.format(self.receivedAt), forKey: .receivedAt)
        try container.encode(self.url, forKey: .url)
        try container.encode(self.media, forKey: .media)
        try container.encode(self.hashtags, forKey: .hashtags)
        try container.encode(self.spans, forKey: .spans)
        try container.encode(self.reposts, forKey: .reposts)
        try container.encode(self.pinned, forKey: .pinned)
        try container.encodeIfPresent(self.contentWarning, forKey: .contentWarning)
    }
}
