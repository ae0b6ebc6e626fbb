import Foundation
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import hashwall

/// The console in headless Chromium: the channels as the server lists them, and held posts beyond its first page.
@Suite(.serialized) struct ConsoleBrowserTests {
    @Test func theConsoleShowsEachChannelsStateAndPagesHeldPostsBeyondItsFirst500() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.moderation.mode = "pre"
        config.storage.maxPosts = 200  // most held posts live on disk only
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(config) { _, port in
            let base = "http://127.0.0.1:\(port)"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for publisher in 0..<8 {
                    group.addTask { () async throws in
                        for i in stride(from: publisher, to: 530, by: 8) {
                            #expect(try await ingest(port: port, body(author: "Auteur \(i)", text: "Message retenu numéro \(i)")) == 202)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let console = try await driver.browser(width: 1440, height: 900)
            #expect(try await ModerationBrowserTests.logIn(console, at: base, token: moderatorToken) == 200)
            let heldRows = "return document.querySelectorAll('[data-post-id][data-state=\"held\"]').length"
            try await console.waitUntil("the first 500 held posts", "return (() => { \(heldRows) })() === 500")
            try await console.waitUntil("the button for older held posts", "return !document.getElementById('load-older-held').hidden")
            try await console.run("document.getElementById('load-older-held').click()")
            try await console.waitUntil("every held post", "return (() => { \(heldRows) })() === 530")
            try await console.waitUntil("no button once every held post is in", "return document.getElementById('load-older-held').hidden")
            // The oldest, which only the database held, is there.
            #expect(try await console.run("return document.body.textContent.includes('Message retenu numéro 0')") as? Bool == true)
            // The channel panel: the API channel, named as the server names it, running.
            try await console.waitUntil(
                "the API channel in the panel",
                """
                return [...document.querySelectorAll('#channels .channel')].some(item =>
                  item.querySelector('.channel-name').textContent === 'API' && item.dataset.state === 'running')
                """)
            ModerationBrowserTests.keep(try await console.screenshot(), "console-older-held.png")
            await console.close()
        }
    }
}
