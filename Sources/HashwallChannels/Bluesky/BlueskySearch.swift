import AsyncHTTPClient
import Foundation
import HashwallCore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Backfill through `app.bsky.feed.searchPosts` with an app password (search needs a session since 2025): what was
/// posted before the wall started, or while Jetstream was out of reach. A session is created once
/// (`createSession`, limited to 30 per 5 minutes), refreshed when the access token expires (`400 ExpiredToken`).
public final class BlueskySearch: Sendable {
    /// `https://bsky.social`
    let service: String
    let identifier: String
    let password: String
    let client: HTTPClient
    let userAgent: String
    private let session = Mutex<(access: String, refresh: String)?>(nil)
    /// Pages of 100 read per hashtag and backfill.
    let maxPages: Int

    public init(service: String, identifier: String, password: String, client: HTTPClient = .shared, userAgent: String, maxPages: Int = 5) {
        self.service = service.hasSuffix("/") ? String(service.dropLast()) : service
        self.identifier = identifier
        self.password = password
        self.client = client
        self.userAgent = userAgent
        self.maxPages = maxPages
    }

    /// A post as search returns it.
    struct PostView: Decodable {
        struct Author: Decodable {
            var did: String
            var handle: String
            var displayName: String?
        }
        var uri: String
        var author: Author
        var record: BlueskyRecord
    }

    struct Page: Decodable {
        var posts: [PostView]
        var cursor: String?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Every post with `tag` since `since`, newest first, as the rules make them.
    func posts(tag: String, since: Date, rules: BlueskyRules) async throws -> [IncomingPost] {
        var posts: [IncomingPost] = []
        var cursor: String?
        for _ in 0..<self.maxPages {
            var query = "q=" + ("#" + tag).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            query += "&tag=" + (tag.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? tag)
            query +=
                "&sort=latest&limit=100&since=" + WireDate.format(since)
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            if let cursor { query += "&cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor) }
            let body = try await self.authorised("/xrpc/app.bsky.feed.searchPosts?" + query)
            let page = try JSONDecoder().decode(Page.self, from: Data(body))
            for view in page.posts where rules.wants(view.record) {
                let rkey = view.uri.split(separator: "/").last.map(String.init) ?? ""
                let profile = BlueskyProfile(did: view.author.did, handle: view.author.handle, displayName: view.author.displayName)
                if let post = rules.post(uri: view.uri, did: view.author.did, rkey: rkey, record: view.record, profile: profile) {
                    posts.append(post)
                }
            }
            guard let next = page.cursor, !page.posts.isEmpty else { break }
            cursor = next
        }
        return posts
    }

    /// GETs `path` with the session's access token: created the first time, refreshed once when it has expired.
    func authorised(_ path: String) async throws -> [UInt8] {
        for attempt in 0..<2 {
            let access = try await self.accessToken(refresh: attempt > 0)
            var request = HTTPClientRequest(url: self.service + path)
            request.headers.add(name: "User-Agent", value: self.userAgent)
            request.headers.add(name: "Authorization", value: "Bearer \(access)")
            let response = try await self.client.execute(request, timeout: .seconds(30))
            let body = Array(try await response.body.collect(upTo: 8 << 20).readableBytesView)
            if response.status == .ok { return body }
            let error = Self.errorName(body)
            if response.status == .badRequest, error == "ExpiredToken", attempt == 0 { continue }
            throw Failure(description: "searchPosts answered \(response.status.code)" + (error.map { " \($0)" } ?? ""))
        }
        throw Failure(description: "searchPosts: the session could not be refreshed")
    }

    /// The access token: from the session, refreshed (`refreshSession`) when `refresh`, created when there is none.
    func accessToken(refresh: Bool) async throws -> String {
        if !refresh, let access = self.session.withLock({ $0?.access }) { return access }
        if refresh, let token = self.session.withLock({ $0?.refresh }),
            let tokens = try? await self.post("/xrpc/com.atproto.server.refreshSession", body: nil, bearer: token)
        {
            self.session.withLock { $0 = tokens }
            return tokens.access
        }
        let credentials = try JSONSerialization.data(withJSONObject: ["identifier": self.identifier, "password": self.password])
        let tokens = try await self.post("/xrpc/com.atproto.server.createSession", body: Array(credentials), bearer: nil)
        self.session.withLock { $0 = tokens }
        return tokens.access
    }

    private func post(_ path: String, body: [UInt8]?, bearer: String?) async throws -> (access: String, refresh: String) {
        var request = HTTPClientRequest(url: self.service + path)
        request.method = .POST
        request.headers.add(name: "User-Agent", value: self.userAgent)
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await self.client.execute(request, timeout: .seconds(30))
        let answer = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        guard response.status == .ok, let object = try? JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any],
            let access = object["accessJwt"] as? String, let refresh = object["refreshJwt"] as? String
        else {
            throw Failure(
                description: "\(path.split(separator: ".").last ?? "") answered \(response.status.code)"
                    + (Self.errorName(answer).map { " \($0)" } ?? ""))
        }
        return (access, refresh)
    }

    static func errorName(_ body: [UInt8]) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(body.prefix(4096))) as? [String: Any])?["error"] as? String
    }
}
