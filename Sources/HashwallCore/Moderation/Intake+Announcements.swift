import Foundation
import NIOCore

/// The organisers' announcements: written in the console, durable, shown by the projector in its rotation and pinned on
/// the follower page between their start and end (the pages keep time; the list reaches them on every change as an
/// `announcements` event on the wall's, the projector's and the moderators' streams).
extension Intake {
    /// What a moderator writes: the text and the times.
    public struct AnnouncementDraft: Sendable, Decodable {
        public var text: String
        public var startsAt: Date
        public var endsAt: Date

        enum CodingKeys: String, CodingKey { case text, startsAt, endsAt }

        public init(text: String, startsAt: Date, endsAt: Date) {
            self.text = text
            self.startsAt = startsAt
            self.endsAt = endsAt
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.text = try container.decode(String.self, forKey: .text)
            self.startsAt = try WireDate.parse(try container.decode(String.self, forKey: .startsAt), field: "startsAt")
            self.endsAt = try WireDate.parse(try container.decode(String.self, forKey: .endsAt), field: "endsAt")
        }

        /// The draft, checked and normalised.
        func checked() throws -> AnnouncementDraft {
            let text = TextNormaliser.normalise(self.text)
            guard !text.isEmpty else { throw InvalidField("text", "must not be empty") }
            guard text.count <= Announcement.maxText else { throw InvalidField("text", "must be at most \(Announcement.maxText) characters") }
            guard self.endsAt > self.startsAt else { throw InvalidField("endsAt", "must be after startsAt") }
            guard self.endsAt.timeIntervalSince(self.startsAt) <= 31 * 86_400 else {
                throw InvalidField("endsAt", "must be within 31 days of startsAt")
            }
            return AnnouncementDraft(text: text, startsAt: self.startsAt, endsAt: self.endsAt)
        }
    }

    /// Every announcement, by start time (the console's list).
    public func allAnnouncements() -> [Announcement] {
        self.announcements.values.sorted { ($0.startsAt, $0.id) < ($1.startsAt, $1.id) }
    }

    /// Those not yet ended at `now` (what the pages need).
    public func currentAnnouncements(now: Date = Date()) -> [Announcement] {
        self.allAnnouncements().filter { $0.isCurrent(at: now) }
    }

    /// A new announcement, durable before it returns.
    public func createAnnouncement(_ draft: AnnouncementDraft) async throws -> Announcement {
        let draft = try draft.checked()
        try self.checkWritable()
        let number = (self.announcements.keys.compactMap { Int($0.dropFirst(4)) }.max() ?? 0) + 1
        let announcement = Announcement(id: "ann-\(number)", text: draft.text, startsAt: draft.startsAt, endsAt: draft.endsAt)
        try await self.write(announcement, id: announcement.id)
        return announcement
    }

    /// Replaces the text and times of announcement `id` (its image stays).
    public func updateAnnouncement(_ id: String, _ draft: AnnouncementDraft) async throws -> Announcement {
        let draft = try draft.checked()
        try self.checkWritable()
        guard var announcement = self.announcements[id] else { throw UnknownAnnouncement(id: id) }
        announcement.text = draft.text
        announcement.startsAt = draft.startsAt
        announcement.endsAt = draft.endsAt
        try await self.write(announcement, id: id)
        return announcement
    }

    public func deleteAnnouncement(_ id: String) async throws {
        try self.checkWritable()
        guard self.announcements[id] != nil else { throw UnknownAnnouncement(id: id) }
        try await self.write(nil, id: id)
    }

    /// Sets (`bytes` of an image of `type`) or removes (`nil`) the image of announcement `id`.
    public func setAnnouncementImage(_ id: String, bytes: [UInt8]?, type: String?) async throws -> Announcement {
        try self.checkWritable()
        guard var announcement = self.announcements[id] else { throw UnknownAnnouncement(id: id) }
        if let type, bytes != nil {
            announcement.image = Announcement.Image(type: type, version: (announcement.image?.version ?? 0) + 1)
        } else {
            announcement.image = nil
        }
        try await self.write(announcement, id: id, image: (id, bytes))
        return announcement
    }

    /// The image of announcement `id` and its type, from the database.
    public func announcementImage(_ id: String) async throws -> (bytes: [UInt8], type: String)? {
        guard let image = self.announcements[id]?.image else { return nil }
        return try await self.journal.announcementImage(id).map { ($0, image.type) }
    }

    private func write(_ announcement: Announcement?, id: String, image: (id: String, bytes: [UInt8]?)? = nil) async throws {
        let previous = self.announcements[id]
        self.announcements[id] = announcement
        var entry = JournalEntry()
        entry.announcements = [(id, announcement)]
        entry.announcementImage = image
        let all = (try? Self.encoder.encode(AnnouncementList(self.allAnnouncements()))) ?? Data()
        let current = (try? Self.encoder.encode(AnnouncementList(self.currentAnnouncements()))) ?? Data()
        for (stream, json) in [(WallHubs.Stream.wall, current), (.projector, current), (.moderators, all)] {
            let number = self.nextNumber()
            entry.frames.append((stream, EventHub.Frame(number: number, bytes: SSEFrame.event(number: number, name: "announcements", json: json))))
        }
        do {
            try await self.commit(entry)
        } catch {
            self.announcements[id] = previous
            throw error
        }
    }
}

/// `{"announcements": [...]}`: the pages' and the console's list.
public struct AnnouncementList: Encodable, Sendable {
    public var announcements: [Announcement.Public]

    public init(_ announcements: [Announcement]) { self.announcements = announcements.map(Announcement.Public.init) }
}

/// An announcement id that names none.
public struct UnknownAnnouncement: Error, Sendable, CustomStringConvertible {
    public let id: String
    public var description: String { "no announcement with id \(self.id)" }
}
