/// Who wrote a post, as the wall shows it. For SMS the handle is already masked: the full number is never public.
public struct Author: Sendable, Hashable, Codable {
    /// Display name, normalised like post text.
    public var name: String
    /// The handle without `@` (`claire_m`, `alice@piaille.fr`), a masked phone number, or `nil`.
    public var handle: String?

    public init(name: String, handle: String? = nil) {
        self.name = name
        self.handle = handle
    }

    enum CodingKeys: String, CodingKey { case name, handle }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decode(String.self, forKey: .name)
        self.handle = try container.decodeIfPresent(String.self, forKey: .handle)
    }

    /// Writes `handle` as `null` when absent, as the contract shows, so pages can rely on the key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.handle, forKey: .handle)
    }
}
