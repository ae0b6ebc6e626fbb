import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Synchronization

/// X API v2 for tests, on a free loopback port, speaking the wire format of `reference/x-api.md`: app-only bearer auth;
/// the filtered stream (`GET /2/tweets/search/stream`: one JSON object per `\r\n`-terminated line, bare `\r\n`
/// keep-alives, `409` without rules, `429 TooManyConnections` to a second connection; it can stall, be cut mid-line or
/// end with an `operational-disconnect`); its rules (`GET`/`POST /2/tweets/search/stream/rules`, kept across connections,
/// `duplicate-rules`, 1,000 at most); recent search (`GET /2/tweets/search/recent`: `query` up to 512 characters,
/// `since_id`/`until_id` exclusive, `start_time`/`end_time`, `max_results` 10–100, `next_token`, newest first);
/// `x-rate-limit-*` headers on every answer; scripted failures; and the ids a run would be billed for today.
///
/// Answers carry every field and expansion, as if the client had asked for all of them (`tweet.fields`, `expansions`
/// and the like are ignored). Rules and search queries understand `#tag` (the hashtag entity, case-insensitively),
/// space (AND), `OR`, `-` (NOT), parentheses, `is:retweet`/`is:reply`/`is:quote`, `has:media`/`has:links`, `from:`,
/// `"phrases"` and bare words (in the text); `lang:` matches everything, the fake keeps no language.
public final class FakeX: Sendable {
    /// A post as the fake stores and serves it: ``post(_:)`` it, then search finds it and the stream delivers it.
    public struct Tweet: Sendable {
        /// A decimal snowflake, compared as `UInt64` (``FakeX/nextTweetID()`` makes increasing ones).
        public var id: String
        /// The visible text: for a retweet `RT @user: …`, for a long post its truncated start.
        public var text: String
        /// The author's ``User/id``.
        public var authorID: String
        /// `created_at`, served to the millisecond (`2026-12-02T08:41:07.000Z`); `start_time`/`end_time` compare it.
        public var createdAt: Date
        /// The posts this one retweets (`retweeted`), quotes (`quoted`) or answers (`replied_to`).
        public var referenced: [(type: String, id: String)]
        /// `edit_history_tweet_ids`, oldest first: `[id]` unless edited.
        public var editHistory: [String]
        /// `possibly_sensitive`.
        public var possiblySensitive: Bool
        /// Keys of ``Media`` added with ``FakeX/add(media:)`` (`attachments.media_keys`).
        public var mediaKeys: [String]
        /// `entities.urls`: the t.co link, where it leads, and its offsets in `text`.
        public var entitiesURLs: [(url: String, expandedURL: String, start: Int, end: Int)]
        /// A post over 280 characters: its full text (`note_tweet.text`).
        public var noteText: String?

        /// A post by `authorID`; the rest defaults to a plain, unedited post created now.
        public init(
            id: String, text: String, authorID: String, createdAt: Date = Date(), referenced: [(type: String, id: String)] = [],
            editHistory: [String]? = nil, possiblySensitive: Bool = false, mediaKeys: [String] = [],
            entitiesURLs: [(url: String, expandedURL: String, start: Int, end: Int)] = [], noteText: String? = nil
        ) {
            self.id = id
            self.text = text
            self.authorID = authorID
            self.createdAt = createdAt
            self.referenced = referenced
            self.editHistory = editHistory ?? [id]
            self.possiblySensitive = possiblySensitive
            self.mediaKeys = mediaKeys
            self.entitiesURLs = entitiesURLs
            self.noteText = noteText
        }
    }

    /// An account, served in `includes.users`. An author never added is served as `User <id>` / `user<id>`.
    public struct User: Sendable {
        /// A decimal id, as ``Tweet/authorID`` names it.
        public var id: String
        /// The display name.
        public var name: String
        /// The handle, without `@`.
        public var username: String
        /// `profile_image_url`, served only when set.
        public var profileImageURL: String?

        /// An account; `username` without `@`.
        public init(id: String, name: String, username: String, profileImageURL: String? = nil) {
            self.id = id
            self.name = name
            self.username = username
            self.profileImageURL = profileImageURL
        }
    }

    /// A picture or video, served in `includes.media` for the posts whose `mediaKeys` name it.
    public struct Media: Sendable {
        /// `media_key`, as ``Tweet/mediaKeys`` names it (X's look like `3_1864001234567890123`).
        public var key: String
        /// `photo` (served with `url`), `video` or `animated_gif` (served with `preview_image_url`).
        public var type: String
        /// The picture, or the video's preview picture.
        public var url: String
        /// `alt_text`, served only when set.
        public var altText: String?
        /// The size in pixels.
        public var width: Int, height: Int

        /// A medium; a photo unless `type` says otherwise.
        public init(key: String, type: String = "photo", url: String, altText: String? = nil, width: Int = 1_200, height: Int = 800) {
            self.key = key
            self.type = type
            self.url = url
            self.altText = altText
            self.width = width
            self.height = height
        }
    }

    struct Rule: Sendable {
        var id: String
        var value: String
        var tag: String?
    }

    /// What the open stream's response writes next.
    enum Frame: Sendable {
        /// Bytes to write; `tweetID` counts as delivered once they are written.
        case bytes(String, tweetID: String?)
        /// Writes `partial`, if any, then drops the connection without ending the chunked body.
        case cut(partial: String?)
        /// Ends the body (the last chunk), which closes the connection.
        case end
    }

    struct Connection: Sendable {
        let id: UUID
        let frames: AsyncStream<Frame>.Continuation
        var stalled = false
    }

    /// What became of a stream connection's request.
    enum Opening {
        case opened, noRules, busy
    }

    /// The endpoints with a rate-limit window each, and their limits per 15 minutes (`reference/x-api.md`).
    enum Endpoint: Hashable {
        case stream, search, listRules, writeRules

        var limit: Int {
            switch self {
            case .stream: return 50
            case .search: return 450
            case .listRules: return 450
            case .writeRules: return 100
            }
        }
    }

    struct Window {
        var start: Date
        var used: Int
        var reset: Date { self.start.addingTimeInterval(15 * 60) }
    }

    struct Failure: Sendable {
        var status: Int
        var body: String?
        var resetAt: Date?
    }

    /// Thrown by the stream's body to drop the connection mid-body.
    struct StreamCut: Error {}

    struct State {
        var tweets: [String: Tweet] = [:]
        var users: [String: User] = [:]
        var media: [String: Media] = [:]
        var rules: [Rule] = []
        var nextRuleID: UInt64 = 1_864_000_000_000_000_001
        var nextTweetID: UInt64 = 1_864_001_234_567_890_123
        var ruleWrites = 0
        /// The one stream connection X allows (pay-per-use).
        var connection: Connection?
        var streamConnections = 0
        var keepAliveInterval: TimeInterval = 20
        var failures: [Failure] = []
        var windows: [Endpoint: Window] = [:]
        var searchRequests: [[String: String]] = []
        var requestTimes: [(path: String, at: Date)] = []
        /// Post ids returned by search or written by the stream, per UTC day (days since 1970).
        var delivered: [Int: Set<String>] = [:]
    }

    /// The bearer token every endpoint wants.
    public let bearer: String
    let state = Mutex(State())
    let server = Mutex<LoopbackServer?>(nil)

    /// The loopback port the fake listens on.
    public var port: Int { self.server.withLock { $0?.port ?? 0 } }
    /// `http://127.0.0.1:PORT`, the base URL to give the client in place of `https://api.x.com`.
    public var url: String { "http://127.0.0.1:\(self.port)" }

    init(bearer: String) { self.bearer = bearer }

    /// Starts the fake on a free loopback port; returns once it listens.
    public static func start(bearer: String = "x-test-token") async throws -> FakeX {
        let fake = FakeX(bearer: bearer)
        let router = Router()
        fake.routes(router)
        let server = try await LoopbackServer.start(name: "fake-x") { logger, running in
            Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fake-x"),
                onServerRunning: running, logger: logger)
        }
        fake.server.withLock { $0 = server }
        return fake
    }

    /// Ends the open stream (cleanly) and stops the server.
    public func stop() async {
        self.takeConnection()?.frames.finish()
        await self.server.withLock({ $0 })?.stop()
    }

    // MARK: - Posts, accounts and media

    /// Adds (or replaces) an account served in `includes.users`.
    public func add(user: User) { self.state.withLock { $0.users[user.id] = user } }

    /// Adds (or replaces) a medium served in `includes.media`.
    public func add(media: Media) { self.state.withLock { $0.media[media.key] = media } }

    /// Stores `tweet` (search finds it; a post with the same id is replaced) and, when a rule matches it, writes it
    /// to the open stream with those rules in `matching_rules`. A stalled stream gets nothing: the post is lost to it.
    public func post(_ tweet: Tweet) {
        let delivery = self.state.withLock { state -> (frames: AsyncStream<Frame>.Continuation, line: String)? in
            state.tweets[tweet.id] = tweet
            guard let connection = state.connection, !connection.stalled else { return nil }
            let candidate = Self.candidate(tweet, in: state)
            let matching = state.rules.filter { RuleQuery.parse($0.value)?.matches(candidate) ?? false }
            guard !matching.isEmpty else { return nil }
            let envelope: [String: Any] = [
                "data": Self.tweetObject(tweet), "includes": Self.includes(for: [tweet], in: state),
                "matching_rules": matching.map(Self.matchingRuleObject),
            ]
            return (connection.frames, Self.encode(envelope) + "\r\n")
        }
        if let delivery { delivery.frames.yield(.bytes(delivery.line, tweetID: tweet.id)) }
    }

    /// A fresh decimal snowflake, greater than the ones it made before.
    public func nextTweetID() -> String {
        self.state.withLock { state in
            defer { state.nextTweetID += 1 }
            return String(state.nextTweetID)
        }
    }

    // MARK: - Rules

    /// The stream's rules, oldest first, whoever added them.
    public var rules: [(id: String, value: String, tag: String?)] {
        self.state.withLock { state in state.rules.map { (id: $0.id, value: $0.value, tag: $0.tag) } }
    }

    /// `POST …/stream/rules` requests received, whatever their answer (dry runs and refusals included).
    public var ruleWrites: Int { self.state.withLock { $0.ruleWrites } }

    /// Adds a rule as another tool of the same app would (not counted in ``ruleWrites``): our client must leave it alone.
    @discardableResult public func addForeignRule(value: String, tag: String? = nil) -> String {
        self.state.withLock { state in
            let rule = Rule(id: String(state.nextRuleID), value: value, tag: tag)
            state.nextRuleID += 1
            state.rules.append(rule)
            return rule.id
        }
    }

    // MARK: - The stream, scripted

    /// How often an open stream writes a bare `\r\n` (20 s, as X; set it lower in tests). Read before each wait.
    public var keepAliveInterval: TimeInterval {
        get { self.state.withLock { $0.keepAliveInterval } }
        set { self.state.withLock { $0.keepAliveInterval = newValue } }
    }

    /// The open stream stops writing anything, keep-alives and posts included, and keeps the connection open until
    /// the client closes it (or ``cutStream(midLine:)``). The next connection is a healthy one.
    public func stall() {
        self.state.withLock { state in
            guard state.connection != nil else { return }
            state.connection?.stalled = true
        }
    }

    /// Drops the open stream's connection without ending its body, after half a JSON line when `midLine`.
    public func cutStream(midLine: Bool = true) {
        guard let connection = self.takeConnection() else { return }
        connection.frames.yield(.cut(partial: midLine ? Self.halfLine : nil))
        connection.frames.finish()
    }

    /// Writes the `operational-disconnect` line on the open stream, then ends it.
    public func disconnectNotice() {
        guard let connection = self.takeConnection() else { return }
        connection.frames.yield(.bytes(Self.disconnectNoticeBody + "\r\n", tweetID: nil))
        connection.frames.yield(.end)
        connection.frames.finish()
    }

    /// Writes `line` and `\r\n` on the open stream as is (say, malformed JSON), unless it is stalled.
    public func writeRawLine(_ line: String) {
        guard let connection = self.state.withLock({ $0.connection }), !connection.stalled else { return }
        connection.frames.yield(.bytes(line + "\r\n", tweetID: nil))
    }

    /// Stream connections answered `200` so far.
    public var streamConnections: Int { self.state.withLock { $0.streamConnections } }
    /// Whether a stream connection is open (a client that closes its side is noticed at once, even while stalled).
    public var isStreamConnected: Bool { self.state.withLock { $0.connection != nil } }

    // MARK: - Failures, requests and cost

    /// The next `count` requests to the stream or to search (with the right token) answer `status` with `body`
    /// (by default a problem for that status; ``creditsDepletedBody`` for 402). With `resetIn`, `x-rate-limit-reset`
    /// says now (at this call) plus `resetIn`; a 429 also says `x-rate-limit-remaining: 0`.
    public func failNext(_ count: Int = 1, status: Int, body: String? = nil, resetIn: TimeInterval? = nil) {
        let failure = Failure(status: status, body: body, resetAt: resetIn.map { Date().addingTimeInterval($0) })
        self.state.withLock { $0.failures += Array(repeating: failure, count: max(0, count)) }
    }

    /// `402`: the app is out of credits (observed in 2026; an operator must act).
    public static let creditsDepletedBody =
        #"{"title":"Payment Required","detail":"credits depleted","type":"https://api.x.com/2/problems/credits-depleted"}"#
    /// `429`: the monthly usage cap, which waiting for `x-rate-limit-reset` does not clear.
    public static let usageCappedBody =
        #"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.x.com/2/problems/usage-capped","#
        + #""period":"Monthly","scope":"Product"}"#

    /// Each search request's query parameters (decoded), in order, whatever the answer.
    public var searchRequests: [[String: String]] { self.state.withLock { $0.searchRequests } }
    /// Every request's path and time, in order, whatever the endpoint and the answer.
    public var requestTimes: [(path: String, at: Date)] { self.state.withLock { $0.requestTimes } }
    /// Ids of the posts search returned in `data` or the stream wrote today (UTC): what X bills, once per post per day.
    public var deliveredToday: Set<String> { self.state.withLock { $0.delivered[Self.utcDay(Date())] ?? [] } }

    // MARK: - Routes

    func routes(_ router: Router<BasicRequestContext>) {
        router.get("2/tweets/search/stream/rules") { request, _ -> Response in self.listRules(request) }
        router.post("2/tweets/search/stream/rules") { request, _ -> Response in try await self.writeRules(request) }
        router.get("2/tweets/search/stream") { request, _ -> Response in await self.connect(request) }
        router.get("2/tweets/search/recent") { request, _ -> Response in self.search(request) }
    }

    /// `GET /2/tweets/search/stream`: a chunked body that lasts until the client leaves or a test ends it.
    func connect(_ request: Request) async -> Response {
        let (refusal, headers) = self.admit(request, .stream, scriptable: true)
        if let refusal { return refusal }
        // Bounded: a client that stops reading while a test posts thousands loses the oldest lines, not the machine's memory.
        let (frames, continuation) = AsyncStream<Frame>.makeStream(bufferingPolicy: .bufferingNewest(4_096))
        let connection = Connection(id: UUID(), frames: continuation)
        switch await self.register(connection) {
        case .noRules:
            continuation.finish()
            return Self.answer(409, Self.noRulesBody, headers)
        case .busy:
            continuation.finish()
            return Self.answer(429, Self.tooManyConnectionsBody, headers)
        case .opened:
            break
        }
        var streamHeaders = headers
        streamHeaders[.contentType] = "application/json; charset=utf-8"
        let id = connection.id
        return Response(
            status: .ok, headers: streamHeaders,
            body: ResponseBody { writer in
                defer { self.closeStream(id) }
                // Cancelled when the client closes its side: a stalled stream writes nothing that could fail instead.
                try await request.body.consumeWithCancellationOnInboundClose { _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { await self.keepAlive(id) }
                        defer { group.cancelAll() }
                        reading: for await frame in frames {
                            switch frame {
                            case .bytes(let text, let tweetID):
                                try await writer.write(ByteBuffer(string: text))
                                if let tweetID { self.state.withLock { _ = $0.delivered[Self.utcDay(Date()), default: []].insert(tweetID) } }
                            case .cut(let partial):
                                if let partial { try await writer.write(ByteBuffer(string: partial)) }
                                throw StreamCut()  // Hummingbird closes the connection without the last chunk
                            case .end:
                                break reading
                            }
                        }
                    }
                }
                try await writer.finish(nil)
            })
    }

    /// Registers `connection` unless there are no rules or another one is open. A client that has just closed its old
    /// connection may reconnect before the fake has noticed, so a busy stream is retried for a second before `busy`.
    func register(_ connection: Connection) async -> Opening {
        let deadline = ContinuousClock.now + .seconds(1)
        while true {
            let opening = self.state.withLock { state -> Opening in
                guard !state.rules.isEmpty else { return .noRules }
                guard state.connection == nil else { return .busy }
                state.connection = connection
                state.streamConnections += 1
                return .opened
            }
            guard opening == .busy, ContinuousClock.now < deadline else { return opening }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Writes a bare `\r\n` every ``keepAliveInterval`` while connection `id` is open and not stalled.
    func keepAlive(_ id: UUID) async {
        while !Task.isCancelled {
            let interval = self.state.withLock { $0.keepAliveInterval }
            try? await Task.sleep(for: .seconds(max(interval, 0.01)))
            guard let connection = self.state.withLock({ $0.connection }), connection.id == id, !Task.isCancelled else { return }
            if !connection.stalled { connection.frames.yield(.bytes("\r\n", tweetID: nil)) }
        }
    }

    /// Forgets connection `id` if it is still the open one.
    func closeStream(_ id: UUID) {
        let connection = self.state.withLock { state -> Connection? in
            guard state.connection?.id == id else { return nil }
            defer { state.connection = nil }
            return state.connection
        }
        connection?.frames.finish()
    }

    /// Forgets the open connection, whichever it is, and returns it.
    func takeConnection() -> Connection? {
        self.state.withLock { state in
            defer { state.connection = nil }
            return state.connection
        }
    }

    /// `GET /2/tweets/search/recent`.
    func search(_ request: Request) -> Response {
        let parameters = Self.parameters(request.uri.query)
        self.state.withLock { $0.searchRequests.append(parameters) }
        let (refusal, headers) = self.admit(request, .search, scriptable: true)
        if let refusal { return refusal }
        func invalid(_ name: String, _ message: String) -> Response {
            Self.invalidRequest(name, parameters[name] ?? "", message, headers)
        }
        guard let query = parameters["query"], !query.isEmpty else { return invalid("query", "The `query` query parameter can not be empty") }
        guard query.count <= 512 else { return invalid("query", "The `query` query parameter must be at most 512 characters") }
        guard let rule = RuleQuery.parse(query) else { return invalid("query", "There were errors processing your request: invalid query") }
        var maxResults = 10
        if let raw = parameters["max_results"] {
            guard let value = Int(raw), (10...100).contains(value) else {
                return invalid("max_results", "The `max_results` query parameter value [\(raw)] is not between 10 and 100")
            }
            maxResults = value
        }
        var bounds: [String: UInt64] = [:]
        for name in ["since_id", "until_id"] {
            guard let raw = parameters[name] else { continue }
            guard let value = UInt64(raw) else { return invalid(name, "The `\(name)` query parameter value [\(raw)] is not valid") }
            bounds[name] = value
        }
        var times: [String: Date] = [:]
        for name in ["start_time", "end_time"] {
            guard let raw = parameters[name] else { continue }
            guard let value = Self.parseTime(raw) else { return invalid(name, "The `\(name)` query parameter value [\(raw)] is not valid") }
            times[name] = value
        }
        let tokenName = parameters["next_token"] != nil ? "next_token" : "pagination_token"
        var before: UInt64?
        if let token = parameters[tokenName] {
            guard let id = Self.tokenID(token) else { return invalid(tokenName, "The `\(tokenName)` query parameter value [\(token)] is not valid") }
            before = id
        }
        let body = self.state.withLock { state -> String in
            let matching = state.tweets.values.filter { tweet in
                let id = Self.number(tweet.id)
                if let since = bounds["since_id"], id <= since { return false }
                if let until = bounds["until_id"], id >= until { return false }
                if let before, id >= before { return false }
                if let start = times["start_time"], tweet.createdAt < start { return false }
                if let end = times["end_time"], tweet.createdAt >= end { return false }
                return rule.matches(Self.candidate(tweet, in: state))
            }.sorted { Self.number($0.id) > Self.number($1.id) }
            let page = Array(matching.prefix(maxResults))
            guard let newest = page.first, let oldest = page.last else { return #"{"meta":{"result_count":0}}"# }
            state.delivered[Self.utcDay(Date()), default: []].formUnion(page.map(\.id))
            var meta: [String: Any] = ["newest_id": newest.id, "oldest_id": oldest.id, "result_count": page.count]
            if matching.count > page.count { meta["next_token"] = Self.token(before: oldest.id) }
            let object: [String: Any] = ["data": page.map(Self.tweetObject), "includes": Self.includes(for: page, in: state), "meta": meta]
            return Self.encode(object)
        }
        return Self.answer(200, body, headers)
    }

    /// `GET /2/tweets/search/stream/rules` (all rules, or those of `ids`).
    func listRules(_ request: Request) -> Response {
        let (refusal, headers) = self.admit(request, .listRules, scriptable: false)
        if let refusal { return refusal }
        let wanted = Self.parameters(request.uri.query)["ids"].map { Set($0.split(separator: ",").map(String.init)) }
        let rules = self.state.withLock { $0.rules }.filter { wanted?.contains($0.id) ?? true }
        let meta: [String: Any] = ["sent": Self.timestamp(Date()), "result_count": rules.count]
        var object: [String: Any] = ["meta": meta]
        if !rules.isEmpty { object["data"] = rules.map(Self.ruleObject) }
        return Self.answer(200, Self.encode(object), headers)
    }

    /// The body of `POST /2/tweets/search/stream/rules`.
    struct RulesChange: Decodable {
        struct Addition: Decodable {
            var value: String
            var tag: String?
        }
        struct Deletion: Decodable {
            var ids: [String]?
            var values: [String]?
        }
        var add: [Addition]?
        var delete: Deletion?
    }

    /// `POST /2/tweets/search/stream/rules`: `add` or `delete` (by ids or values), `dry_run=true`, `delete_all=true`.
    func writeRules(_ request: Request) async throws -> Response {
        self.state.withLock { $0.ruleWrites += 1 }
        let (refusal, headers) = self.admit(request, .writeRules, scriptable: false)
        if let refusal { return refusal }
        let parameters = Self.parameters(request.uri.query)
        let dryRun = parameters["dry_run"] == "true"
        let bytes = try await request.body.collect(upTo: 1 << 20)
        if parameters["delete_all"] == "true" {
            let deleted = self.state.withLock { state -> Int in
                defer { if !dryRun { state.rules = [] } }
                return state.rules.count
            }
            return Self.answer(200, Self.encode(["meta": Self.meta(summary: ["deleted": deleted, "not_deleted": 0])]), headers)
        }
        let change = try? JSONDecoder().decode(RulesChange.self, from: Data(bytes.readableBytesView))
        if let additions = change?.add, change?.delete == nil { return self.add(additions, dryRun: dryRun, headers: headers) }
        if let deletion = change?.delete, change?.add == nil { return self.delete(deletion, dryRun: dryRun, headers: headers) }
        return Self.invalidRequest("body", "", "The request body must hold either `add` or `delete`", headers)
    }

    func add(_ additions: [RulesChange.Addition], dryRun: Bool, headers: HTTPFields) -> Response {
        let (created, errors, invalid) = self.state.withLock { state -> ([Rule], [[String: String]], Int) in
            var rules = state.rules
            var created: [Rule] = []
            var errors: [[String: String]] = []
            var invalid = 0
            for addition in additions {
                let value = addition.value
                if value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 1_024 || RuleQuery.parse(value) == nil {
                    invalid += 1
                    errors.append([
                        "value": value, "title": "UnprocessableEntity", "detail": "Rule is invalid", "type": Self.problemType("invalid-rules"),
                    ])
                } else if let existing = rules.first(where: { $0.value == value }) {
                    // X counts a duplicate as invalid too (`valid: 0, invalid: 1`) and names the rule it kept.
                    invalid += 1
                    errors.append(["value": value, "id": existing.id, "title": "DuplicateRule", "type": Self.problemType("duplicate-rules")])
                } else if rules.count >= 1_000 {
                    errors.append([
                        "value": value, "title": "RulesCapExceeded", "detail": "Rule cap of 1000 rules exceeded",
                        "type": Self.problemType("rule-cap"),
                    ])
                } else {
                    let rule = Rule(id: String(state.nextRuleID), value: value, tag: addition.tag)
                    state.nextRuleID += 1
                    rules.append(rule)
                    created.append(rule)
                }
            }
            if !dryRun { state.rules = rules }
            return (created, errors, invalid)
        }
        let summary = [
            "created": created.count, "not_created": additions.count - created.count, "valid": additions.count - invalid, "invalid": invalid,
        ]
        var object: [String: Any] = ["meta": Self.meta(summary: summary)]
        if !created.isEmpty { object["data"] = created.map(Self.ruleObject) }
        if !errors.isEmpty { object["errors"] = errors }
        // X's own sample code expects 201 from an add, and 200 from a delete.
        return Self.answer(created.isEmpty || dryRun ? 200 : 201, Self.encode(object), headers)
    }

    func delete(_ deletion: RulesChange.Deletion, dryRun: Bool, headers: HTTPFields) -> Response {
        let (deleted, missing) = self.state.withLock { state -> (Int, Int) in
            var rules = state.rules
            var missing = 0
            for id in deletion.ids ?? [] {
                guard let index = rules.firstIndex(where: { $0.id == id }) else {
                    missing += 1
                    continue
                }
                rules.remove(at: index)
            }
            for value in deletion.values ?? [] {
                guard let index = rules.firstIndex(where: { $0.value == value }) else {
                    missing += 1
                    continue
                }
                rules.remove(at: index)
            }
            let deleted = state.rules.count - rules.count
            if !dryRun { state.rules = rules }
            return (deleted, missing)
        }
        return Self.answer(200, Self.encode(["meta": Self.meta(summary: ["deleted": deleted, "not_deleted": missing])]), headers)
    }

    // MARK: - Auth, rate limits, scripted failures

    /// Records the request and counts it in its endpoint's window; returns the answer when the request stops here (no
    /// token: 401; a scripted failure; the window used up: 429) and the rate-limit headers for the answer otherwise.
    func admit(_ request: Request, _ endpoint: Endpoint, scriptable: Bool) -> (refusal: Response?, headers: HTTPFields) {
        let now = Date()
        let authorized = request.headers[.authorization] == "Bearer \(self.bearer)"
        let path = request.uri.path
        let (window, failure) = self.state.withLock { state -> (Window, Failure?) in
            state.requestTimes.append((path: path, at: now))
            var window = state.windows[endpoint] ?? Window(start: now, used: 0)
            if now >= window.reset { window = Window(start: now, used: 0) }
            window.used += 1
            state.windows[endpoint] = window
            guard authorized, scriptable, !state.failures.isEmpty else { return (window, nil) }
            return (window, state.failures.removeFirst())
        }
        var headers: HTTPFields = [:]
        headers[Self.limitHeader] = String(endpoint.limit)
        headers[Self.remainingHeader] = String(max(0, endpoint.limit - window.used))
        headers[Self.resetHeader] = Self.epochSeconds(window.reset)
        guard authorized else { return (Self.answer(401, Self.unauthorizedBody, headers), headers) }
        if let failure {
            if failure.status == 429 { headers[Self.remainingHeader] = "0" }
            if let reset = failure.resetAt { headers[Self.resetHeader] = Self.epochSeconds(reset) }
            return (Self.answer(failure.status, failure.body ?? Self.failureBody(failure.status), headers), headers)
        }
        guard window.used <= endpoint.limit else { return (Self.answer(429, Self.failureBody(429), headers), headers) }
        return (nil, headers)
    }

    static let limitHeader = HTTPField.Name("x-rate-limit-limit")!
    static let remainingHeader = HTTPField.Name("x-rate-limit-remaining")!
    static let resetHeader = HTTPField.Name("x-rate-limit-reset")!

    static let unauthorizedBody = #"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#
    static let tooManyConnectionsBody =
        #"{"title":"ConnectionException","detail":"This stream is currently at the maximum allowed connection limit.","#
        + #""connection_issue":"TooManyConnections","type":"https://api.x.com/2/problems/streaming-connection"}"#
    static let noRulesBody = #"{"title":"Conflict","detail":"This stream has no rules.","type":"about:blank","status":409}"#
    static let disconnectNoticeBody =
        #"{"errors":[{"title":"operational-disconnect","disconnect_type":"UpstreamOperationalDisconnect","#
        + #""detail":"This stream has been disconnected upstream for operational reasons.","#
        + #""type":"https://api.x.com/2/problems/operational-disconnect"}]}"#
    /// The first half of a post's line, as a connection cut mid-line leaves it.
    static let halfLine = #"{"data":{"id":"1864001234567899999","edit_history_tweet_ids":["1864001234567899999"],"text":"Cut in the mid"#

    static func failureBody(_ status: Int) -> String {
        switch status {
        case 402: return Self.creditsDepletedBody
        case 429: return #"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#
        case 503: return #"{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}"#
        default:
            let problem: [String: Any] = ["title": "Error", "detail": "Scripted failure", "type": "about:blank", "status": status]
            return Self.encode(problem)
        }
    }

    static func invalidRequest(_ name: String, _ value: String, _ message: String, _ headers: HTTPFields) -> Response {
        let error: [String: Any] = ["parameters": [name: [value]], "message": message]
        let problem: [String: Any] = [
            "errors": [error], "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
            "type": Self.problemType("invalid-request"),
        ]
        return Self.answer(400, Self.encode(problem), headers)
    }

    static func answer(_ status: Int, _ body: String, _ headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = status >= 400 ? "application/problem+json" : "application/json; charset=utf-8"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func problemType(_ name: String) -> String { "https://api.x.com/2/problems/\(name)" }

    // MARK: - JSON

    static func tweetObject(_ tweet: Tweet) -> [String: Any] {
        var object: [String: Any] = [
            "id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": tweet.editHistory, "author_id": tweet.authorID,
            "created_at": Self.timestamp(tweet.createdAt), "possibly_sensitive": tweet.possiblySensitive,
        ]
        if !tweet.referenced.isEmpty {
            let referenced: [[String: String]] = tweet.referenced.map { ["type": $0.type, "id": $0.id] }
            object["referenced_tweets"] = referenced
        }
        if !tweet.mediaKeys.isEmpty { object["attachments"] = ["media_keys": tweet.mediaKeys] }
        var entities: [String: Any] = [:]
        let hashtags: [[String: Any]] = Self.hashtags(in: tweet.text).map { ["start": $0.start, "end": $0.end, "tag": $0.tag] }
        if !hashtags.isEmpty { entities["hashtags"] = hashtags }
        let urls: [[String: Any]] = tweet.entitiesURLs.map { link in
            let display = link.expandedURL.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
            return ["start": link.start, "end": link.end, "url": link.url, "expanded_url": link.expandedURL, "display_url": display]
        }
        if !urls.isEmpty { entities["urls"] = urls }
        if !entities.isEmpty { object["entities"] = entities }
        if let note = tweet.noteText { object["note_tweet"] = ["text": note] }
        return object
    }

    static func userObject(_ user: User) -> [String: Any] {
        var object: [String: Any] = ["id": user.id, "name": user.name, "username": user.username]
        if let image = user.profileImageURL { object["profile_image_url"] = image }
        return object
    }

    static func mediaObject(_ media: Media) -> [String: Any] {
        var object: [String: Any] = ["media_key": media.key, "type": media.type, "width": media.width, "height": media.height]
        object[media.type == "photo" ? "url" : "preview_image_url"] = media.url
        if let alt = media.altText { object["alt_text"] = alt }
        return object
    }

    /// A rule as `matching_rules` names it: id and tag, no value.
    static func matchingRuleObject(_ rule: Rule) -> [String: Any] {
        var object: [String: Any] = ["id": rule.id]
        if let tag = rule.tag { object["tag"] = tag }
        return object
    }

    static func ruleObject(_ rule: Rule) -> [String: Any] {
        var object: [String: Any] = ["id": rule.id, "value": rule.value]
        if let tag = rule.tag { object["tag"] = tag }
        return object
    }

    /// `includes` for `tweets`: the posts they reference that the fake has, the authors of both, and their media.
    static func includes(for tweets: [Tweet], in state: State) -> [String: Any] {
        var referenced: [Tweet] = []
        for tweet in tweets {
            for reference in tweet.referenced where !referenced.contains(where: { $0.id == reference.id }) {
                if let original = state.tweets[reference.id] { referenced.append(original) }
            }
        }
        var authorIDs: [String] = []
        var mediaKeys: [String] = []
        for tweet in tweets + referenced {
            if !authorIDs.contains(tweet.authorID) { authorIDs.append(tweet.authorID) }
            for key in tweet.mediaKeys where !mediaKeys.contains(key) { mediaKeys.append(key) }
        }
        let users: [[String: Any]] = authorIDs.map { id in
            state.users[id].map(Self.userObject) ?? ["id": id, "name": "User \(id)", "username": "user\(id)"]
        }
        var includes: [String: Any] = ["users": users]
        let media: [[String: Any]] = mediaKeys.compactMap { state.media[$0].map(Self.mediaObject) }
        if !media.isEmpty { includes["media"] = media }
        if !referenced.isEmpty { includes["tweets"] = referenced.map(Self.tweetObject) }
        return includes
    }

    static func meta(summary: [String: Int]) -> [String: Any] { ["sent": Self.timestamp(Date()), "summary": summary] }

    /// One line of JSON (keys sorted, slashes unescaped).
    static func encode(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `2026-12-02T08:41:07.000Z`
    static func timestamp(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }

    static func parseTime(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601)) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    static func epochSeconds(_ date: Date) -> String { String(Int(date.timeIntervalSince1970.rounded(.up))) }

    static func utcDay(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) }

    static func number(_ id: String) -> UInt64 { UInt64(id) ?? 0 }

    /// A page token: the next page holds the matching posts older than `id`, so a token replays the same page.
    static func token(before id: String) -> String { "p" + String(Self.number(id), radix: 36) }

    static func tokenID(_ token: String) -> UInt64? { token.hasPrefix("p") ? UInt64(token.dropFirst(), radix: 36) : nil }

    /// A query string's parameters, `+` and percent escapes decoded.
    static func parameters(_ query: String?) -> [String: String] {
        func decode(_ part: Substring) -> String {
            let spaced = part.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        var parameters: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts.first else { continue }
            parameters[decode(key)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return parameters
    }

    // MARK: - Matching

    /// Hashtags as X finds them: `#` not after a letter, digit or `_`, then letters, marks, digits and `_`, not all
    /// digits. Offsets in Unicode scalars.
    static func hashtags(in text: String) -> [(tag: String, start: Int, end: Int)] {
        func isTagScalar(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
            default: return scalar.properties.isAlphabetic
            }
        }
        let scalars = Array(text.unicodeScalars)
        var found: [(tag: String, start: Int, end: Int)] = []
        var index = 0
        while index < scalars.count {
            let isHash = scalars[index] == "#" || scalars[index] == "\u{FF03}"
            if isHash, index == 0 || !isTagScalar(scalars[index - 1]) {
                var end = index + 1
                while end < scalars.count, isTagScalar(scalars[end]) { end += 1 }
                let body = scalars[(index + 1)..<end]
                if body.contains(where: { $0.properties.generalCategory != .decimalNumber }) {
                    var tag = String.UnicodeScalarView()
                    tag.append(contentsOf: body)
                    found.append((tag: String(tag), start: index, end: end))
                    index = end
                    continue
                }
            }
            index += 1
        }
        return found
    }

    /// What a rule can see of a post.
    struct Candidate {
        /// Lowercased, without `#`, from the text and the note.
        var tags: Set<String>
        /// Text and note, lowercased.
        var text: String
        var references: Set<String>
        var hasMedia: Bool
        var hasLinks: Bool
        /// The author's id and lowercased username.
        var authors: Set<String>
    }

    static func candidate(_ tweet: Tweet, in state: State) -> Candidate {
        let text = tweet.text + "\n" + (tweet.noteText ?? "")
        var authors: Set<String> = [tweet.authorID]
        if let username = state.users[tweet.authorID]?.username { authors.insert(username.lowercased()) }
        return Candidate(
            tags: Set(Self.hashtags(in: text).map { $0.tag.lowercased() }), text: text.lowercased(),
            references: Set(tweet.referenced.map { $0.type }), hasMedia: !tweet.mediaKeys.isEmpty, hasLinks: !tweet.entitiesURLs.isEmpty,
            authors: authors)
    }

    /// A rule or search query: space is AND and binds before `OR`, `-` is NOT, parentheses group.
    indirect enum RuleQuery: Sendable {
        case and([RuleQuery])
        case or([RuleQuery])
        case not(RuleQuery)
        case term(String)

        /// The query, or nil when it does not parse (unbalanced parentheses, a dangling `OR`, nothing at all).
        static func parse(_ value: String) -> RuleQuery? {
            var parser = Parser(tokens: Self.tokens(value))
            guard let query = parser.either(), parser.index == parser.tokens.count else { return nil }
            return query
        }

        func matches(_ post: Candidate) -> Bool {
            switch self {
            case .and(let parts): return parts.allSatisfy { $0.matches(post) }
            case .or(let parts): return parts.contains { $0.matches(post) }
            case .not(let part): return !part.matches(post)
            case .term(let term): return Self.termMatches(term.lowercased(), post)
            }
        }

        static func termMatches(_ term: String, _ post: Candidate) -> Bool {
            if term.hasPrefix("#") || term.hasPrefix("\u{FF03}") { return post.tags.contains(String(term.dropFirst())) }
            if term.hasPrefix("\"") { return post.text.contains(term.trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
            if term.hasPrefix("from:") { return post.authors.contains(String(term.dropFirst(5))) }
            if term.hasPrefix("lang:") { return true }
            switch term {
            case "is:retweet": return post.references.contains("retweeted")
            case "is:reply": return post.references.contains("replied_to")
            case "is:quote": return post.references.contains("quoted")
            case "has:media", "has:images": return post.hasMedia
            case "has:links": return post.hasLinks
            default: return post.text.contains(term)
            }
        }

        /// Words, `"quoted phrases"`, `(` and `)`; a `-` before `(` is a token of its own.
        static func tokens(_ value: String) -> [String] {
            var tokens: [String] = []
            var current = ""
            var quoted = false
            for character in value {
                if quoted {
                    current.append(character)
                    if character == "\"" { quoted = false }
                } else if character == "\"" {
                    current.append(character)
                    quoted = true
                } else if character == "(" || character == ")" || character.isWhitespace {
                    if !current.isEmpty { tokens.append(current) }
                    current = ""
                    if !character.isWhitespace { tokens.append(String(character)) }
                } else {
                    current.append(character)
                }
            }
            if !current.isEmpty { tokens.append(current) }
            return tokens
        }

        struct Parser {
            var tokens: [String]
            var index = 0

            /// `a OR b OR …`
            mutating func either() -> RuleQuery? {
                guard let first = self.both() else { return nil }
                var parts = [first]
                while self.index < self.tokens.count, self.tokens[self.index] == "OR" {
                    self.index += 1
                    guard let next = self.both() else { return nil }
                    parts.append(next)
                }
                return parts.count == 1 ? first : .or(parts)
            }

            /// `a b …` up to `OR`, `)` or the end.
            mutating func both() -> RuleQuery? {
                var parts: [RuleQuery] = []
                while self.index < self.tokens.count, self.tokens[self.index] != "OR", self.tokens[self.index] != ")" {
                    guard let unit = self.unit() else { return nil }
                    parts.append(unit)
                }
                guard let first = parts.first else { return nil }
                return parts.count == 1 ? first : .and(parts)
            }

            /// A term, `-term`, `(…)` or `-(…)`.
            mutating func unit() -> RuleQuery? {
                let token = self.tokens[self.index]
                self.index += 1
                switch token {
                case "(":
                    guard let inner = self.either(), self.index < self.tokens.count, self.tokens[self.index] == ")" else { return nil }
                    self.index += 1
                    return inner
                case "-":
                    guard self.index < self.tokens.count, self.tokens[self.index] == "(", let inner = self.unit() else { return nil }
                    return .not(inner)
                case ")":
                    return nil
                default:
                    return token.hasPrefix("-") ? .not(.term(String(token.dropFirst()))) : .term(token)
                }
            }
        }
    }
}
