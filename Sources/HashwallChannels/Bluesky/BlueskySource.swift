import AsyncHTTPClient
import Foundation
import HTTPTypes
import HashwallCore
import HummingbirdWSClient
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Bluesky, live from Jetstream (`bluesky` on `/healthz`).
///
/// Jetstream sends every post and repost of the network (it has no hashtag filter), so the event's hashtags are
/// matched here, in tag facets, `tags` and the text, folded like ours. Authors' names come from the AppView
/// (`getProfiles`, cached). The cursor is the last event's `time_us`, committed with the posts it covers (and every
/// few seconds without posts), and rewound a few seconds at a restart: Jetstream replays from it, and what comes
/// twice is one post (its `at://` URI). An update is an edit; a deletion takes the post off the wall; a repost of a
/// post the wall shows raises its count; a self-labelled post (`porn`, `sexual`, `nudity`, `graphic-media`) is held.
public struct BlueskySource: PulledSource {
    public let name = "bluesky"
    /// `wss://jetstream1.us-east.bsky.network/subscribe`
    let jetstreamURL: String
    /// `https://public.api.bsky.app`
    let appviewURL: String
    let rules: BlueskyRules
    let client: HTTPClient
    let userAgent: String
    let logger: Logger
    let remove: @Sendable (PostID) async -> Void
    /// How far the cursor is rewound at a restart.
    let rewind: Int64
    /// Jetstream skips larger events (`maxMessageSizeBytes`); a larger frame that still arrives is dropped here.
    let maxMessage: Int
    /// How often the cursor is committed when no post matched.
    let cursorEvery: Duration
    /// A connection silent this long is dead (the network never is).
    let silence: Duration
    /// Search backfill, with an app password; `nil`: Jetstream alone.
    let search: BlueskySearch?

    public init(
        jetstreamURL: String, appviewURL: String, rules: BlueskyRules, client: HTTPClient = .shared, userAgent: String, logger: Logger,
        rewind: Int64 = 5_000_000, maxMessage: Int = 1 << 20, cursorEvery: Duration = .seconds(5), silence: Duration = .seconds(60),
        search: BlueskySearch? = nil, remove: @escaping @Sendable (PostID) async -> Void
    ) {
        self.search = search
        self.jetstreamURL = jetstreamURL
        self.appviewURL = appviewURL.hasSuffix("/") ? String(appviewURL.dropLast()) : appviewURL
        self.rules = rules
        self.client = client
        self.userAgent = userAgent
        self.logger = logger
        self.rewind = rewind
        self.maxMessage = maxMessage
        self.cursorEvery = cursorEvery
        self.silence = silence
        self.remove = remove
    }

    struct Cursor: Codable, Equatable {
        var timeUS: Int64
    }

    /// The URL to connect to, from `cursor` (rewound) when there is one.
    func subscribeURL(from cursor: Int64?) -> String {
        var url = self.jetstreamURL + (self.jetstreamURL.contains("?") ? "&" : "?")
        url += "wantedCollections=app.bsky.feed.post&wantedCollections=app.bsky.feed.repost&maxMessageSizeBytes=\(self.maxMessage)"
        if let cursor { url += "&cursor=\(max(0, cursor - self.rewind))" }
        return url
    }

    public func run(from cursor: Data?, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        let start = cursor.flatMap { try? JSONDecoder().decode(Cursor.self, from: $0) }?.timeUS
        let session = Session(source: self)
        try await self.backfill(since: start, session: session, deliver: deliver)
        let heard = LastHeard()
        try await withoutActuallyEscaping(deliver) { deliver in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        let close = try await WebSocketClient.connect(
                            url: self.subscribeURL(from: start),
                            configuration: .init(maxFrameSize: self.maxMessage * 4, additionalHeaders: [.userAgent: self.userAgent]),
                            logger: self.logger
                        ) { inbound, _, _ in
                            try await deliver(SourceBatch(posts: [], cursor: nil))  // connected: healthy
                            for try await message in inbound.messages(maxSize: self.maxMessage * 4) {
                                heard.now()
                                guard case .text(let text) = message else { continue }
                                try await session.receive(text, deliver: deliver)
                            }
                        }
                        throw SourceError.transient("Jetstream closed the connection" + (close.map { " (\($0.closeCode))" } ?? ""))
                    } catch let error as SourceError {
                        throw error
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        throw SourceError.transient("Jetstream: \(error)")
                    }
                }
                group.addTask { try await heard.watch(silence: self.silence, what: "Jetstream") }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// With search configured: each hashtag's posts since the cursor (less 5 minutes), or over the last day at the
    /// first start. A search that fails is logged; Jetstream goes on without it.
    func backfill(since cursor: Int64?, session: Session, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        guard let search = self.search else { return }
        let since = cursor.map { Date(timeIntervalSince1970: Double($0) / 1_000_000 - 300) } ?? Date().addingTimeInterval(-86_400)
        for tag in self.rules.hashtags.sorted() {
            do {
                let posts = try await search.posts(tag: tag, since: since, rules: self.rules)
                for post in posts {
                    let uri = String(post.id.rawValue.dropFirst("bluesky:".count))
                    session.delivered.remember(id: uri, uri: uri)
                }
                if !posts.isEmpty { try await deliver(SourceBatch(posts: posts.reversed(), cursor: nil)) }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                self.logger.warning("search backfill failed; Jetstream goes on", metadata: ["channel": "bluesky", "error": "\(error)"])
            }
        }
    }

    /// One connection's state: the latest `time_us`, when the cursor was last committed, the posts delivered (for
    /// reposts and deletions), the profiles known.
    final class Session: Sendable {
        let source: BlueskySource
        private let state = Mutex<(latest: Int64?, committed: ContinuousClock.Instant, profiles: [String: BlueskyProfile])>(
            (nil, .now, [:]))
        let delivered = KnownStatuses()

        init(source: BlueskySource) { self.source = source }

        func receive(_ text: String, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
            let bytes = Array(text.utf8)
            guard bytes.count <= self.source.maxMessage else {
                self.source.logger.warning("a Jetstream event larger than the bound was skipped", metadata: ["bytes": "\(bytes.count)"])
                return
            }
            guard let event = try? JetstreamEvent.decode(bytes) else { return }
            var posts: [IncomingPost] = []
            if let commit = event.commit, let uri = event.uri {
                switch (commit.collection, commit.operation) {
                case ("app.bsky.feed.post", "create"), ("app.bsky.feed.post", "update"):
                    if let record = commit.record, self.source.rules.wants(record) {
                        let profile = await self.profile(event.did)
                        if let post = self.source.rules.post(uri: uri, did: event.did, rkey: commit.rkey, record: record, profile: profile) {
                            posts.append(post)
                            self.delivered.remember(id: uri, uri: uri)
                        }
                    }
                case ("app.bsky.feed.post", "delete"):
                    if self.delivered.uri(for: uri) != nil { await self.source.remove(PostID("bluesky:" + uri)) }
                case ("app.bsky.feed.repost", "create"):
                    if let subject = commit.record?.subject?.uri, self.delivered.uri(for: subject) != nil {
                        var repost = IncomingPost(
                            id: PostID("bluesky:" + uri), channel: .bluesky, author: Author(name: event.did, handle: event.did), text: "",
                            repostOf: PostID("bluesky:" + subject), authorKey: event.did)
                        repost.repostOnly = true
                        posts.append(repost)
                    }
                default:
                    break
                }
            }
            let now = ContinuousClock.now
            let due = self.state.withLock { state -> Bool in
                state.latest = event.timeUS
                guard !posts.isEmpty || now - state.committed >= self.source.cursorEvery else { return false }
                state.committed = now
                return true
            }
            if due { try await deliver(SourceBatch(posts: posts, cursor: try JSONEncoder().encode(Cursor(timeUS: event.timeUS)))) }
        }

        /// The author's profile from the AppView, cached; nil when it can't be had (the DID stands in).
        func profile(_ did: String) async -> BlueskyProfile? {
            if let known = self.state.withLock({ $0.profiles[did] }) { return known }
            var request = HTTPClientRequest(
                url: self.source.appviewURL + "/xrpc/app.bsky.actor.getProfiles?actors="
                    + (did.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? did))
            request.headers.add(name: "User-Agent", value: self.source.userAgent)
            do {
                let response = try await self.source.client.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 20)
                guard response.status == .ok else { return nil }
                struct Profiles: Decodable { var profiles: [BlueskyProfile] }
                guard let profile = try JSONDecoder().decode(Profiles.self, from: Data(body.readableBytesView)).profiles.first else { return nil }
                self.state.withLock { state in
                    if state.profiles.count > 10_000 { state.profiles.removeAll() }
                    state.profiles[did] = profile
                }
                return profile
            } catch {
                self.source.logger.debug("no profile for \(did): \(error)")
                return nil
            }
        }
    }
}
