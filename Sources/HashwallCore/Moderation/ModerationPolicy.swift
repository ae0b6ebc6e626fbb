/// Decides the state a new post starts in, from the moderators' settings. Pure: the ``Intake`` supplies what
/// it knows about the author (banned, how many of their posts were shown in the last minute).
public struct ModerationPolicy: Sendable {
    public let settings: ModerationSettings
    let blocklist: Blocklist
    let trusted: Set<String>

    public init(settings: ModerationSettings) {
        self.settings = settings
        self.blocklist = Blocklist(settings.blocklist)
        // A number on the list is an SMS sender: it matches the digest that stands for the number. An address is an
        // e-mail sender (its digest) or a `user@server` handle.
        self.trusted = Set(
            settings.trusted.flatMap { entry -> [String] in
                if let number = AuthorKey.e164(entry) { return [AuthorKey.phoneIdentity(e164: number)] }
                let handle = AuthorKey.foldHandle(entry)
                return AuthorKey.emailAddress(entry).map { [handle, AuthorKey.emailIdentity(address: $0)] } ?? [handle]
            }.filter { !$0.isEmpty })
    }

    /// Whether the author with `authorKey` (``AuthorKey``) is on the trusted list: by the identity their channel
    /// vouches for (handle, `@` or not; phone number), never by the display name they chose.
    public func isTrusted(authorKey: String) -> Bool {
        guard !self.trusted.isEmpty, let identity = AuthorKey.verifiedIdentity(authorKey) else { return false }
        return self.trusted.contains(identity)
    }

    /// The state `post` by `authorKey` starts in (or, for an edit, moves to) and, when held, why. A banned author
    /// or a blocklisted word holds the post whoever wrote it; trusted authors skip pre-moderation and the flood limit.
    /// `foldedText`: the post's text already folded, when the caller has it.
    public func initialState(
        for post: Post, authorKey: String, foldedText: String? = nil, banned: Bool, shownInLastMinute: Int
    ) -> (PostState, String?) {
        if banned { return (.held, "banned author") }
        let texts = [foldedText ?? TextNormaliser.fold(post.text), TextNormaliser.fold(post.author.name)]
        if let word = self.blocklist.firstMatch(inFolded: texts) { return (.held, "blocklist: «\(word)»") }
        if self.isTrusted(authorKey: authorKey) { return (.visible, nil) }
        if self.settings.mode(for: post.channel) == .pre { return (.held, "pre-moderation") }
        if self.settings.floodLimitPerMinute > 0 && shownInLastMinute >= self.settings.floodLimitPerMinute {
            return (.held, "flood limit")
        }
        return (.visible, nil)
    }
}
