import Foundation
import HashwallCore
import HashwallServer
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import hashwall

/// An erasure request over HTTP: the author's posts leave every screen, the exports and archives made afterwards, and
/// the bytes of the database and its WAL.
@Suite struct ErasureHTTPTests {
    static let moderator: HTTPFields = [.authorization: "Bearer test-moderator-token", .contentType: "application/json"]

    static func act(_ client: any TestClientProtocol, _ id: String, _ action: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/moderation/posts/\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/\(action)", method: .post,
            headers: Self.moderator)
    }

    @Test func erasingAnAuthorLeavesNothingOfThemOnScreensInExportsOrInTheDatabaseFiles() async throws {
        let directory = try TemporaryDirectory()
        let sms = SMSHookTests()
        let database = directory.path + "/wall.sqlite"
        try await withLiveWall(sms.config(directory), secrets: sms.secrets) { client, port in
            let wall = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
            let moderators = try await SSEClient.connect(to: "http://127.0.0.1:\(port)/api/moderation/events", bearer: "test-moderator-token")
            for (sid, text) in [
                ("SM00000000000000000000000000000091", "Claire : Effacez-moi QUOKKA un"), ("SM00000000000000000000000000000092", "QUOKKA deux"),
            ] {
                let (headers, body) = SMSHookTests.twilioRequest(sid: sid, body: text, from: "+33611223344")
                #expect(try await client.execute(uri: "/hooks/sms/twilio", method: .post, headers: headers, body: body).status == .ok)
            }
            try await ingest(client, body(author: "Paul", text: "Je reste #capcomnet"))
            let ids = try postIDs(try await client.execute(uri: "/api/posts", method: .get))
            #expect(ids.count == 3)
            let claire = try #require(ids.first { $0.hasPrefix("sms:") })
            #expect(try await Self.act(client, claire, "hide").status == .ok)
            #expect(try await Self.act(client, claire, "show").status == .ok)

            #expect(
                try await client.execute(
                    uri: "/api/moderation/authors/erase", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"postId":"\#(claire)"}"#)
                ).status == .unauthorized)
            let erase = try await client.execute(
                uri: "/api/moderation/authors/erase", method: .post, headers: Self.moderator, body: ByteBuffer(string: #"{"postId":"\#(claire)"}"#))
            #expect(erase.status == .ok)
            #expect(try json(erase)["erased"] as? Int == 2)
            // Every screen is told.
            var removed = Set<String>()
            while removed.count < 2 {
                let event = try await wall.next(within: .seconds(10))
                if event.type == "remove", let id = try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: String] {
                    removed.insert(id["id"] ?? "")
                }
            }
            #expect(removed.allSatisfy { $0.hasPrefix("sms:") })
            var moderatorRemoves = 0
            while moderatorRemoves < 2 {
                if try await moderators.next(within: .seconds(10)).type == "remove" { moderatorRemoves += 1 }
            }
            await wall.close()
            await moderators.close()
            // The gateway retries one: it stays erased.
            let (headers, retry) = SMSHookTests.twilioRequest(sid: "SM00000000000000000000000000000092", body: "QUOKKA deux", from: "+33611223344")
            #expect(try await client.execute(uri: "/hooks/sms/twilio", method: .post, headers: headers, body: retry).status == .ok)

            let everything = [
                "/api/posts", "/api/moderation/posts?state=all", "/api/moderation/audit", "/api/moderation/export?format=json",
                "/api/moderation/export?format=csv", "/api/moderation/stats",
            ]
            for uri in everything {
                let text = String(buffer: try await client.execute(uri: uri, method: .get, headers: Self.moderator).body)
                #expect(!text.contains("QUOKKA") && !text.contains("611223344") && !text.contains("Claire"), "\(uri)")
                #expect(uri != "/api/moderation/posts?state=all" || text.contains("Je reste"))
            }
            let audit = try json(try await client.execute(uri: "/api/moderation/audit", method: .get, headers: Self.moderator))
            #expect((audit["entries"] as? [[String: Any]])?.first?["action"] as? String == "erased")
            let zip = try await client.execute(uri: "/api/moderation/export?format=zip", method: .get, headers: Self.moderator)
            #expect(zip.status == .ok && zip.headers[.contentType] == "application/zip")
            let zipPath = directory.file("after.zip")
            try Data(zip.body.readableBytesView).write(to: URL(fileURLWithPath: zipPath))
            let index = String(decoding: try #require(try ZipFile.read(zipPath)["archive/index.html"]), as: UTF8.self)
            #expect(index.contains("Je reste") && !index.contains("QUOKKA") && !index.contains("Claire"))

            for file in [database, database + "-wal"] {
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
                for secret in ["QUOKKA", "611223344", "Claire"] {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) still holds \(secret)")
                }
            }
        }
    }
}

/// The static archive: a zip from the API, a folder from `hashwall export`, readable offline in Chromium.
@Suite struct ArchiveTests {
    @Test func theZipArchiveOpensOfflineFromFileAndShowsExactlyTheVisiblePostsWithTheirPictures() async throws {
        let fake = try await FakeMastodon.start()
        var photo = MastodonTests.status("900", "<p>La salle <b>pleine</b> \(MastodonTests.hashtagLink)</p>")
        photo.images = [(fake.serve(file: "p.png", bytes: MediaTests.png, contentType: "image/png"), "La salle", 1, 1)]
        fake.post(photo)
        fake.post(MastodonTests.status("901", "<p>À cacher \(MastodonTests.hashtagLink)</p>", acct: "troll@m.example", name: "Troll"))
        let directory = try TemporaryDirectory()
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        let zipPath = directory.file("archive.zip")
        try await withLiveWall(MastodonTests.config(directory, [(fake.url, nil)]), secrets: MastodonTests.secrets) { client, _ in
            try await eventually(within: .seconds(20), "both statuses") { try await EmailIMAPTests.texts(client).count == 2 }
            try await ingest(client, body(author: "<img src=x onerror=alert(1)>", text: "<script>alert(1)</script> & « guillemets » 👏"))
            let posts = try json(try await client.execute(uri: "/api/posts", method: .get))["posts"] as? [[String: Any]] ?? []
            let troll = try #require(posts.first { ($0["text"] as? String)?.contains("À cacher") == true }?["id"] as? String)
            #expect(try await ErasureHTTPTests.act(client, troll, "hide").status == .ok)
            let url = try #require(
                (posts.first { ($0["media"] as? [Any])?.isEmpty == false }?["media"] as? [[String: Any]])?.first?["url"] as? String)
            #expect(try await client.execute(uri: url, method: .get).status == .ok, "the picture is in the cache")
            let zip = try await client.execute(uri: "/api/moderation/export?format=zip", method: .get, headers: ErasureHTTPTests.moderator)
            #expect(zip.status == .ok)
            #expect(zip.headers[.contentDisposition]?.contains(".zip") == true)
            try Data(zip.body.readableBytesView).write(to: URL(fileURLWithPath: zipPath))
        }
        await fake.stop()

        // Unpacked where nothing serves it, the wall stopped and the fake servers gone.
        let unpacked = directory.file("unpacked")
        for (name, bytes) in try ZipFile.read(zipPath) {
            let path = unpacked + "/" + name
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        let html = try String(contentsOfFile: unpacked + "/archive/index.html", encoding: .utf8)
        #expect(!html.contains("<script") && !html.contains("<img src=x"), "text from posts is never markup")
        let browser = try await driver.browser(width: 1280, height: 900)
        try await browser.open("file://" + unpacked + "/archive/index.html")
        try await browser.waitUntil(
            "the picture", "return [...document.images].length === 1 && [...document.images].every((i) => i.complete && i.naturalWidth > 0)")
        let texts = try #require(
            try await browser.run("return [...document.querySelectorAll('article .text')].map((e) => e.textContent)") as? [String])
        #expect(texts.count == 2)
        #expect(texts.contains("La salle pleine #capcomnet"))
        #expect(texts.contains("<script>alert(1)</script> & « guillemets » 👏"))
        #expect(!texts.contains { $0.contains("À cacher") }, "a hidden post is not in the archive")
        #expect(try await browser.run("return document.querySelectorAll('script').length") as? Int == 0)
        #expect(
            try await browser.run("return performance.getEntriesByType('resource').every((r) => r.name.startsWith('file://'))") as? Bool == true,
            "everything it shows comes from its own folder")
        #expect(try await browser.run("return document.querySelector('article .author').textContent") as? String != nil)
        ModerationBrowserTests.keep(try await browser.screenshot(), "archive-1280x900.png")
        await browser.close()
    }
}
