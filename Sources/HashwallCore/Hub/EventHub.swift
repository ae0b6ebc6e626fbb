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
/// a client too far behind is dropped (see ``LoopClient``).
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
        /// What a public frame says of a post, so that a replay can leave out the content of a post that has
        /// left the wall since.
        public enum Effect: Sendable, Equatable {
            /// The frame carries the post (`post`, `update`).
            case shows(PostID)
            /// The frame takes the post off (`remove`): it carries only the id.
            case removes(PostID)
        }

        public var number: Int64
        public var bytes: ByteBuffer
        /// `nil` for frames that are replayed as they are (the moderators' stream).
        public var effect: Effect?

        public init(number: Int64, bytes: ByteBuffer, effect: Effect? = nil) {
            self.number = number
            self.bytes = bytes
            self.effect = effect
        }

        var postID: PostID? {
            switch self.effect {
            case .shows(let id), .removes(let id): id
            case nil: nil
            }
        }
    }

    struct State {
        var window: Deque<Frame> = []
        var lastEvent: Int64 = 0
        /// Every event of this stream numbered above this is still in `window`. Numbers have gaps (the other
        /// stream's events), so it is tracked, not derived from the window's first number.
        var replayableAfter: Int64 = 0
        /// For each post that a frame in `window` names, the number of its newest such frame and whether that frame
        /// took the post off the wall: then the post is not shown now, and a replay carries none of its content.
        var latest: [PostID: (number: Int64, removed: Bool)] = [:]
        /// Clients, grouped by the event loop they are written on.
        var shards: [ObjectIdentifier: Shard] = [:]
        var attached: [Int: (shard: ObjectIdentifier, ended: AsyncStream<Void>.Continuation)] = [:]
        var nextClient = 0
        /// Set by ``EventHub/endStreams()``: a client attaching afterwards is ended at once.
        var stopped = false

        var clientCount: Int { self.attached.count }

        /// What a client that last saw `lastSeen` missed: the frames after it, a `reset` when they are no longer
        /// all in the window (or the number is unknown), nothing for a new client.
        func replay(after lastSeen: Int64?) -> [ByteBuffer] {
            guard let lastSeen, lastSeen != self.lastEvent else { return [] }
            if lastSeen >= self.replayableAfter && lastSeen < self.lastEvent {
                // Only what the wall shows now: a post hidden since is replayed as its `remove` alone, so the
                // screen ends as a fresh one would, without ever receiving the hidden text.
                return self.window.filter { frame in
                    guard frame.number > lastSeen else { return false }
                    guard case .shows(let id) = frame.effect else { return true }
                    return self.latest[id]?.removed != true
                }.map(\.bytes)
            }
            return [SSEFrame.reset(lastEvent: self.lastEvent)]
        }

        mutating func append(_ frames: [Frame], limit: Int) {
            self.window.append(contentsOf: frames)
            for frame in frames {
                switch frame.effect {
                case .shows(let id): self.latest[id] = (frame.number, false)
                case .removes(let id): self.latest[id] = (frame.number, true)
                case nil: break
                }
            }
            while self.window.count > limit, let evicted = self.window.popFirst() {
                self.replayableAfter = evicted.number
                if let id = evicted.postID, self.latest[id]?.number == evicted.number { self.latest[id] = nil }
            }
        }
    }

    /// The clients of one event loop. `clients` is copied into each batch for that loop (a copy-on-write
    /// reference, not a copy of the clients).
    struct Shard {
        let loop: any EventLoop
        var clients: [Int: any LoopClient] = [:]
    }

    public let limits: Limits
    /// `wall`, `projector` or `moderators`: the label of its metrics.
    public let name: String
    let metrics: WallMetrics
    let logger: Logger
    private let state = Mutex(State())
    private let observers = Mutex<[@Sendable ([Frame]) -> Void]>([])

    public init(name: String = "wall", limits: Limits = Limits(), metrics: WallMetrics, logger: Logger) {
        self.name = name
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
    }

    /// The number of the last event published.
    public var lastEvent: Int64 { self.state.withLock { $0.lastEvent } }

    /// Clients connected now.
    public var clientCount: Int { self.state.withLock { $0.clientCount } }

    /// Sets the counter at start-up, before anything is published or subscribed: numbers keep rising across restarts.
    public func resume(after lastEvent: Int64) {
        self.state.withLock { state in
            state.lastEvent = max(state.lastEvent, lastEvent)
            state.replayableAfter = max(state.replayableAfter, lastEvent)
        }
    }

    /// Empties the replay window (after an erasure): a client that reconnects gets `reset` and reloads, and no frame of
    /// what was erased stays in memory.
    public func forgetReplay() {
        self.state.withLock { state in
            state.window.removeAll()
            state.latest.removeAll()
            state.replayableAfter = state.lastEvent
        }
    }

    /// Publishes `frames` (numbered, in rising order) to every client and to the replay window, then hands them to the
    /// observers (in the same order: publishing is serial, from the journal's writer).
    public func publish(_ frames: [Frame]) {
        guard let last = frames.last else { return }
        let clients = self.state.withLock { state in
            state.append(frames, limit: self.limits.replayWindow)
            state.lastEvent = max(state.lastEvent, last.number)
            self.fanOut(frames.map(\.bytes), in: state)
            return state.clientCount
        }
        self.metrics.eventsSent.increment(by: Int64(frames.count * clients))
        for observer in self.observers.withLock({ $0 }) { observer(frames) }
    }

    /// Calls `observer` with every batch of frames published from now on (the fan-out to Nchan edges). It runs on the
    /// journal's writer: it must only queue.
    public func observe(_ observer: @escaping @Sendable ([Frame]) -> Void) {
        self.observers.withLock { $0.append(observer) }
    }

    /// Attaches a client written on its event loop, that last saw event `lastSeen` (`nil`: a new client, live
    /// events only). It is written `first`, then what it missed — or, when `lastSeen` is older than the window (or
    /// unknown), a `reset` frame — then every live event.
    ///
    /// Its first batch is queued on its loop under the same lock as publishing queues live batches, so the loop
    /// runs them in order: nothing lost or doubled between replay and live.
    public func attach(_ client: any LoopClient, after lastSeen: Int64?, first: ByteBuffer) -> Attachment {
        let (ended, endedContinuation) = AsyncStream<Void>.makeStream()
        let loop = client.eventLoop
        let shard = ObjectIdentifier(loop)
        let (id, count, stopped) = self.state.withLock { state in
            let id = state.nextClient
            state.nextClient += 1
            if state.stopped {
                loop.execute { client.finish() }
                return (id, state.clientCount, true)
            }
            let frames = [first] + state.replay(after: lastSeen)
            state.shards[shard, default: Shard(loop: loop)].clients[id] = client
            state.attached[id] = (shard, endedContinuation)
            loop.execute { self.deliver(frames, to: [id: client]) }
            return (id, state.clientCount, false)
        }
        if stopped { endedContinuation.finish() }
        self.metrics.sseClients[self.name]?.record(count)
        return Attachment(id: id, ended: ended, hub: self)
    }

    /// Ends every attached client's stream cleanly (``LoopClient/finish()``) and refuses new ones: the first step
    /// of a graceful shutdown, taken when the HTTP server starts stopping, so that it does not wait for them.
    public func endStreams() {
        let ids = self.state.withLock { state in
            state.stopped = true
            return Array(state.attached.keys)
        }
        self.detach(ids, because: .stopping)
    }

    enum Departure { case left, slow, stopping }

    /// Detaches attached clients and ends their ``Attachment``s: a client that `left`, one dropped as too `slow`
    /// (counted; its connection is already closed), or every client when the server is `stopping` (each finished).
    func detach(_ ids: [Int], because departure: Departure) {
        let (gone, count) = self.state.withLock { state -> ([(AsyncStream<Void>.Continuation, (any LoopClient)?)], Int) in
            var gone: [(AsyncStream<Void>.Continuation, (any LoopClient)?)] = []
            for id in ids {
                guard let entry = state.attached.removeValue(forKey: id) else { continue }
                gone.append((entry.ended, state.shards[entry.shard]?.clients.removeValue(forKey: id)))
            }
            return (gone, state.clientCount)
        }
        guard !gone.isEmpty else { return }
        if departure == .slow {
            self.metrics.slowClientsDropped.increment(by: Int64(gone.count))
            self.logger.debug("slow clients dropped", metadata: ["count": "\(gone.count)"])
        }
        self.metrics.sseClients[self.name]?.record(count)
        for (ended, client) in gone {
            if departure == .stopping, let client { client.eventLoop.execute { client.finish() } }
            ended.finish()
        }
    }

    /// Runs on the clients' event loop: writes one batch to each, closes and detaches those too far behind.
    /// The batch is prepared (framed for the wire) once per client type, not once per client.
    private func deliver(_ frames: [ByteBuffer], to clients: [Int: any LoopClient]) {
        var slow: [Int] = []
        var prepared: (kind: ObjectIdentifier, bytes: ByteBuffer)?
        for (id, client) in clients {
            let kind = ObjectIdentifier(type(of: client))
            if prepared?.kind != kind { prepared = (kind, type(of: client).prepare(frames)) }
            guard let bytes = prepared?.bytes, !client.write(bytes, frames: frames) else { continue }
            client.end()
            slow.append(id)
        }
        if !slow.isEmpty { self.detach(slow, because: .slow) }
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
        self.endStreams()
    }

    /// Sends one heartbeat comment to every client now.
    public func heartbeat() {
        self.state.withLock { self.fanOut([SSEFrame.heartbeat], in: $0) }
    }

    /// Queues `frames` on each event loop that has clients: one batch per loop, under the lock, so batches keep
    /// publishing order. Clients too far behind are dropped by ``deliver(_:to:)``, on their loop.
    private func fanOut(_ frames: [ByteBuffer], in state: State) {
        for shard in state.shards.values where !shard.clients.isEmpty {
            let clients = shard.clients
            shard.loop.execute { self.deliver(frames, to: clients) }
        }
    }
}
