/// How much the in-memory working set holds.
public struct StoreLimits: Sendable, Equatable {
    /// Posts kept in memory; beyond it the oldest unpinned post is evicted (it stays in the journal).
    public var maxPosts: Int
    /// Dedupe keys remembered, oldest forgotten first; several per post, so keep it well above `maxPosts`.
    public var maxRememberedKeys: Int
    /// Two long texts this close in `createdAt` are one post, whatever their channel.
    public var crossChannelWindow: Double

    public init(maxPosts: Int = 2000, maxRememberedKeys: Int = 200_000, crossChannelWindow: Double = 600) {
        self.maxPosts = maxPosts
        self.maxRememberedKeys = maxRememberedKeys
        self.crossChannelWindow = crossChannelWindow
    }
}
