/// The channel families a post can come from. The raw values are part of the public JSON contract.
public enum ChannelKind: String, Sendable, Hashable, Codable, CaseIterable {
    case x, mastodon, bluesky, sms, email, api, demo
}
