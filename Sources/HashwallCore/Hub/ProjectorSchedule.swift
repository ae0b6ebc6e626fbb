import Foundation

/// When the projector may show each visible post held back by the projector delay: a plain value the ``Intake``
/// owns. A post on it has not reached the projector; one hidden meanwhile never will.
struct ProjectorSchedule: Sendable {
    private var due: [PostID: Date] = [:]

    init() {}

    /// The schedule after a restart: each of `posts` (visible) received less than `delay` seconds before `now` still
    /// waits for its time.
    init(visible posts: [StoredPost], delay: Int, now: Date = Date()) {
        guard delay > 0 else { return }
        for stored in posts {
            let due = stored.post.receivedAt.addingTimeInterval(Double(delay))
            if due > now { self.due[stored.post.id] = due }
        }
    }

    /// How many posts wait.
    var count: Int { self.due.count }

    /// Whether the post `id` still waits (the projector has not heard of it).
    func isWaiting(_ id: PostID) -> Bool { self.due[id] != nil }

    mutating func schedule(_ id: PostID, at date: Date) { self.due[id] = date }

    /// Forgets the post `id`: it will not be shown (hidden) or has been.
    mutating func cancel(_ id: PostID) { self.due[id] = nil }

    /// Takes off the schedule every post due at `now`, soonest first.
    mutating func takeDue(now: Date) -> [(id: PostID, at: Date)] {
        let due = self.due.filter { $0.value <= now }.sorted { $0.value < $1.value }.map { (id: $0.key, at: $0.value) }
        for post in due { self.due[post.id] = nil }
        return due
    }

    /// Keeps only the posts `keep` says are still to be shown.
    mutating func retain(where keep: (PostID) -> Bool) {
        self.due = self.due.filter { keep($0.key) }
    }
}
