import Foundation
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import hashwall

/// The organiser's tools in the console, in headless Chromium: a question marked with `q`, the stage's link, the
/// export links, and an author erased through the confirmation dialog, gone from a second console at once.
@Suite struct ConsoleOrganiserBrowserTests {
    static func row(_ id: String) -> String { #"document.querySelector(`[data-post-id="${CSS.escape('\#(id)')}"]`)"# }

    @Test func questionsTheStageLinkExportsAndErasureFromTheConsole() async throws {
        let directory = try TemporaryDirectory()
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let base = "http://127.0.0.1:\(port)"
            let question = try #require(
                try json(try await ingest(client, body(author: "Claire", text: "Une question pour la salle ?")))["id"] as? String)
            let troll = try #require(try json(try await ingest(client, body(author: "Troll", text: "Effacez-moi tout")))["id"] as? String)
            try await ingest(client, body(author: "Troll", text: "Et celui-là aussi"))
            let consoles = [try await driver.browser(width: 1440, height: 900), try await driver.browser(width: 1440, height: 900)]
            for console in consoles {
                #expect(try await ModerationBrowserTests.logIn(console, at: base, token: moderatorToken) == 200)
                try await console.waitUntil("the rows", "return \(Self.row(troll)) !== null")
            }
            let console = consoles[0]

            // `q` on the selected row marks it as a question: the stage lists it.
            try await console.run("\(Self.row(question)).click()")
            try await console.press("q")
            try await console.waitUntil(
                "the question badge", "return \(Self.row(question)).querySelector('.question-badge[data-question=\"open\"]') !== null")
            let path = try await StageTests.stagePath(client)
            #expect(try await StageTests.questions(client, path) == ["Une question pour la salle ?"])
            try await console.run("document.getElementById('open-stage').click()")
            try await console.waitUntil("the stage link", "return !document.getElementById('stage-link').hidden")
            #expect(try await console.run("return document.getElementById('stage-link').getAttribute('href')") as? String == base + path)
            #expect(try await console.run("return document.getElementById('stage-open-count').textContent.trim()") as? String == "1")

            // The record, any time.
            try await console.run("document.getElementById('open-record').click()")
            for format in ["json", "csv", "zip"] {
                let href = try await console.run("return document.getElementById('export-\(format)').getAttribute('href')") as? String
                #expect(href == "/api/moderation/export?format=\(format)")
                let status = try await console.runAsync(
                    "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then((r) => done(r.status), (e) => done(String(e)));",
                    [
                        href ?? ""
                    ])
                #expect(status as? Int == 200, "\(format) downloads with the console's session")
            }

            // Erase the troll: a dialog first, then both of their posts leave both consoles.
            try await console.run("\(Self.row(troll)).querySelector('[data-action=\"erase\"]').click()")
            try await console.waitUntil("the dialog", "return document.getElementById('erase-dialog').open")
            try await console.run("document.getElementById('erase-confirm').click()")
            for other in consoles {
                try await other.waitUntil(
                    "the troll's rows gone", "return ![...document.querySelectorAll('[data-post-id]')].some((r) => r.textContent.includes('Troll'))")
            }
            #expect(try await EmailIMAPTests.texts(client) == ["Une question pour la salle ?"])
            ModerationBrowserTests.keep(try await console.screenshot(), "console-organiser.png")
            for browser in consoles { await browser.close() }
        }
    }
}
