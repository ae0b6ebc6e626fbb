import Foundation
import HTTPTypes
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import hashwall

/// The console's Statistics panel in headless Chromium: the figures of the API, drawn, and kept live by the moderators'
/// stream.
@Suite struct StatsBrowserTests {
    @Test func theStatisticsPanelShowsTheFiguresAndFollowsNewPostsLive() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.moderation.mode = "pre"
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(config) { client, port in
            var ids: [String] = []
            for (author, text) in [("Claire", "Un"), ("Claire", "Deux"), ("<img src=x onerror=alert(1)>", "Trois")] {
                ids.append(try #require(try json(try await ingest(client, body(author: author, text: "\(text) #capcomnet")))["id"] as? String))
            }
            for id in ids.prefix(2) + [ids[2]] {
                let approve = try await client.execute(
                    uri: "/api/moderation/posts/\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/approve", method: .post,
                    headers: [.authorization: "Bearer \(moderatorToken)"])
                #expect(approve.status == .ok)
            }
            try await ingest(client, body(author: "Paul", text: "En attente #capcomnet"))

            let console = try await driver.browser(width: 1440, height: 900)
            #expect(try await ModerationBrowserTests.logIn(console, at: "http://127.0.0.1:\(port)", token: moderatorToken) == 200)
            try await console.run("document.getElementById('open-stats').click()")
            let cell = { (state: String) in
                "return document.querySelector('#stats-channels tr[data-channel=\"api\"] td[data-state=\"\(state)\"]')?.textContent"
            }
            try await console.waitUntil("the API row", "\(cell("visible")) === '3'")
            #expect(try await console.run(cell("held")) as? String == "1")
            #expect(try await console.run(cell("total")) as? String == "4")
            #expect(try await console.run("return document.getElementById('stats-contributors').textContent") as? String == "3")
            #expect(try await console.run("return document.querySelector('#stats-chart svg') !== null") as? Bool == true)
            #expect(try await console.run("return document.getElementById('stats-median').textContent") as? String != "—", "posts were approved")
            let top = try await console.run("return [...document.querySelectorAll('#stats-top li')].map((li) => li.textContent)") as? [String] ?? []
            #expect(top.first?.contains("Claire") == true)
            #expect(top.contains { $0.contains("<img src=x onerror=alert(1)>") }, "a hostile name shows as text")
            #expect(try await console.run("return document.querySelectorAll('#stats-view img').length") as? Int == 0)
            #expect(try await console.run("return document.querySelectorAll('#stats-busiest li').length") as? Int ?? 0 >= 1)

            // Live: a new post reaches the figures without a reload.
            try await ingest(client, body(author: "Léa", text: "Encore une #capcomnet"))
            try await console.waitUntil("the held count to follow", "\(cell("held")) === '2'")
            ModerationBrowserTests.keep(try await console.screenshot(), "console-statistics.png")
            await console.close()
        }
    }
}
