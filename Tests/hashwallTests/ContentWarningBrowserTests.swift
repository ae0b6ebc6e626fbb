import Foundation
import HashwallTestSupport
import HummingbirdTesting
import Testing

@testable import hashwall

/// A Mastodon post behind a content warning, in real headless Chromium: the follower page shows the warning and the
/// text only once opened; the projector never shows it.
@Suite struct ContentWarningBrowserTests {
    @Test func theFollowerSeesTheWarningFirstAndTheProjectorNeverTheText() async throws {
        let fake = try await FakeMastodon.start()
        var warned = MastodonTests.status("600", "<p>La fin du film \(MastodonTests.hashtagLink)</p>")
        warned.spoiler = "Spoiler <b>film</b>"
        fake.post(warned)
        fake.post(MastodonTests.status("601", "<p>Bonjour à tous \(MastodonTests.hashtagLink)</p>"))
        let directory = try TemporaryDirectory()
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(MastodonTests.config(directory, [(fake.url, nil)]), secrets: MastodonTests.secrets) { client, port in
            try await eventually(within: .seconds(20), "both statuses") { try await EmailIMAPTests.texts(client).count == 2 }
            let phone = try await driver.browser(width: 390, height: 844)
            try await phone.open("http://127.0.0.1:\(port)/")
            try await phone.waitUntil("the cards", "return document.querySelectorAll('#cards .card').length === 2")
            let summary = try await phone.run("return document.querySelector('.card details.content-warning > summary')?.textContent") as? String
            #expect(summary == "Spoiler <b>film</b>", "the warning shows, as text")
            let hidden =
                "const t = [...document.querySelectorAll('.card .text')].find((e) => e.textContent.includes('La fin du film')); return !t.checkVisibility()"
            #expect(try await phone.run(hidden) as? Bool == true, "the text is hidden until the reader opens it")
            try await phone.run("document.querySelector('.card details.content-warning > summary').click()")
            #expect(try await phone.run(hidden) as? Bool == false, "opened, the text shows")
            await phone.close()

            let projector = try await driver.browser(width: 1920, height: 1080)
            try await projector.open("http://127.0.0.1:\(port)/projector")
            try await projector.waitUntil("the projector's card", "return document.body.textContent.includes('Bonjour à tous')")
            #expect(
                try await projector.run(
                    "return document.body.textContent.includes('La fin du film') || document.body.textContent.includes('Spoiler')") as? Bool == false)
            await projector.close()
        }
        await fake.stop()
    }
}
