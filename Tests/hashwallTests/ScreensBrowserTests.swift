import Foundation
import HTTPTypes
import HashwallTestSupport
import HummingbirdTesting
import Testing

@testable import hashwall

/// What any screen must get right, in real headless Chromium: emoji in colour (never a missing-glyph box), marks drawn
/// as SVG, and the organiser's privacy notice one tap away.
@Suite struct ScreensBrowserTests {
    /// Draws `emoji` and a code point no font has (a missing-glyph box) in the font stack of `selector`'s element, in
    /// black: a colour emoji font paints its own colours, a box or a monochrome glyph stays black.
    static let emojiCheck = """
        const family = getComputedStyle(document.querySelector(arguments[0])).fontFamily;
        const draw = (text) => {
          const canvas = document.createElement('canvas');
          canvas.width = 72; canvas.height = 72;
          const context = canvas.getContext('2d');
          context.font = `56px ${family}`;
          context.textBaseline = 'top';
          context.fillStyle = '#000';
          context.fillText(text, 4, 4);
          return context.getImageData(0, 0, 72, 72).data;
        };
        const emoji = draw(arguments[1]);
        const box = draw('\\u{10FFFD}');
        let coloured = false;
        for (let i = 0; i < emoji.length; i += 4) {
          if (emoji[i + 3] > 0 && (Math.abs(emoji[i] - emoji[i + 1]) > 40 || Math.abs(emoji[i + 1] - emoji[i + 2]) > 40)) { coloured = true; break; }
        }
        const sameAsBox = emoji.every((value, index) => value === box[index]);
        return { coloured, sameAsBox, family };
        """

    @Test func emojiRenderInColourOnTheFollowerPageAndTheProjectorAndMarksAreDrawn() async throws {
        let directory = try TemporaryDirectory()
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let posted = try json(try await ingest(client, body(author: "Claire", text: "Bravo 👏🎉 #capcomnet")))
            let id = try #require(posted["id"] as? String)
            _ = try await client.execute(
                uri: "/api/moderation/posts/\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/pin", method: .post,
                headers: [.authorization: "Bearer test-moderator-token"])
            for (path, width, height) in [("/", 390, 844), ("/projector", 1920, 1080)] {
                let browser = try await driver.browser(width: width, height: height)
                try await browser.open("http://127.0.0.1:\(port)\(path)")
                try await browser.waitUntil(
                    "the card", "return [...document.querySelectorAll('.card .text')].some((e) => e.textContent.includes('Bravo'))")
                for emoji in ["👏", "🎉"] {
                    let result = try #require(try await browser.run(Self.emojiCheck, [".card .text", emoji]) as? [String: Any])
                    #expect(result["coloured"] as? Bool == true, "\(path): \(emoji) is not drawn in colour with \(result["family"] ?? "?")")
                    #expect(result["sameAsBox"] as? Bool == false, "\(path): \(emoji) renders as a missing-glyph box")
                }
                let marks = try await browser.run(
                    "const card = [...document.querySelectorAll('.card')].find((c) => c.textContent.includes('Bravo')); return [card.textContent.includes('📌') || card.textContent.includes('🔁'), card.querySelectorAll('.pinned svg.mark-icon').length]"
                )
                let pair = try #require(marks as? [Any])
                #expect(pair.first as? Bool == false, "\(path): a mark is an emoji character")
                #expect(pair.last as? Int == 1, "\(path): the pinned mark is drawn")
                await browser.close()
            }
        }
    }

    @Test func thePrivacyNoticeIsLinkedFromTheFollowerPageNamedOnTheProjectorAndShownAsText() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.server.publicURL = "https://mur.example.org"
        config.wall.privacyNotice =
            "Ce mur est tenu par la <b>Ville de Rennes</b>.\nNous gardons les messages 30 jours.\n\nPour faire effacer un message : dpo@rennes.example"
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(config) { _, port in
            let phone = try await driver.browser(width: 390, height: 844)
            try await phone.open("http://127.0.0.1:\(port)/")
            try await phone.waitUntil("the privacy link", "return !document.querySelector('[data-privacy-link]').hidden")
            try await phone.run("document.getElementById('privacy-link').click()")
            try await phone.waitUntil("the notice", "return document.querySelectorAll('#privacy-notice p').length === 2")
            let paragraphs = try await phone.run("return [...document.querySelectorAll('#privacy-notice p')].map((p) => p.textContent)") as? [String]
            #expect(paragraphs?.first?.contains("<b>Ville de Rennes</b>") == true, "the notice is text, never markup")
            #expect(paragraphs?.last == "Pour faire effacer un message : dpo@rennes.example")
            #expect(try await phone.run("return document.querySelectorAll('#privacy-notice b').length") as? Int == 0)
            await phone.close()

            let projector = try await driver.browser(width: 1920, height: 1080)
            try await projector.open("http://127.0.0.1:\(port)/projector")
            try await projector.waitUntil("the privacy address", "return !document.getElementById('privacy-note').hidden")
            #expect(try await projector.run("return document.querySelector('.privacy-url').textContent") as? String == "mur.example.org/privacy")
            #expect(try await projector.run(PagesBrowserTests.layoutProblems, [true]) as? [String] == [])
            await projector.close()
        }
        // Without a notice, no link leads nowhere.
        try await withLiveWall(.testing(journalIn: directory.path + "/other")) { _, port in
            let phone = try await driver.browser(width: 390, height: 844)
            try await phone.open("http://127.0.0.1:\(port)/")
            try await phone.waitUntil("the page", "return document.documentElement.lang === 'fr' && document.title === 'Test wall'")
            #expect(try await phone.run("return document.querySelector('[data-privacy-link]').hidden") as? Bool == true)
            await phone.close()
        }
    }
}
