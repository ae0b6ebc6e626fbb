import Foundation
import HashwallTestSupport
import NIOCore
import Testing

@testable import HashwallCore

@Suite struct BlocklistTests {
    @Test func matchesWholeWordsIgnoringCaseAndAccents() {
        let list = Blocklist(["con", "arnaque", "nique ta mère"])
        #expect(list.firstMatch(in: "Quel CON !") == "con")
        #expect(list.firstMatch(in: "Cette conférence est top") == nil)
        #expect(list.firstMatch(in: "Une ARNAQUE totale") == "arnaque")
        #expect(list.firstMatch(in: "nique ta MERE") == "nique ta mère")
        #expect(list.firstMatch(in: "nique sa mère") == nil)
        #expect(list.firstMatch(in: "Bravo", "Le Con du 35") == "con")  // author names too
        // Words are split the same way in ASCII text and in any other.
        #expect(list.firstMatch(in: "«Quel con»") == "con")
        #expect(list.firstMatch(in: "Quel con👏") == "con")
        #expect(list.firstMatch(in: "Quel con_") == "con")
        #expect(list.firstMatch(in: "Quel con2") == nil)
        #expect(list.firstMatch(in: "Mère: nique-ta-mère!") == "nique ta mère")
        #expect(list.firstMatch(in: "nique ta") == nil)
    }

    @Test func theDefaultListLeavesOrdinaryConferenceTalkAlone() {
        let list = Blocklist(Blocklist.defaultEntries)
        for text in ["40 min de retard 😩", "Superbe conférence, merci !", "La concertation citoyenne", "Shitake au déjeuner"] {
            #expect(list.firstMatch(in: text) == nil, "\(text)")
        }
        #expect(list.firstMatch(in: "What a fucking mess") != nil)
    }
}

@Suite struct ModerationPolicyTests {
    func post(_ text: String, channel: ChannelKind = .x, name: String = "Claire", handle: String? = "claire_m") -> Post {
        Post(id: PostID("x:1"), channel: channel, author: Author(name: name, handle: handle), text: text, createdAt: Date(), receivedAt: Date())
    }

    func key(_ post: Post) -> String {
        post.author.handle.map { AuthorKey.verified(channel: post.channel, identity: $0) }
            ?? AuthorKey.unverified(channel: post.channel, name: post.author.name)
    }

    @Test func preModeHoldsAndChannelOverridesWin() {
        let policy = ModerationPolicy(settings: ModerationSettings(mode: .post, channelModes: ["sms": .pre], blocklist: []))
        #expect(
            policy.initialState(
                for: post("Bonjour", channel: .sms), authorKey: key(post("Bonjour", channel: .sms)), banned: false, shownInLastMinute: 0
            ).0 == .held)
        #expect(
            policy.initialState(
                for: post("Bonjour", channel: .mastodon), authorKey: key(post("Bonjour", channel: .mastodon)), banned: false, shownInLastMinute: 0
            ).0 == .visible)
    }

    @Test func trustedAuthorsSkipPreModerationAndFloodButNotTheBlocklist() {
        let policy = ModerationPolicy(
            settings: ModerationSettings(mode: .pre, blocklist: ["arnaque"], trusted: ["@Claire_M"], floodLimitPerMinute: 2))
        #expect(policy.initialState(for: post("Bienvenue"), authorKey: key(post("Bienvenue")), banned: false, shownInLastMinute: 10).0 == .visible)
        #expect(
            policy.initialState(for: post("une arnaque"), authorKey: key(post("une arnaque")), banned: false, shownInLastMinute: 0) == (
                .held, "blocklist: «arnaque»"
            ))
        #expect(
            policy.initialState(
                for: post("Bonjour", handle: "paul"), authorKey: key(post("Bonjour", handle: "paul")), banned: false, shownInLastMinute: 0) == (
                    .held, "pre-moderation"
                ))
    }

    @Test func floodLimitAndBansHold() {
        let policy = ModerationPolicy(settings: ModerationSettings(blocklist: [], floodLimitPerMinute: 3))
        #expect(policy.initialState(for: post("x"), authorKey: key(post("x")), banned: false, shownInLastMinute: 2).0 == .visible)
        #expect(policy.initialState(for: post("x"), authorKey: key(post("x")), banned: false, shownInLastMinute: 3) == (.held, "flood limit"))
        #expect(policy.initialState(for: post("x"), authorKey: key(post("x")), banned: true, shownInLastMinute: 0) == (.held, "banned author"))
    }
}

@Suite struct IntakeModerationTests {
    @Test func hidingTakesAPostOffTheWallForGoodEvenWhenRedeliveredOrReposted() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        try await withWall(path: path) { intake, _, _ in
            let id = try await intake.accept(
                IncomingPost(id: PostID("x:1"), channel: .x, author: Author(name: "Troll", handle: "troll"), text: "spam spam"))
            _ = try await intake.moderate(id, .hide, by: "Alice")
            #expect(try await intake.snapshot(limit: 10).posts.isEmpty)
            _ = try await intake.accept(
                IncomingPost(id: PostID("x:1"), channel: .x, author: Author(name: "Troll", handle: "troll"), text: "spam spam !"))
            _ = try await intake.accept(
                IncomingPost(id: PostID("x:2"), channel: .x, author: Author(name: "P", handle: "p"), text: "RT @troll: spam spam !"))
            #expect(try await intake.snapshot(limit: 10).posts.isEmpty)
        }
        try await withWall(path: path) { intake, _, _ in
            #expect(try await intake.snapshot(limit: 10).posts.isEmpty, "a hidden post came back after a restart")
            let held = try await intake.moderatorSnapshot(limit: 10, states: [.hidden]).posts
            #expect(held.map(\.stored.post.id) == [PostID("x:1")])
            #expect(await intake.auditEntries(limit: 10).first?.moderator == "Alice")
        }
    }

    @Test func preModeHoldsUntilApprovedAndUndoPutsItBack() async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite"), settings: ModerationSettings(mode: .pre)) { intake, _, _ in
            let id = try await intake.accept(IncomingPost(id: PostID("sms:1"), channel: .sms, author: Author(name: "Julie"), text: "Bonjour"))
            #expect(try await intake.snapshot(limit: 10).posts.isEmpty)
            let held = try await intake.moderatorSnapshot(limit: 10, states: [.held]).posts
            #expect(held.first?.stored.moderation.heldBecause == "pre-moderation")
            _ = try await intake.moderate(id, .approve, by: "Bob")
            #expect(try await intake.snapshot(limit: 10).posts.map(\.id) == [id])
            await #expect(throws: ModerationConflict.self) { _ = try await intake.moderate(id, .approve, by: "Bob") }
            await #expect(throws: ModerationConflict.self) { _ = try await intake.undo(by: "Alice") }  // Alice did nothing
            let undone = try await intake.undo(by: "Bob")
            #expect(undone.action == .approve && undone.undone)
            #expect(try await intake.snapshot(limit: 10).posts.isEmpty)
            #expect(try await intake.moderatorSnapshot(limit: 10, states: [.held]).posts.count == 1)
        }
    }

    @Test func banningHidesAnAuthorsPostsAndHoldsTheirNextOnes() async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite")) { intake, _, _ in
            let troll = Author(name: "Troll", handle: "troll")
            let first = try await intake.accept(IncomingPost(id: PostID("x:1"), channel: .x, author: troll, text: "un"))
            _ = try await intake.accept(IncomingPost(id: PostID("x:2"), channel: .x, author: troll, text: "deux"))
            _ = try await intake.accept(IncomingPost(id: PostID("x:3"), channel: .x, author: Author(name: "Claire", handle: "claire"), text: "trois"))
            #expect(try await intake.ban(authorOf: first, by: "Alice") == 2)
            #expect(try await intake.snapshot(limit: 10).posts.map(\.id.rawValue) == ["x:3"])
            _ = try await intake.accept(IncomingPost(id: PostID("x:4"), channel: .x, author: troll, text: "quatre"))
            let held = try await intake.moderatorSnapshot(limit: 10, states: [.held]).posts
            #expect(held.map(\.stored.post.id.rawValue) == ["x:4"] && held.first?.authorBanned == true)
        }
    }

    @Test func hidingEmitsRemoveOnTheWallStreamAndTheModeratorsSeeIt() async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite")) { intake, hubs, _ in
            let id = try await intake.accept(IncomingPost(id: PostID("x:1"), channel: .x, author: Author(name: "T", handle: "t"), text: "oups"))
            let wall = RecordingClient.attach(to: hubs.wall, after: hubs.wall.lastEvent)
            let moderators = RecordingClient.attach(to: hubs.moderators, after: hubs.moderators.lastEvent)
            _ = try await intake.moderate(id, .hide, by: "Alice")
            let removal = String(buffer: try await wall.take(1)[0])
            #expect(removal.contains("event: remove") && removal.contains(#""id":"x:1""#))
            let seen = try await moderators.take(2).map { String(buffer: $0) }
            #expect(seen.contains { $0.contains("event: post") && $0.contains(#""state":"hidden""#) })
            #expect(seen.contains { $0.contains("event: audit") && $0.contains("Alice") })
        }
    }
}

@Suite struct ProjectorDelayTests {
    let delayed = ModerationSettings(blocklist: [], projectorDelaySeconds: 30)

    @Test func theProjectorGetsAPostOnlyOnceItsDelayHasPassed() async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite"), settings: self.delayed) { intake, hubs, _ in
            let projector = RecordingClient.attach(to: hubs.projector, after: hubs.projector.lastEvent)
            let wall = RecordingClient.attach(to: hubs.wall, after: hubs.wall.lastEvent)
            let id = try await intake.accept(IncomingPost(id: PostID("x:1"), channel: .x, author: Author(name: "C", handle: "c"), text: "bonjour"))
            #expect(String(buffer: try await wall.take(1)[0]).contains("event: post"))  // followers are not delayed
            #expect(try await intake.projectorSnapshot(limit: 10).posts.isEmpty)
            try await intake.releaseProjectorPosts(now: Date().addingTimeInterval(10))
            #expect(try await intake.projectorSnapshot(limit: 10).posts.isEmpty)
            try await intake.releaseProjectorPosts(now: Date().addingTimeInterval(31))
            let released = String(buffer: try await projector.take(1)[0])
            #expect(released.contains("event: post") && released.contains(id.rawValue))
            #expect(try await intake.projectorSnapshot(limit: 10).posts.map(\.id) == [id])
        }
    }

    @Test func aPostHiddenWithinTheDelayNeverReachesTheProjector() async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite"), settings: self.delayed) { intake, hubs, _ in
            let projector = RecordingClient.attach(to: hubs.projector, after: hubs.projector.lastEvent)
            let hidden = try await intake.accept(IncomingPost(id: PostID("x:1"), channel: .x, author: Author(name: "T", handle: "t"), text: "raid"))
            _ = try await intake.moderate(hidden, .hide, by: "Alice")
            let kept = try await intake.accept(IncomingPost(id: PostID("x:2"), channel: .x, author: Author(name: "C", handle: "c"), text: "ok"))
            try await intake.releaseProjectorPosts(now: Date().addingTimeInterval(60))
            let frames = try await projector.take(1).map { String(buffer: $0) }
            #expect(frames.count == 1 && frames[0].contains(kept.rawValue) && frames[0].contains("event: post"))
            #expect(!frames[0].contains("raid"))
        }
    }
}

@Suite struct ModerationRestartTests {
    /// Applies `act` to a fresh wall, restarts it, and returns what the restarted wall says about post `x:1`.
    func afterRestart(
        settings: ModerationSettings = ModerationSettings(blocklist: []), _ act: @Sendable @escaping (Intake, PostID) async throws -> Void
    ) async throws -> (state: PostState?, pinned: Bool?, publicIDs: [PostID], settings: ModerationSettings, audit: [AuditEntry]) {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        try await withWall(path: path, settings: settings) { intake, _, _ in
            let id = try await intake.accept(IncomingPost(id: PostID("x:1"), channel: .x, author: Author(name: "A", handle: "a"), text: "un"))
            try await act(intake, id)
        }
        return try await withWall(path: path) { intake, _, _ in
            let all = try await intake.moderatorSnapshot(limit: 10, states: Set(PostState.allCases)).posts
            let post = all.first { $0.stored.post.id == PostID("x:1") }
            return (
                post?.stored.moderation.state, post?.stored.post.pinned, try await intake.snapshot(limit: 10).posts.map(\.id), await intake.settings,
                await intake.auditEntries(limit: 10)
            )
        }
    }

    @Test func everyActionSurvivesARestart() async throws {
        let held = ModerationSettings(mode: .pre, blocklist: [])
        var result = try await afterRestart { _ = try await $0.moderate($1, .hide, by: "A") }
        #expect(result.state == .hidden && result.publicIDs.isEmpty)
        result = try await afterRestart {
            _ = try await $0.moderate($1, .hide, by: "A")
            _ = try await $0.moderate($1, .show, by: "A")
        }
        #expect(result.state == .visible && result.publicIDs == [PostID("x:1")])
        result = try await afterRestart(settings: held) { _ = try await $0.moderate($1, .approve, by: "A") }
        #expect(result.state == .visible && result.publicIDs == [PostID("x:1")])
        result = try await afterRestart(settings: held) { _ = try await $0.moderate($1, .reject, by: "A") }
        #expect(result.state == .rejected && result.publicIDs.isEmpty)
        result = try await afterRestart { _ = try await $0.moderate($1, .pin, by: "A") }
        #expect(result.pinned == true)
        result = try await afterRestart {
            _ = try await $0.moderate($1, .pin, by: "A")
            _ = try await $0.moderate($1, .unpin, by: "A")
        }
        #expect(result.pinned == false)
        result = try await afterRestart { _ = try await $0.ban(authorOf: $1, by: "A") }
        #expect(result.state == .hidden && result.audit.first?.action == .ban)
        result = try await afterRestart {
            _ = try await $0.ban(authorOf: $1, by: "A")
            _ = try await $0.unban(authorOf: $1, by: "A")
        }
        #expect(result.audit.first?.action == .unban)
        result = try await afterRestart { intake, _ in
            _ = try await intake.updateSettings(ModerationSettings(mode: .pre, channelModes: ["sms": .post], blocklist: ["zut"]), by: "A")
        }
        #expect(result.settings.mode == .pre && result.settings.channelModes == ["sms": .post] && result.settings.blocklist == ["zut"])
        result = try await afterRestart {
            _ = try await $0.moderate($1, .hide, by: "A")
            _ = try await $0.undo(by: "A")
        }
        #expect(result.state == .visible && result.audit.map(\.action) == [.undo, .hide] && result.audit[1].undone)
    }

    @Test func aBannedAuthorStaysBannedAfterARestart() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        try await withWall(path: path) { intake, _, _ in
            let id = try await intake.accept(IncomingPost(id: PostID("x:1"), channel: .x, author: Author(name: "T", handle: "troll"), text: "un"))
            _ = try await intake.ban(authorOf: id, by: "A")
        }
        try await withWall(path: path) { intake, _, _ in
            _ = try await intake.accept(IncomingPost(id: PostID("x:2"), channel: .x, author: Author(name: "T", handle: "troll"), text: "deux"))
            #expect(try await intake.snapshot(limit: 10).posts.isEmpty)
            #expect(try await intake.moderatorSnapshot(limit: 10, states: [.held]).posts.first?.stored.moderation.heldBecause == "banned author")
        }
    }
}

@Suite struct PostJSONTests {
    @Test func aModeratedPostSplicedFromThePostsOwnJSONEqualsItsFullEncoding() throws {
        let post = Post(
            id: PostID("sms:twilio:SM1"), channel: .sms, author: Author(name: "Claire « C »", handle: "+33 6 •• •• •• 42"),
            text: "Bravo 👏 pour la \"table ronde\"\n#capcomnet", createdAt: Date(timeIntervalSince1970: 1_795_000_000),
            receivedAt: Date(timeIntervalSince1970: 1_795_000_001))
        let stored = StoredPost(
            post: post, arrival: 7,
            moderation: Moderation(
                state: .held, heldSince: 1_795_000_001, heldBecause: "pre-moderation", authorKey: "sms:abc", contact: "+33612345678"))
        let moderated = ModeratedPost(stored: stored, authorBanned: false, authorTrusted: true)
        var posts = PostJSON()
        let postJSON = try posts.encode(post)
        let spliced = try posts.encode(moderated)
        let full = try JSONEncoder().encode(moderated)
        let object = { (data: Data) in try JSONSerialization.jsonObject(with: data) as? NSDictionary }
        #expect(try object(spliced) == object(full))
        #expect(try object(spliced)?["state"] as? String == "held")
        #expect(try posts.encode(post) == postJSON, "the same post is encoded once")
    }

    @Test func theModerationFieldsAreWhatJSONEncoderMakesOfThemForEveryState() throws {
        var generator = SeededGenerator(seed: 20_261_208)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let object = { (data: Data) in try JSONSerialization.jsonObject(with: data) as? NSDictionary }
        for round in 0..<300 {
            let maybe = { (generator: inout SeededGenerator, text: String) in Bool.random(using: &generator) ? text : nil }
            let post = Post(
                id: PostID("api:\(round)"), channel: .api, author: Author(name: "A", handle: nil), text: "t",
                createdAt: Date(timeIntervalSince1970: 1_795_000_000), receivedAt: Date(timeIntervalSince1970: 1_795_000_001))
            let question =
                Bool.random(using: &generator)
                ? Moderation.Question(markedAt: 1_795_000_002.25, doneAt: Bool.random(using: &generator) ? 1_795_000_003 : nil) : nil
            let moderation = Moderation(
                state: PostState.allCases.randomElement(using: &generator)!,
                heldSince: Bool.random(using: &generator) ? 1_795_000_001.5 + Double(round) : nil,
                heldBecause: maybe(&generator, PostJSONWriterTests.text(Int.random(in: 0...12, using: &generator), using: &generator)),
                authorKey: "api:x", contact: maybe(&generator, PostJSONWriterTests.text(8, using: &generator)), question: question)
            let moderated = ModeratedPost(
                stored: StoredPost(post: post, arrival: Int64(round), moderation: moderation), authorBanned: Bool.random(using: &generator),
                authorTrusted: Bool.random(using: &generator))
            var posts = PostJSON()
            let written = try posts.encode(moderated)
            #expect(try object(written) == object(encoder.encode(moderated)), "round \(round): \(String(decoding: written, as: UTF8.self))")
            let text = String(decoding: written, as: UTF8.self)
            for string in [moderation.heldBecause, moderation.contact].compactMap({ $0 }) {
                #expect(text.contains(String(decoding: try encoder.encode(string), as: UTF8.self)), "round \(round)")
            }
        }
    }
}

@Suite struct PostJSONWriterTests {
    /// Scalars that JSON treats specially, and some that it does not but a careless writer might.
    static let alphabet: [String] =
        (0x00...0x20).compactMap { Unicode.Scalar(UInt32($0)).map { String(Character($0)) } } + [
            "\"", "\\", "/", "\u{7F}", "\u{80}", "\u{A0}", "\u{AD}", "\u{2028}", "\u{2029}", "\u{FEFF}", "é", "e\u{301}", "«", "👏", "👩‍👩‍👧", "𝕏", "a",
            "Z", "#", "@", "<", ">", "&",
        ]

    static func text<G: RandomNumberGenerator>(_ length: Int, using generator: inout G) -> String {
        var text = ""
        for _ in 0..<length { text += alphabet.randomElement(using: &generator)! }
        return text
    }

    @Test func theWriterMakesWhatJSONEncoderMakesOfHostilePostsEscapeForEscape() throws {
        var generator = SeededGenerator(seed: 20_261_207)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        for round in 0..<400 {
            let media = (0..<Int.random(in: 0...2, using: &generator)).compactMap { index in
                Media(
                    source: "https://example.org/\(round)/\(index).jpg", alt: Self.text(Int.random(in: 0...8, using: &generator), using: &generator),
                    width: Bool.random(using: &generator) ? Int.random(in: 1...4000, using: &generator) : nil,
                    height: Bool.random(using: &generator) ? Int.random(in: 1...4000, using: &generator) : nil,
                    sensitive: Bool.random(using: &generator))
            }
            let post = Post(
                id: PostID("api:" + Self.text(Int.random(in: 1...6, using: &generator), using: &generator)),
                channel: ChannelKind.allCases.randomElement(using: &generator)!,
                author: Author(
                    name: Self.text(Int.random(in: 0...10, using: &generator), using: &generator),
                    handle: Bool.random(using: &generator) ? Self.text(5, using: &generator) : nil),
                text: Self.text(Int.random(in: 0...40, using: &generator), using: &generator),
                createdAt: Date(timeIntervalSince1970: 1_795_000_000 + Double(round) * (Bool.random(using: &generator) ? 1 : 0.123)),
                receivedAt: Date(timeIntervalSince1970: 1_795_000_000.5 + Double(round)),
                url: Bool.random(using: &generator) ? "https://example.org/p/\(round)?q=\"x\"&y=/z" : nil, media: media,
                hashtags: (0..<Int.random(in: 0...3, using: &generator)).map { _ in Self.text(4, using: &generator) },
                spans: (0..<Int.random(in: 0...3, using: &generator)).map { index in
                    TextSpan(kind: [.url, .mention, .hashtag][index % 3], start: index * 3, end: index * 3 + 2)
                },
                reposts: Int.random(in: 0...5, using: &generator), pinned: Bool.random(using: &generator),
                contentWarning: Bool.random(using: &generator) ? Self.text(6, using: &generator) : nil)
            let expected = try encoder.encode(post)
            let written = PostJSONWriter.encode(post)
            // The same object (JSONEncoder's key order is its dictionary's, ours the declaration's)…
            let object = { (data: Data) in try JSONSerialization.jsonObject(with: data) as? NSDictionary }
            let same = try object(written) == object(expected)
            #expect(same, "round \(round): \(String(decoding: written, as: UTF8.self)) ≠ \(String(decoding: expected, as: UTF8.self))")
            // …with every string escaped exactly as JSONEncoder escapes it.
            let strings =
                [post.id.rawValue, post.author.name, post.text] + [post.author.handle, post.url, post.contentWarning].compactMap { $0 }
                + post.hashtags + post.media.flatMap { [$0.alt, $0.url, $0.source] }
            let text = String(decoding: written, as: UTF8.self)
            for string in strings {
                let escaped = String(decoding: try encoder.encode(string), as: UTF8.self)
                #expect(text.contains(escaped), "round \(round): \(escaped) not in \(text)")
            }
            if !same { return }
        }
    }
}

@Suite struct WireDateTests {
    @Test func datesAreWrittenAsTheISO8601FormatterWritesThem() {
        let whole = Date.ISO8601FormatStyle(includingFractionalSeconds: false)
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var generator = SeededGenerator(seed: 1_795_000_000)
        var instants: [Double] = [0, 0.001, 0.5, 951_782_400.25, 1_795_000_000.123, 4_102_444_800.999, 253_402_300_799.999, -1.5, 253_402_300_800]
        for index in 0..<30_000 {
            switch index % 3 {
            case 0:
                instants.append(
                    Double(Int.random(in: 0...4_102_444_800, using: &generator)) + Double(Int.random(in: 0...999, using: &generator)) / 1000)
            case 1: instants.append(Double.random(in: 0...4_102_444_800, using: &generator))
            default: instants.append(Double(Int.random(in: 0...253_402_300_799, using: &generator)))
            }
        }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            let expected = seconds.rounded(.down) == seconds ? date.formatted(whole) : date.formatted(fractional)
            #expect(WireDate.format(date) == expected, "\(seconds)")
            if seconds >= 0 && seconds < 253_402_300_800 { #expect(WireDate.written(date) == expected, "\(seconds)") }
        }
    }
}
