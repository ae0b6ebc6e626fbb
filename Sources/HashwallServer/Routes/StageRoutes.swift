import Foundation
import HashwallCore
import Hummingbird
import NIOCore

/// The lectern's tablet: `/stage/{key}` (the page), `/api/stage/{key}/…` (the open questions, their stream, "done" and
/// the one being answered). No login: the key is the installation's unguessable stage secret (``Intake/stageKey``),
/// printed at start-up and shown in the console; any other key is a 404, as for a page that does not exist.
struct StageRoutes {
    let intake: Intake
    let hubs: WallHubs
    let retryMilliseconds: Int

    func add(to router: Router<HashwallRequestContext>) {
        router.get("stage/{key}") { _, context in
            try self.check(context)
            guard let page = PageRoutes.assets["/stage"] else { throw APIError(.notFound, "no such page") }
            return PageRoutes.response(page)  // Referrer-Policy same-origin (every response): the key never leaves
        }
        let api = router.group("api/stage/{key}")
        api.get("questions") { _, context in
            try self.check(context)
            return JSONBody.response(await self.intake.stageSnapshot())
        }
        api.get("events") { request, context in
            try self.check(context)
            return try await EventStreamRoute(hub: self.hubs.stage, retryMilliseconds: self.retryMilliseconds).events(request, context: context)
        }
        api.post("questions/{id}/done") { _, context in
            try self.check(context)
            let raw = try context.parameters.require("id")
            try await self.intake.markDone(PostID(raw.removingPercentEncoding ?? raw))
            return Response(status: .noContent)
        }
        api.post("answering") { request, context in
            try self.check(context)
            guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
                throw APIError(.unsupportedMediaType, "Content-Type must be application/json")
            }
            struct Body: Decodable { var id: String? }
            let body: Body = try await ModerationRoutes.decode(request, context: context)
            try await self.intake.setAnswering(body.id.map(PostID.init))
            return Response(status: .noContent)
        }
    }

    func check(_ context: HashwallRequestContext) throws {
        guard let key = context.parameters.get("key"), Secret.equal(key, self.intake.stageKey) else {
            throw APIError(.notFound, "no such page")
        }
    }
}
