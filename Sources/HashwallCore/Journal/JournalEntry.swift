import Foundation

/// What one change must make durable before it is acknowledged, and the events to publish once it is.
public struct JournalEntry: Sendable {
    /// New posts.
    public var added: [StoredPost] = []
    /// Posts already in the journal whose content or moderation changed.
    public var changed: [StoredPost] = []
    public var keys: [PostStore.RememberedKey] = []
    /// Public events (visible posts only), numbered.
    public var events: [WallEvent] = []
    /// Events for the moderators' stream, numbered from the same counter.
    public var moderatorEvents: [ModeratorEvent] = []
    /// Numbers of public events the projector does not get (posts it shows only after the projector delay,
    /// and changes to them before then).
    public var notForProjector: Set<Int64> = []
    /// Events for the projector only: posts released after the projector delay.
    public var projectorEvents: [WallEvent] = []
    /// Audit entries to write (new) or rewrite (marked undone).
    public var audit: [AuditEntry] = []
    /// Author keys banned (`true`) or unbanned (`false`).
    public var bans: [(authorKey: String, banned: Bool)] = []
    public var settings: ModerationSettings?
    /// A channel's own durable state (cursors, parts of a message still arriving): set, or deleted when `nil`.
    public var channelState: [(channel: String, key: String, value: Data?)] = []
    /// Authors whose visible posts on disk (beyond the working set) are hidden too: a ban reaches every page.
    public var hideVisibleByAuthor: [String] = []
    /// Posts erased (an author's request): their rows and dedupe keys deleted, the audit entries that name them
    /// rewritten (``AuditEntry/erasedSummary(_:)``, no undo), and a keyed digest of each id kept so that a
    /// redelivery never brings them back.
    public var erased: [(postID: PostID, digest: String)] = []
    /// Contacts (phone numbers, addresses) of posts written before this time (seconds since 1970) are wiped.
    public var wipeContactsBefore: Double?
    /// Frames already encoded for one stream, numbered from the same counter: the stage's events (questions marked,
    /// answered, the one being answered) and the projector's `answering`.
    public var frames: [(stream: WallHubs.Stream, frame: EventHub.Frame)] = []
    /// Announcements written (new or changed) or deleted (`nil`), by id.
    public var announcements: [(id: String, announcement: Announcement?)] = []
    /// An announcement's image set (bytes) or removed (`nil`).
    public var announcementImage: (id: String, bytes: [UInt8]?)?

    public init(
        added: [StoredPost] = [], changed: [StoredPost] = [], keys: [PostStore.RememberedKey] = [], events: [WallEvent] = [],
        moderatorEvents: [ModeratorEvent] = [], channelState: [(channel: String, key: String, value: Data?)] = []
    ) {
        self.channelState = channelState
        self.added = added
        self.changed = changed
        self.keys = keys
        self.events = events
        self.moderatorEvents = moderatorEvents
    }

    /// Whether there is nothing to write: a pure duplicate still waits its turn, so it is answered only once
    /// the post it duplicates is durable.
    public var isEmpty: Bool {
        self.added.isEmpty && self.changed.isEmpty && self.keys.isEmpty && self.events.isEmpty && self.moderatorEvents.isEmpty
            && self.projectorEvents.isEmpty
            && self.audit.isEmpty && self.bans.isEmpty && self.settings == nil && self.hideVisibleByAuthor.isEmpty
            && self.channelState.isEmpty && self.erased.isEmpty && self.wipeContactsBefore == nil
            && self.frames.isEmpty && self.announcements.isEmpty && self.announcementImage == nil
    }

    /// The highest event number this entry carries.
    var lastEvent: Int64? {
        [self.events.last?.number, self.moderatorEvents.last?.number, self.projectorEvents.last?.number, self.frames.map(\.frame.number).max()]
            .compactMap { $0 }.max()
    }
}

/// One numbered event of the moderators' stream (`/api/moderation/events`).
public struct ModeratorEvent: Sendable {
    public enum Change: Sendable {
        /// A post, new or changed, with its state.
        case post(ModeratedPost)
        case settings(ModerationSettings)
        case audit(AuditEntry)
        /// A post erased from the database: the console drops it.
        case remove(PostID)

        public var name: String {
            switch self {
            case .post: "post"
            case .settings: "settings"
            case .audit: "audit"
            case .remove: "remove"
            }
        }
    }

    public var number: Int64
    public var change: Change

    public init(number: Int64, change: Change) {
        self.number = number
        self.change = change
    }
}
