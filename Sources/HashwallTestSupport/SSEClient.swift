import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One dispatched server-sent event.
public struct SSEEvent: Sendable, Equatable {
    public var id: String?
    public var type: String
    public var data: String
}

/// A test client for `text/event-stream` over its own connection (AsyncHTTPClient), parsing frames as the
/// WHATWG spec says. Reads continuously in the background; `next(within:)` waits with a deadline.
public actor SSEClient {
    public enum Failure: Error { case ended, timedOut(String) }

    public nonisolated let status: Int
    public nonisolated let headers: [(String, String)]
    private let client: HTTPClient
    private var reader: Task<Void, Never>?
    private var events: [SSEEvent] = []
    /// Comment lines seen (heartbeats).
    public private(set) var comments = 0
    public private(set) var ended = false
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0

    private init(client: HTTPClient, status: Int, headers: [(String, String)]) {
        self.client = client
        self.status = status
        self.headers = headers
    }

    /// Connects to `url`, sending `Last-Event-ID` when given. Returns once the response head has arrived.
    public static func connect(
        to url: String, lastEventID: String? = nil, bearer: String? = nil, closeAfter: Bool = false, headers: [(String, String)] = []
    ) async throws -> SSEClient {
        // The shared client needs no shutdown; each open stream holds its own connection from its pool.
        let client = HTTPClient.shared
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if closeAfter { request.headers.add(name: "Connection", value: "close") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .hours(1))
        let sse = SSEClient(client: client, status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) })
        await sse.start(response.body)
        return sse
    }

    private func start(_ body: HTTPClientResponse.Body) {
        self.reader = Task {
            var parser = SSEParser()
            do {
                for try await buffer in body {
                    let (events, comments) = parser.feed(String(buffer: buffer))
                    self.receive(events, comments: comments)
                }
            } catch {}
            self.finish()
        }
    }

    private func receive(_ events: [SSEEvent], comments: Int) {
        self.events += events
        self.comments += comments
        self.wakeAll()
    }

    private func finish() {
        self.ended = true
        self.wakeAll()
    }

    /// The next event, waiting up to `within`.
    /// - Throws: ``Failure/ended`` when the stream ended first, ``Failure/timedOut(_:)`` at the deadline.
    public func next(within: Duration = .seconds(10)) async throws -> SSEEvent {
        try await self.wait(within: within, "an event") { $0.events.isEmpty ? nil : $0.events.removeFirst() }
    }

    /// Waits until at least `count` comment lines (heartbeats) have arrived.
    public func waitForComments(_ count: Int, within: Duration = .seconds(10)) async throws {
        _ = try await self.wait(within: within, "\(count) comments") { $0.comments >= count ? true : nil }
    }

    /// Waits until the server ends the stream.
    public func waitUntilEnded(within: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + within
        while !self.ended {
            guard ContinuousClock.now < deadline else { throw Failure.timedOut("the end of the stream") }
            await self.pause(until: deadline)
        }
    }

    /// Events received and not yet taken.
    public var pending: [SSEEvent] { self.events }

    private func wait<T>(within: Duration, _ what: String, _ take: (isolated SSEClient) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + within
        while true {
            if let value = take(self) { return value }
            if self.ended { throw Failure.ended }
            guard ContinuousClock.now < deadline else { throw Failure.timedOut(what) }
            await self.pause(until: deadline)
        }
    }

    /// Suspends until something arrives or `deadline` passes.
    private func pause(until deadline: ContinuousClock.Instant) async {
        let id = self.nextWaiter
        self.nextWaiter += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(until: deadline)
            await self?.wake(id)
        }
        await withCheckedContinuation { self.waiters[id] = $0 }
        timer.cancel()
    }

    private func wake(_ id: Int) {
        self.waiters.removeValue(forKey: id)?.resume()
    }

    private func wakeAll() {
        let all = self.waiters
        self.waiters = [:]
        for continuation in all.values { continuation.resume() }
    }

    /// Closes the connection.
    public func close() async {
        self.reader?.cancel()
        _ = await self.reader?.value
    }
}

/// Incremental `text/event-stream` parser (WHATWG HTML §9.2.6).
struct SSEParser {
    private var buffer = ""
    private var id: String?
    private var type = ""
    private var data: [String] = []

    mutating func feed(_ text: String) -> ([SSEEvent], Int) {
        self.buffer += text
        var events: [SSEEvent] = []
        var comments = 0
        while let newline = self.buffer.firstIndex(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            let line = String(self.buffer[..<newline])
            self.buffer.removeSubrange(...newline)
            if line.isEmpty {
                if !self.data.isEmpty {
                    events.append(SSEEvent(id: self.id, type: self.type.isEmpty ? "message" : self.type, data: self.data.joined(separator: "\n")))
                }
                self.type = ""
                self.data = []
            } else if line.hasPrefix(":") {
                comments += 1
            } else {
                let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                let field = String(parts[0])
                var value = parts.count > 1 ? String(parts[1]) : ""
                if value.hasPrefix(" ") { value.removeFirst() }
                switch field {
                case "id": self.id = value
                case "event": self.type = value
                case "data": self.data.append(value)
                default: break
                }
            }
        }
        return (events, comments)
    }
}
