import DequeModule
import Foundation

/// The working set: every post in memory, the keys that decide what is new, a duplicate or a repost, and the
/// wall's order. A plain value with synchronous methods; ``Intake`` owns the one instance that counts.
public struct PostStore: Sendable {
    /// What a merge did.
    public enum Outcome: Sendable, Equatable {
        /// A new post for the wall.
        case added(Post)
        /// A redelivery changed a post already on the wall.
        case updated(Post)
        /// A repost of a post on the wall raised its count.
        case reposted(Post)
        /// Nothing changed: the delivery was one already merged into the post with this id.
        case duplicate(PostID)

        /// The id of the wall's post this delivery ended up as.
        public var postID: PostID {
            switch self {
            case .added(let post), .updated(let post), .reposted(let post): post.id
            case .duplicate(let id): id
            }
        }
    }

    /// A merge's outcome and the keys it taught the store, which the journal keeps for the next start.
    public struct MergeResult: Sendable {
        public var outcome: Outcome
        public var learnedKeys: [RememberedKey]
    }

    /// A key and the post it points to, with that post's `createdAt` for the time-bounded rules.
    public struct RememberedKey: Sendable, Equatable {
        public var key: DedupeKey
        public var postID: PostID
        public var createdAt: Date

        public init(key: DedupeKey, postID: PostID, createdAt: Date) {
            self.key = key
            self.postID = postID
            self.createdAt = createdAt
        }
    }

    typealias Slot = StoredPost

    public let limits: StoreLimits
    var slots: [PostID: Slot] = [:] {
        didSet { self.generation &+= 1 }  // no `oldValue`: the dictionary is still mutated in place
    }
    /// Changes with every change to a post in memory: indexes built from the posts (pictures) know when to rebuild.
    public private(set) var generation = 0
    /// Post ids, oldest first by (`createdAt`, arrival).
    var order: [PostID] = []
    var keys: [DedupeKey: RememberedKey] = [:]
    /// Held posts in memory: up to `limits.maxPosts` of them are kept whatever their age, the older stay on disk.
    var heldCount = 0
    /// Keys in the order they were learned; the oldest are forgotten first past `limits.maxRememberedKeys`.
    var keyAge: Deque<DedupeKey> = []
    public private(set) var lastArrival: Int64

    /// An empty store, or one restored from the journal: `posts` in any order, `keys` oldest first.
    public init(limits: StoreLimits, posts: [StoredPost] = [], keys: [RememberedKey] = [], lastArrival: Int64 = 0) {
        self.limits = limits
        self.lastArrival = lastArrival
        for key in keys { self.remember(key) }
        for post in posts { self.insert(post) }
        _ = self.evictBeyondLimit()
    }

    /// Number of posts in memory.
    public var count: Int { self.order.count }

    /// The post with `id`, if it is in memory.
    public func post(_ id: PostID) -> Post? { self.slots[id]?.post }

    /// The post with `id` and its moderation record, if it is in memory.
    public func stored(_ id: PostID) -> StoredPost? { self.slots[id] }

    /// Replaces the record of a post in memory (a moderation decision); its place in the order is unchanged.
    /// Returns `false` when the post is not in memory.
    @discardableResult
    public mutating func update(_ stored: StoredPost) -> Bool {
        guard let current = self.slots[stored.post.id] else { return false }
        var updated = stored
        updated.arrival = current.arrival
        updated.post.createdAt = current.post.createdAt
        self.heldCount += (updated.moderation.state == .held ? 1 : 0) - (current.moderation.state == .held ? 1 : 0)
        self.slots[stored.post.id] = updated
        return true
    }

    /// Forgets the post `id` and every key that points to it (an erasure). Returns whether it was in memory.
    @discardableResult
    public mutating func remove(_ id: PostID) -> Bool {
        for (key, remembered) in self.keys where remembered.postID == id { self.keys[key] = nil }
        guard let slot = self.slots.removeValue(forKey: id) else { return false }
        if slot.moderation.state == .held { self.heldCount -= 1 }
        self.order.removeAll { $0 == id }
        return true
    }

    /// Every post in memory whose author key is `authorKey`, oldest first.
    public func posts(byAuthor authorKey: String) -> [StoredPost] {
        self.order.compactMap { self.slots[$0] }.filter { $0.moderation.authorKey == authorKey }
    }

    /// Adds `incoming`, or folds it into the post it duplicates or reposts. Never fails: anything that
    /// matches nothing is a new post.
    public mutating func merge(_ incoming: PreparedPost) -> MergeResult {
        var learned: [RememberedKey] = []
        let post = incoming.post
        let sourceKey = DedupeKey.source(post.id)

        // 1. The same source item again: refresh what may have been edited, but only from its own author (an id
        //    reused by someone else never rewrites a post).
        if var slot = self.slots[post.id] {
            guard slot.moderation.authorKey == incoming.authorKey else {
                return MergeResult(outcome: .duplicate(post.id), learnedKeys: [])
            }
            for key in incoming.contentKeys where self.keys[key] == nil {
                learned.append(self.remember(RememberedKey(key: key, postID: post.id, createdAt: slot.post.createdAt)))
            }
            let before = slot.post
            guard slot.post.refresh(from: post) else { return MergeResult(outcome: .duplicate(post.id), learnedKeys: learned) }
            self.slots[post.id] = slot
            var recounted = before
            recounted.reposts = slot.post.reposts
            // Only the source's count of reposts went up: a new count, not an edit to moderate again.
            if recounted == slot.post { return MergeResult(outcome: .reposted(slot.post), learnedKeys: learned) }
            return MergeResult(outcome: .updated(slot.post), learnedKeys: learned)
        }
        if let known = self.keys[sourceKey] {
            return MergeResult(outcome: .duplicate(known.postID), learnedKeys: [])
        }

        // 2. A repost of something the wall has: count it on the original.
        if let target = incoming.repostTarget, let originalID = self.resolve(target) {
            learned.append(self.remember(RememberedKey(key: sourceKey, postID: originalID, createdAt: post.createdAt)))
            guard var slot = self.slots[originalID] else {
                return MergeResult(outcome: .duplicate(originalID), learnedKeys: learned)
            }
            slot.post.reposts += 1
            self.slots[originalID] = slot
            return MergeResult(outcome: .reposted(slot.post), learnedKeys: learned)
        }

        // A bare repost of something the wall does not have (or no longer remembers): nothing to show.
        if incoming.repostOnly { return MergeResult(outcome: .duplicate(post.id), learnedKeys: []) }

        // 3. The same content already in: the same author's text, or a long text within the window.
        for key in incoming.contentKeys {
            guard let known = self.keys[key] else { continue }
            if key.rule == .longText, abs(known.createdAt.timeIntervalSince(post.createdAt)) > self.limits.crossChannelWindow {
                continue
            }
            learned.append(self.remember(RememberedKey(key: sourceKey, postID: known.postID, createdAt: post.createdAt)))
            return MergeResult(outcome: .duplicate(known.postID), learnedKeys: learned)
        }

        // 4. New: visible until the caller's moderation policy says otherwise (in the same actor turn).
        self.lastArrival += 1
        let arrival = self.lastArrival
        self.insert(StoredPost(post: post, arrival: arrival, moderation: Moderation(authorKey: incoming.authorKey, contact: incoming.contact)))
        var newKeys = [sourceKey] + incoming.contentKeys
        if case .content(let key) = incoming.repostTarget {
            newKeys.append(key)  // later reposts of the same unknown original count on this card
        }
        for key in newKeys {
            learned.append(self.remember(RememberedKey(key: key, postID: post.id, createdAt: post.createdAt)))
        }
        // Never the post just added: its caller has yet to moderate and journal it.
        _ = self.evictBeyondLimit(keeping: post.id)
        return MergeResult(outcome: .added(post), learnedKeys: learned)
    }

    private func resolve(_ target: PreparedPost.RepostTarget) -> PostID? {
        switch target {
        case .id(let id): self.slots[id] != nil ? id : self.keys[.source(id)]?.postID
        case .content(let key): self.keys[key]?.postID
        }
    }

    @discardableResult
    mutating func remember(_ entry: RememberedKey) -> RememberedKey {
        if self.keys.updateValue(entry, forKey: entry.key) == nil {
            self.keyAge.append(entry.key)
        }
        while self.keyAge.count > self.limits.maxRememberedKeys, let oldest = self.keyAge.popFirst() {
            self.keys[oldest] = nil
        }
        return entry
    }
}

extension Post {
    /// Takes the fields a later delivery of the same source item may have edited. Returns whether anything changed.
    mutating func refresh(from delivery: Post) -> Bool {
        let before = self
        self.author = delivery.author
        self.text = delivery.text
        self.url = delivery.url ?? self.url
        self.media = delivery.media
        self.hashtags = delivery.hashtags
        self.spans = delivery.spans
        self.contentWarning = delivery.contentWarning
        self.reposts = max(self.reposts, delivery.reposts)  // the source's count, or what the wall counted itself
        return self != before
    }
}
