import Foundation
import HashwallCore
import Hummingbird
import NIOCore

/// The organisers' announcements: `GET /api/announcements` (those not yet ended, with the server's time so pages can
/// keep to it) and `GET /api/announcements/{id}/image` for the pages; writing them is the moderators' (``ModerationRoutes``).
struct AnnouncementRoutes {
    let intake: Intake

    struct Current: Encodable {
        var announcements: [Announcement.Public]
        var serverTime: String
    }

    func add(to router: Router<HashwallRequestContext>) {
        router.get("api/announcements") { _, _ in
            JSONBody.response(
                Current(announcements: await self.intake.currentAnnouncements().map(Announcement.Public.init), serverTime: WireDate.format(Date())))
        }
        router.get("api/announcements/{id}/image") { _, context in
            let id = try context.parameters.require("id")
            guard let image = try await self.intake.announcementImage(id) else { throw APIError(.notFound, "no image here") }
            return Response(
                status: .ok, headers: [.contentType: image.type, .cacheControl: "public, max-age=86400"],
                body: .init(byteBuffer: ByteBuffer(bytes: image.bytes)))
        }
    }

    /// The moderators' routes, on their guarded group.
    static func addModeration(to group: RouterGroup<HashwallRequestContext>, intake: Intake) {
        group.get("announcements") { _, _ in JSONBody.response(AnnouncementList(await intake.allAnnouncements())) }
        group.post("announcements") { request, context in
            let draft: Intake.AnnouncementDraft = try await ModerationRoutes.decode(request, context: context)
            return JSONBody.response(Announcement.Public(try await intake.createAnnouncement(draft)), status: .created)
        }
        group.put("announcements/{id}") { request, context in
            let draft: Intake.AnnouncementDraft = try await ModerationRoutes.decode(request, context: context)
            return JSONBody.response(Announcement.Public(try await intake.updateAnnouncement(try context.parameters.require("id"), draft)))
        }
        group.delete("announcements/{id}") { _, context in
            try await intake.deleteAnnouncement(try context.parameters.require("id"))
            return Response(status: .noContent)
        }
        group.put("announcements/{id}/image") { request, context in
            let id = try context.parameters.require("id")
            let bytes = try await request.collectBody(limit: Announcement.maxImage)
            guard let type = MediaCache.imageType(Array(bytes.prefix(16))) else {
                throw APIError(.unsupportedMediaType, "the image must be a PNG, JPEG, GIF or WebP file")
            }
            return JSONBody.response(Announcement.Public(try await intake.setAnnouncementImage(id, bytes: bytes, type: type)))
        }
        group.delete("announcements/{id}/image") { _, context in
            JSONBody.response(Announcement.Public(try await intake.setAnnouncementImage(try context.parameters.require("id"), bytes: nil, type: nil)))
        }
    }
}
