import Foundation

/// What a moderator can do to one post.
public enum PostAction: String, Sendable, CaseIterable {
    case hide, show, approve, reject, pin, unpin
    /// Marks a visible post as a question for the stage, or takes the mark off an open one.
    case question, unquestion
}

/// A moderator action that does not apply to the post as it is (approving a visible post, say).
public struct ModerationConflict: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// A post id that names no post.
public struct UnknownPost: Error, Sendable, CustomStringConvertible {
    public let id: PostID
    public var description: String { "no post with id \(self.id)" }
}

extension Intake {
    /// Applies `action` to the post `id` on behalf of `moderator`. Durable (the post and the audit entry) before it
    /// returns; a post taken off the wall leaves every public stream at once (`remove`), one put on it arrives (`post`).
    /// - Throws: ``UnknownPost``, ``ModerationConflict``, ``JournalError``.
    public func moderate(_ id: PostID, _ action: PostAction, by moderator: String) async throws -> ModeratedPost {
        var stored = try await self.storedPost(id)
        try self.checkWritable()
        let before = stored
        switch action {
        case .hide:
            guard [.visible, .held].contains(stored.moderation.state) else {
                throw ModerationConflict(description: "the post is already off the wall")
            }
            stored.moderation.state = .hidden
        case .show:
            guard [.hidden, .rejected].contains(stored.moderation.state) else {
                throw ModerationConflict(description: "only a hidden or rejected post can be shown (use approve for a held one)")
            }
            stored.moderation.state = .visible
        case .approve:
            guard stored.moderation.state == .held else { throw ModerationConflict(description: "only a held post can be approved") }
            stored.moderation.state = .visible
        case .reject:
            guard stored.moderation.state == .held else { throw ModerationConflict(description: "only a held post can be rejected") }
            stored.moderation.state = .rejected
        case .pin, .unpin:
            guard stored.post.pinned != (action == .pin) else {
                throw ModerationConflict(description: "the post is already \(action == .pin ? "pinned" : "unpinned")")
            }
            stored.post.pinned = action == .pin
        case .question:
            guard stored.moderation.state == .visible else { throw ModerationConflict(description: "only a visible post can go to the stage") }
            guard stored.moderation.question?.isOpen != true else { throw ModerationConflict(description: "the post is already a question") }
            stored.moderation.question = Moderation.Question(markedAt: Date().timeIntervalSince1970)
        case .unquestion:
            guard stored.moderation.question?.isOpen == true else { throw ModerationConflict(description: "the post is not an open question") }
            stored.moderation.question = nil
        }
        if stored.moderation.state != .held {
            stored.moderation.heldSince = nil
            stored.moderation.heldBecause = nil
        }
        var entry = JournalEntry()
        self.apply(stored, replacing: before, to: &entry)
        let inverse: AuditEntry.Inverse =
            switch action {
            case .pin, .unpin: .pinned(id, before.post.pinned)
            case .question, .unquestion: .question(id, before.moderation.question)
            default: .states([id: before.moderation.state])
            }
        self.record(action.auditAction, postID: id, summary: Self.summary(action.rawValue, before.post), inverse: inverse, by: moderator, in: &entry)
        try await self.commit(entry)
        return self.moderated(stored)
    }

    /// Bans the author of `postID`: their visible posts leave the wall, their next ones are held. Returns how
    /// many posts were hidden.
    public func ban(authorOf postID: PostID, by moderator: String) async throws -> Int {
        let stored = try await self.storedPost(postID)
        try self.checkWritable()
        let authorKey = stored.moderation.authorKey
        var entry = JournalEntry()
        var previous: [PostID: PostState] = [:]
        self.book.bans.insert(authorKey)
        entry.bans = [(authorKey, true)]
        for var post in self.store.posts(byAuthor: authorKey) where post.moderation.state == .visible {
            let before = post
            previous[post.post.id] = post.moderation.state
            post.moderation.state = .hidden
            self.apply(post, replacing: before, to: &entry)
        }
        entry.hideVisibleByAuthor = [authorKey]
        self.record(
            .ban, postID: postID, summary: "banned \(stored.post.author.name)", inverse: .banned(authorKey: authorKey, false, states: previous),
            by: moderator, in: &entry)
        try await self.commit(entry)
        return previous.count
    }

    /// Lifts the ban on the author of `postID`: their next posts are no longer held for it. Their hidden posts stay
    /// hidden (show them one by one, or undo the ban). Returns how many of their posts the moderators' list updates.
    public func unban(authorOf postID: PostID, by moderator: String) async throws -> Int {
        let stored = try await self.storedPost(postID)
        try self.checkWritable()
        let authorKey = stored.moderation.authorKey
        guard self.book.bans.remove(authorKey) != nil else { throw ModerationConflict(description: "this author is not banned") }
        var entry = JournalEntry()
        entry.bans = [(authorKey, false)]
        let posts = self.store.posts(byAuthor: authorKey)
        for post in posts {
            entry.moderatorEvents.append(self.nextModeratorEvent(.post(self.moderated(post))))
        }
        self.record(
            .unban, postID: postID, summary: "unbanned \(stored.post.author.name)", inverse: .banned(authorKey: authorKey, true, states: [:]),
            by: moderator, in: &entry)
        try await self.commit(entry)
        return posts.count
    }

    /// The moderators' settings now.
    public var settings: ModerationSettings { self.book.settings }

    /// Replaces the settings. They apply to posts accepted from now on.
    /// - Throws: ``InvalidField`` naming the first bad field.
    public func updateSettings(_ settings: ModerationSettings, by moderator: String) async throws -> ModerationSettings {
        if let problem = settings.problems().first { throw problem }
        try self.checkWritable()
        var entry = JournalEntry()
        let previous = self.book.settings
        self.setSettings(settings, in: &entry)
        self.record(
            .settings, postID: nil, summary: Self.describeChange(from: previous, to: settings), inverse: .settings(previous), by: moderator,
            in: &entry)
        try await self.commit(entry)
        return settings
    }

    /// The newest audit entries, newest first.
    public func auditEntries(limit: Int) -> [AuditEntry] { Array(self.book.audit.prefix(limit)) }

    /// Undoes `moderator`'s most recent action that is not yet undone. Returns that entry, marked undone.
    /// - Throws: ``ModerationConflict`` when there is nothing to undo.
    public func undo(by moderator: String) async throws -> AuditEntry {
        guard let target = self.book.audit.first(where: { $0.moderator == moderator && !$0.undone && $0.inverse != nil }),
            let inverse = target.inverse
        else { throw ModerationConflict(description: "nothing to undo") }
        // Read every post it touches first (some may be on disk only): from here to the submission nothing waits,
        // so no other change can be numbered and published between this undo's events.
        var read: [PostID: StoredPost] = [:]
        for id in inverse.postIDs { read[id] = try await self.storedPost(id) }
        guard let index = self.book.audit.firstIndex(where: { $0.id == target.id }), !self.book.audit[index].undone else {
            throw ModerationConflict(description: "that action was undone meanwhile")
        }
        try self.checkWritable()
        var entry = JournalEntry()
        switch inverse {
        case .states(let states):
            self.restore(states, read: read, in: &entry)
        case .pinned(let id, let pinned):
            if let before = self.store.stored(id) ?? read[id] {
                var stored = before
                stored.post.pinned = pinned
                self.apply(stored, replacing: before, to: &entry)
            }
        case .banned(let authorKey, let banned, let states):
            if banned { self.book.bans.insert(authorKey) } else { self.book.bans.remove(authorKey) }
            entry.bans = [(authorKey, banned)]
            self.restore(states, read: read, in: &entry)
        case .settings(let settings):
            self.setSettings(settings, in: &entry)
        case .question(let id, let question):
            if let before = self.store.stored(id) ?? read[id] {
                var stored = before
                stored.moderation.question = question
                self.apply(stored, replacing: before, to: &entry)
            }
        }
        let undone = self.book.markUndone(at: index)
        entry.audit.append(undone)
        entry.moderatorEvents.append(self.nextModeratorEvent(.audit(undone)))
        self.record(.undo, postID: undone.postID, summary: "undid: \(undone.summary)", inverse: nil, by: moderator, in: &entry)
        try await self.commit(entry)
        return undone
    }

    // MARK: - Helpers

    /// The post from memory, else from the journal (an evicted post can still be moderated).
    func storedPost(_ id: PostID) async throws -> StoredPost {
        if let stored = self.store.stored(id) { return stored }
        guard let stored = try await self.journal.storedPost(id) else { throw UnknownPost(id: id) }
        return self.store.stored(id) ?? stored  // re-read: the await let other changes in
    }

    /// Puts each post back in its state; `read`: the posts as read before (memory, being newer, wins).
    private func restore(_ states: [PostID: PostState], read: [PostID: StoredPost], in entry: inout JournalEntry) {
        for (id, state) in states.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard let before = self.store.stored(id) ?? read[id] else { continue }
            var stored = before
            stored.moderation.state = state
            self.apply(stored, replacing: before, to: &entry)
        }
    }

    /// Records `stored` in the store and the entry, with the public event its change of visibility means.
    func apply(_ stored: StoredPost, replacing before: StoredPost, to entry: inout JournalEntry) {
        self.store.update(stored)
        entry.changed.append(stored)
        let event: WallEvent?
        switch (before.moderation.state == .visible, stored.moderation.state == .visible) {
        case (true, false): event = self.nextEvent(.remove(stored.post.id))
        case (false, true): event = self.nextEvent(.post(stored.post))
        case (true, true) where before.post != stored.post: event = self.nextEvent(.update(stored.post))
        default: event = nil
        }
        if let event {
            entry.events.append(event)
            // A post still within the projector delay never reached the projector: it hears nothing of it,
            // and a post hidden in that time never will.
            if self.projector.isWaiting(stored.post.id) {
                entry.notForProjector.insert(event.number)
                if stored.moderation.state != .visible { self.projector.cancel(stored.post.id) }
            }
        }
        entry.moderatorEvents.append(self.nextModeratorEvent(.post(self.moderated(stored))))
        self.stageChange(from: before, to: stored, in: &entry)
    }

    private func setSettings(_ settings: ModerationSettings, in entry: inout JournalEntry) {
        self.book.policy = ModerationPolicy(settings: settings)
        entry.settings = settings
        entry.moderatorEvents.append(self.nextModeratorEvent(.settings(settings)))
    }

    func record(
        _ action: AuditEntry.Action, postID: PostID?, summary: String, inverse: AuditEntry.Inverse?, by moderator: String,
        in entry: inout JournalEntry
    ) {
        let audit = self.book.record(action, postID: postID, summary: summary, inverse: inverse, by: moderator, at: Date())
        entry.audit.append(audit)
        entry.moderatorEvents.append(self.nextModeratorEvent(.audit(audit)))
    }

    static func summary(_ verb: String, _ post: Post) -> String {
        let text = post.text.count > 60 ? String(post.text.prefix(60)) + "…" : post.text
        return "\(verb) \(post.author.name): « \(text.replacingOccurrences(of: "\n", with: " ")) »"
    }

    static func describeChange(from old: ModerationSettings, to new: ModerationSettings) -> String {
        var parts: [String] = []
        if old.mode != new.mode { parts.append("mode \(new.mode.rawValue)") }
        if old.channelModes != new.channelModes { parts.append("channel modes") }
        if old.blocklist != new.blocklist { parts.append("blocklist (\(new.blocklist.count) entries)") }
        if old.trusted != new.trusted { parts.append("trusted authors (\(new.trusted.count))") }
        if old.projectorDelaySeconds != new.projectorDelaySeconds { parts.append("projector delay \(new.projectorDelaySeconds) s") }
        if old.floodLimitPerMinute != new.floodLimitPerMinute { parts.append("flood limit \(new.floodLimitPerMinute)/min") }
        return "settings: " + (parts.isEmpty ? "saved unchanged" : parts.joined(separator: ", "))
    }
}

extension AuditEntry.Inverse {
    /// The posts undoing this touches.
    var postIDs: [PostID] {
        switch self {
        case .states(let states), .banned(_, _, let states): Array(states.keys)
        case .pinned(let id, _), .question(let id, _): [id]
        case .settings: []
        }
    }
}

extension PostAction {
    var auditAction: AuditEntry.Action {
        switch self {
        case .hide: .hide
        case .show: .show
        case .approve: .approve
        case .reject: .reject
        case .pin: .pin
        case .unpin: .unpin
        case .question: .question
        case .unquestion: .unquestion
        }
    }
}
