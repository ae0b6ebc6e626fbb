import Foundation

extension PostStore {
    /// Up to `limit` posts, newest first by `createdAt` then arrival, older than the post `before` when given.
    /// Returns `nil` when `before` is not in memory: the caller asks the journal.
    public func page(limit: Int, before: PostID? = nil) -> [Post]? {
        var end = self.order.count
        if let before {
            guard let slot = self.slots[before] else { return nil }
            end = self.position(of: slot)
        }
        let start = max(0, end - max(0, limit))
        return self.order[start..<end].reversed().compactMap { self.slots[$0]?.post }
    }

    /// Posts in memory with their arrival numbers, oldest first: what a journal test or a snapshot needs.
    public var allPosts: [(post: Post, arrival: Int64)] {
        self.order.compactMap { id in self.slots[id].map { ($0.post, $0.arrival) } }
    }

    mutating func insert(_ slot: Slot) {
        self.slots[slot.post.id] = slot
        self.order.insert(slot.post.id, at: self.position(of: slot))
    }

    /// Removes the oldest unpinned posts beyond `limits.maxPosts`; their keys stay remembered.
    mutating func evictBeyondLimit() -> [PostID] {
        var evicted: [PostID] = []
        var index = 0
        while self.order.count > self.limits.maxPosts && index < self.order.count {
            let id = self.order[index]
            if self.slots[id]?.post.pinned == true {
                index += 1
                continue
            }
            self.order.remove(at: index)
            self.slots[id] = nil
            evicted.append(id)
        }
        return evicted
    }

    /// The index at which `slot` sits (or would sit) in `order`: binary search on (createdAt, arrival).
    func position(of slot: Slot) -> Int {
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
