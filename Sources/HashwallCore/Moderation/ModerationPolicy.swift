/// Decides the state a new post starts in, from the moderators' settings. Pure: the ``Intake`` supplies what
/// it knows about the author (banned, how many of their posts were shown in the last minute).
public struct ModerationPolicy: Sendable {
    public let settings: ModerationSettings
    let blocklist: Blocklist
    let trusted: Set<String>

    public init(settings: ModerationSettings) {
        self.settings = settings
        self.blocklist = Blocklist(settings.blocklist)
        self.trusted = Set(settings.trusted.map(Self.foldAuthor).filter { !$0.isEmpty })
    }

    /// Whether `author` is on the trusted list (by handle or by name, `@` or not).
    public func isTrusted(_ author: Author) -> Bool {
        guard !self.trusted.isEmpty else { return false }
        return self.trusted.contains(Self.foldAuthor(author.name)) || author.handle.map { self.trusted.contains(Self.foldAuthor($0)) } == true
    }

    /// The state `post` starts in and, when held, why. A banned author or a blocklisted word holds the post
    /// whoever wrote it; trusted authors skip pre-moderation and the flood limit.
    /// `foldedText`: the post's text already folded, when the caller has it.
    public func initialState(for post: Post, foldedText: String? = nil, banned: Bool, shownInLastMinute: Int) -> (PostState, String?) {
        if banned { return (.held, "banned author") }
        let texts = [foldedText ?? TextNormaliser.fold(post.text), TextNormaliser.fold(post.author.name)]
        if let word = self.blocklist.firstMatch(inFolded: texts) { return (.held, "blocklist: «\(word)»") }
        if self.isTrusted(post.author) { return (.visible, nil) }
        if self.settings.mode(for: post.channel) == .pre { return (.held, "pre-moderation") }
        if self.settings.floodLimitPerMinute > 0 && shownInLastMinute >= self.settings.floodLimitPerMinute {
            return (.held, "flood limit")
        }
        return (.visible, nil)
    }

    static func foldAuthor(_ text: String) -> String {
        var folded = TextNormaliser.fold(text)
        while folded.hasPrefix("@") { folded.removeFirst() }
        return folded
    }
}
