import Foundation
import HashwallChannels
import HashwallCore
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import hashwall

/// Pictures: carried by Mastodon posts, served from the wall's own cache, only images, only while their post is visible;
/// and on real screens (Chromium) inside their cards.
@Suite struct MediaTests {
    /// A 1×1 PNG.
    static let png = Array(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")!)

    @Test func picturesAreServedFromTheWallsCacheOnlyWhileTheirPostIsVisibleAndOnlyIfTheyAreImages() async throws {
        let fake = try await FakeMastodon.start()
        let picture = fake.serve(file: "photo.png", bytes: Self.png, contentType: "image/png")
        let disguised = fake.serve(file: "page.png", bytes: Array("<html><script>alert(1)</script></html>".utf8), contentType: "image/png")
        var status = MastodonTests.status("700", "<p>Photos \(MastodonTests.hashtagLink)</p>")
        status.images = [(picture, "La salle <b>pleine</b>", 1200, 800), (disguised, "", 10, 10)]
        fake.post(status)
        let directory = try TemporaryDirectory()
        try await withLiveWall(MastodonTests.config(directory, [(fake.url, nil)]), secrets: MastodonTests.secrets) { client, _ in
            let posts = try await eventually(within: .seconds(20), "the post") { () -> [[String: Any]]? in
                let posts = try json(try await client.execute(uri: "/api/posts", method: .get))["posts"] as? [[String: Any]] ?? []
                return posts.isEmpty ? nil : posts
            }
            let media = try #require(posts.first?["media"] as? [[String: Any]])
            #expect(media.count == 2)
            let first = try #require(media.first)
            let url = try #require(first["url"] as? String)
            #expect(url == "/media/" + Media.key(for: picture))
            #expect(first["alt"] as? String == "La salle <b>pleine</b>" && first["width"] as? Int == 1200 && first["sensitive"] as? Bool == false)

            var response = try await client.execute(uri: url, method: .get)
            #expect(response.status == .ok && response.headers[.contentType] == "image/png")
            #expect(Array(response.body.readableBytesView) == Self.png)
            response = try await client.execute(uri: url, method: .get)
            #expect(response.status == .ok && fake.fileRequests == 1, "the second request is served from the cache")
            // Not an image, whatever its Content-Type says: never served.
            response = try await client.execute(uri: try #require(media.last?["url"] as? String), method: .get)
            #expect(response.status == .badGateway)
            #expect(try await client.execute(uri: "/media/" + String(repeating: "0", count: 32), method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/media/..%2Fwall.sqlite", method: .get).status == .notFound)
            // Hidden, its pictures leave with it.
            let id = try #require(posts.first?["id"] as? String)
            let hide = try await client.execute(
                uri: "/api/moderation/posts/\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/hide", method: .post,
                headers: [.authorization: "Bearer test-moderator-token"])
            #expect(hide.status == .ok)
            #expect(try await client.execute(uri: url, method: .get).status == .notFound)
        }
        await fake.stop()
    }

    @Test func cardsWithOneAndFourPicturesStayInsideTheirBoxesAndSensitiveOnesNeverReachTheProjector() async throws {
        let fake = try await FakeMastodon.start()
        let directory = try TemporaryDirectory()
        var one = MastodonTests.status("800", "<p>Une photo de la plénière \(MastodonTests.hashtagLink)</p>")
        one.images = [(fake.serve(file: "a.png", bytes: Self.png, contentType: "image/png"), #"" onerror="alert(1)" x=""#, 1600, 900)]
        fake.post(one)
        let hiddenID = "mastodon:" + one.uri
        var four = MastodonTests.status("801", "<p>Quatre photos de l'atelier \(MastodonTests.hashtagLink)</p>")
        four.images = (1...4).map { (fake.serve(file: "f\($0).png", bytes: Self.png, contentType: "image/png"), "Photo \($0)", 800, 1200) }
        fake.post(four)
        var sensitive = MastodonTests.status("802", "<p>Photo sensible \(MastodonTests.hashtagLink)</p>")
        sensitive.sensitive = true
        sensitive.images = [(fake.serve(file: "s.png", bytes: Self.png, contentType: "image/png"), "Sensible", 800, 800)]
        fake.post(sensitive)
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(MastodonTests.config(directory, [(fake.url, nil)]), secrets: MastodonTests.secrets) { client, port in
            try await eventually(within: .seconds(20), "three posts") { try await EmailIMAPTests.texts(client).count == 3 }
            let projector = try await driver.browser(width: 1920, height: 1080)
            try await projector.open("http://127.0.0.1:\(port)/projector")
            try await projector.waitUntil(
                "the pictures loaded",
                "return [...document.querySelectorAll('.card .media img')].length >= 5 && [...document.querySelectorAll('.card .media img')].every((i) => i.complete && i.naturalWidth > 0)"
            )
            try await projector.waitUntil("the cards to finish entering", "return document.getAnimations().length === 0")
            ModerationBrowserTests.keep(try await projector.screenshot(), "projector-media-1920x1080.png")
            #expect(try await projector.run(PagesBrowserTests.layoutProblems, [true]) as? [String] == [])
            #expect(try await projector.run(PagesBrowserTests.injectionTraces) as? [String] == [])
            #expect(try await projector.run("return [...document.querySelectorAll('img')].some((i) => i.alt === 'Sensible')") as? Bool == false)
            #expect(
                try await projector.run(
                    "return [...document.querySelectorAll('.card img')].every((i) => i.src.startsWith(location.origin + '/media/'))") as? Bool
                    == true, "no picture from another server")
            await projector.close()

            let phone = try await driver.browser(width: 390, height: 844)
            try await phone.open("http://127.0.0.1:\(port)/")
            try await phone.waitUntil("the cards", "return document.querySelectorAll('#cards .card .media img').length === 6")
            ModerationBrowserTests.keep(try await phone.screenshot(), "follower-media-390x844.png")
            #expect(try await phone.run(PagesBrowserTests.layoutProblems, [false]) as? [String] == [])
            #expect(try await phone.run("return document.querySelector('img[alt=\"Sensible\"]').classList.contains('is-sensitive')") as? Bool == true)
            #expect(
                try await phone.run(
                    "return [...document.querySelectorAll('.card .media img')].some((i) => i.alt.includes('onerror') && !i.hasAttribute('onerror'))")
                    as? Bool == true, "a hostile alt text stays an attribute value")
            // Hidden, the post and its pictures leave the screen.
            _ = try await client.execute(
                uri: "/api/moderation/posts/\(hiddenID.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/hide", method: .post,
                headers: [.authorization: "Bearer test-moderator-token"])
            try await phone.waitUntil("the hidden post's picture gone", "return document.querySelectorAll('#cards .card .media img').length === 5")
            await phone.close()
        }
        await fake.stop()
    }
}
