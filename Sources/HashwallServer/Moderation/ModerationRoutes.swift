import Foundation
import HashwallChannels
import HashwallCore
import Hummingbird
import NIOCore

/// `/api/moderation/…`: the moderators' API (DESIGN.md). Login is open (rate-limited per client address);
/// everything else needs a moderator (``ModeratorAuthMiddleware``).
struct ModerationRoutes {
    let intake: Intake
    let hubs: WallHubs
    let accounts: ModeratorAccounts
    let publicOrigin: String?
    let retryMilliseconds: Int
    let failures: AuthFailureLimiter
    let addresses: ClientAddresses
    /// The picture cache, whose files of erased posts go with them.
    let media: MediaCache?
    /// The wall's title, language and hashtags, for the static archive.
    let settings: WallSettings
    /// The fan-out to Nchan edges, whose channels an erasure purges.
    let fanout: NchanPublisher?

    func add(to router: Router<HashwallRequestContext>) {
        let api = router.group("api/moderation")
        api.post("login", use: self.login)
        let guarded = api.group().add(
            middleware: ModeratorAuthMiddleware(
                accounts: self.accounts, publicOrigin: self.publicOrigin, failures: self.failures, addresses: self.addresses))
        guarded.get("session", use: self.session)
        guarded.post("logout", use: self.logout)
        guarded.get("posts", use: self.posts)
        guarded.post("posts/{id}/{action}", use: self.act)
        guarded.post("authors/ban", use: self.ban)
        guarded.post("authors/unban", use: self.unban)
        guarded.post("authors/erase", use: self.erase)
        guarded.get("settings", use: self.getSettings)
        guarded.put("settings", use: self.putSettings)
        guarded.post("undo", use: self.undo)
        guarded.get("audit", use: self.audit)
        guarded.get("stats", use: self.stats)
        guarded.get("export", use: self.export)
        AnnouncementRoutes.addModeration(to: guarded, intake: self.intake)
        guarded.get("stage") { _, _ in
            let path = "/stage/\(self.intake.stageKey)"
            return JSONBody.response(
                StageLink(path: path, url: self.settings.followerURL.map { ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + path }))
        }
        guarded.get("events") { request, context in
            try await EventStreamRoute(hub: self.hubs.moderators, retryMilliseconds: self.retryMilliseconds).events(request, context: context)
        }
    }

    struct Login: Decodable { var token: String }
    struct Who: Encodable { var moderator: String }

    @Sendable func login(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let address = self.addresses.client(request, context: context)
        if let wait = self.failures.waitTime(for: address) {
            throw APIError(.tooManyRequests, "too many failed logins; try again in \(wait) s", retryAfter: wait)
        }
        if request.headers[.origin] != nil, !ModeratorAuthMiddleware.sameOrigin(request, publicOrigin: self.publicOrigin) {
            throw APIError(.forbidden, "login must come from the moderation console (Origin check)")
        }
        let body: Login = try await Self.decode(request, context: context)
        guard let name = self.accounts.moderator(forToken: body.token) else {
            self.failures.recordFailure(for: address)
            throw APIError.unauthorized
        }
        let session = self.accounts.openSession(for: name)
        var response = JSONBody.response(Who(moderator: name))
        let secure = request.uri.scheme == .https || request.headers[.xForwardedProto]?.lowercased() == "https"
        response.setCookie(
            Cookie(
                name: ModeratorAuthMiddleware.cookieName, value: session, maxAge: Int(ModeratorAccounts.sessionLifetime), path: "/",
                secure: secure, httpOnly: true, sameSite: .strict))
        return response
    }

    @Sendable func session(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        JSONBody.response(Who(moderator: context.moderator ?? ""))
    }

    @Sendable func logout(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        if let session = request.cookies[ModeratorAuthMiddleware.cookieName]?.value { self.accounts.closeSession(session) }
        var response = Response(status: .noContent)
        response.setCookie(Cookie(name: ModeratorAuthMiddleware.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    struct PostsPage: Encodable {
        var posts: [ModeratedPost]
        var lastEventId: String
    }

    @Sendable func posts(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let states: Set<PostState>
        switch query["state"].map(String.init) ?? "all" {
        case "all": states = Set(PostState.allCases)
        case let name:
            guard let state = PostState(rawValue: name) else { throw InvalidField("state", "must be all, visible, hidden, held or rejected") }
            states = [state]
        }
        let limit = try PostRoutes.limit(query["limit"].map(String.init), default: 100)
        let before = query["before"].map { PostID(String($0)) }
        let snapshot = try await self.intake.moderatorSnapshot(limit: limit, before: before, states: states)
        return JSONBody.response(PostsPage(posts: snapshot.posts, lastEventId: String(snapshot.lastEvent)))
    }

    @Sendable func act(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        // Ids are percent-encoded in paths (they hold `:`); the router hands the segment over as it came.
        let raw = try context.parameters.require("id")
        let id = PostID(raw.removingPercentEncoding ?? raw)
        let name = try context.parameters.require("action")
        guard let action = PostAction(rawValue: name) else {
            throw APIError(
                .notFound, "unknown action \(InvalidField.quote(name)); use hide, show, approve, reject, pin, unpin, question or unquestion")
        }
        return JSONBody.response(try await self.intake.moderate(id, action, by: try Self.moderator(context)))
    }

    /// Where the lectern's tablet opens the stage page.
    struct StageLink: Encodable {
        var path: String
        var url: String?
    }

    struct AuthorBody: Decodable { var postId: String }
    struct Affected: Encodable { var affected: Int }

    @Sendable func ban(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let body: AuthorBody = try await Self.decode(request, context: context)
        return JSONBody.response(Affected(affected: try await self.intake.ban(authorOf: PostID(body.postId), by: try Self.moderator(context))))
    }

    @Sendable func unban(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let body: AuthorBody = try await Self.decode(request, context: context)
        return JSONBody.response(Affected(affected: try await self.intake.unban(authorOf: PostID(body.postId), by: try Self.moderator(context))))
    }

    /// `POST /api/moderation/authors/erase {"postId": …}`: every post of that post's author leaves the database (an
    /// erasure request); answers `{"erased": N}` once it is durable and the pictures' files are deleted.
    @Sendable func erase(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let body: AuthorBody = try await Self.decode(request, context: context)
        let erasure = try await self.intake.erase(authorOf: PostID(body.postId), by: try Self.moderator(context))
        await self.media?.remove(erasure.mediaKeys)
        self.fanout?.purge(lastEvent: self.hubs.wall.lastEvent)
        return JSONBody.response(erasure)
    }

    @Sendable func getSettings(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        JSONBody.response(await self.intake.settings)
    }

    @Sendable func putSettings(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let settings: ModerationSettings = try await Self.decode(request, context: context)
        return JSONBody.response(try await self.intake.updateSettings(settings, by: try Self.moderator(context)))
    }

    struct Undone: Encodable { var undone: AuditEntry }

    @Sendable func undo(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        JSONBody.response(Undone(undone: try await self.intake.undo(by: try Self.moderator(context))))
    }

    struct Entries: Encodable { var entries: [AuditEntry] }

    @Sendable func audit(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let limit = try PostRoutes.limit(request.uri.queryParameters["limit"].map(String.init), default: 100)
        return JSONBody.response(Entries(entries: await self.intake.auditEntries(limit: limit)))
    }

    /// `GET /api/moderation/stats?minutes=N` (1 to 1,440, default 60): counts per channel and state, posts per
    /// minute per channel, top contributors, all from the database.
    @Sendable func stats(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        var minutes = 60
        if let text = request.uri.queryParameters["minutes"].map(String.init) {
            guard let value = Int(text), (1...1440).contains(value) else { throw InvalidField("minutes", "must be a whole number from 1 to 1440") }
            minutes = value
        }
        return JSONBody.response(try await self.intake.stats(minutes: minutes))
    }

    struct Export: Encodable {
        var exportedAt: String
        var posts: [ModeratedPost]
        var audit: [AuditEntry]
    }

    /// `GET /api/moderation/export?format=json|csv|zip`: every post with its state (json: with its moderation and the
    /// audit list; csv: one row per post, no contact), or the static archive of the visible posts (zip, ``StaticArchive``),
    /// from the database, at any time.
    @Sendable func export(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let format = request.uri.queryParameters["format"].map(String.init) ?? "json"
        let posts = try await self.intake.exportPosts()
        let stamp = WireDate.format(Date()).replacingOccurrences(of: ":", with: "-")
        switch format {
        case "csv":
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"hashwall-posts-\(stamp).csv\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: PostsCSV.encode(posts.map(\.stored)))))
        case "json":
            var response = JSONBody.response(
                Export(exportedAt: WireDate.format(Date()), posts: posts, audit: await self.intake.auditEntries(limit: Int.max)))
            response.headers[.contentDisposition] = "attachment; filename=\"hashwall-posts-\(stamp).json\""
            return response
        case "zip":
            let visible = posts.filter { $0.stored.moderation.state == .visible }.map(\.stored.post)
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("hashwall-archive-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: work) }
            try StaticArchive.write(
                posts: visible, settings: self.settings, mediaDirectory: self.media?.directory, exportedAt: Date(), to: work + "/archive")
            try ZipFile.write(folder: work + "/archive", to: work + "/archive.zip")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: work + "/archive.zip"))
            return Response(
                status: .ok,
                headers: [.contentType: "application/zip", .contentDisposition: "attachment; filename=\"hashwall-archive-\(stamp).zip\""],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        default:
            throw InvalidField("format", "must be json, csv or zip")
        }
    }

    static func moderator(_ context: HashwallRequestContext) throws -> String {
        guard let moderator = context.moderator else { throw APIError.unauthorized }
        return moderator
    }

    /// Decodes a small JSON body; problems become ``InvalidField``s naming the field.
    static func decode<T: Decodable>(_ request: Request, context: HashwallRequestContext) async throws -> T {
        let bytes = try await request.collectBody(limit: context.maxUploadSize)
        try JSONNesting.check(bytes)
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw IngestBody.invalidField(error)
        }
    }
}
