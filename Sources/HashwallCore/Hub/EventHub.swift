import CoreMetrics
import DequeModule
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Fans numbered wall events out to every connected client, keeps a bounded replay window for
/// `Last-Event-ID`, and sends a heartbeat comment to everyone on a fixed period (its `run()`).
///
/// Each event is encoded once; every client gets the same `ByteBuffer`. Publishing never waits for a client:
/// a client whose buffer is full is dropped (see ``Subscription``).
public final class EventHub: Service, Sendable {
    public struct Limits: Sendable, Equatable {
        /// Events kept for replay.
        public var replayWindow: Int
        /// Frames a client may fall behind before it is dropped.
        public var clientQueue: Int
        public var heartbeat: Duration

        public init(replayWindow: Int = 4096, clientQueue: Int = 512, heartbeat: Duration = .seconds(15)) {
            self.replayWindow = replayWindow
            self.clientQueue = clientQueue
            self.heartbeat = heartbeat
        }
    }

    /// One encoded event: its number and its bytes, shared by every client.
    public struct Frame: Sendable {
        public var number: Int64
        public var bytes: ByteBuffer

        public init(number: Int64, bytes: ByteBuffer) {
            self.number = number
            self.bytes = bytes
        }
    }

    struct State {
        var window: Deque<Frame> = []
        var lastEvent: Int64 = 0
        /// Every event of this stream numbered above this is still in `window`. Numbers have gaps (the other
        /// stream's events), so it is tracked, not derived from the window's first number.
        var replayableAfter: Int64 = 0
        var subscribers: [Int: AsyncStream<ByteBuffer>.Continuation] = [:]
        var nextSubscriber = 0
    }

    public let limits: Limits
    /// `wall`, `projector` or `moderators`: the label of its metrics.
    public let name: String
    let metrics: WallMetrics
    let logger: Logger
    private let state = Mutex(State())

    public init(name: String = "wall", limits: Limits = Limits(), metrics: WallMetrics, logger: Logger) {
        self.name = name
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
    }

    /// The number of the last event published.
    public var lastEvent: Int64 { self.state.withLock { $0.lastEvent } }

    /// Clients connected now.
    public var clientCount: Int { self.state.withLock { $0.subscribers.count } }

    /// Sets the counter at start-up, before anything is published or subscribed: numbers keep rising across restarts.
    public func resume(after lastEvent: Int64) {
        self.state.withLock { state in
            state.lastEvent = max(state.lastEvent, lastEvent)
            state.replayableAfter = max(state.replayableAfter, lastEvent)
        }
    }

    /// Publishes `frames` (numbered, in rising order) to every client and to the replay window.
    public func publish(_ frames: [Frame]) {
        guard let last = frames.last else { return }
        let (dropped, clients) = self.state.withLock { state -> ([AsyncStream<ByteBuffer>.Continuation], Int) in
            state.window.append(contentsOf: frames)
            while state.window.count > self.limits.replayWindow, let evicted = state.window.popFirst() {
                state.replayableAfter = evicted.number
            }
            state.lastEvent = max(state.lastEvent, last.number)
            return (Self.fanOut(frames.map(\.bytes), in: &state), state.subscribers.count)
        }
        self.metrics.eventsSent.increment(by: Int64(frames.count * clients))
        self.finishDropped(dropped)
    }

    /// Subscribes a client that last saw event `lastSeen` (`nil`: a new client, live events only).
    ///
    /// The replay of missed events and the switch to live events happen under one lock, so nothing is lost
    /// or doubled between them. When `lastSeen` is older than the window (or unknown), the feed starts
    /// with a `reset` frame instead.
    public func subscribe(after lastSeen: Int64?) -> Subscription {
        let (ended, endedContinuation) = AsyncStream<Void>.makeStream()
        return self.state.withLock { state in
            var replay: [ByteBuffer] = []
            if let lastSeen, lastSeen != state.lastEvent {
                if lastSeen >= state.replayableAfter && lastSeen < state.lastEvent {
                    replay = state.window.filter { $0.number > lastSeen }.map(\.bytes)
                } else {
                    replay = [SSEFrame.reset(lastEvent: state.lastEvent)]
                }
            }
            let (frames, continuation) = AsyncStream<ByteBuffer>.makeStream(
                bufferingPolicy: .bufferingOldest(replay.count + self.limits.clientQueue))
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            continuation.onTermination = { [weak self] _ in
                self?.remove(id)
                endedContinuation.finish()
            }
            for frame in replay { continuation.yield(frame) }
            state.subscribers[id] = continuation
            self.metrics.sseClients[self.name]?.record(state.subscribers.count)
            return Subscription(frames: frames, ended: ended, continuation: continuation)
        }
    }

    /// Sends a heartbeat every `limits.heartbeat` until graceful shutdown; a full client is dropped as in `publish`.
    /// Once stopped, it ends every feed, so no stream outlives the hub.
    public func run() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.limits.heartbeat)
                self.heartbeat()
            }
        }
        let everyone = self.state.withLock { state in
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for continuation in everyone { continuation.finish() }
    }

    /// Sends one heartbeat comment to every client now.
    public func heartbeat() {
        let dropped = self.state.withLock { Self.fanOut([SSEFrame.heartbeat], in: &$0) }
        self.finishDropped(dropped)
    }

    /// Yields `frames` to every subscriber; removes and returns those that overflowed, to be finished
    /// outside the lock (finishing runs their termination handler, which takes the lock).
    private static func fanOut(_ frames: [ByteBuffer], in state: inout State) -> [AsyncStream<ByteBuffer>.Continuation] {
        var dropped: [Int] = []
        var gone: [Int] = []
        for (id, continuation) in state.subscribers {
            for frame in frames {
                switch continuation.yield(frame) {
                case .enqueued: continue
                case .dropped: dropped.append(id)
                case .terminated: gone.append(id)
                @unknown default: gone.append(id)
                }
                break
            }
        }
        for id in gone { state.subscribers[id] = nil }
        return dropped.compactMap { state.subscribers.removeValue(forKey: $0) }
    }

    private func finishDropped(_ dropped: [AsyncStream<ByteBuffer>.Continuation]) {
        guard !dropped.isEmpty else { return }
        self.metrics.slowClientsDropped.increment(by: Int64(dropped.count))
        self.logger.debug("slow clients dropped", metadata: ["count": "\(dropped.count)"])
        for continuation in dropped { continuation.finish() }
    }

    private func remove(_ id: Int) {
        let count = self.state.withLock { state in
            state.subscribers[id] = nil
            return state.subscribers.count
        }
        self.metrics.sseClients[self.name]?.record(count)
    }
}
