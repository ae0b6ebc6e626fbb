import Foundation
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import hashwall

/// Real pages in headless Chromium (WebDriver): what the room and the moderators actually see.
@Suite(.serialized) struct ModerationBrowserTests {
    /// Screenshots are kept as test artefacts (not committed) in `.build/test-artifacts/`.
    static func keep(_ png: Data, _ name: String) {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/test-artifacts").standardized
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? png.write(to: directory.appendingPathComponent(name))
    }

    /// Logs `console` in as the console's login form does (a session cookie), then opens the console; returns the
    /// login's status.
    static func logIn(_ console: Browser, at base: String, token: String) async throws -> Int? {
        try await console.open(base + "/moderate")
        let status = try await console.runAsync(
            """
            const done = arguments[arguments.length - 1];
            fetch('/api/moderation/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({token: arguments[0]})}).then(r => done(r.status), e => done(String(e)));
            """, [token])
        try await console.open(base + "/moderate")
        return status as? Int
    }

    static let rowScript = #"return document.querySelector(`[data-post-id="${CSS.escape(arguments[0])}"]`) !== null"#

    @Test func hidingInOneConsoleTakesTheCardOffTheProjectorAndTheOtherConsoleSeesWhoDidIt() async throws {
        let directory = try TemporaryDirectory()
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.moderation.moderators = [.init(name: "Bob", tokenEnv: "HASHWALL_MODERATOR_TOKEN_BOB")]
        var secrets = Secrets.testing
        secrets.named = ["HASHWALL_MODERATOR_TOKEN_BOB": "bob-token"]
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(config, secrets: secrets) { client, port in
            let base = "http://127.0.0.1:\(port)"
            try await ingest(client, body(author: "Claire", text: "Bienvenue à toutes et à tous #capcomnet"))
            let id = try acceptedID(try await ingest(client, body(author: "Troll", text: "Message à masquer #capcomnet")))

            let projector = try await driver.browser()
            try await projector.open(base + "/projector")
            try await projector.waitUntil(
                "the post on the projector", "return document.body.textContent.includes(arguments[0])", ["Message à masquer"])

            var consoles: [Browser] = []
            for token in [moderatorToken, "bob-token"] {
                let console = try await driver.browser(width: 1440, height: 900)
                #expect(try await Self.logIn(console, at: base, token: token) == 200)
                try await console.waitUntil("the post in the console", Self.rowScript, [id])
                consoles.append(console)
            }

            // The first moderator hides it with the row's button.
            try await consoles[0].run(
                #"document.querySelector(`[data-post-id="${CSS.escape(arguments[0])}"] button[data-action="hide"]`).click()"#, [id])
            try await projector.waitUntil(
                "the card to leave the projector", "return !document.body.textContent.includes(arguments[0])", ["Message à masquer"])
            try await consoles[1].waitUntil(
                "the other console to mark it hidden, by whom",
                #"""
                const row = document.querySelector(`[data-post-id="${CSS.escape(arguments[0])}"]`);
                return row !== null && row.dataset.state === 'hidden' && row.querySelector('.last-action').textContent.includes('moderator');
                """#, [id])
            #expect(try await projector.run("return document.body.textContent.includes('Bienvenue')") as? Bool == true, "the projector is not blank")
            Self.keep(try await projector.screenshot(), "moderation-projector.png")
            Self.keep(try await consoles[1].screenshot(), "moderation-console.png")
            for browser in consoles + [projector] { await browser.close() }
        }
    }
}
