import Foundation

extension PostStore {
    /// Up to `limit` posts in one of `states`, newest first by `createdAt` then arrival, older than the post
    /// `before` when given. Returns `nil` when `before` is not in memory: the caller asks the journal.
    public func page(limit: Int, before: PostID? = nil, states: Set<PostState> = [.visible]) -> [Post]? {
        self.storedPage(limit: limit, before: before, states: states)?.map(\.post)
    }

    /// ``page(limit:before:states:)`` with each post's moderation record.
    public func storedPage(limit: Int, before: PostID? = nil, states: Set<PostState>) -> [StoredPost]? {
        var end = self.order.count
        if let before {
            guard let slot = self.slots[before] else { return nil }
            end = self.position(of: slot)
        }
        var page: [StoredPost] = []
        var index = end - 1
        while index >= 0 && page.count < limit {
            if let slot = self.slots[self.order[index]], states.contains(slot.moderation.state) { page.append(slot) }
            index -= 1
        }
        return page
    }

    /// Posts in memory, oldest first.
    public var allPosts: [StoredPost] {
        self.order.compactMap { self.slots[$0] }
    }

    /// Takes back a new post whose write failed: the post and the keys it taught, so a retry is new again.
    public mutating func forget(_ id: PostID, keys: [DedupeKey]) {
        if let slot = self.slots.removeValue(forKey: id) {
            if slot.moderation.state == .held { self.heldCount -= 1 }
            let index = self.position(of: slot)
            if index < self.order.count, self.order[index] == id { self.order.remove(at: index) } else { self.order.removeAll { $0 == id } }
        }
        for key in keys where self.keys[key]?.postID == id {
            self.keys[key] = nil  // its place in `keyAge` goes when it comes up
        }
    }

    mutating func insert(_ slot: Slot) {
        if slot.moderation.state == .held { self.heldCount += 1 }
        self.slots[slot.post.id] = slot
        self.order.insert(slot.post.id, at: self.position(of: slot))
    }

    /// Removes the oldest posts beyond `limits.maxPosts`, but never a pinned one (the projector needs it) nor a held
    /// one while no more than `limits.maxPosts` are held (the moderators' queue); their keys stay remembered. Past
    /// that, a flood of held posts stays on disk, oldest first, and the console pages them from there.
    /// `keeping`: a post just added, whose state its caller is still deciding: eviction stops at it rather than
    /// take a newer post instead (memory must hold the newest posts, or a page continued on disk would skip the
    /// newer one), so the store may hold one post more until the caller's next eviction.
    mutating func evictBeyondLimit(keeping: PostID? = nil) -> [PostID] {
        var evicted: [PostID] = []
        var index = 0
        while self.order.count > self.limits.maxPosts && index < self.order.count {
            let id = self.order[index]
            if id == keeping { break }
            if let slot = self.slots[id],
                slot.post.pinned || slot.moderation.question?.isOpen == true
                    || (slot.moderation.state == .held && self.heldCount <= self.limits.maxPosts)
            {
                index += 1
                continue
            }
            self.order.remove(at: index)
            if self.slots.removeValue(forKey: id)?.moderation.state == .held { self.heldCount -= 1 }
            evicted.append(id)
        }
        return evicted
    }

    /// The index at which `slot` sits (or would sit) in `order`: binary search on (createdAt, arrival).
    func position(of slot: Slot) -> Int {
        // Most posts are the newest: after the last one, without the search's lookups.
        if let lastID = self.order.last, let last = self.slots[lastID],
            (last.post.createdAt, last.arrival) < (slot.post.createdAt, slot.arrival)
        {
            return self.order.count
        }
        var low = 0
        var high = self.order.count
        while low < high {
            let mid = (low + high) / 2
            guard let other = self.slots[self.order[mid]] else { return mid }
            if (other.post.createdAt, other.arrival) < (slot.post.createdAt, slot.arrival) {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low
    }
}
