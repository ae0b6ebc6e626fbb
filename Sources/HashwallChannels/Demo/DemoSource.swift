import Foundation
import HashwallCore

/// Replays the bundled sample at a steady pace, looping, so a wall with no credentials is alive. A pulled source
/// like the network channels: its cursor is the next sample, so a restart goes on where the wall stopped.
public struct DemoSource: PulledSource {
    public let name = "demo"
    let samples: [DemoSample]
    let interval: Duration

    /// Where the replay stands: the loop and the next sample's index in it.
    struct Position: Codable, Equatable {
        var loop: Int
        var index: Int
    }

    public init(samples: [DemoSample], interval: Duration) {
        self.samples = samples
        self.interval = interval
    }

    public func run(from cursor: Data?, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        guard !self.samples.isEmpty else { throw SourceError.fatal("the demo sample is empty") }
        var position = cursor.flatMap { try? JSONDecoder().decode(Position.self, from: $0) } ?? Position(loop: 0, index: 0)
        if position.index >= self.samples.count { position = Position(loop: position.loop + 1, index: 0) }
        try await deliver(SourceBatch(posts: [], cursor: nil))  // running
        while true {
            try await Task.sleep(for: self.interval)
            let post = self.samples[position.index].incoming(index: position.index, loop: position.loop)
            position.index += 1
            if position.index == self.samples.count { position = Position(loop: position.loop + 1, index: 0) }
            try await deliver(SourceBatch(posts: [post], cursor: try JSONEncoder().encode(position)))
        }
    }
}
