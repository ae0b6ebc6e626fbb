import AsyncHTTPClient
import DequeModule
import Foundation
import HashwallCore
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// Publishes every public event (the wall's and the projector's streams) to an Nchan edge's publisher
/// (`fanout.nchan.publishURL`), in order, after its commit: one `POST publishURL?channel=wall|projector` per event,
/// the event's name in `X-EventSource-Event`, its data as the node sends it with two fields added, `hashwallEvent`
/// (its number) and `hashwallPrevious` (the number of the event before it on that stream), which let a page behind an
/// edge skip what its snapshot holds and notice a gap. Nchan keeps the channels in Redis; every edge serves them.
///
/// A failed POST is retried (100 ms doubling to 5 s) with everything after it waiting, in memory, up to `maxBacklog`
/// events: an edge or Redis down for a minute loses nothing. Past the bound the backlog is dropped and a `reset` is
/// published instead (screens reload their snapshot), as it is at start-up (what an earlier run had not published yet
/// is gone). Its state is on `/healthz` (`fanout`) and in the metrics.
public final class NchanPublisher: Service, Sendable {
    public struct Status: Encodable, Sendable {
        /// `starting`, `ok` (nothing waiting or publishing), `retrying` (the edge does not answer).
        public var state: String
        public var publishURL: String
        public var backlog: Int
        public var published: Int
        public var resets: Int
        public var lastError: String?
        public var lastPublishedAt: String?
    }

    struct Message: Sendable {
        var channel: String
        var name: String
        var body: ByteBuffer
        /// Deletes the channel and every message Nchan keeps of it (Redis included) instead of publishing.
        var purge = false
    }

    struct Queue {
        var messages: Deque<Message> = []
        /// The number of the last event queued, per channel (`hashwallPrevious` of the next).
        var previous: [String: Int64] = [:]
        var status: Status
    }

    let publishURL: String
    let maxBacklog: Int
    let client: HTTPClient
    let logger: Logger
    let metrics: (published: Counter, failures: Counter, resets: Counter, backlog: Gauge)
    private let queue: Mutex<Queue>
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(publishURL: String, maxBacklog: Int = 10_000, client: HTTPClient = .shared, metrics: WallMetrics, logger: Logger) {
        self.publishURL = publishURL
        self.maxBacklog = maxBacklog
        self.client = client
        self.logger = logger
        self.metrics = metrics.fanout
        self.queue = Mutex(
            Queue(
                status: Status(state: "starting", publishURL: publishURL, backlog: 0, published: 0, resets: 0, lastError: nil, lastPublishedAt: nil)))
        (self.wakeups, self.wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Follows the wall's and the projector's streams, and starts with a `reset` on both (numbered `lastEvent`).
    public func attach(to hubs: WallHubs) {
        let lastEvent = hubs.wall.lastEvent
        self.queue.withLock { queue in
            for channel in ["wall", "projector"] { self.queueReset(channel, lastEvent: lastEvent, in: &queue) }
        }
        hubs.wall.observe { [self] frames in self.enqueue("wall", frames) }
        hubs.projector.observe { [self] frames in self.enqueue("projector", frames) }
        self.wake.yield()
    }

    public var status: Status { self.queue.withLock { $0.status } }

    /// After an erasure: deletes both channels on the edges (`DELETE publishURL?channel=…`), so that neither Redis nor
    /// an edge's memory keeps a byte of what was erased; their followers are disconnected and reload. In order with the
    /// events: what was queued before goes out first.
    public func purge(lastEvent: Int64) {
        self.queue.withLock { queue in
            for channel in ["wall", "projector"] {
                queue.messages.append(Message(channel: channel, name: "", body: ByteBuffer(), purge: true))
                self.queueReset(channel, lastEvent: lastEvent, in: &queue)
            }
            queue.status.backlog = queue.messages.count
        }
        self.wake.yield()
    }

    /// Queues `frames` for `channel` (on the journal's writer: no waiting here).
    func enqueue(_ channel: String, _ frames: [EventHub.Frame]) {
        let backlog = self.queue.withLock { queue in
            for frame in frames {
                guard let (name, json) = Self.split(frame.bytes) else { continue }
                if name == "reset" {
                    self.queueReset(channel, lastEvent: frame.number, in: &queue)
                    continue
                }
                let previous = queue.previous[channel] ?? 0
                queue.previous[channel] = frame.number
                queue.messages.append(Message(channel: channel, name: name, body: Self.body(json, number: frame.number, previous: previous)))
            }
            if queue.messages.count > self.maxBacklog {
                // The edges are away too long: drop what waits, and tell screens to reload once they are back.
                self.logger.warning(
                    "fan-out backlog full: dropped, screens behind the edges will reload", metadata: ["events": "\(queue.messages.count)"])
                let last = queue.previous.values.max() ?? 0
                queue.messages.removeAll()
                for channel in ["wall", "projector"] { self.queueReset(channel, lastEvent: queue.previous[channel] ?? last, in: &queue) }
            }
            queue.status.backlog = queue.messages.count
            return queue.messages.count
        }
        self.metrics.backlog.record(backlog)
        self.wake.yield()
    }

    private func queueReset(_ channel: String, lastEvent: Int64, in queue: inout Queue) {
        queue.previous[channel] = lastEvent
        queue.messages.append(Message(channel: channel, name: "reset", body: ByteBuffer(string: #"{"lastEventId":"\#(lastEvent)"}"#)))
        queue.status.resets += 1
        self.metrics.resets.increment()
    }

    /// Publishes what waits, in order, until graceful shutdown (then what is left, for a few seconds at most).
    public func run() async {
        for await _ in self.wakeups.cancelOnGracefulShutdown() {
            await self.drain(until: nil)
        }
        await self.drain(until: ContinuousClock.now + .seconds(3))
    }

    private func drain(until deadline: ContinuousClock.Instant?) async {
        var failures = 0
        while let message = self.queue.withLock({ $0.messages.first }) {
            if let deadline, ContinuousClock.now > deadline { return }
            do {
                try await self.post(message)
                failures = 0
                self.metrics.published.increment()
                self.queue.withLock { queue in
                    if !queue.messages.isEmpty { queue.messages.removeFirst() }
                    queue.status.backlog = queue.messages.count
                    queue.status.published += 1
                    queue.status.state = queue.messages.isEmpty ? "ok" : queue.status.state
                    queue.status.lastError = nil
                    queue.status.lastPublishedAt = WireDate.format(Date())
                }
            } catch {
                failures += 1
                self.metrics.failures.increment()
                self.queue.withLock { queue in
                    queue.status.state = "retrying"
                    queue.status.lastError = "\(error)"
                }
                if failures == 1 { self.logger.warning("fan-out: the edge does not take events; retrying", metadata: ["error": "\(error)"]) }
                let pause = Duration.milliseconds(min(100 << min(failures - 1, 6), 5000))
                if deadline != nil { return }
                do { try await Task.sleep(for: pause) } catch { return }
            }
        }
        self.queue.withLock { $0.status.state = "ok" }
        self.metrics.backlog.record(0)
    }

    struct Refused: Error, CustomStringConvertible {
        var status: UInt
        var description: String { "the edge's publisher answered \(self.status)" }
    }

    private func post(_ message: Message) async throws {
        var request = HTTPClientRequest(url: self.publishURL + (self.publishURL.contains("?") ? "&" : "?") + "channel=" + message.channel)
        if message.purge {
            request.method = .DELETE
        } else {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-EventSource-Event", value: message.name)
            request.body = .bytes(message.body)
        }
        let response = try await self.client.execute(request, timeout: .seconds(5))
        _ = try? await response.body.collect(upTo: 64 * 1024)
        // Deleting a channel that does not exist (nothing was ever published to it) is done too.
        guard (200..<300).contains(response.status.code) || (message.purge && response.status.code == 404) else {
            throw Refused(status: response.status.code)
        }
    }

    /// An SSE frame's event name and data (`id: N\nevent: NAME\ndata: JSON\n\n`).
    static func split(_ frame: ByteBuffer) -> (name: String, json: [UInt8])? {
        let bytes = Array(frame.readableBytesView)
        var name: String?
        var data: [UInt8]?
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            if line.starts(with: Array("event: ".utf8)) { name = String(decoding: line.dropFirst(7), as: UTF8.self) }
            if line.starts(with: Array("data: ".utf8)) { data = Array(line.dropFirst(6)) }
        }
        guard let name, let data else { return nil }
        return (name, data)
    }

    /// The data with `hashwallEvent` and `hashwallPrevious` first in its object.
    static func body(_ json: [UInt8], number: Int64, previous: Int64) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString(#"{"hashwallEvent":"\#(number)","hashwallPrevious":"\#(previous)""#)
        if json.first == UInt8(ascii: "{"), json.count > 2 {
            buffer.writeString(",")
            buffer.writeBytes(json.dropFirst())
        } else {
            buffer.writeString("}")
        }
        return buffer
    }
}
