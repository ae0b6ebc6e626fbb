import Foundation
import HashwallCore
import Hummingbird
import NIOCore

/// What the pages need to know about the event: `GET /api/wall`.
public struct WallSettings: Sendable, Codable, Equatable {
    public var title: String
    /// The event's hashtags, folded, without `#`.
    public var hashtags: [String]
    /// The how-to-contribute line the projector shows ("Tweetez #capcomnet · SMS au 06 … · écrivez à mur@…").
    public var howToContribute: String
    public var theme: String
    /// `fr` or `en`: the pages' interface strings and relative times.
    public var language: String
    /// The follower page's address (`server.publicURL`), shown under its QR code (`/qr.svg`) on the projector.
    public var followerURL: String?
    /// The event's colour, `#rrggbb`.
    public var accentColor: String?
    /// `/logo` when the organiser configured one.
    public var logoURL: String?
    /// Every channel kind with its label in `language`: the pages' one list of channels.
    public var channels: [WallChannel]
    /// The organiser's privacy notice (`wall.privacyNotice`), text shown at `/privacy`; nil when none is configured.
    public var privacyNotice: String?

    public init(
        title: String, hashtags: [String], howToContribute: String, theme: String, language: String, followerURL: String? = nil,
        accentColor: String? = nil, logoURL: String? = nil, privacyNotice: String? = nil
    ) {
        self.privacyNotice = privacyNotice
        self.title = title
        self.hashtags = hashtags
        self.howToContribute = howToContribute
        self.theme = theme
        self.language = language
        self.followerURL = followerURL
        self.accentColor = accentColor
        self.logoURL = logoURL
        self.channels = WallChannel.all(language: language)
    }
}

/// A channel kind as the pages show it: `{"name": "sms", "label": "SMS", "icon": "sms", "filter": true}` (`icon`: the
/// pages' icon key; `filter`: followers filter by it, a network or gateway people post through, not `api` or `demo`).
public struct WallChannel: Sendable, Codable, Equatable {
    public var name: String
    public var label: String
    public var icon: String
    public var filter: Bool

    /// Every channel kind, in the order of ``ChannelKind``, labelled in `language` (`fr` or `en`).
    public static func all(language: String) -> [WallChannel] {
        ChannelKind.allCases.map { kind in
            let label: String =
                switch kind {
                case .x: "X"
                case .mastodon: "Mastodon"
                case .bluesky: "Bluesky"
                case .sms: "SMS"
                case .email: language == "en" ? "Email" : "E-mail"
                case .api: "API"
                case .demo: language == "en" ? "Demo" : "Démo"
                }
            return WallChannel(name: kind.rawValue, label: label, icon: kind.rawValue, filter: ![.api, .demo].contains(kind))
        }
    }
}

/// The organiser's logo (`wall.logo`), read once at start-up.
public struct LogoFile: Sendable {
    public struct Problem: Error {
        public var reason: String
    }

    static let types = ["png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp", "svg": "image/svg+xml"]
    static let maxBytes = 512 * 1024

    let bytes: ByteBuffer
    let contentType: String

    /// Reads the file at `path`; the problem names what is wrong (missing, too large, not an image type we serve).
    public static func load(path: String) -> Result<LogoFile, Problem> {
        let fileExtension = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard let contentType = Self.types[fileExtension] else {
            return .failure(Problem(reason: "must be a .png, .jpg, .webp or .svg file, got \"\(path)\""))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Problem(reason: "cannot read \"\(path)\""))
        }
        guard data.count <= Self.maxBytes else {
            return .failure(Problem(reason: "\"\(path)\" is \(data.count / 1024) KiB, more than \(Self.maxBytes / 1024) KiB"))
        }
        return .success(LogoFile(bytes: ByteBuffer(bytes: data), contentType: contentType))
    }
}

struct WallRoutes {
    let settings: WallSettings
    let logo: LogoFile?
    /// The follower page's QR code, drawn once.
    let qrCode: ByteBuffer?

    init(settings: WallSettings, logo: LogoFile?) {
        self.settings = settings
        self.logo = logo
        self.qrCode = settings.followerURL.flatMap(QRCode.svg(for:)).map { ByteBuffer(string: $0) }
    }

    func add(to router: Router<HashwallRequestContext>) {
        router.get("api/wall") { _, _ in JSONBody.response(self.settings) }
        router.get("qr.svg") { _, _ in
            guard let qrCode = self.qrCode else { throw HTTPError(.notFound, message: "no server.publicURL configured") }
            return Self.image(qrCode, type: "image/svg+xml")
        }
        router.get("logo") { _, _ in
            guard let logo = self.logo else { throw HTTPError(.notFound, message: "no wall.logo configured") }
            return Self.image(logo.bytes, type: logo.contentType)
        }
    }

    static func image(_ bytes: ByteBuffer, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: bytes))
    }
}
