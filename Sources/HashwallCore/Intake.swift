import CoreMetrics
import Foundation
import Logging

/// The one door in: normalise → merge → journal → publish. Every channel and `/api/ingest` hands posts here.
///
/// Owns the ``PostStore``. A merge and its submission to the journal happen in one turn of this actor, so
/// events are numbered, committed and published in the same order. `accept` returns only once the post (or
/// the post it merged into) is durable.
public actor Intake {
    /// A page of the wall and the number of the last event it reflects: a client that follows `/events`
    /// from that number misses nothing.
    public struct Snapshot: Sendable {
        public var posts: [Post]
        public var lastEvent: Int64
    }

    private var store: PostStore
    private var lastEvent: Int64
    let journal: Journal
    let hub: EventHub
    let metrics: WallMetrics
    let status: ChannelStatusBoard

    /// Restores the working set from `journal` and resumes the hub's event counter where it stopped.
    /// - Throws: ``JournalError`` when the journal can't be read.
    public init(journal: Journal, hub: EventHub, limits: StoreLimits, metrics: WallMetrics, status: ChannelStatusBoard) throws {
        let saved = try journal.loadWorkingSet(limits: limits)
        self.store = PostStore(limits: limits, posts: saved.posts, keys: saved.keys, lastArrival: saved.lastArrival)
        self.lastEvent = saved.lastEvent
        self.journal = journal
        self.hub = hub
        self.metrics = metrics
        self.status = status
        hub.resume(after: saved.lastEvent)
    }

    /// Accepts one post from outside. Returns the id of the wall's post it became or merged into, once durable.
    /// - Throws: ``InvalidField`` for content that can't be shown; ``JournalError`` when it could not be stored.
    public func accept(_ incoming: IncomingPost, channelName: String? = nil) async throws -> PostID {
        let prepared = try PreparedPost(incoming, receivedAt: Date())
        try self.journal.checkCapacity()
        let result = self.store.merge(prepared)
        var entry = JournalEntry(keys: result.learnedKeys)
        switch result.outcome {
        case .added(let post):
            entry.added = [(post, result.arrival ?? self.store.lastArrival)]
            entry.events = [self.nextEvent(.post(post))]
            self.metrics.postsAccepted[post.channel]?.increment()
        case .updated(let post):
            entry.changed = [post]
            entry.events = [self.nextEvent(.update(post))]
        case .reposted(let post):
            entry.changed = [post]
            entry.events = [self.nextEvent(.update(post))]
            self.metrics.repostsCounted.increment()
        case .duplicate:
            self.metrics.duplicatesMerged.increment()
        }
        let pending = self.journal.submit(entry)
        try await pending.wait()
        self.status.recordPost(channelName ?? incoming.channel.rawValue, at: Date())
        return result.outcome.postID
    }

    /// Up to `limit` posts, newest first, older than `before` when given (from memory, else from the journal).
    /// - Throws: ``InvalidField`` when `before` names no post.
    public func snapshot(limit: Int, before: PostID? = nil) async throws -> Snapshot {
        // The event number first: every event up to it was merged before we read the store.
        let lastEvent = self.hub.lastEvent
        if var page = self.store.page(limit: limit, before: before) {
            let anchor = page.last?.id ?? before
            if page.count < limit, self.store.count >= self.store.limits.maxPosts, let anchor,
                let older = try await self.journal.posts(before: anchor, limit: limit - page.count)
            {
                page += older
            }
            return Snapshot(posts: page, lastEvent: lastEvent)
        }
        guard let before, let older = try await self.journal.posts(before: before, limit: limit) else {
            throw InvalidField("before", "is not the id of a post on this wall")
        }
        return Snapshot(posts: older, lastEvent: lastEvent)
    }

    /// The post with `id`, if it is in the working set.
    public func post(_ id: PostID) -> Post? { self.store.post(id) }

    /// Posts in memory.
    public var count: Int { self.store.count }

    private func nextEvent(_ change: WallEvent.Change) -> WallEvent {
        self.lastEvent += 1
        return WallEvent(number: self.lastEvent, change: change)
    }
}
