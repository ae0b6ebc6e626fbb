import Foundation

/// The organisers' own card ("Prochaine session en salle B à 14 h"): the projector shows it in its rotation and the
/// follower page pins it between `startsAt` and `endsAt`. Its JSON is public.
public struct Announcement: Sendable, Hashable, Codable {
    /// `ann-N`.
    public var id: String
    /// Normalised like a post's text; rendered as text.
    public var text: String
    public var startsAt: Date
    public var endsAt: Date
    /// The image's media type and version (raised by each new image, so caches never show the old one); nil: none.
    public var image: Image?

    public struct Image: Sendable, Hashable, Codable {
        public var type: String
        public var version: Int
    }

    public init(id: String, text: String, startsAt: Date, endsAt: Date, image: Image? = nil) {
        self.id = id
        self.text = text
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.image = image
    }

    /// Longest text, in characters.
    public static let maxText = 500
    /// Largest image, in bytes.
    public static let maxImage = 2 << 20

    /// Whether it is still to be shown at `now` (active or upcoming).
    public func isCurrent(at now: Date) -> Bool { self.endsAt > now }

    enum JSONKeys: String, CodingKey { case id, text, startsAt, endsAt, imageURL }

    /// The pages' JSON: `{"id", "text", "startsAt", "endsAt", "imageURL"}`.
    public struct Public: Encodable, Sendable {
        let announcement: Announcement

        public init(_ announcement: Announcement) { self.announcement = announcement }

        public func encode(to encoder: any Encoder) throws {
            let announcement = self.announcement
            var container = encoder.container(keyedBy: JSONKeys.self)
            try container.encode(announcement.id, forKey: .id)
            try container.encode(announcement.text, forKey: .text)
            try container.encode(WireDate.format(announcement.startsAt), forKey: .startsAt)
            try container.encode(WireDate.format(announcement.endsAt), forKey: .endsAt)
            try container.encode(announcement.image.map { "/api/announcements/\(announcement.id)/image?v=\($0.version)" }, forKey: .imageURL)
        }
    }
}
