import Foundation
import NIOCore

/// The two event streams: the public wall (visible posts only) and the moderators' (every post, with its
/// state, settings and audit). Numbers come from one counter, so each stream's numbers rise, with gaps.
public struct WallHubs: Sendable {
    public let wall: EventHub
    public let moderators: EventHub

    public init(wall: EventHub, moderators: EventHub) {
        self.wall = wall
        self.moderators = moderators
    }

    /// Sets both counters at start-up.
    public func resume(after lastEvent: Int64) {
        self.wall.resume(after: lastEvent)
        self.moderators.resume(after: lastEvent)
    }

    /// Encodes each event once and publishes it on its stream. Called by the journal after each commit, in order.
    func publish(_ entries: [JournalEntry]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        var wallFrames: [EventHub.Frame] = []
        var moderatorFrames: [EventHub.Frame] = []
        for entry in entries {
            for event in entry.events {
                if let frame = try? SSEFrame.encode(event, encoder: encoder) { wallFrames.append(.init(number: event.number, bytes: frame)) }
            }
            for event in entry.moderatorEvents {
                if let frame = try? SSEFrame.encode(event, encoder: encoder) {
                    moderatorFrames.append(.init(number: event.number, bytes: frame))
                }
            }
        }
        self.wall.publish(wallFrames)
        self.moderators.publish(moderatorFrames)
    }
}
