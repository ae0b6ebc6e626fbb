import Foundation
import HTTPTypes
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import hashwall

/// Questions for the stage: marked by moderators, listed on the lectern's tablets under an unguessable link, "done"
/// for good and for every tablet, and spotlit on the projector while answered.
@Suite struct StageTests {
    static let moderator: HTTPFields = [.authorization: "Bearer test-moderator-token", .contentType: "application/json"]

    static func stagePath(_ client: any TestClientProtocol) async throws -> String {
        let link = try json(try await client.execute(uri: "/api/moderation/stage", method: .get, headers: Self.moderator))
        return try #require(link["path"] as? String)
    }

    static func questions(_ client: any TestClientProtocol, _ path: String) async throws -> [String] {
        let key = path.split(separator: "/").last.map(String.init) ?? ""
        let snapshot = try json(try await client.execute(uri: "/api/stage/\(key)/questions", method: .get))
        return (snapshot["questions"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
    }

    @Test func markedQuestionsAreListedOldestFirstUnderTheSecretLinkAndDoneIsDurable() async throws {
        let directory = try TemporaryDirectory()
        let config = HashwallConfig.testing(journalIn: directory.path)
        let path = try await withLiveWallReturning(config) { client, _ -> String in
            let path = try await Self.stagePath(client)
            let key = String(path.split(separator: "/").last ?? "")
            #expect(key.count >= 24)
            #expect(try await client.execute(uri: "/stage", method: .get).status == .notFound, "no stage page without the key")
            #expect(try await client.execute(uri: "/stage/0123456789abcdef01234567", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/api/stage/wrong/questions", method: .get).status == .notFound)
            let page = try await client.execute(uri: path, method: .get)
            #expect(page.status == .ok && String(buffer: page.body).contains("/js/stage.js"))

            var ids: [String] = []
            for text in ["Première question ?", "Deuxième question ?", "Pas une question"] {
                ids.append(try #require(try json(try await ingest(client, body(author: "Claire", text: text)))["id"] as? String))
            }
            let stream = try await SSEClient.connect(to: "http://127.0.0.1:\(try #require(client.port))/api/stage/\(key)/events")
            // Marked in the order second, first: listed in that order.
            #expect(try await ErasureHTTPTests.act(client, ids[1], "question").status == .ok)
            #expect(try await ErasureHTTPTests.act(client, ids[0], "question").status == .ok)
            #expect(try await ErasureHTTPTests.act(client, ids[0], "question").status == .conflict, "already a question")
            let marked = try json(try await ErasureHTTPTests.act(client, ids[2], "hide"))
            #expect(marked["state"] as? String == "hidden")
            #expect(try await ErasureHTTPTests.act(client, ids[2], "question").status == .conflict, "a hidden post never goes to the stage")
            #expect(try await Self.questions(client, path) == ["Deuxième question ?", "Première question ?"])
            let event = try await stream.next()
            #expect(event.type == "question" && event.data.contains("Deuxième question ?") && event.data.contains("markedAt"))

            // Done: gone for every tablet, durable.
            let done = try await client.execute(
                uri: "/api/stage/\(key)/questions/\(ids[1].addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/done", method: .post)
            #expect(done.status == .noContent)
            var names: [String] = []
            while !names.contains("done") { names.append(try await stream.next().type) }
            #expect(try await Self.questions(client, path) == ["Première question ?"])
            #expect(
                try await client.execute(
                    uri: "/api/stage/\(key)/questions/\(ids[1].addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/done", method: .post
                ).status == .conflict)
            // A question hidden by a moderator leaves the stage too.
            _ = try await ErasureHTTPTests.act(client, ids[0], "hide")
            #expect(try await Self.questions(client, path).isEmpty)
            _ = try await ErasureHTTPTests.act(client, ids[0], "show")
            #expect(try await Self.questions(client, path) == ["Première question ?"], "shown again, it is a question again")
            let audit = String(buffer: try await client.execute(uri: "/api/moderation/audit", method: .get, headers: Self.moderator).body)
            #expect(audit.contains(#""action":"done""#) && audit.contains(#""action":"question""#))
            await stream.close()
            return path
        }
        try await withLiveWall(config) { client, _ in
            let link = try await Self.stagePath(client)
            let questions = try await Self.questions(client, path)
            #expect(link == path, "the link stays the same across restarts")
            #expect(questions == ["Première question ?"], "done stays done, open stays open")
        }
    }

    @Test func tabletsShareDoneAndTheProjectorSpotlightsTheQuestionBeingAnswered() async throws {
        let directory = try TemporaryDirectory()
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(.testing(journalIn: directory.path)) { client, port in
            let path = try await Self.stagePath(client)
            try await ingest(client, body(author: "Paul", text: "Un message ordinaire"))
            let first = try #require(
                try json(try await ingest(client, body(author: "Claire", text: "Quand ouvre la médiathèque ?")))["id"] as? String)
            let second = try #require(try json(try await ingest(client, body(author: "Léa", text: "Et le parking <b>vélo</b> ?")))["id"] as? String)
            let tablets = [try await driver.browser(width: 1024, height: 768), try await driver.browser(width: 800, height: 1280)]
            for tablet in tablets {
                try await tablet.open("http://127.0.0.1:\(port)\(path)")
                try await tablet.waitUntil("the empty list", "return !document.getElementById('stage-empty').hidden")
            }
            let projector = try await driver.browser(width: 1920, height: 1080)
            try await projector.open("http://127.0.0.1:\(port)/projector")
            try await projector.waitUntil("the projector", "return document.querySelectorAll('.card').length > 0")

            #expect(try await ErasureHTTPTests.act(client, first, "question").status == .ok)
            #expect(try await ErasureHTTPTests.act(client, second, "question").status == .ok)
            let texts = "return [...document.querySelectorAll('#questions .question-text')].map((e) => e.textContent)"
            for tablet in tablets {
                try await tablet.waitUntil("both questions", "return document.querySelectorAll('#questions .question').length === 2")
                #expect(try await tablet.run(texts) as? [String] == ["Quand ouvre la médiathèque ?", "Et le parking <b>vélo</b> ?"])
            }
            #expect(try await tablets[1].run("return document.querySelectorAll('#questions b').length") as? Int == 0)

            // On screen: the projector holds that question in its spotlight, marked.
            try await tablets[0].run("document.querySelector('#questions .question .answer-button').click()")
            try await projector.waitUntil(
                "the question in the spotlight",
                "const card = document.querySelector('#spotlight .card.is-answering:not(.is-leaving)'); return card !== null && card.textContent.includes('médiathèque')"
            )
            try await tablets[1].waitUntil(
                "the other tablet sees it on screen", "return document.querySelector('#questions .question.is-answering') !== null")
            try await projector.waitUntil(
                "the cross-fade to end", "return document.getAnimations().length === 0 && document.querySelectorAll('#spotlight .card').length === 1")
            ModerationBrowserTests.keep(try await projector.screenshot(), "projector-answering-1920x1080.png")
            ModerationBrowserTests.keep(try await tablets[0].screenshot(), "stage-1024x768.png")

            // Done on one tablet: gone from both, and the projector goes back to its rotation.
            try await tablets[0].run("document.querySelector('#questions .question .done-button').click()")
            for tablet in tablets {
                try await tablet.waitUntil("one question left", "return document.querySelectorAll('#questions .question').length === 1")
                #expect(try await tablet.run(texts) as? [String] == ["Et le parking <b>vélo</b> ?"])
            }
            try await projector.waitUntil(
                "no question held", "return document.querySelector('#spotlight .card.is-answering:not(.is-leaving)') === null")
            for browser in tablets + [projector] { await browser.close() }
        }
    }
}
