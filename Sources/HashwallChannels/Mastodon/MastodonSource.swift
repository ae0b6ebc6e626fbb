import AsyncHTTPClient
import Foundation
import HashwallCore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// One Mastodon server followed for the event's hashtags (`mastodon.<host>` on `/healthz`).
///
/// With a user token: the REST tag timeline from the last id seen (catch-up), then the hashtag streams (SSE) live,
/// and after every reconnect the catch-up again. Without: the tag timeline polled every `pollInterval` with `min_id`,
/// page after page while pages are full. The cursor (the highest id seen, per tag: ids are this server's own)
/// commits with the posts. The status `uri` is the post's identity, so the same toot seen through two servers is one
/// post; an edit is an update; a deletion removes the post (through `remove`).
public struct MastodonSource: PulledSource {
    /// `mastodon.<host>` (and `:port` when the URL names one).
    public var name: String { "mastodon." + self.host + (self.port.map { ":\($0)" } ?? "") }
    /// `https://mastodon.social`, no trailing slash.
    let base: String
    let host: String
    let port: Int?
    let token: String?
    let tags: [String]
    let rules: MastodonRules
    let pollInterval: Duration
    let client: HTTPClient
    let userAgent: String
    let remove: @Sendable (PostID) async -> Void
    let logger: Logger
    /// A stream silent this long (three missed heartbeats) is dead.
    let silence: Duration
    /// Statuses per page (the API's maximum is 40).
    static let pageSize = 40
    /// The largest status or page read.
    static let maxBody = 8 << 20

    public init?(
        url: String, token: String?, tags: [String], rules: MastodonRules, pollInterval: Duration, client: HTTPClient = .shared,
        userAgent: String, silence: Duration = .seconds(45), logger: Logger, remove: @escaping @Sendable (PostID) async -> Void
    ) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else { return nil }
        self.base = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
        self.host = host.lowercased()
        self.port = components.port
        self.token = token
        self.tags = tags.map(Hashtags.fold).filter { !$0.isEmpty }
        self.rules = rules
        self.pollInterval = pollInterval
        self.client = client
        self.userAgent = userAgent
        self.silence = silence
        self.logger = logger
        self.remove = remove
    }

    /// The highest status id seen, per tag.
    struct Cursor: Codable, Equatable {
        var minIDs: [String: String] = [:]
    }

    public func run(from cursor: Data?, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        let state = SharedCursor(cursor.flatMap { try? JSONDecoder().decode(Cursor.self, from: $0) } ?? Cursor())
        let known = KnownStatuses()
        try await self.checkAccess()
        while true {
            for tag in self.tags { try await self.catchUp(tag: tag, state: state, known: known, deliver: deliver) }
            if self.token == nil {
                try await deliver(SourceBatch(posts: [], cursor: nil))  // polled and healthy
                try await Task.sleep(for: self.pollInterval)
            } else {
                try await self.stream(state: state, known: known, deliver: deliver)
            }
        }
    }

    // MARK: - REST

    /// Reads who may see this server's hashtag feeds (Mastodon 4.5+, `/api/v2/instance`): a feed for signed-in users
    /// only stops the channel without a token, with the reason; remote posts left out by the admin are logged (an
    /// empty feed then looks just like a quiet one). Older servers, or no answer: nothing to learn.
    func checkAccess() async throws {
        guard let (status, _, body) = try? await self.get("/api/v2/instance"), status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let feeds = ((object["configuration"] as? [String: Any])?["timelines_access"] as? [String: Any])?["hashtag_feeds"] as? [String: Any]
        else { return }
        let local = feeds["local"] as? String
        let remote = feeds["remote"] as? String
        if self.token == nil, local == "authenticated" || local == "disabled" {
            throw SourceError.fatal("\(self.host) shows its hashtag feeds to signed-in users only: set tokenEnv (a user token with read:statuses)")
        }
        if remote == "disabled" || (self.token == nil && remote == "authenticated") {
            self.logger.warning(
                "this server leaves other servers' posts out of its hashtag feeds: the wall sees only its own users' posts there",
                metadata: ["channel": "\(self.name)"])
        }
    }

    /// The tag timeline after the last id seen, oldest first, page after page while pages are full. The first time
    /// (no cursor), only the newest page.
    func catchUp(tag: String, state: SharedCursor, known: KnownStatuses, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        while true {
            let since = state.minID(tag)
            var query = "limit=\(Self.pageSize)"
            if let since { query += "&min_id=" + (since.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? since) }
            let path = "/api/v1/timelines/tag/" + (tag.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? tag)
            let (status, headers, body) = try await self.get(path + "?" + query)
            if status == 404 { return }  // an unknown tag: no posts yet
            try self.check(status, headers: headers, body: body, what: "the #\(tag) timeline")
            try await self.respectRemaining(headers)
            let statuses: [MastodonStatus]
            do {
                try JSONNesting.check(body)
                statuses = try JSONDecoder().decode([MastodonStatus].self, from: Data(body))
            } catch {
                throw SourceError.transient("the #\(tag) timeline is not a list of statuses: \(error)")
            }
            let ordered = statuses.sorted { MastodonStatus.isOlder($0.id, than: $1.id) }
            guard let newest = ordered.last else { return }
            let posts = ordered.compactMap { self.post(for: $0, known: known) }
            try await deliver(SourceBatch(posts: posts, cursor: state.advance(tag, to: newest.id)))
            if since == nil || statuses.count < Self.pageSize { return }
        }
    }

    func post(for status: MastodonStatus, known: KnownStatuses) -> IncomingPost? {
        known.remember(id: status.id, uri: status.uri)
        switch self.rules.verdict(for: status, host: self.host) {
        case .post(let post): return post
        case .ignored(let reason):
            self.logger.debug("status not for the wall: \(reason)", metadata: ["channel": "\(self.name)", "uri": "\(status.uri)"])
            return nil
        }
    }

    func request(_ pathAndQuery: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: self.base + pathAndQuery)
        request.headers.add(name: "User-Agent", value: self.userAgent)
        request.headers.add(name: "Accept", value: pathAndQuery.hasPrefix("/api/v1/streaming") ? "text/event-stream" : "application/json")
        if let token = self.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return request
    }

    func get(_ pathAndQuery: String) async throws -> (Int, HTTPHeaders, [UInt8]) {
        do {
            let response = try await self.client.execute(self.request(pathAndQuery), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: Self.maxBody)
            return (Int(response.status.code), response.headers, Array(body.readableBytesView))
        } catch let error as SourceError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SourceError.transient("\(self.base): \(error)")
        }
    }

    /// When the server says no request is left before its reset time (`X-RateLimit-Remaining: 0`), waits until then
    /// rather than earn a 429.
    func respectRemaining(_ headers: HTTPHeaders) async throws {
        guard headers.first(name: "X-RateLimit-Remaining").flatMap(Int.init) == 0,
            let reset = headers.first(name: "X-RateLimit-Reset").flatMap({ try? WireDate.parse($0, field: "X-RateLimit-Reset") })
        else { return }
        let wait = min(reset.timeIntervalSinceNow, 900)
        guard wait > 0 else { return }
        self.logger.info("rate limit reached: waiting for the reset", metadata: ["channel": "\(self.name)", "seconds": "\(Int(wait))"])
        try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
    }

    /// Throws how a non-200 answer is retried: 429 at the reset time, 401/403/422 not until the wall restarts
    /// (a token is needed or the feed is disabled), anything else with backoff.
    func check(_ status: Int, headers: HTTPHeaders, body: [UInt8], what: String) throws {
        guard status != 200 else { return }
        let message = (try? JSONSerialization.jsonObject(with: Data(body.prefix(4096))) as? [String: Any])?["error"] as? String
        let reason = "\(self.host) answered \(status) for \(what)" + (message.map { ": \($0)" } ?? "")
        switch status {
        case 429:
            let reset = headers.first(name: "X-RateLimit-Reset").flatMap { try? WireDate.parse($0, field: "X-RateLimit-Reset") }
            throw SourceError.rateLimited(until: reset ?? Date().addingTimeInterval(300), reason)
        case 401, 403, 422:
            throw SourceError.fatal(
                reason
                    + (self.token == nil ? " (this server wants a user token: set tokenEnv)" : " (check the token: a user token with read:statuses)"))
        default:
            throw SourceError.transient(reason)
        }
    }

    // MARK: - Streaming

    /// The hashtag streams, one per tag, until one fails or falls silent: each `update` and `status.update` is a post
    /// (its id advances the cursor), each `delete` removes the post it names.
    func stream(state: SharedCursor, known: KnownStatuses, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        let heard = LastHeard()
        // The group ends before this returns, so `deliver` does not outlive the call.
        try await withoutActuallyEscaping(deliver) { deliver in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for tag in self.tags {
                    group.addTask {
                        try await self.follow(tag: tag, state: state, known: known, heard: heard, deliver: deliver)
                    }
                }
                group.addTask { try await heard.watch(silence: self.silence, what: "the stream") }
                try await group.next()  // the first to end (a stream cut or silent) ends them all
                group.cancelAll()
                throw SourceError.transient("the stream ended")
            }
        }
    }

    func follow(
        tag: String, state: SharedCursor, known: KnownStatuses, heard: LastHeard, deliver: @Sendable (SourceBatch) async throws -> Void
    ) async throws {
        let path = "/api/v1/streaming/hashtag?tag=" + (tag.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? tag)
        let response: HTTPClientResponse
        do {
            response = try await self.client.execute(self.request(path), timeout: .hours(24 * 365))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SourceError.transient("\(self.base) streaming: \(error)")
        }
        if response.status != .ok {
            let body = try? await response.body.collect(upTo: 64 * 1024)
            try self.check(
                Int(response.status.code), headers: response.headers, body: body.map { Array($0.readableBytesView) } ?? [], what: "the #\(tag) stream"
            )
        }
        try await deliver(SourceBatch(posts: [], cursor: nil))  // connected: the channel is healthy
        var parser = ServerSentEvents()
        do {
            for try await chunk in response.body {
                heard.now()
                for event in parser.feed(chunk.readableBytesView) {
                    try await self.handle(event, tag: tag, state: state, known: known, deliver: deliver)
                }
            }
        } catch let error as SourceError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SourceError.transient("the #\(tag) stream was cut: \(error)")
        }
        throw SourceError.transient("the #\(tag) stream ended")
    }

    func handle(
        _ event: ServerSentEvents.Event, tag: String, state: SharedCursor, known: KnownStatuses, deliver: @Sendable (SourceBatch) async throws -> Void
    ) async throws {
        switch event.name {
        case "update", "status.update":
            guard let status = try? MastodonStatus.decode(Array(event.data.utf8)) else {
                self.logger.warning("a status that can't be read was skipped", metadata: ["channel": "\(self.name)"])
                return
            }
            let post = self.post(for: status, known: known)
            let cursor = event.name == "update" ? state.advance(tag, to: status.id) : nil
            try await deliver(SourceBatch(posts: post.map { [$0] } ?? [], cursor: cursor))
        case "delete":
            let id = event.data.trimmingCharacters(in: .whitespacesAndNewlines)
            if let uri = known.uri(for: id) { await self.remove(PostID("mastodon:" + uri)) }
        default:
            return
        }
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// When a stream last sent a byte (milliseconds since 1970), shared by the streams and their watchdog.
final class LastHeard: Sendable {
    private let value = Atomic<Int64>(MastodonSource.now())
    var milliseconds: Int64 { self.value.load(ordering: .relaxed) }
    func now() { self.value.store(MastodonSource.now(), ordering: .relaxed) }

    /// Returns only by throwing: ``SourceError/transient(_:)`` once nothing was heard for `silence`.
    func watch(silence: Duration, what: String) async throws {
        while true {
            try await Task.sleep(for: .seconds(1))
            let quiet = MastodonSource.now() - self.milliseconds
            if quiet > Int64(silence.components.seconds) * 1000 { throw SourceError.transient("\(what) was silent for \(quiet / 1000) s") }
        }
    }
}

/// The cursor, shared by the streams of every tag.
final class SharedCursor: Sendable {
    private let cursor: Mutex<MastodonSource.Cursor>

    init(_ cursor: MastodonSource.Cursor) { self.cursor = Mutex(cursor) }

    func minID(_ tag: String) -> String? { self.cursor.withLock { $0.minIDs[tag] } }

    /// Moves `tag` to `id` when it is newer; the encoded cursor.
    func advance(_ tag: String, to id: String) -> Data? {
        self.cursor.withLock { cursor in
            if let current = cursor.minIDs[tag], !MastodonStatus.isOlder(current, than: id) { return try? JSONEncoder().encode(cursor) }
            cursor.minIDs[tag] = id
            return try? JSONEncoder().encode(cursor)
        }
    }
}

/// This server's status ids and their URIs, for deletions (which name the id only). Bounded: the oldest forgotten.
final class KnownStatuses: Sendable {
    private let map = Mutex<(uris: [String: String], order: [String])>(([:], []))
    let capacity = 50_000

    func remember(id: String, uri: String) {
        self.map.withLock { map in
            if map.uris.updateValue(uri, forKey: id) == nil { map.order.append(id) }
            if map.order.count > self.capacity {
                for old in map.order.prefix(self.capacity / 10) { map.uris[old] = nil }
                map.order.removeFirst(self.capacity / 10)
            }
        }
    }

    func uri(for id: String) -> String? { self.map.withLock { $0.uris[id] } }
}

/// A `text/event-stream` reader: events by name with their data; comments and `id:` lines are dropped.
public struct ServerSentEvents: Sendable {
    public struct Event: Equatable, Sendable {
        public var name: String
        public var data: String
    }

    public init() {}

    private var line: [UInt8] = []
    private var name = ""
    private var data: [String] = []
    /// A line longer than this (a status of megabytes) is dropped with its event.
    static let maxLine = 1 << 20
    private var overflow = false

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if let event = self.endLine() { events.append(event) }
            } else if self.line.count < Self.maxLine {
                self.line.append(byte)
            } else {
                self.overflow = true
            }
        }
        return events
    }

    private mutating func endLine() -> Event? {
        defer { self.line.removeAll(keepingCapacity: true) }
        if self.line.last == UInt8(ascii: "\r") { self.line.removeLast() }
        if self.line.isEmpty {
            defer {
                self.name = ""
                self.data = []
                self.overflow = false
            }
            guard !self.data.isEmpty, !self.overflow else { return nil }
            return Event(name: self.name.isEmpty ? "message" : self.name, data: self.data.joined(separator: "\n"))
        }
        let text = String(decoding: self.line, as: UTF8.self)
        if text.hasPrefix(":") { return nil }
        let field = text.prefix { $0 != ":" }
        var value = text.dropFirst(field.count).dropFirst()
        if value.first == " " { value = value.dropFirst() }
        switch field {
        case "event": self.name = String(value)
        case "data": self.data.append(String(value))
        default: break
        }
        return nil
    }
}
