import Foundation
import HashwallChannels
import HashwallCore
import Hummingbird
import NIOCore

/// `GET /api/posts` and `POST /api/ingest`. Handlers stay thin: decode, call the core, encode.
struct PostRoutes {
    let intake: Intake
    let ingest: IngestEndpoint

    func add(to router: Router<HashwallRequestContext>) {
        let api = router.group("api")
        api.get("posts", use: self.listPosts)
        api.get("posts/{id}", use: self.onePost)
        api.post("ingest", use: self.ingest)
    }

    struct PostsPage: Encodable {
        var posts: [Post]
        var lastEventId: String
        /// Visible pinned posts (first page only).
        var pinned: [Post]
        /// The projector's view: the question the stage is answering, which it spotlights.
        var answering: Post?
    }

    @Sendable func listPosts(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = try Self.limit(query["limit"].map(String.init), default: 50)
        let before = query["before"].map { PostID(String($0)) }
        // The projector's view leaves out posts still within the projector delay.
        let snapshot =
            query["view"] == "projector"
            ? try await self.intake.projectorSnapshot(limit: limit, before: before) : try await self.intake.snapshot(limit: limit, before: before)
        // Pinned posts stay in the projector's spotlight however old they are: the first page carries them all.
        var pinned = before == nil ? await self.intake.pinned() : []
        if query["view"] == "projector" { pinned.removeAll { $0.contentWarning != nil } }  // never on the projector
        let answering = query["view"] == "projector" ? await self.intake.projectorAnswering() : nil
        return JSONBody.response(PostsPage(posts: snapshot.posts, lastEventId: String(snapshot.lastEvent), pinned: pinned, answering: answering))
    }

    /// `GET /api/posts/{id}`: one visible post (a permalink's data); 404 for a hidden or unknown one alike.
    @Sendable func onePost(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let raw = try context.parameters.require("id")
        guard let post = try await self.intake.visiblePost(PostID(raw.removingPercentEncoding ?? raw)) else {
            throw APIError(.notFound, "this post is not available")
        }
        return JSONBody.response(post)
    }

    /// The `limit` query parameter: 1 to 500, `fallback` when absent.
    static func limit(_ text: String?, default fallback: Int) throws -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), (1...500).contains(value) else { throw InvalidField("limit", "must be a whole number from 1 to 500") }
        return value
    }

    /// `POST /api/ingest` on a connection that served other requests before (a fresh one is served by
    /// ``StreamingHTTP1Channel``): the same ``IngestEndpoint``.
    @Sendable func ingest(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        try self.ingest.admit(headers: request.headers, peer: context.clientAddress)
        let prepared = try self.ingest.prepare(try await request.collectBody(limit: IngestEndpoint.maxBody))
        let id = try await self.ingest.accept(prepared, on: context.channel.eventLoop).get()
        return Response(status: .accepted, headers: JSONBody.headers, body: .init(byteBuffer: IngestEndpoint.accepted(id)))
    }
}
