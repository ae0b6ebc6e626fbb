import AsyncHTTPClient
import Foundation
import HashwallCore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// X (`x` on `/healthz`): the filtered stream, with the event's rule managed idempotently, and recent search to fill
/// every gap (after each reconnect, from the last tweet seen); or recent search alone, polled (`mode: search`).
///
/// Reads are paid per tweet: the channel reads each tweet once (the cursor, the last id seen, commits with the posts),
/// counts what it read today and this month (UTC, as X bills; kept in the cursor), shows it on `/healthz`, and pauses
/// until the next UTC day when `maxReadsPerDay` is reached. Reconnects follow X's documented schedule (see
/// ``XSource/Retry``).
public struct XSource: PulledSource {
    public enum Mode: String, Sendable, Codable { case stream, search }

    public var name: String { "x" }
    let base: String
    let token: String
    let hashtags: [String]
    let mode: Mode
    let pollInterval: Duration
    let retweets: Bool
    let maxReadsPerDay: Int?
    let rules: XRules
    let client: HTTPClient
    let userAgent: String
    let logger: Logger
    /// No byte (not even a keep-alive, every 20 s) for this long: the stream is stalled.
    let silence: Duration
    /// Told of the reads after each change (for `/healthz`).
    let report: @Sendable (Usage) -> Void
    let retry = Retry()

    /// The tag of the stream rule the wall manages; rules with other tags (another tool's) are left alone.
    public static let ruleTag = "hashwall"
    static let fields =
        "tweet.fields=created_at,author_id,entities,referenced_tweets,attachments,possibly_sensitive,public_metrics,note_tweet,edit_history_tweet_ids"
        + "&expansions=author_id,attachments.media_keys,referenced_tweets.id,referenced_tweets.id.author_id"
        + "&user.fields=name,username,profile_image_url&media.fields=type,url,preview_image_url,alt_text,width,height"
    static let maxBody = 16 << 20

    public init(
        apiURL: String, token: String, hashtags: [String], mode: Mode, pollInterval: Duration, retweets: Bool, maxReadsPerDay: Int?,
        client: HTTPClient = .shared, userAgent: String, silence: Duration = .seconds(30), logger: Logger,
        report: @escaping @Sendable (Usage) -> Void = { _ in }
    ) {
        self.base = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.token = token
        self.hashtags = hashtags.map { String($0.drop { $0 == "#" }) }.filter { !$0.isEmpty }
        self.mode = mode
        self.pollInterval = pollInterval
        self.retweets = retweets
        self.maxReadsPerDay = maxReadsPerDay
        self.rules = XRules()
        self.client = client
        self.userAgent = userAgent
        self.silence = silence
        self.logger = logger
        self.report = report
    }

    /// Tweets read (billed) today and this month, UTC.
    public struct Usage: Codable, Sendable, Equatable {
        public var day: String
        public var today: Int
        public var month: String
        public var thisMonth: Int
        public var maxPerDay: Int?

        /// Counts `count` reads at `now`, starting a new day or month when it is one.
        mutating func add(_ count: Int, now: Date) {
            let (day, month) = Self.keys(now)
            if day != self.day { (self.day, self.today) = (day, 0) }
            if month != self.month { (self.month, self.thisMonth) = (month, 0) }
            self.today += count
            self.thisMonth += count
        }

        static func keys(_ date: Date) -> (day: String, month: String) {
            let day = String(WireDate.format(date).prefix(10))
            return (day, String(day.prefix(7)))
        }
    }

    /// The last tweet id seen and the reads, committed with the posts.
    struct Cursor: Codable, Equatable {
        var sinceID: String?
        var usage: Usage
    }

    public func run(from cursor: Data?, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        let (day, month) = Usage.keys(Date())
        var start =
            cursor.flatMap { try? JSONDecoder().decode(Cursor.self, from: $0) }
            ?? Cursor(sinceID: nil, usage: Usage(day: day, today: 0, month: month, thisMonth: 0))
        start.usage.maxPerDay = self.maxReadsPerDay
        start.usage.add(0, now: Date())
        let state = XState(start)
        self.report(start.usage)
        try self.checkBudget(state)
        do {
            switch self.mode {
            case .search:
                while true {
                    try await self.search(state: state, deliver: deliver)
                    try await deliver(SourceBatch(posts: [], cursor: nil))  // polled and healthy
                    try await Task.sleep(for: self.pollInterval)
                }
            case .stream:
                try await self.ensureRule()
                try await self.search(state: state, deliver: deliver)  // what the stream missed while away
                try await self.stream(state: state, deliver: deliver)
            }
        } catch let error as SourceError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw self.retry.network("\(error)", established: false)
        }
    }

    // MARK: - Budget

    /// Pauses the channel until the next UTC day once `maxReadsPerDay` tweets were read today.
    func checkBudget(_ state: XState) throws {
        guard let max = self.maxReadsPerDay else { return }
        let usage = state.cursor.usage
        guard usage.today >= max else { return }
        let tomorrow = Calendar.utc.startOfDay(for: Date()).addingTimeInterval(86_400)
        throw SourceError.paused(until: tomorrow, "the daily read budget is reached (\(usage.today) of \(max) tweets read today)")
    }

    /// Delivers `posts` read from `count` tweets, with the cursor (advanced to `newest` when given).
    func deliver(
        _ posts: [IncomingPost], read count: Int, newest: String?, state: XState, deliver: @Sendable (SourceBatch) async throws -> Void
    ) async throws {
        let cursor = state.advance(to: newest, reads: count)
        self.report(cursor.usage)
        try await deliver(SourceBatch(posts: posts, cursor: try? JSONEncoder().encode(cursor)))
        try self.checkBudget(state)
    }

    // MARK: - Rules

    /// Makes the stream's rules hold exactly our rule for the event's hashtags (tag ``ruleTag``): listed first, added
    /// only when missing, our stale ones deleted; rules with other tags are never touched.
    func ensureRule() async throws {
        let wanted = XRules.query(hashtags: self.hashtags, retweets: self.retweets)
        let (status, headers, body) = try await self.send(.GET, "/2/tweets/search/stream/rules")
        try self.check(status, headers: headers, body: body, what: "the stream rules")
        struct Rules: Decodable {
            struct Rule: Decodable {
                var id: String
                var value: String
                var tag: String?
            }
            var data: [Rule]?
        }
        let ours = ((try? JSONDecoder().decode(Rules.self, from: Data(body)))?.data ?? []).filter { $0.tag == Self.ruleTag }
        let stale = ours.filter { $0.value != wanted }.map(\.id)
        if !stale.isEmpty {
            let (status, headers, body) = try await self.send(.POST, "/2/tweets/search/stream/rules", json: ["delete": ["ids": stale]])
            try self.check(status, headers: headers, body: body, what: "deleting our old stream rule")
        }
        if !ours.contains(where: { $0.value == wanted }) {
            let (status, headers, body) = try await self.send(
                .POST, "/2/tweets/search/stream/rules", json: ["add": [["value": wanted, "tag": Self.ruleTag]]])
            try self.check(status, headers: headers, body: body, what: "adding the stream rule")
            self.logger.info("X stream rule set", metadata: ["rule": "\(wanted)"])
        }
    }

    // MARK: - Recent search

    /// Recent search from the last tweet seen, every page (`next_token`), delivered page by page; the cursor moves to
    /// the newest only once every page is in, so a crash in between reads the gap again, never skips it. With no
    /// cursor (the first start), the newest page only.
    func search(state: XState, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        let since = state.cursor.sinceID
        let query = XRules.query(hashtags: self.hashtags, retweets: false)  // search has no retweets anyway (2026)
        var token: String?
        var newest: String?
        repeat {
            var path = "/2/tweets/search/recent?query=" + Self.encode(query) + "&max_results=100&sort_order=recency&" + Self.fields
            if let since { path += "&since_id=" + since }
            if let token { path += "&next_token=" + Self.encode(token) }
            let (status, headers, body) = try await self.send(.GET, path)
            try self.check(status, headers: headers, body: body, what: "recent search")
            let page: XSearchPage
            do {
                try JSONNesting.check(body)
                page = try JSONDecoder().decode(XSearchPage.self, from: Data(body))
            } catch {
                throw self.retry.http(status, "recent search answered what is not a page of tweets: \(error)")
            }
            let tweets = (page.data ?? []).sorted { XTweet.isOlder($0.id, than: $1.id) }
            newest = newest ?? page.meta?.newestID ?? tweets.last?.id
            let posts = tweets.flatMap { self.rules.posts(for: $0, includes: page.includes) }
            try await self.deliver(posts, read: tweets.count + (page.includes?.tweets?.count ?? 0), newest: nil, state: state, deliver: deliver)
            token = since == nil ? nil : page.meta?.nextToken
        } while token != nil
        if let newest { try await self.deliver([], read: 0, newest: newest, state: state, deliver: deliver) }
        self.retry.succeeded()
    }

    // MARK: - Filtered stream

    /// The stream until it fails: each line a tweet (delivered, the cursor moved to it), a bare line a keep-alive; silent
    /// longer than `silence`, it is stalled. Only ever one connection: this returns (closing it) before another opens.
    func stream(state: XState, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        var request = self.request(.GET, "/2/tweets/search/stream?" + Self.fields)
        request.headers.replaceOrAdd(name: "Accept", value: "application/json")
        let response: HTTPClientResponse
        do {
            response = try await self.client.execute(request, timeout: .hours(24 * 365))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw self.retry.network("the stream could not connect: \(error)", established: false)
        }
        if response.status != .ok {
            let body = try? await response.body.collect(upTo: 64 * 1024)
            try self.check(
                Int(response.status.code), headers: response.headers, body: body.map { Array($0.readableBytesView) } ?? [], what: "the stream")
        }
        self.retry.succeeded()
        try await deliver(SourceBatch(posts: [], cursor: nil))  // connected: healthy
        let heard = LastHeard()
        try await withoutActuallyEscaping(deliver) { deliver in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var decoder = XLineDecoder()
                    do {
                        for try await chunk in response.body {
                            heard.now()
                            for item in decoder.feed(chunk.readableBytesView) {
                                guard case .line(let line) = item else { continue }
                                try await self.handle(line, state: state, deliver: deliver)
                            }
                        }
                    } catch let error as SourceError {
                        throw error
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        throw self.retry.network("the stream was cut: \(error)", established: true)
                    }
                    throw self.retry.network("the stream ended", established: true)
                }
                group.addTask {
                    do {
                        try await heard.watch(silence: self.silence, what: "the stream")
                    } catch let error as SourceError {
                        throw self.retry.network(error.description, established: true)
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    func handle(_ line: [UInt8], state: XState, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        let message: XStreamMessage
        do {
            try JSONNesting.check(line)
            message = try JSONDecoder().decode(XStreamMessage.self, from: Data(line))
        } catch {
            self.logger.warning("a stream line that can't be read was skipped", metadata: ["channel": "x", "bytes": "\(line.count)"])
            return
        }
        if let problem = message.errors?.first, message.data == nil {
            throw self.retry.network("X ended the stream: \(problem.title ?? problem.type ?? "an error")", established: true)
        }
        guard let tweet = message.data else { return }
        // The project's stream carries the tweets of every rule in it: another tool's rule is not the event's.
        if let matched = message.matchingRules, !matched.contains(where: { $0.tag == Self.ruleTag }) { return }
        let posts = self.rules.posts(for: tweet, includes: message.includes)
        try await self.deliver(posts, read: 1 + (message.includes?.tweets?.count ?? 0), newest: tweet.id, state: state, deliver: deliver)
    }

    // MARK: - HTTP

    func request(_ method: HTTPMethod, _ pathAndQuery: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: self.base + pathAndQuery)
        request.method = method
        request.headers.add(name: "User-Agent", value: self.userAgent)
        request.headers.add(name: "Authorization", value: "Bearer \(self.token)")
        return request
    }

    func send(_ method: HTTPMethod, _ pathAndQuery: String, json: [String: Any]? = nil) async throws -> (Int, HTTPHeaders, [UInt8]) {
        var request = self.request(method, pathAndQuery)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: json)) ?? Data()))
        }
        do {
            let response = try await self.client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: Self.maxBody)
            return (Int(response.status.code), response.headers, Array(body.readableBytesView))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw self.retry.network("\(self.base): \(error)", established: false)
        }
    }

    /// Throws how a non-2xx answer is retried (``Retry``); 401, 403 and 402 (credits depleted) stop the channel until
    /// an organiser acts, as does the monthly usage cap.
    func check(_ status: Int, headers: HTTPHeaders, body: [UInt8], what: String) throws {
        guard !(200..<300).contains(status) else { return }
        let problem = try? JSONSerialization.jsonObject(with: Data(body.prefix(8192))) as? [String: Any]
        let type = (problem?["type"] as? String) ?? ""
        let detail = (problem?["detail"] as? String) ?? (problem?["title"] as? String)
        let reason = "X answered \(status) for \(what)" + (detail.map { ": \($0)" } ?? "")
        switch status {
        case 401, 403:
            throw SourceError.fatal(reason + " (check HASHWALL_X_BEARER_TOKEN and the app's access)")
        case 402:
            throw SourceError.fatal(reason + " (the X account is out of credits: add credits in the Developer Console, then restart)")
        case 429 where type.hasSuffix("usage-capped"):
            let month = Calendar.utc.dateInterval(of: .month, for: Date())?.end ?? Date().addingTimeInterval(86_400)
            throw SourceError.paused(until: month, reason + " (the monthly usage cap)")
        case 429:
            let reset = headers.first(name: "x-rate-limit-reset").flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
            throw self.retry.tooMany(reason, reset: reset)
        default:
            throw self.retry.http(status, reason)
        }
    }

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }

    /// X's reconnect schedule ("Handling disconnections"), counted across the supervisor's runs of this source:
    /// network failures back off linearly (+250 ms a try, at most 16 s), after an established stream drops the first
    /// reconnect is immediate; HTTP errors exponentially from 5 s (at most 320 s); 429 until `x-rate-limit-reset`, or
    /// exponentially from a minute. A success resets every count.
    final class Retry: Sendable {
        private let counts = Mutex<(network: Int, http: Int, tooMany: Int)>((0, 0, 0))

        func succeeded() { self.counts.withLock { $0 = (0, 0, 0) } }

        func network(_ reason: String, established: Bool) -> SourceError {
            let tries = self.counts.withLock { counts in
                if established && counts.network == 0 {
                    counts.network = 1
                    return 0
                }
                counts.network += 1
                return counts.network
            }
            return .retry(after: .milliseconds(min(250 * tries, 16_000)), reason)
        }

        func http(_ status: Int, _ reason: String) -> SourceError {
            let tries = self.counts.withLock { counts in
                counts.http += 1
                return counts.http
            }
            return .retry(after: .seconds(min(5 << min(tries - 1, 10), 320)), reason)
        }

        func tooMany(_ reason: String, reset: Date?) -> SourceError {
            let tries = self.counts.withLock { counts in
                counts.tooMany += 1
                return counts.tooMany
            }
            if let reset, reset > Date() { return .rateLimited(until: reset.addingTimeInterval(1), reason) }
            return .retry(after: .seconds(min(60 << min(tries - 1, 10), 3600)), reason)
        }
    }
}

/// The cursor, shared by the stream and the searches of one run.
final class XState: Sendable {
    private let value: Mutex<XSource.Cursor>

    init(_ cursor: XSource.Cursor) { self.value = Mutex(cursor) }

    var cursor: XSource.Cursor { self.value.withLock { $0 } }

    /// Counts `reads` and moves the last id seen to `id` when it is newer; the cursor after.
    func advance(to id: String?, reads: Int) -> XSource.Cursor {
        self.value.withLock { cursor in
            cursor.usage.add(reads, now: Date())
            if let id, cursor.sinceID.map({ XTweet.isOlder($0, than: id) }) ?? true { cursor.sinceID = id }
            return cursor
        }
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
