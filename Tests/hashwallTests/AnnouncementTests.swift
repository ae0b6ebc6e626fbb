import Foundation
import HTTPTypes
import HashwallCore
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import hashwall

/// The organisers' announcements: written by moderators, durable, pinned on the follower page and in the projector's
/// rotation while active, in and out by time.
@Suite struct AnnouncementTests {
    static let moderator: HTTPFields = [.authorization: "Bearer test-moderator-token", .contentType: "application/json"]

    static func draft(_ text: String, from start: Date, to end: Date) -> ByteBuffer {
        ByteBuffer(
            string:
                #"{"text": \#(String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)), "startsAt": "\#(WireDate.format(start))", "endsAt": "\#(WireDate.format(end))"}"#
        )
    }

    @Test func moderatorsWriteAnnouncementsWithAnImageAndTheyAreDurable() async throws {
        let directory = try TemporaryDirectory()
        let config = HashwallConfig.testing(journalIn: directory.path)
        try await withLiveWall(config) { client, port in
            let now = Date()
            let events = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            #expect(
                try await client.execute(
                    uri: "/api/moderation/announcements", method: .post, headers: [.contentType: "application/json"],
                    body: Self.draft("x", from: now, to: now + 60)
                ).status == .unauthorized)
            let bad = try await client.execute(
                uri: "/api/moderation/announcements", method: .post, headers: Self.moderator, body: Self.draft("Salle B", from: now, to: now - 60))
            #expect(bad.status == .badRequest && String(buffer: bad.body).contains("endsAt"))
            let created = try await client.execute(
                uri: "/api/moderation/announcements", method: .post, headers: Self.moderator,
                body: Self.draft("Prochaine session en salle B à 14 h", from: now - 1, to: now + 3600))
            #expect(created.status == .created)
            let id = try #require(try json(created)["id"] as? String)
            let event = try await events.next()
            #expect(event.type == "announcements" && event.data.contains("salle B"))

            var image = try await client.execute(
                uri: "/api/moderation/announcements/\(id)/image", method: .put, headers: [.authorization: "Bearer test-moderator-token"],
                body: ByteBuffer(string: "<svg onload=alert(1)>"))
            #expect(image.status == .unsupportedMediaType)
            image = try await client.execute(
                uri: "/api/moderation/announcements/\(id)/image", method: .put, headers: [.authorization: "Bearer test-moderator-token"],
                body: ByteBuffer(bytes: MediaTests.png))
            #expect(image.status == .ok)
            let url = try #require(try json(image)["imageURL"] as? String)
            let fetched = try await client.execute(uri: url, method: .get)
            #expect(fetched.status == .ok && fetched.headers[.contentType] == "image/png" && Array(fetched.body.readableBytesView) == MediaTests.png)
            // Ended ones leave the public list; the console keeps them.
            let ended = try await client.execute(
                uri: "/api/moderation/announcements", method: .post, headers: Self.moderator,
                body: Self.draft("Hier", from: now - 7200, to: now - 3600))
            #expect(ended.status == .created)
            let current = try json(try await client.execute(uri: "/api/announcements", method: .get))
            #expect((current["announcements"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["Prochaine session en salle B à 14 h"])
            #expect(current["serverTime"] as? String != nil)
            await events.close()
        }
        try await withLiveWall(config) { client, _ in
            let all = try json(try await client.execute(uri: "/api/moderation/announcements", method: .get, headers: Self.moderator))
            let list = try #require(all["announcements"] as? [[String: Any]])
            #expect(list.count == 2 && list.contains { $0["imageURL"] as? String != nil }, "durable, with the image")
            let id = try #require(list.first { ($0["text"] as? String) == "Hier" }?["id"] as? String)
            #expect(
                try await client.execute(uri: "/api/moderation/announcements/\(id)", method: .delete, headers: Self.moderator).status == .noContent)
            #expect(
                try await client.execute(uri: "/api/moderation/announcements/\(id)", method: .delete, headers: Self.moderator).status == .notFound)
        }
    }

    @Test func theFollowerPagePinsAndTheProjectorRotatesAnAnnouncementOnlyWhileItIsActive() async throws {
        let directory = try TemporaryDirectory()
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            for i in 1...3 { try await ingest(client, body(author: "Auteur \(i)", text: "Message numéro \(i)")) }
            let phone = try await driver.browser(width: 390, height: 844)
            try await phone.open("http://127.0.0.1:\(port)/")
            try await phone.waitUntil("the posts", "return document.querySelectorAll('#cards .card').length === 3")
            let projector = try await driver.browser(width: 1920, height: 1080)
            try await projector.open("http://127.0.0.1:\(port)/projector")
            try await projector.waitUntil("the projector", "return document.querySelectorAll('#spotlight .card').length > 0")
            #expect(try await phone.run("return document.getElementById('announcements').hidden") as? Bool == true)

            // Starts in 4 s, ends 6 s later: written now, shown only then (4 s: time enough to look before, even on a loaded machine).
            let start = Date() + 4
            let created = try await client.execute(
                uri: "/api/moderation/announcements", method: .post, headers: Self.moderator,
                body: Self.draft("Le déjeuner est servi <b>au hall</b>", from: start, to: start + 6))
            #expect(created.status == .created)
            #expect(try await phone.run("return document.getElementById('announcements').hidden") as? Bool == true, "not before its start")
            try await phone.waitUntil(
                "the pinned announcement", within: .seconds(15),
                "const a = document.querySelector('#announcements .announcement .text'); return a !== null && a.textContent === 'Le déjeuner est servi <b>au hall</b>'"
            )
            #expect(Date() >= start - 0.5, "shown at its start, not before")
            try await projector.waitUntil(
                "the announcement in the spotlight", within: .seconds(15),
                "return [...document.querySelectorAll('#spotlight .card.announcement')].some((c) => c.textContent.includes('Le déjeuner est servi'))")
            ModerationBrowserTests.keep(try await phone.screenshot(), "follower-announcement-390x844.png")
            try await phone.waitUntil(
                "the announcement gone at its end", within: .seconds(20), "return document.getElementById('announcements').hidden")
            try await projector.waitUntil(
                "the announcement out of the rotation", within: .seconds(30),
                "return document.querySelectorAll('#spotlight .card.announcement:not(.is-leaving)').length === 0")
            await phone.close()
            await projector.close()
        }
    }
}

/// The console's Announcements panel in headless Chromium: written there, on the follower page at once.
@Suite struct AnnouncementConsoleBrowserTests {
    @Test func anAnnouncementWrittenInTheConsoleIsPinnedOnTheFollowerPageAndEndedFromThere() async throws {
        let directory = try TemporaryDirectory()
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            try await ingest(client, body(author: "Claire", text: "Bonjour"))
            let base = "http://127.0.0.1:\(port)"
            let console = try await driver.browser(width: 1440, height: 900)
            #expect(try await ModerationBrowserTests.logIn(console, at: base, token: moderatorToken) == 200)
            try await console.waitUntil("the console", "return !document.getElementById('console').hidden")
            let phone = try await driver.browser(width: 390, height: 844)
            try await phone.open(base + "/")
            try await phone.waitUntil("the post", "return document.querySelectorAll('#cards .card').length === 1")

            try await console.run("document.getElementById('open-announcements').click()")
            try await console.run(
                "const t = document.getElementById('announcement-text'); t.value = 'Prochaine session en salle B à 14 h'; t.dispatchEvent(new Event('input'));"
            )
            try await console.run("document.getElementById('announcement-submit').click()")
            try await console.waitUntil(
                "the active announcement", "return document.querySelector('#announcement-list li[data-status=\"active\"]') !== null")
            try await phone.waitUntil(
                "the pinned announcement", "return document.querySelector('#announcements .announcement')?.textContent.includes('salle B') === true")

            try await console.run("document.querySelector('#announcement-list [data-action=\"end\"]').click()")
            try await console.waitUntil("ended", "return document.querySelector('#announcement-list li[data-status=\"ended\"]') !== null")
            try await phone.waitUntil("the announcement gone", "return document.getElementById('announcements').hidden")
            ModerationBrowserTests.keep(try await console.screenshot(), "console-announcements.png")
            await console.close()
            await phone.close()
        }
    }
}
