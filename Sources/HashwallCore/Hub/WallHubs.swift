import Foundation
import NIOCore

/// The event streams: the public wall (visible posts only), the projector (the same, but a new post only
/// after the projector delay) and the moderators' (every post with its state, settings and audit). Numbers
/// come from one counter, so each stream's numbers rise, with gaps.
public struct WallHubs: Sendable, CommitListener {
    public let wall: EventHub
    public let projector: EventHub
    public let moderators: EventHub
    /// The lectern's `/stage` page: questions marked for the stage, answered, and the one being answered.
    public let stage: EventHub

    /// Which stream a frame goes to.
    public enum Stream: Sendable { case wall, projector, moderators, stage }

    public init(wall: EventHub, projector: EventHub, moderators: EventHub, stage: EventHub? = nil) {
        self.wall = wall
        self.projector = projector
        self.moderators = moderators
        self.stage =
            stage ?? EventHub(name: "stage", limits: moderators.limits, metrics: moderators.metrics, logger: moderators.logger)
    }

    /// Every hub, for the service group (each sends heartbeats).
    public var all: [EventHub] { [self.wall, self.projector, self.moderators, self.stage] }

    /// Ends every open stream cleanly and refuses new ones (graceful shutdown, as the HTTP server begins to stop).
    public func endStreams() {
        for hub in self.all { hub.endStreams() }
    }

    /// Sets every counter at start-up.
    public func resume(after lastEvent: Int64) {
        for hub in self.all { hub.resume(after: lastEvent) }
    }

    /// Encodes each event once and publishes it on its stream. Called by the journal after each commit, in order.
    /// `posts`: the commit's post encodings, shared with its journal rows.
    public func committed(_ entries: [JournalEntry], encodings posts: inout PostJSON) {
        var wallFrames: [EventHub.Frame] = []
        var projectorFrames: [EventHub.Frame] = []
        var moderatorFrames: [EventHub.Frame] = []
        var stageFrames: [EventHub.Frame] = []
        var extras = false  // frames numbered apart from the events: sort the streams they join
        for entry in entries {
            extras = extras || !entry.frames.isEmpty
            for (stream, frame) in entry.frames {
                switch stream {
                case .wall: wallFrames.append(frame)
                case .projector: projectorFrames.append(frame)
                case .moderators: moderatorFrames.append(frame)
                case .stage: stageFrames.append(frame)
                }
            }
            for event in entry.events {
                guard let bytes = try? SSEFrame.encode(event, posts: &posts) else { continue }
                let frame = EventHub.Frame(number: event.number, bytes: bytes, effect: event.effect)
                wallFrames.append(frame)
                guard !entry.notForProjector.contains(event.number) else { continue }
                switch event.change {
                case .post(let post) where post.contentWarning != nil:
                    continue  // never on the projector
                case .update(let post) where post.contentWarning != nil:
                    // A warning added by an edit takes the post off the projector.
                    let removal = WallEvent(number: event.number, change: .remove(post.id))
                    if let bytes = try? SSEFrame.encode(removal, posts: &posts) {
                        projectorFrames.append(.init(number: event.number, bytes: bytes, effect: removal.effect))
                    }
                default:
                    projectorFrames.append(frame)
                }
            }
            for event in entry.projectorEvents {
                if case .post(let post) = event.change, post.contentWarning != nil { continue }
                if let bytes = try? SSEFrame.encode(event, posts: &posts) {
                    projectorFrames.append(.init(number: event.number, bytes: bytes, effect: event.effect))
                }
            }
            for event in entry.moderatorEvents {
                if let frame = try? SSEFrame.encode(event, posts: &posts) {
                    moderatorFrames.append(.init(number: event.number, bytes: frame))
                }
            }
        }
        self.wall.publish(extras ? wallFrames.sorted { $0.number < $1.number } : wallFrames)
        self.projector.publish(projectorFrames.sorted { $0.number < $1.number })
        self.moderators.publish(extras ? moderatorFrames.sorted { $0.number < $1.number } : moderatorFrames)
        self.stage.publish(stageFrames)
    }
}
