import DequeModule
import Foundation

/// The moderators' state, as a plain value the ``Intake`` owns: the settings in force (as a policy), the banned
/// authors, the newest audit entries and the flood limit's counts. Restored from the journal as one piece, so a
/// failed commit puts it back whole.
struct ModerationBook: Sendable {
    /// The settings of the configuration, which apply until the moderators save their own.
    let configured: ModerationSettings
    var policy: ModerationPolicy
    var bans: Set<String>
    /// The newest audit entries, newest first (bounded by `Journal.restoredAudit`).
    private(set) var audit: [AuditEntry]
    private(set) var lastAuditID: Int64
    /// When each author's posts were shown, the last minute only (oldest first): the flood limit's count.
    private var shown: [String: Deque<Date>] = [:]
    /// `shown` is swept of authors with nothing in the last minute once it has this many.
    private var shownSweepAt = 4096

    /// The book as the journal saved it; `configured` applies while the moderators have saved no settings.
    init(saved: Journal.WorkingSet, configured: ModerationSettings) {
        self.configured = configured
        self.policy = ModerationPolicy(settings: saved.settings ?? configured)
        self.bans = saved.bans
        self.audit = saved.audit
        self.lastAuditID = saved.audit.first?.id ?? 0
    }

    /// The same book after a failed commit: what the journal holds, with the audit numbering never going back.
    mutating func restore(_ saved: Journal.WorkingSet) {
        let lastAuditID = self.lastAuditID
        self = ModerationBook(saved: saved, configured: self.configured)
        self.lastAuditID = max(self.lastAuditID, lastAuditID)
    }

    var settings: ModerationSettings { self.policy.settings }

    /// How many of `authorKey`'s posts were shown in the minute before `now`. Bounded: once many authors are
    /// counted, those with nothing in the last minute are forgotten (the threshold doubles past what stays, so the
    /// sweeps cost a constant per post).
    mutating func shownInLastMinute(_ authorKey: String, now: Date) -> Int {
        if self.shown.count > self.shownSweepAt {
            self.shown = self.shown.filter { $0.value.last.map { now.timeIntervalSince($0) <= 60 } ?? false }
            self.shownSweepAt = max(4096, self.shown.count * 2)
        }
        guard var times = self.shown[authorKey] else { return 0 }
        while let oldest = times.first, now.timeIntervalSince(oldest) > 60 { times.removeFirst() }
        self.shown[authorKey] = times.isEmpty ? nil : times
        return times.count
    }

    /// Counts a post of `authorKey` shown at `now`, when a flood limit is set.
    mutating func countShown(_ authorKey: String, now: Date) {
        guard self.policy.settings.floodLimitPerMinute > 0 else { return }
        self.shown[authorKey, default: []].append(now)
    }

    /// A new audit entry, numbered and kept (newest first).
    mutating func record(
        _ action: AuditEntry.Action, postID: PostID?, summary: String, inverse: AuditEntry.Inverse?, by moderator: String, at date: Date
    ) -> AuditEntry {
        self.lastAuditID += 1
        let entry = AuditEntry(
            id: self.lastAuditID, at: date, moderator: moderator, action: action, postID: postID, summary: summary, inverse: inverse)
        self.audit.insert(entry, at: 0)
        if self.audit.count > Journal.restoredAudit { self.audit.removeLast() }
        return entry
    }

    /// Forgets what the audit entries naming one of `ids` said of their post (an erasure): the summary says only the
    /// action, and the entry can no longer be undone.
    mutating func scrub(_ ids: Set<PostID>) {
        for index in self.audit.indices {
            guard let id = self.audit[index].postID, ids.contains(id) else { continue }
            self.audit[index].summary = AuditEntry.erasedSummary(self.audit[index].action)
            self.audit[index].inverse = nil
        }
    }

    /// Marks the audit entry at `index` undone and returns it.
    mutating func markUndone(at index: Int) -> AuditEntry {
        self.audit[index].undone = true
        return self.audit[index]
    }
}
