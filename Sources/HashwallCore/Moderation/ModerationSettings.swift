/// `post` shows a post at once (moderators may hide it); `pre` holds it until a moderator approves it.
public enum ModerationMode: String, Sendable, Hashable, Codable {
    case post, pre
}

/// The moderators' live settings (`GET`/`PUT /api/moderation/settings`), durable and restored at start-up.
public struct ModerationSettings: Sendable, Hashable, Codable {
    public var mode: ModerationMode
    /// Per-channel overrides of `mode`; a channel absent here follows `mode`.
    public var channelModes: [String: ModerationMode]
    /// Words or phrases (whole words, case- and accent-insensitive) that hold a post for review.
    public var blocklist: [String]
    /// Handles or names of authors whose posts skip pre-moderation and the flood limit.
    public var trusted: [String]
    /// In `post` mode, the projector shows a post only this long after it was accepted (0: at once).
    public var projectorDelaySeconds: Int
    /// Posts per minute one author may have shown; the rest are held (0: no limit).
    public var floodLimitPerMinute: Int

    public init(
        mode: ModerationMode = .post, channelModes: [String: ModerationMode] = [:], blocklist: [String] = Blocklist.defaultEntries,
        trusted: [String] = [], projectorDelaySeconds: Int = 0, floodLimitPerMinute: Int = 0
    ) {
        self.mode = mode
        self.channelModes = channelModes
        self.blocklist = blocklist
        self.trusted = trusted
        self.projectorDelaySeconds = projectorDelaySeconds
        self.floodLimitPerMinute = floodLimitPerMinute
    }

    /// The mode that applies to `channel`.
    public func mode(for channel: ChannelKind) -> ModerationMode {
        self.channelModes[channel.rawValue] ?? self.mode
    }

    /// Every problem, each named by its field.
    public func problems() -> [InvalidField] {
        var problems: [InvalidField] = []
        for key in self.channelModes.keys where ChannelKind(rawValue: key) == nil {
            problems.append(InvalidField("channelModes.\(key)", "is not a channel (x, mastodon, bluesky, sms, email, api, demo)"))
        }
        if !(0...3600).contains(self.projectorDelaySeconds) {
            problems.append(InvalidField("projectorDelaySeconds", "must be 0 to 3600, got \(self.projectorDelaySeconds)"))
        }
        if !(0...10_000).contains(self.floodLimitPerMinute) {
            problems.append(InvalidField("floodLimitPerMinute", "must be 0 to 10000, got \(self.floodLimitPerMinute)"))
        }
        if self.blocklist.count > 5000 { problems.append(InvalidField("blocklist", "holds more than 5000 entries")) }
        if self.trusted.count > 5000 { problems.append(InvalidField("trusted", "holds more than 5000 entries")) }
        return problems
    }
}
