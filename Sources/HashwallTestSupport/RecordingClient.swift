import HashwallCore
import NIOCore
import NIOPosix
import Synchronization

/// A hub client for tests: it records the frames the hub writes to it, on a real event loop, as an SSE connection
/// would receive them. With a `capacity` it behaves like a client that stopped reading: once that many frames are
/// unread, it tells the hub it is too far behind.
public final class RecordingClient: LoopClient, Sendable {
    public let eventLoop: any EventLoop
    let capacity: Int?
    private let state = Mutex(State())

    struct State {
        var frames: [ByteBuffer] = []
        var read = 0
        var closed = false
        var finished = false
    }

    public init(on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(), capacity: Int? = nil) {
        self.eventLoop = eventLoop
        self.capacity = capacity
    }

    /// Attaches a new client to `hub`, as `/events` does, having last seen `lastSeen`.
    public static func attach(to hub: EventHub, after lastSeen: Int64?, capacity: Int? = nil) -> RecordingClient {
        let client = RecordingClient(capacity: capacity)
        _ = hub.attach(client, after: lastSeen, first: ByteBuffer())
        return client
    }

    public static func prepare(_ frames: [ByteBuffer]) -> ByteBuffer { ByteBuffer() }

    public func write(_ prepared: ByteBuffer, frames: [ByteBuffer]) -> Bool {
        self.state.withLock { state in
            let frames = frames.filter { $0.readableBytes > 0 }  // `attach`'s empty first frame
            if let capacity = self.capacity, state.frames.count - state.read + frames.count > capacity { return false }
            state.frames += frames
            return true
        }
    }

    public func end() { self.state.withLock { $0.closed = true } }
    public func finish() { self.state.withLock { $0.finished = true } }

    /// Every frame received so far.
    public var frames: [ByteBuffer] { self.state.withLock { $0.frames } }
    /// The hub dropped it as too slow (closed its connection).
    public var wasDropped: Bool { self.state.withLock { $0.closed } }
    /// The hub ended its stream cleanly.
    public var wasFinished: Bool { self.state.withLock { $0.finished } }

    /// The next `count` frames not read yet, waiting for them until `within` has passed.
    public func take(_ count: Int, within: Duration = .seconds(10)) async throws -> [ByteBuffer] {
        try await eventually(within: within, "\(count) frames") {
            self.state.withLock { state -> [ByteBuffer]? in
                guard state.frames.count - state.read >= count else { return nil }
                defer { state.read += count }
                return Array(state.frames[state.read..<(state.read + count)])
            }
        }
    }
}
