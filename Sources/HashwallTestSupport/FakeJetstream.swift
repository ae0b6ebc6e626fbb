import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Bluesky for tests, on a free loopback port: Jetstream v1's `/subscribe` WebSocket (`wantedCollections`, a
/// microsecond `cursor` replayed from a buffer, `maxMessageSizeBytes`, one JSON text frame per event) and the
/// AppView's `app.bsky.actor.getProfiles`, as `reference/mastodon-bluesky.md` describes them.
public final class FakeJetstream: Sendable {
    struct Connection {
        var collections: Set<String>
        var maxSize: Int
        var continuation: AsyncStream<String>.Continuation
    }

    struct State {
        var events: [(timeUS: Int64, collection: String, json: String)] = []
        var connections: [UUID: Connection] = [:]
        /// Each connection's request target (path and query), in order.
        var subscriptions: [String] = []
        var profiles: [String: (handle: String, name: String)] = [:]
        var clock: Int64 = 1_796_200_000_000_000
        /// Posts search finds (PostView JSON), newest last.
        var searchable: [String] = []
        var accessToken = "access-1"
        var refreshes = 0
        var sessions = 0
        var searches: [String] = []
        /// The next search with the current access token answers 400 ExpiredToken.
        var expireNext = false
    }

    let state = Mutex(State())
    let server = Mutex<LoopbackServer?>(nil)

    public var port: Int { self.server.withLock { $0?.port ?? 0 } }
    /// `ws://127.0.0.1:PORT/subscribe`
    public var jetstreamURL: String { "ws://127.0.0.1:\(self.port)/subscribe" }
    /// `http://127.0.0.1:PORT` (the AppView, and the PDS for sessions and search)
    public var appviewURL: String { "http://127.0.0.1:\(self.port)" }

    public static func start() async throws -> FakeJetstream {
        let fake = FakeJetstream()
        let router = Router()
        router.post("xrpc/com.atproto.server.createSession") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: String]
            guard object?["password"] == "app-password" else {
                return Response(
                    status: .unauthorized, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"error":"AuthenticationRequired","message":"Invalid identifier or password"}"#)))
            }
            let access = fake.state.withLock { state -> String in
                state.sessions += 1
                return state.accessToken
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: #"{"accessJwt":"\#(access)","refreshJwt":"refresh-token","handle":"mur.bsky.social","did":"did:plc:mur"}"#)))
        }
        router.post("xrpc/com.atproto.server.refreshSession") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer refresh-token" else { return Response(status: .badRequest) }
            let access = fake.state.withLock { state -> String in
                state.refreshes += 1
                state.accessToken = "access-\(state.refreshes + 1)"
                return state.accessToken
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"accessJwt":"\#(access)","refreshJwt":"refresh-token"}"#)))
        }
        router.get("xrpc/app.bsky.feed.searchPosts") { request, _ -> Response in
            let authorization = request.headers[.authorization]
            let (posts, current, expire) = fake.state.withLock { state -> ([String], String, Bool) in
                state.searches.append(request.uri.description)
                defer { state.expireNext = false }
                return (state.searchable, state.accessToken, state.expireNext)
            }
            guard authorization == "Bearer \(current)" else {
                return Response(
                    status: .forbidden, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>Forbidden</html>")))
            }
            if expire {
                return Response(
                    status: .badRequest, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"error":"ExpiredToken","message":"Token has expired"}"#)))
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"posts":[\#(posts.reversed().joined(separator: ","))]}"#)))
        }
        router.get("xrpc/app.bsky.actor.getProfiles") { request, _ -> Response in
            let actors = request.uri.queryParameters.getAll("actors").map { String($0) }
            let profiles = fake.state.withLock { state in actors.compactMap { did in state.profiles[did].map { (did, $0) } } }
            let list = profiles.map { #"{"did":"\#($0.0)","handle":"\#($0.1.handle)","displayName":"\#($0.1.name)"}"# }.joined(separator: ",")
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"profiles":[\#(list)]}"#)))
        }
        let server = try await LoopbackServer.start(name: "fake-jetstream") { logger, running in
            Application(
                router: router,
                server: .http1WebSocketUpgrade { request, _, _ in
                    guard let target = request.path, target.hasPrefix("/subscribe") else { return .dontUpgrade }
                    return .upgrade([:]) { _, outbound, _ in
                        let (frames, id) = fake.subscribe(target)
                        for await frame in frames { try await outbound.write(.text(frame)) }
                        fake.state.withLock { _ = $0.connections.removeValue(forKey: id) }
                    }
                },
                configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fake-jetstream"), onServerRunning: running,
                logger: logger)
        }
        fake.server.withLock { $0 = server }
        return fake
    }

    /// Registers a connection for `target` (`/subscribe?wantedCollections=…&cursor=…`) and replays the buffer from
    /// its cursor (a cursor older than the buffer is clamped silently, as Jetstream does).
    func subscribe(_ target: String) -> (AsyncStream<String>, UUID) {
        let query = URLComponents(string: "http://x" + target)?.queryItems ?? []
        let collections = Set(query.filter { $0.name == "wantedCollections" }.compactMap(\.value))
        let maxSize = query.first { $0.name == "maxMessageSizeBytes" }.flatMap { $0.value.flatMap(Int.init) } ?? 0
        let cursor = query.first { $0.name == "cursor" }.flatMap { $0.value.flatMap(Int64.init) }
        let (frames, continuation) = AsyncStream<String>.makeStream()
        let id = UUID()
        self.state.withLock { state in
            state.subscriptions.append(target)
            let connection = Connection(collections: collections, maxSize: maxSize, continuation: continuation)
            if let cursor {
                for event in state.events where event.timeUS >= cursor { Self.send(event.json, collection: event.collection, to: connection) }
            }
            state.connections[id] = connection
        }
        return (frames, id)
    }

    static func send(_ json: String, collection: String, to connection: Connection) {
        guard connection.collections.isEmpty || connection.collections.contains(collection) else { return }
        guard connection.maxSize <= 0 || json.utf8.count <= connection.maxSize else { return }
        connection.continuation.yield(json)
    }

    public func stop() async {
        self.dropConnections()
        await self.server.withLock({ $0 })?.stop()
    }

    // MARK: - Scripting

    /// Emits a raw event (its `time_us` the next tick of the fake's clock) to the buffer and every connection.
    @discardableResult public func emit(collection: String, _ make: (Int64) -> String) -> Int64 {
        self.state.withLock { state in
            state.clock += 1000
            let json = make(state.clock)
            state.events.append((state.clock, collection, json))
            for connection in state.connections.values { Self.send(json, collection: collection, to: connection) }
            return state.clock
        }
    }

    /// A post created (or updated) by `did`; `facetTag` adds a tag facet, `tags` the record's `tags`, `labels` self-labels.
    @discardableResult public func post(
        did: String, rkey: String, text: String, facetTag: String? = nil, tags: [String] = [], labels: [String] = [], operation: String = "create",
        images: [(cid: String, alt: String)] = []
    ) -> Int64 {
        func quoted(_ value: String) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: [value]), as: UTF8.self).dropFirst().dropLast().description
        }
        var record = #"{"$type":"app.bsky.feed.post","text":\#(quoted(text)),"createdAt":"2026-12-02T08:41:07.000Z","langs":["fr"]"#
        if let facetTag, let range = text.range(of: "#" + facetTag) {
            let start = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
            let end = start + ("#" + facetTag).utf8.count
            record +=
                #","facets":[{"index":{"byteStart":\#(start),"byteEnd":\#(end)},"features":[{"$type":"app.bsky.richtext.facet#tag","tag":\#(quoted(facetTag))}]}]"#
        }
        if !tags.isEmpty { record += #","tags":[\#(tags.map(quoted).joined(separator: ","))]"# }
        if !labels.isEmpty {
            record +=
                #","labels":{"$type":"com.atproto.label.defs#selfLabels","values":[\#(labels.map { #"{"val":\#(quoted($0))}"# }.joined(separator: ","))]}"#
        }
        if !images.isEmpty {
            let list = images.map {
                #"{"alt":\#(quoted($0.alt)),"image":{"$type":"blob","ref":{"$link":"\#($0.cid)"},"mimeType":"image/jpeg","size":1000},"aspectRatio":{"width":1200,"height":800}}"#
            }
            record += #","embed":{"$type":"app.bsky.embed.images","images":[\#(list.joined(separator: ","))]}"#
        }
        record += "}"
        return self.emit(collection: "app.bsky.feed.post") { time in
            #"{"did":"\#(did)","time_us":\#(time),"kind":"commit","commit":{"rev":"r\#(time)","operation":"\#(operation)","collection":"app.bsky.feed.post","rkey":"\#(rkey)","record":\#(record),"cid":"bafy\#(time)"}}"#
        }
    }

    /// A repost by `did` of the post at `subject`.
    @discardableResult public func repost(did: String, rkey: String, subject: String) -> Int64 {
        self.emit(collection: "app.bsky.feed.repost") { time in
            #"{"did":"\#(did)","time_us":\#(time),"kind":"commit","commit":{"rev":"r\#(time)","operation":"create","collection":"app.bsky.feed.repost","rkey":"\#(rkey)","record":{"$type":"app.bsky.feed.repost","createdAt":"2026-12-02T08:41:08.000Z","subject":{"uri":"\#(subject)","cid":"bafy"}},"cid":"bafyr\#(time)"}}"#
        }
    }

    /// The post `rkey` of `did` deleted.
    @discardableResult public func delete(did: String, rkey: String) -> Int64 {
        self.emit(collection: "app.bsky.feed.post") { time in
            #"{"did":"\#(did)","time_us":\#(time),"kind":"commit","commit":{"rev":"r\#(time)","operation":"delete","collection":"app.bsky.feed.post","rkey":"\#(rkey)"}}"#
        }
    }

    public func profile(did: String, handle: String, name: String) { self.state.withLock { $0.profiles[did] = (handle, name) } }

    /// A post that search finds (posted before the wall listened).
    public func searchable(did: String, handle: String, name: String, rkey: String, text: String) {
        let quoted = String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast()
        let view =
            #"{"uri":"at://\#(did)/app.bsky.feed.post/\#(rkey)","cid":"bafy","author":{"did":"\#(did)","handle":"\#(handle)","displayName":"\#(name)"},"#
            + #""record":{"$type":"app.bsky.feed.post","text":\#(quoted),"createdAt":"2026-12-02T08:00:00.000Z"},"indexedAt":"2026-12-02T08:00:01.000Z"}"#
        self.state.withLock { $0.searchable.append(view) }
    }

    /// The next search with the current access token answers `400 ExpiredToken`.
    public func expireAccessToken() { self.state.withLock { $0.expireNext = true } }
    public var searches: [String] { self.state.withLock { $0.searches } }
    public var sessionsCreated: Int { self.state.withLock { $0.sessions } }
    public var sessionsRefreshed: Int { self.state.withLock { $0.refreshes } }

    /// Closes every connection.
    public func dropConnections() {
        let connections = self.state.withLock { state in
            defer { state.connections = [:] }
            return Array(state.connections.values)
        }
        for connection in connections { connection.continuation.finish() }
    }

    public var subscriptions: [String] { self.state.withLock { $0.subscriptions } }
    public var openConnections: Int { self.state.withLock { $0.connections.count } }
}
