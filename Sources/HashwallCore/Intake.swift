import CoreMetrics
import Foundation
import Logging

/// The one door in: normalise → merge → moderate → journal → publish. Every channel, `/api/ingest` and every
/// moderator action goes through here.
///
/// Keeps only ordering and state, in plain values it owns: the ``PostStore``, the ``ModerationBook`` (settings,
/// bans, audit, flood counts) and the ``ProjectorSchedule``. Posts are prepared (normalised, scanned, keyed) by the
/// caller, outside the actor. A change and its submission to the journal happen in one turn of this actor, so
/// events are numbered, committed and published in the same order. Methods return only once their change is durable.
public actor Intake {
    /// A page of the wall and the number of the last event it reflects: a client that follows the stream
    /// from that number misses nothing.
    public struct Snapshot<Item: Sendable>: Sendable {
        public var posts: [Item]
        public var lastEvent: Int64
    }

    var store: PostStore
    var lastEvent: Int64
    var book: ModerationBook
    var projector: ProjectorSchedule
    /// Keyed digests of the ids of erased posts: a redelivery of one is dropped.
    var erasedDigests: Set<String>
    /// The question the stage says is being answered now (the projector spotlights it); not kept across restarts.
    var answering: PostID?
    /// The organisers' announcements, by id.
    var announcements: [String: Announcement]
    /// The pictures of visible posts by cache key, for `/media` (rebuilt when the store's generation moved).
    var mediaIndex: (generation: Int, media: [String: Media]) = (-1, [:])
    /// Set while memory is restored from the journal after a failed commit (``recover()``): changes are refused.
    var recovering = false
    let journal: Journal
    let hubs: WallHubs
    let metrics: WallMetrics
    let status: ChannelStatusBoard

    /// Restores the working set from `journal` and resumes the event counter where it stopped. `settings` apply
    /// until the moderators change them (their changes are durable and win at the next start).
    /// - Throws: ``JournalError`` when the journal can't be read.
    public init(
        journal: Journal, hubs: WallHubs, limits: StoreLimits, settings: ModerationSettings = ModerationSettings(), metrics: WallMetrics,
        status: ChannelStatusBoard
    ) throws {
        let saved = try journal.loadWorkingSet(limits: limits)
        self.store = PostStore(limits: limits, posts: saved.posts, keys: saved.keys, lastArrival: saved.lastArrival)
        self.lastEvent = saved.lastEvent
        let book = ModerationBook(saved: saved, configured: settings)
        self.book = book
        self.erasedDigests = saved.erased
        self.announcements = Dictionary(saved.announcements.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // Posts accepted within the delay before a restart still wait for their time.
        self.projector = ProjectorSchedule(
            visible: self.store.allPosts.filter { $0.moderation.state == .visible }, delay: book.settings.projectorDelaySeconds)
        self.journal = journal
        self.hubs = hubs
        self.metrics = metrics
        self.status = status
        hubs.resume(after: saved.lastEvent)
    }

    /// Accepts one post from outside. Returns the id of the wall's post it became or merged into, once durable.
    /// A new post starts visible or held, as the moderation settings say; an edit of a post goes through the same
    /// rules, and one that would be held takes the post off the wall until a moderator approves it.
    /// Normalising and scanning run on the caller's task, outside the actor.
    /// - Throws: ``InvalidField`` for content that can't be shown; ``JournalError`` when it could not be stored
    ///   (then nothing of it stays in memory).
    public nonisolated func accept(_ incoming: IncomingPost, channelName: String? = nil) async throws -> PostID {
        let prepared = try PreparedPost(incoming, receivedAt: Date())
        return try await self.accept([prepared], channelName: channelName ?? incoming.channel.rawValue)[0]
    }

    /// Accepts a batch of posts from one channel and, in the same journal transaction, that channel's state
    /// (`channelState`: its cursor, set, or deleted when `nil`): after a crash either both are on disk or neither,
    /// so a pulling channel neither skips nor repeats. Returns each post's id on the wall, in order, once durable.
    /// - Throws: ``JournalError`` when it could not be stored (then nothing of it stays in memory).
    public func accept(_ batch: [PreparedPost], channelName: String, channelState: [(key: String, value: Data?)] = []) async throws -> [PostID] {
        try self.checkWritable()
        try self.journal.checkCapacity()
        let now = Date()
        var entry = JournalEntry(channelState: channelState.map { (channelName, $0.key, $0.value) })
        let ids = batch.map { self.stage($0, now: now, into: &entry) }
        try await self.commit(entry)
        self.status.recordPosts(channelName, count: batch.count, at: Date())
        return ids
    }

    /// Merges `prepared` into memory, moderates it, and adds what must be written and published to `entry`.
    /// Returns the id of the wall's post it became or merged into.
    private func stage(_ prepared: PreparedPost, now: Date, into entry: inout JournalEntry) -> PostID {
        if self.isErased(prepared.post.id) { return prepared.post.id }  // erased on its author's request: never again
        let previous = self.store.stored(prepared.post.id)
        let result = self.store.merge(prepared)
        entry.keys += result.learnedKeys
        switch result.outcome {
        case .added(let post):
            if var stored = self.store.stored(post.id) {
                self.decide(&stored, prepared, now: now)
                if stored.moderation.state == .visible {
                    let event = self.nextEvent(.post(post))
                    entry.events.append(event)
                    if self.book.settings.projectorDelaySeconds > 0 {
                        self.projector.schedule(post.id, at: now.addingTimeInterval(Double(self.book.settings.projectorDelaySeconds)))
                        entry.notForProjector.insert(event.number)
                    }
                }
                self.store.update(stored)
                _ = self.store.evictBeyondLimit()  // now that its state is known (it is journaled either way)
                entry.added.append(stored)
                entry.moderatorEvents.append(self.nextModeratorEvent(.post(self.moderated(stored))))
            }
            self.metrics.postsAccepted[post.channel]?.increment()
        case .updated(let post):
            // An edit is moderated again: what a moderator let through is not what it says now.
            if var stored = self.store.stored(post.id), let previous {
                if stored.moderation.state == .visible { self.decide(&stored, prepared, now: now) }
                self.apply(stored, replacing: previous, to: &entry)
            }
        case .reposted(let post):
            if let stored = self.store.stored(post.id) {
                entry.changed.append(stored)
                if stored.moderation.state == .visible {
                    let event = self.nextEvent(.update(post))
                    entry.events.append(event)
                    if self.projector.isWaiting(post.id) { entry.notForProjector.insert(event.number) }  // it goes out whole when due
                }
                entry.moderatorEvents.append(self.nextModeratorEvent(.post(self.moderated(stored))))
            }
            self.metrics.repostsCounted.increment()
        case .duplicate:
            self.metrics.duplicatesMerged.increment()
        }
        return result.outcome.postID
    }

    /// Sets the state of `stored` (new, or visible and edited) by the moderation policy, and counts it for the flood
    /// limit when it is shown.
    private func decide(_ stored: inout StoredPost, _ prepared: PreparedPost, now: Date) {
        let authorKey = stored.moderation.authorKey
        let shownInLastMinute = self.book.shownInLastMinute(authorKey, now: now)
        var (state, reason) = self.book.policy.initialState(
            for: stored.post, authorKey: authorKey, foldedText: prepared.foldedText, banned: self.book.bans.contains(authorKey),
            shownInLastMinute: shownInLastMinute)
        if state == .visible, let asked = prepared.holdReason { (state, reason) = (.held, asked) }  // the source asks for a look
        stored.moderation.state = state
        if state == .held {
            stored.moderation.heldSince = now.timeIntervalSince1970
            stored.moderation.heldBecause = reason
        } else {
            self.book.countShown(authorKey, now: now)
        }
    }

    /// Submits `entry` and waits until it is durable. When the commit fails, memory goes back to what is durable
    /// (``recover()``) before the error is thrown: a failed change leaves no trace, in memory or on any screen.
    func commit(_ entry: JournalEntry) async throws {
        do {
            try await self.journal.submit(entry).wait()
        } catch JournalError.closed {
            throw JournalError.closed  // the wall is stopping: nothing reads memory any more
        } catch {
            await self.recover()
            throw error
        }
    }

    /// Refuses a change while memory is being restored after a failed commit (503, retry).
    func checkWritable() throws {
        if self.recovering { throw JournalError.recovering }
    }

    /// Puts memory back to what the journal holds, after a commit failed: the posts, keys, moderation state and
    /// settings of the failed entries are gone, as if never tried. Changes are refused meanwhile, and it starts only
    /// once every entry submitted before has its answer, so no durable change is lost from memory.
    func recover() async {
        guard !self.recovering else { return }
        self.recovering = true
        defer { self.recovering = false }
        try? await self.journal.submit(JournalEntry()).wait()
        do {
            let saved = try self.journal.loadWorkingSet(limits: self.store.limits)
            self.restore(saved)
            self.journal.logger.warning("a journal commit failed: memory restored from the database", metadata: ["posts": "\(self.store.count)"])
        } catch {
            self.journal.logger.error("a journal commit failed and the database can't be read back", metadata: ["error": "\(error)"])
        }
    }

    /// Takes the state in `saved` as memory's.
    private func restore(_ saved: Journal.WorkingSet) {
        self.store = PostStore(limits: self.store.limits, posts: saved.posts, keys: saved.keys, lastArrival: saved.lastArrival)
        self.mediaIndex = (-1, [:])  // a new store counts its generations from zero again
        self.lastEvent = max(self.lastEvent, saved.lastEvent)
        self.book.restore(saved)
        self.erasedDigests = saved.erased
        self.announcements = Dictionary(saved.announcements.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let store = self.store
        self.projector.retain { store.stored($0)?.moderation.state == .visible }
    }

    /// Waits until every change submitted so far is durable, so that what was just read from memory is on disk.
    /// - Parameter failures: ``Journal/failedCommits`` before the read.
    /// - Throws: ``JournalError/recovering`` when a commit failed meanwhile: the read may hold what was rolled back.
    func settle(since failures: Int) async throws {
        try await self.journal.submit(JournalEntry()).wait()
        guard self.journal.failedCommits == failures, !self.recovering else { throw JournalError.recovering }
    }

    /// Up to `limit` visible posts, newest first, older than `before` when given (from memory, else from the journal).
    /// - Throws: ``InvalidField`` when `before` names no post.
    public func snapshot(limit: Int, before: PostID? = nil) async throws -> Snapshot<Post> {
        // The event number first: every event up to it was merged before we read the store.
        try self.checkWritable()
        let failures = self.journal.failedCommits
        let lastEvent = self.hubs.wall.lastEvent
        let posts = try await self.page(limit: limit, before: before, states: [.visible]).map(\.post)
        try await self.settle(since: failures)
        return Snapshot(posts: posts, lastEvent: lastEvent)
    }

    /// What the projector shows: like ``snapshot(limit:before:)`` but without posts still within the projector delay.
    public func projectorSnapshot(limit: Int, before: PostID? = nil) async throws -> Snapshot<Post> {
        try self.checkWritable()
        let failures = self.journal.failedCommits
        let lastEvent = self.hubs.projector.lastEvent
        let posts = try await self.page(limit: limit + self.projector.count, before: before, states: [.visible])
            .filter { !self.projector.isWaiting($0.post.id) && $0.post.contentWarning == nil }.prefix(limit).map(\.post)
        try await self.settle(since: failures)
        return Snapshot(posts: Array(posts), lastEvent: lastEvent)
    }

    /// Sends the projector the posts whose delay has passed (when they are still visible). Durable (the event
    /// counter) before it returns. Called by ``ProjectorRelease``.
    public func releaseProjectorPosts(now: Date = Date()) async throws {
        try self.checkWritable()
        let due = self.projector.takeDue(now: now)
        guard !due.isEmpty else { return }
        var entry = JournalEntry()
        for (id, _) in due {
            guard let stored = self.store.stored(id), stored.moderation.state == .visible else { continue }
            entry.projectorEvents.append(self.nextEvent(.post(stored.post)))
        }
        do {
            try await self.commit(entry)
        } catch {
            for (id, time) in due where self.store.stored(id)?.moderation.state == .visible { self.projector.schedule(id, at: time) }  // due again
            throw error
        }
    }

    /// The picture with cache key `key` of a visible post; `nil` when no visible post has it (hidden, gone, unknown).
    public func visibleMedia(key: String) -> Media? {
        if self.mediaIndex.generation != self.store.generation {
            var media: [String: Media] = [:]
            for stored in self.store.allPosts where stored.moderation.state == .visible {
                for item in stored.post.media where media[item.key] == nil { media[item.key] = item }
            }
            self.mediaIndex = (self.store.generation, media)
        }
        return self.mediaIndex.media[key]
    }

    /// The organiser's figures from the database (exact across restarts): see ``WallStats``.
    public nonisolated func stats(minutes: Int = 60, top: Int = 10) async throws -> WallStats {
        try await self.journal.stats(minutes: minutes, top: top)
    }

    /// Every post with its moderation, oldest first, from the database (the organiser's export).
    public func exportPosts() async throws -> [ModeratedPost] {
        try await self.journal.allPosts().map(self.moderated)
    }

    /// Visible pinned posts, newest first: the projector's spotlight needs them however old they are.
    public func pinned() -> [Post] {
        self.store.allPosts.reversed().filter { $0.post.pinned && $0.moderation.state == .visible }.map(\.post)
    }

    /// The moderators' view: up to `limit` posts in one of `states`, newest first, with their moderation.
    public func moderatorSnapshot(limit: Int, before: PostID? = nil, states: Set<PostState>) async throws -> Snapshot<ModeratedPost> {
        let lastEvent = self.hubs.moderators.lastEvent
        let posts = try await self.page(limit: limit, before: before, states: states).map(self.moderated)
        return Snapshot(posts: posts, lastEvent: lastEvent)
    }

    private func page(limit: Int, before: PostID?, states: Set<PostState>) async throws -> [StoredPost] {
        if var page = self.store.storedPage(limit: limit, before: before, states: states) {
            let anchor = page.last?.post.id ?? before
            if page.count < limit, self.store.count >= self.store.limits.maxPosts, let anchor,
                let older = try await self.journal.posts(before: anchor, limit: limit - page.count, states: states)
            {
                page += older.filter { old in !page.contains { $0.post.id == old.post.id } }
            }
            return page
        }
        guard let before, let older = try await self.journal.posts(before: before, limit: limit, states: states) else {
            throw InvalidField("before", "is not the id of a post on this wall")
        }
        return older
    }

    /// The post with `id`, if it is in the working set.
    public func post(_ id: PostID) -> Post? { self.store.post(id) }

    /// The post with `id` as the public may see it (its permalink): nil when it is unknown, or not visible now
    /// (hidden, held, rejected), so a hidden post's permalink says no more than an unknown one's.
    public func visiblePost(_ id: PostID) async throws -> Post? {
        try self.checkWritable()
        let failures = self.journal.failedCommits
        let post: Post?
        if let stored = self.store.stored(id) {
            post = stored.moderation.state == .visible ? stored.post : nil
        } else {
            let stored = try await self.journal.storedPost(id)
            post = stored?.moderation.state == .visible ? stored?.post : nil
        }
        guard post != nil else { return nil }
        try await self.settle(since: failures)
        return post
    }

    /// Posts in memory.
    public var count: Int { self.store.count }

    /// The next number of the one counter every stream's events share.
    func nextNumber() -> Int64 {
        self.lastEvent += 1
        return self.lastEvent
    }

    func nextEvent(_ change: WallEvent.Change) -> WallEvent {
        WallEvent(number: self.nextNumber(), change: change)
    }

    func nextModeratorEvent(_ change: ModeratorEvent.Change) -> ModeratorEvent {
        ModeratorEvent(number: self.nextNumber(), change: change)
    }

    func moderated(_ stored: StoredPost) -> ModeratedPost {
        ModeratedPost(
            stored: stored, authorBanned: self.book.bans.contains(stored.moderation.authorKey),
            authorTrusted: self.book.policy.isTrusted(authorKey: stored.moderation.authorKey))
    }

}
