/// One numbered change of what the wall shows. The number is the SSE `id`, rising by one per event.
public struct WallEvent: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        /// A new post on the wall.
        case post(Post)
        /// A post on the wall changed (its text, its repost count…).
        case update(Post)
        /// A post left the wall.
        case remove(PostID)

        /// The SSE event name.
        public var name: String {
            switch self {
            case .post: "post"
            case .update: "update"
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

    /// What the event does to its post, for the replay window.
    var effect: EventHub.Frame.Effect {
        switch self.change {
        case .post(let post), .update(let post): .shows(post.id)
        case .remove(let id): .removes(id)
        }
    }
}
