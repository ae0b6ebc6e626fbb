import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A Mastodon server for tests, on a free loopback port, speaking the wire format of `reference/mastodon-bluesky.md`:
/// the tag timeline (`min_id`/`max_id`/`since_id`/`limit` up to 40, newest first, a `Link` header except on an
/// empty page, `X-RateLimit-*` headers with an ISO 8601 reset, a scripted 429, a mode that wants a token), the
/// hashtag stream over SSE (a user token required, `:)` first, `update`/`status.update` with one-line JSON, `delete`
/// with a bare id, no `id:` lines; it can be cut mid-event) and `/api/v2/instance`.
public final class FakeMastodon: Sendable {
    /// A status as the fake serves it.
    public struct Status: Sendable {
        public var id: String
        public var uri: String
        public var acct: String
        public var displayName: String
        /// The `content` HTML.
        public var html: String
        public var tags: [String]
        public var createdAt: Date
        public var bot = false
        public var discoverable: Bool? = true
        public var noindex: Bool? = false
        public var spoiler = ""
        public var sensitive = false
        public var reblogsCount = 0
        public var visibility = "public"
        public var mentions: [(acct: String, username: String)] = []
        /// For a boost: the original's JSON.
        public var reblog: String?
        public var editedAt: Date?
        /// Pictures: their URL, alt text and size.
        public var images: [(url: String, alt: String, width: Int, height: Int)] = []

        public init(id: String, uri: String, acct: String, displayName: String, html: String, tags: [String], createdAt: Date = Date()) {
            self.id = id
            self.uri = uri
            self.acct = acct
            self.displayName = displayName
            self.html = html
            self.tags = tags
            self.createdAt = createdAt
        }

        /// One line of Status JSON.
        public func json(host: String) -> String {
            func text(_ value: String) -> String {
                String(decoding: try! JSONSerialization.data(withJSONObject: [value], options: [.withoutEscapingSlashes]), as: UTF8.self)
                    .dropFirst().dropLast().description
            }
            func date(_ value: Date) -> String { text(value.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))) }
            let username = self.acct.split(separator: "@").first.map(String.init) ?? self.acct
            let account =
                #"{"id":"1","acct":\#(text(self.acct)),"username":\#(text(username)),"display_name":\#(text(self.displayName)),"#
                + #""url":"https://\#(host)/@\#(username)","avatar":"https://\#(host)/a.png","bot":\#(self.bot),"#
                + #""discoverable":\#(self.discoverable.map { "\($0)" } ?? "null")"#
                + (self.noindex.map { #","noindex":\#($0)"# } ?? "") + "}"
            let tags = self.tags.map { #"{"name":\#(text($0)),"url":"https://\#(host)/tags/\#($0)"}"# }.joined(separator: ",")
            let mentions = self.mentions.map { #"{"acct":\#(text($0.acct)),"username":\#(text($0.username)),"url":"https://x/@\#($0.username)"}"# }
                .joined(separator: ",")
            let media = self.images.enumerated().map { index, image in
                #"{"id":"\#(index)","type":"image","url":\#(text(image.url)),"preview_url":\#(text(image.url)),"remote_url":null,"#
                    + #""description":\#(text(image.alt)),"blurhash":null,"meta":{"original":{"width":\#(image.width),"height":\#(image.height)}}}"#
            }.joined(separator: ",")
            return #"{"id":\#(text(self.id)),"uri":\#(text(self.uri)),"url":\#(text(self.uri)),"created_at":\#(date(self.createdAt)),"#
                + #""content":\#(text(self.html)),"spoiler_text":\#(text(self.spoiler)),"sensitive":\#(self.sensitive),"#
                + #""visibility":\#(text(self.visibility)),"language":"fr","account":\#(account),"reblog":\#(self.reblog ?? "null"),"#
                + #""media_attachments":[\#(media)],"tags":[\#(tags)],"mentions":[\#(mentions)],"emojis":[],"reblogs_count":\#(self.reblogsCount),"#
                + #""favourites_count":0,"replies_count":0,"edited_at":\#(self.editedAt.map(date) ?? "null")}"#
        }
    }

    /// A request the fake answered: its path and query, and its `Authorization`.
    public struct Request: Sendable {
        public var target: String
        public var authorization: String?
        public var at: Date
    }

    struct State {
        var statuses: [Status] = []
        var streams: [UUID: (tag: String, continuation: AsyncStream<String>.Continuation)] = [:]
        var requests: [Request] = []
        var rateLimitedUntil: Date?
        /// Timeline requests left before `remainingReset` (nil: plenty).
        var remainingRequests: Int?
        var remainingReset: Date?
        /// The next timeline request starts a rate limit this long.
        var rateLimitWindow: TimeInterval?
        /// When set, the timeline wants this bearer token.
        var timelineToken: String?
        /// The user token streams want.
        var streamToken: String? = "user-token"
        /// Files served under `/files/<name>` (pictures), with their content type.
        var files: [String: (bytes: [UInt8], type: String)] = [:]
        var fileRequests = 0
        /// `configuration.timelines_access.hashtag_feeds.local` in `/api/v2/instance`.
        var localHashtagFeed = "public"
    }

    /// The name statuses' URIs use (`https://<domain>/users/…`), not the address it listens on.
    public let domain: String
    let state = Mutex(State())
    let server = Mutex<LoopbackServer?>(nil)

    public var port: Int { self.server.withLock { $0?.port ?? 0 } }
    /// `http://127.0.0.1:PORT`
    public var url: String { "http://127.0.0.1:\(self.port)" }

    init(domain: String) { self.domain = domain }

    public static func start(domain: String = "m.example") async throws -> FakeMastodon {
        let fake = FakeMastodon(domain: domain)
        let router = Router()
        fake.routes(router)
        let server = try await LoopbackServer.start(name: "fake-mastodon") { logger, running in
            Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fake-mastodon"),
                onServerRunning: running, logger: logger)
        }
        fake.server.withLock { $0 = server }
        return fake
    }

    /// Stops the server (open streams end).
    public func stop() async {
        self.cutStreams(partial: false)
        await self.server.withLock({ $0 })?.stop()
    }

    // MARK: - Scripting

    /// Adds `status` to the timeline and sends it on the open streams of its tags.
    public func post(_ status: Status) {
        self.state.withLock { $0.statuses.append(status) }
        self.send(event: "update", data: status.json(host: self.domain), tags: status.tags)
    }

    /// Replaces the status with the same id, and sends `status.update`.
    public func edit(_ status: Status) {
        self.state.withLock { state in
            if let index = state.statuses.firstIndex(where: { $0.id == status.id }) { state.statuses[index] = status }
        }
        self.send(event: "status.update", data: status.json(host: self.domain), tags: status.tags)
    }

    /// Removes the status and sends `delete` with its bare id.
    public func delete(id: String) {
        let tags = self.state.withLock { state -> [String] in
            let tags = state.statuses.first { $0.id == id }?.tags ?? []
            state.statuses.removeAll { $0.id == id }
            return tags
        }
        self.send(event: "delete", data: id, tags: tags)
    }

    /// Ends every open stream, first writing half an event when `partial`.
    public func cutStreams(partial: Bool = true) {
        let streams = self.state.withLock { state in
            defer { state.streams = [:] }
            return Array(state.streams.values)
        }
        for stream in streams {
            if partial { stream.continuation.yield("event: update\ndata: {\"id\":\"99") }
            stream.continuation.finish()
        }
    }

    /// Timeline requests answer 429 until `date`.
    public func rateLimit(until date: Date) { self.state.withLock { $0.rateLimitedUntil = date } }
    /// The next timeline request, and those after it for `seconds`, answer 429 with the reset time then.
    public func rateLimitNext(seconds: TimeInterval) { self.state.withLock { $0.rateLimitWindow = seconds } }
    /// Only `count` timeline requests are left until `reset` (the headers say so on the last one).
    public func allowRequests(_ count: Int, until reset: Date) {
        self.state.withLock {
            $0.remainingRequests = count
            $0.remainingReset = reset
        }
    }

    /// The reset time of the current or last rate limit.
    public var rateLimitedUntil: Date? { self.state.withLock { $0.rateLimitedUntil } }
    /// The timeline wants this bearer token (nil: public).
    public func requireTimelineToken(_ token: String?) { self.state.withLock { $0.timelineToken = token } }

    public var requests: [Request] { self.state.withLock { $0.requests } }

    /// Serves `bytes` at `/files/<name>` (say, a picture), answering with `contentType`; returns the URL.
    @discardableResult public func serve(file name: String, bytes: [UInt8], contentType: String) -> String {
        self.state.withLock { $0.files[name] = (bytes, contentType) }
        return "\(self.url)/files/\(name)"
    }

    /// Who may see the local hashtag feed, as `/api/v2/instance` says (`public`, `authenticated`, `disabled`).
    public func localHashtagFeed(_ access: String) { self.state.withLock { $0.localHashtagFeed = access } }

    /// How many `/files/…` requests the fake answered.
    public var fileRequests: Int { self.state.withLock { $0.fileRequests } }
    public var openStreams: Int { self.state.withLock { $0.streams.count } }

    func send(event: String, data: String, tags: [String]) {
        let frame = "event: \(event)\ndata: \(data)\n\n"
        let folded = Set(tags.map { $0.lowercased() })
        for stream in self.state.withLock({ Array($0.streams.values) }) where folded.contains(stream.tag) {
            stream.continuation.yield(frame)
        }
    }

    // MARK: - Routes

    func routes(_ router: Router<BasicRequestContext>) {
        router.get("api/v1/timelines/tag/:tag") { request, context -> Response in
            let tag = (context.parameters.get("tag") ?? "").lowercased()
            let authorization = request.headers[.authorization]
            let (statuses, limited, wanted) = self.state.withLock { state in
                state.requests.append(Request(target: request.uri.description, authorization: authorization, at: Date()))
                if let window = state.rateLimitWindow {
                    state.rateLimitedUntil = Date().addingTimeInterval(window)
                    state.rateLimitWindow = nil
                }
                return (state.statuses, state.rateLimitedUntil, state.timelineToken)
            }
            let reset = (limited ?? Date().addingTimeInterval(300)).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
            headers[HTTPField.Name("X-RateLimit-Limit")!] = "300"
            headers[HTTPField.Name("X-RateLimit-Reset")!] = reset
            if let limited, limited > Date() {
                headers[HTTPField.Name("X-RateLimit-Remaining")!] = "0"
                return Response(
                    status: .tooManyRequests, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"Too many requests"}"#)))
            }
            let remaining = self.state.withLock { state -> Int in
                guard let left = state.remainingRequests else { return 299 }
                state.remainingRequests = max(0, left - 1)
                return max(0, left - 1)
            }
            headers[HTTPField.Name("X-RateLimit-Remaining")!] = String(remaining)
            if remaining == 0, let until = self.state.withLock({ $0.remainingReset }) {
                headers[HTTPField.Name("X-RateLimit-Reset")!] = until.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            }
            if let wanted, authorization != "Bearer \(wanted)" {
                return Response(
                    status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"The access token is invalid"}"#)))
            }
            let query = request.uri.queryParameters
            let limit = min(40, Int(query["limit"].map(String.init) ?? "") ?? 20)
            func older(_ a: String, _ b: String) -> Bool { a.count != b.count ? a.count < b.count : a < b }
            var matching = statuses.filter { $0.tags.contains { $0.lowercased() == tag } }.sorted { older($0.id, $1.id) }
            if let max = query["max_id"].map(String.init) { matching = matching.filter { older($0.id, max) } }
            if let since = query["since_id"].map(String.init) { matching = matching.filter { older(since, $0.id) } }
            var page: [Status]
            if let min = query["min_id"].map(String.init) {
                page = Array(matching.filter { older(min, $0.id) }.prefix(limit))
            } else {
                page = Array(matching.suffix(limit))
            }
            page.reverse()  // newest first
            if let newest = page.first, let oldest = page.last {
                let base = "\(self.url)/api/v1/timelines/tag/\(tag)"
                headers[HTTPField.Name("Link")!] = "<\(base)?max_id=\(oldest.id)>; rel=\"next\", <\(base)?min_id=\(newest.id)>; rel=\"prev\""
            }
            let body = "[" + page.map { $0.json(host: self.domain) }.joined(separator: ",") + "]"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("api/v1/streaming/hashtag") { request, _ -> Response in
            let authorization = request.headers[.authorization]
            let tag = (request.uri.queryParameters["tag"].map(String.init) ?? "").lowercased()
            let wanted = self.state.withLock { state in
                state.requests.append(Request(target: request.uri.description, authorization: authorization, at: Date()))
                return state.streamToken
            }
            guard let wanted, authorization == "Bearer \(wanted)" else {
                return Response(
                    status: .unauthorized, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"error":"Error: Missing access token"}"#)))
            }
            let (frames, continuation) = AsyncStream<String>.makeStream()
            let id = UUID()
            self.state.withLock { $0.streams[id] = (tag, continuation) }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "private, no-store"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: ":)\n"))
                    for await frame in frames { try await writer.write(ByteBuffer(string: frame)) }
                    self.state.withLock { _ = $0.streams.removeValue(forKey: id) }
                    try await writer.finish(nil)
                })
        }
        router.get("files/:name") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            guard
                let file = self.state.withLock({ state -> (bytes: [UInt8], type: String)? in
                    state.fileRequests += 1
                    return state.files[name]
                })
            else { return Response(status: .notFound) }
            return Response(status: .ok, headers: [.contentType: file.type], body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
        router.get("api/v2/instance") { _, _ -> Response in
            let local = self.state.withLock { $0.localHashtagFeed }
            let body =
                #"{"domain":"\#(self.domain)","version":"4.5.0","configuration":{"urls":{"streaming":"ws://127.0.0.1:\#(self.port)"},"#
                + #""timelines_access":{"live_feeds":{"local":"public","remote":"public"},"hashtag_feeds":{"local":"\#(local)","remote":"public"}}}}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
