import Foundation
import HashwallTestSupport
import NIOCore
import Testing

@testable import HashwallCore

/// What a moderator hides, holds or rejects reaches no public stream by any path: not a replay, not an edit, not a
/// repost, not a name that copies a trusted one.
@Suite struct ReplayShowsOnlyWhatIsVisibleTests {
    @Test func aReplayFromBeforeAHideCarriesOnlyTheRemoveOfTheHiddenPost() async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite")) { intake, hubs, _ in
            let start = hubs.wall.lastEvent
            let hidden = try await intake.accept(post("x:1", handle: "troll", "un secret bien gardé"))
            _ = try await intake.accept(post("x:2", handle: "claire", "bonjour"))
            _ = try await intake.accept(post("x:1", handle: "troll", "un secret bien gardé, édité"))
            _ = try await intake.moderate(hidden, .hide, by: "Alice")
            for hub in [hubs.wall, hubs.projector] {
                let replay = RecordingClient.attach(to: hub, after: start)
                let frames = try await replay.take(2).map { String(buffer: $0) }
                #expect(frames.contains { $0.contains("event: post") && $0.contains("bonjour") }, "\(hub.name)")
                #expect(frames.contains { $0.contains("event: remove") && $0.contains(#""id":"x:1""#) }, "\(hub.name)")
                #expect(!frames.joined().contains("secret"), "\(hub.name): the hidden text was replayed")
            }
        }
    }

    @Test func aPostShownAgainIsReplayedAndOneHiddenAgainIsNot() async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite")) { intake, hubs, _ in
            let start = hubs.wall.lastEvent
            let id = try await intake.accept(post("x:1", handle: "a", "aller-retour"))
            _ = try await intake.moderate(id, .hide, by: "Alice")
            _ = try await intake.moderate(id, .show, by: "Alice")
            var frames = try await RecordingClient.attach(to: hubs.wall, after: start).take(3).map { String(buffer: $0) }
            #expect(frames.last?.contains("event: post") == true && frames.last?.contains("aller-retour") == true)
            _ = try await intake.moderate(id, .hide, by: "Alice")
            let replay = RecordingClient.attach(to: hubs.wall, after: start)
            frames = try await replay.take(2).map { String(buffer: $0) }
            #expect(frames.allSatisfy { $0.contains("event: remove") })
            _ = try await intake.accept(post("x:2", handle: "b", "suivant"))
            #expect(String(buffer: try await replay.take(1)[0]).contains("suivant"), "the replayed client goes on live")
        }
    }
}

@Suite struct EditsAreModeratedTests {
    @Test func anEditIntoTheBlocklistTakesAVisiblePostOffTheWall() async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite"), settings: ModerationSettings(blocklist: ["arnaque"])) { intake, hubs, _ in
            let id = try await intake.accept(post("x:1", handle: "paul", "Bonne conférence"))
            let wall = RecordingClient.attach(to: hubs.wall, after: hubs.wall.lastEvent)
            _ = try await intake.accept(post("x:1", handle: "paul", "Quelle arnaque"))
            #expect(String(buffer: try await wall.take(1)[0]).contains("event: remove"))
            #expect(try await intake.snapshot(limit: 10).posts.isEmpty)
            let held = try #require(try await intake.moderatorSnapshot(limit: 10, states: [.held]).posts.first)
            #expect(held.stored.post.id == id && held.stored.moderation.heldBecause == "blocklist: «arnaque»")
            #expect(try await intake.visiblePost(id) == nil)
        }
    }

    @Test func inPreModeAnEditWaitsForApprovalAgainButATrustedAuthorsDoesNot() async throws {
        let directory = try TemporaryDirectory()
        let settings = ModerationSettings(mode: .pre, blocklist: [], trusted: ["@orga"])
        try await withWall(path: directory.file("wall.sqlite"), settings: settings) { intake, _, _ in
            let id = try await intake.accept(post("x:1", handle: "paul", "Version approuvée"))
            _ = try await intake.moderate(id, .approve, by: "Alice")
            _ = try await intake.accept(post("x:1", handle: "paul", "Version jamais vue"))
            #expect(try await intake.snapshot(limit: 10).posts.isEmpty)
            _ = try await intake.moderate(id, .approve, by: "Alice")
            #expect(try await intake.snapshot(limit: 10).posts.map(\.text) == ["Version jamais vue"])

            _ = try await intake.accept(post("x:2", handle: "orga", "Pause à 10 h"))
            _ = try await intake.accept(post("x:2", handle: "orga", "Pause à 10 h 30"))
            #expect(try await intake.snapshot(limit: 10).posts.map(\.text).contains("Pause à 10 h 30"))
        }
    }

    @Test func anUpdateFromAnotherSenderNeverRewritesThePost() async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite")) { intake, _, _ in
            _ = try await intake.accept(post("api:42", handle: "claire", "Le texte de Claire"))
            _ = try await intake.accept(post("api:42", handle: "mallory", "Le texte de Mallory"))
            let posts = try await intake.snapshot(limit: 10).posts
            #expect(posts.map(\.text) == ["Le texte de Claire"] && posts.first?.author.handle == "claire")
        }
    }
}

@Suite struct IdentityTests {
    @Test func trustFollowsTheVerifiedHandleNeverTheDisplayName() async throws {
        let directory = try TemporaryDirectory()
        let settings = ModerationSettings(mode: .pre, blocklist: [], trusted: ["Claire_M", "+33 6 12 34 56 78"])
        try await withWall(path: directory.file("wall.sqlite"), settings: settings) { intake, _, _ in
            _ = try await intake.accept(
                IncomingPost(id: PostID("x:1"), channel: .x, author: Author(name: "Claire_M", handle: "imposteur"), text: "un"))
            _ = try await intake.accept(IncomingPost(id: PostID("api:2"), channel: .api, author: Author(name: "Claire_M"), text: "deux"))
            _ = try await intake.accept(IncomingPost(id: PostID("x:3"), channel: .x, author: Author(name: "C", handle: "@claire_m"), text: "trois"))
            let number = AuthorKey.phoneIdentity(e164: "+33612345678")
            _ = try await intake.accept(
                IncomingPost(
                    id: PostID("sms:4"), channel: .sms, author: Author(name: "SMS", handle: "+33 6 •• •• •• 78"), text: "quatre", authorKey: number))
            // Same masked number, another phone: not trusted.
            _ = try await intake.accept(
                IncomingPost(
                    id: PostID("sms:5"), channel: .sms, author: Author(name: "SMS", handle: "+33 6 •• •• •• 78"), text: "cinq",
                    authorKey: AuthorKey.phoneIdentity(e164: "+33699999978")))
            #expect(try await intake.snapshot(limit: 10).posts.map(\.text).sorted() == ["quatre", "trois"])
        }
    }

    @Test func aRepostByHandleWithOrWithoutAtCountsOnTheOriginalAndNeverBringsBackAHiddenOne() async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite")) { intake, _, _ in
            _ = try await intake.accept(post("x:1", handle: "@alice", "Superbe table ronde ce matin"))
            _ = try await intake.accept(post("x:2", handle: "bob", "RT @alice: Superbe table ronde ce matin"))
            var posts = try await intake.snapshot(limit: 10).posts
            #expect(posts.count == 1 && posts.first?.reposts == 1)

            let hidden = try await intake.accept(post("x:3", handle: "alice", "Un texte à cacher"))
            _ = try await intake.moderate(hidden, .hide, by: "Alice")
            _ = try await intake.accept(post("x:4", handle: "carol", "RT @Alice: Un texte à cacher"))
            posts = try await intake.snapshot(limit: 10).posts
            #expect(!posts.contains { $0.text.contains("cacher") })
        }
    }
}

@Suite struct FailedCommitsLeaveNoTraceTests {
    /// Runs `act` on a wall with one visible post `x:1` (and one held `x:2`) while the database refuses writes, and
    /// checks that it threw and that memory and every public stream are as before.
    func expectNoTrace(
        settings: ModerationSettings = ModerationSettings(blocklist: ["zut"]), _ name: String,
        _ act: @Sendable @escaping (Intake, PostID) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite"), settings: settings) { intake, hubs, journal in
            let id = try await intake.accept(post("x:1", handle: "a", "visible"))
            _ = try await intake.accept(post("x:2", handle: "b", "zut alors"))
            _ = try await intake.moderate(id, .pin, by: "Alice")
            // What the moderators and the wall see of each post (dates aside: the database keeps them to the millisecond).
            let seen = { @Sendable () async throws -> [String] in
                try await intake.moderatorSnapshot(limit: 10, states: Set(PostState.allCases)).posts.map {
                    let s = $0.stored
                    return
                        "\(s.post.id) \(s.post.text) \(s.moderation.state) \(s.moderation.heldBecause ?? "") \(s.post.pinned) \(s.post.reposts) \($0.authorBanned)"
                }
            }
            let audit = { @Sendable () async in await intake.auditEntries(limit: 10).map { "\($0.id) \($0.action) \($0.undone) \($0.summary)" } }
            let before = try await seen()
            let settingsBefore = await intake.settings
            let auditBefore = await audit()
            let wall = RecordingClient.attach(to: hubs.wall, after: hubs.wall.lastEvent)
            try await journal.refuseWrites(true)
            await #expect(throws: JournalError.self, "\(name)") { try await act(intake, id) }
            try await journal.refuseWrites(false)
            #expect(try await seen() == before, "\(name): memory changed")
            #expect(await intake.settings == settingsBefore, "\(name): settings changed")
            #expect(await audit() == auditBefore, "\(name): audit changed")
            #expect(try await intake.snapshot(limit: 10).posts.map(\.id) == [id], "\(name)")
            // The next change is the first thing any screen hears.
            _ = try await intake.accept(post("x:9", handle: "c", "ensuite"))
            let next = String(buffer: try await wall.take(1)[0])
            #expect(next.contains("ensuite"), "\(name): a screen heard of the failed change")
        }
    }

    @Test func everyActionWhoseCommitFailsChangesNothing() async throws {
        try await expectNoTrace("hide") { _ = try await $0.moderate($1, .hide, by: "Alice") }
        try await expectNoTrace("unpin") { _ = try await $0.moderate($1, .unpin, by: "Alice") }
        try await expectNoTrace("approve") { intake, _ in _ = try await intake.moderate(PostID("x:2"), .approve, by: "Alice") }
        try await expectNoTrace("reject") { intake, _ in _ = try await intake.moderate(PostID("x:2"), .reject, by: "Alice") }
        try await expectNoTrace("ban") { _ = try await $0.ban(authorOf: $1, by: "Alice") }
        try await expectNoTrace("settings") { intake, _ in
            _ = try await intake.updateSettings(ModerationSettings(mode: .pre, blocklist: []), by: "Alice")
        }
        try await expectNoTrace("undo") { intake, _ in _ = try await intake.undo(by: "Alice") }
        try await expectNoTrace("edit") { intake, _ in _ = try await intake.accept(post("x:1", handle: "a", "visible, modifié")) }
        try await expectNoTrace("repost") { intake, _ in _ = try await intake.accept(post("x:5", handle: "d", "RT @a: visible")) }
        try await expectNoTrace("new post") { intake, _ in _ = try await intake.accept(post("x:6", handle: "e", "nouveau")) }
    }

    @Test func aProjectorReleaseWhoseCommitFailsIsReleasedLater() async throws {
        let directory = try TemporaryDirectory()
        try await withWall(path: directory.file("wall.sqlite"), settings: ModerationSettings(blocklist: [], projectorDelaySeconds: 30)) {
            intake, hubs, journal in
            let projector = RecordingClient.attach(to: hubs.projector, after: hubs.projector.lastEvent)
            let id = try await intake.accept(post("x:1", handle: "a", "plus tard"))
            try await journal.refuseWrites(true)
            await #expect(throws: JournalError.self) { try await intake.releaseProjectorPosts(now: Date().addingTimeInterval(31)) }
            try await journal.refuseWrites(false)
            #expect(try await intake.projectorSnapshot(limit: 10).posts.isEmpty)
            try await intake.releaseProjectorPosts(now: Date().addingTimeInterval(31))
            #expect(String(buffer: try await projector.take(1)[0]).contains(id.rawValue))
        }
    }
}

@Suite struct HostileTextTests {
    @Test func invisibleCharactersAndLookAlikesCannotDodgeTheBlocklist() {
        let list = Blocklist(["arnaque", "fuck"])
        for evasion in [
            "quelle ar\u{00AD}naque", "ar\u{200D}naque", "ar\u{200C}na\u{2060}que", "ar\u{2063}naque", "ar\u{200E}naque", "ar\u{E0061}naque",
            "аrnаquе",  // Cyrillic а and е
            "ＡＲＮＡＱＵＥ", "𝐚𝐫𝐧𝐚𝐪𝐮𝐞", "fυck",
        ] {
            #expect(list.firstMatch(in: evasion) != nil, "\(evasion.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(list.firstMatch(in: "Une belle démarche") == nil)
    }

    @Test func theScannerIsLinearOnPathologicalInput() {
        // A URL followed by many closing brackets: each bracket is looked at a bounded number of times.
        let text = "https://example.org/" + String(repeating: ")", count: 20_000)
        let scan = TextScanner.scan(text)
        #expect(scan.spans.count == 1 && scan.spans[0].end == 20)
        #expect(TextScanner.scan(String(repeating: ")", count: 20_000)).spans.isEmpty)
        #expect(TextScanner.scan(String(repeating: "@a.", count: 5_000)).spans.count >= 1)
    }

    @Test func absurdDatesAndDeepJSONAreRefusedWithAReason() throws {
        for seconds in [Double.nan, .infinity, -.infinity, -62_135_596_800, 253_402_300_800] {
            #expect(throws: InvalidField.self) { _ = try WireDate.plausible(seconds, field: "createdAt") }
        }
        #expect(throws: InvalidField.self) { _ = try WireDate.parse("0001-01-01T00:00:00Z", field: "createdAt") }
        #expect(throws: InvalidField.self) {
            _ = try PreparedPost(
                IncomingPost(id: PostID("api:1"), channel: .api, author: Author(name: "A"), text: "t", createdAt: Date(timeIntervalSince1970: .nan)),
                receivedAt: Date())
        }
        let deep = Array(String(repeating: "[", count: 100_000).utf8)
        #expect(throws: InvalidField.self) { try JSONNesting.check(deep) }
        try JSONNesting.check(Array(#"{"a": [1, {"b": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}]}"#.utf8))
    }
}

private func post(_ id: String, handle: String, _ text: String) -> IncomingPost {
    IncomingPost(
        id: PostID(id), channel: ChannelKind(rawValue: String(id.prefix { $0 != ":" })) ?? .api, author: Author(name: handle, handle: handle),
        text: text)
}

@Suite struct BoundedUnderAttackTests {
    @Test func heldPostsBeyondTheMemoryBoundStayOnDiskAndTheConsolePagesThem() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        let limits = StoreLimits(maxPosts: 5, maxRememberedKeys: 10_000)
        let settings = ModerationSettings(mode: .pre, blocklist: [])
        try await withWall(path: path, limits: limits, settings: settings) { intake, _, _ in
            for i in 0..<40 { _ = try await intake.accept(post("x:\(i)", handle: "flood\(i)", "message \(i)")) }
            #expect(await intake.count <= 5)
            let held = try await intake.moderatorSnapshot(limit: 100, states: [.held]).posts.map(\.stored.post.id.rawValue)
            #expect(held.count == 40 && held.first == "x:39" && held.last == "x:0", "\(held)")
            // The oldest, on disk only, can still be approved.
            _ = try await intake.moderate(PostID("x:0"), .approve, by: "Alice")
            #expect(try await intake.visiblePost(PostID("x:0"))?.text == "message 0")
        }
        try await withWall(path: path, limits: limits, settings: settings) { (intake: Intake, _: WallHubs, _: Journal) async throws in
            #expect(await intake.count <= 5, "a restart loads only the newest held posts")
            #expect(try await intake.moderatorSnapshot(limit: 100, states: [.held]).posts.count == 39)
        }
    }
}

@Suite struct PagingOrderTests {
    /// A post that arrives late with an early date (a channel catching up, or posts prepared concurrently) when memory
    /// is full: it is journaled, and memory keeps the newest posts, so a page continued on disk misses none.
    @Test func aLatePostWithAnEarlyDateIsKeptAndPagingMissesNothing() async throws {
        let directory = try TemporaryDirectory()
        let limits = StoreLimits(maxPosts: 5, maxRememberedKeys: 10_000)
        try await withWall(path: directory.file("wall.sqlite"), limits: limits, settings: ModerationSettings(blocklist: [])) { intake, _, _ in
            let start = Date().addingTimeInterval(-3600)
            for i in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0] {
                _ = try await intake.accept(
                    IncomingPost(
                        id: PostID("x:\(i)"), channel: .x, author: Author(name: "A", handle: "a\(i)"), text: "post \(i)",
                        createdAt: start.addingTimeInterval(Double(i))))
            }
            let ids = try await intake.snapshot(limit: 100).posts.map(\.id.rawValue)
            #expect(ids == (0...10).reversed().map { "x:\($0)" })
        }
    }
}
