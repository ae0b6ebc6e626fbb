/// What one merge must make durable before it is acknowledged, and the events to publish once it is.
public struct JournalEntry: Sendable {
    /// New posts with their arrival numbers.
    public var added: [(post: Post, arrival: Int64)] = []
    /// Posts already in the journal whose content changed.
    public var changed: [Post] = []
    public var keys: [PostStore.RememberedKey] = []
    /// The wall's events, numbered; the highest becomes the journal's event counter.
    public var events: [WallEvent] = []

    public init(
        added: [(post: Post, arrival: Int64)] = [], changed: [Post] = [], keys: [PostStore.RememberedKey] = [], events: [WallEvent] = []
    ) {
        self.added = added
        self.changed = changed
        self.keys = keys
        self.events = events
    }

    /// Whether there is nothing to write: a pure duplicate still waits its turn, so it is answered only once
    /// the post it duplicates is durable.
    public var isEmpty: Bool { self.added.isEmpty && self.changed.isEmpty && self.keys.isEmpty && self.events.isEmpty }
}
