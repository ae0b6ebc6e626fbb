import Hummingbird

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

    public init(title: String, hashtags: [String], howToContribute: String, theme: String, language: String) {
        self.title = title
        self.hashtags = hashtags
        self.howToContribute = howToContribute
        self.theme = theme
        self.language = language
    }
}

struct WallRoutes {
    let settings: WallSettings

    func add(to router: Router<HashwallRequestContext>) {
        router.get("api/wall") { _, _ in JSONBody.response(self.settings) }
    }
}
