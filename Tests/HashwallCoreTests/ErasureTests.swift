import Foundation
import HashwallTestSupport
import NIOCore
import Testing

@testable import HashwallCore

/// An author's erasure request and the contact retention, on the journal and intake themselves.
@Suite struct ErasureTests {
    func sms(_ id: String, number: String, _ text: String, createdAt: Date = Date()) -> IncomingPost {
        IncomingPost(
            id: PostID("sms:test:\(id)"), channel: .sms, author: Author(name: "Claire", handle: "+33 6 •• •• •• 44"), text: text,
            createdAt: createdAt, authorKey: "sms:" + AuthorKey.phoneIdentity(e164: number), contact: number)
    }

    @Test func erasedPostsLeaveMemoryTheDatabaseAndTheReplayAndARedeliveryStaysOut() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        try await withWall(path: path) { intake, hubs, _ in
            let start = hubs.wall.lastEvent
            let first = try await intake.accept(sms("1", number: "+33611223344", "Effacez-moi XYZZY"))
            _ = try await intake.accept(sms("2", number: "+33611223344", "Encore moi XYZZY"))
            let other = try await intake.accept(incoming("api:1", name: "Paul", text: "Je reste"))
            _ = try await intake.moderate(first, .hide, by: "Alice")
            let erasure = try await intake.erase(authorOf: first, by: "Alice")
            #expect(erasure.erased == 2)
            let gone = await intake.post(first)
            let kept = await intake.post(other)
            #expect(gone == nil && kept != nil)
            #expect(await intake.auditEntries(limit: 10).first?.action == .erased)
            #expect(!(await intake.auditEntries(limit: 10)).contains { $0.summary.contains("XYZZY") || $0.summary.contains("Claire") })
            // A replay from before starts over: nothing of the erased posts is sent again.
            let replay = RecordingClient.attach(to: hubs.wall, after: start)
            let frames = try await replay.take(1).map { String(buffer: $0) }
            #expect(frames.first?.contains("event: reset") == true)
            // The gateway retries: it stays erased.
            _ = try await intake.accept(sms("2", number: "+33611223344", "Encore moi XYZZY"))
            #expect(await intake.post(PostID("sms:test:2")) == nil)
        }
        for file in [path, path + "-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            #expect(bytes.range(of: Data("XYZZY".utf8)) == nil, "\(file) still holds the erased text")
            #expect(bytes.range(of: Data("611223344".utf8)) == nil, "\(file) still holds the number")
        }
        try await withWall(path: path) { intake, _, journal in
            _ = try await intake.accept(sms("1", number: "+33611223344", "Effacez-moi XYZZY"))
            #expect(await intake.post(PostID("sms:test:1")) == nil, "still erased after a restart")
            #expect(try await journal.allPosts().map(\.post.id) == [PostID("api:1")])
            // A new post of the same author is a new post.
            _ = try await intake.accept(sms("3", number: "+33611223344", "Un nouveau message"))
            #expect(await intake.post(PostID("sms:test:3")) != nil)
        }
    }

    @Test func contactsOlderThanTheRetentionAreWipedInMemoryAndOnDisk() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("wall.sqlite")
        try await withWall(path: path) { intake, _, journal in
            let old = try await intake.accept(sms("1", number: "+33699887766", "Ancien", createdAt: Date().addingTimeInterval(-10 * 86_400)))
            let recent = try await intake.accept(sms("2", number: "+33655443322", "Récent"))
            #expect(try await intake.wipeContacts(olderThanDays: 7) == 1)
            let stored = try await journal.allPosts()
            #expect(stored.first { $0.post.id == old }?.moderation.contact == nil)
            #expect(stored.first { $0.post.id == recent }?.moderation.contact == "+33655443322")
            let snapshot = try await intake.moderatorSnapshot(limit: 10, states: Set(PostState.allCases))
            #expect(snapshot.posts.first { $0.stored.post.id == old }?.stored.moderation.contact == nil)
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path)) + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
        #expect(bytes.range(of: Data("+33699887766".utf8)) == nil, "the wiped number is still in the files")
        #expect(bytes.range(of: Data("+33655443322".utf8)) != nil)
    }
}
