import Foundation
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import hashwall

@Suite struct IngestErrorTests {
    func expectRejected(
        _ client: any TestClientProtocol, _ json: String, token: String? = testIngestToken, contentType: String = "application/json",
        status: HTTPResponse.Status, mentioning: String
    ) async throws {
        let response = try await ingest(client, json, token: token, contentType: contentType)
        #expect(response.status == status, "\(json.prefix(60))")
        let message = try hashwallTests.json(response)["error"] as? String ?? ""
        #expect(message.contains(mentioning), "\(message)")
    }

    @Test func badIngestRequestsGetTheir4xxAndStoreNothing() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, _ in
            let good = body(author: "Claire", text: "Bonjour")
            try await expectRejected(client, good, token: nil, status: .unauthorized, mentioning: "token")
            try await expectRejected(client, good, token: "wrong", status: .unauthorized, mentioning: "token")
            try await expectRejected(client, good, contentType: "text/plain", status: .unsupportedMediaType, mentioning: "application/json")
            let huge = body(author: "Claire", text: String(repeating: "a", count: 70 * 1024))
            try await expectRejected(client, huge, status: .contentTooLarge, mentioning: "64 KiB")
            try await expectRejected(client, "{not json", status: .badRequest, mentioning: "not valid JSON")
            try await expectRejected(client, #"{"author":{"name":"Claire"}}"#, status: .badRequest, mentioning: "text: is required")
            try await expectRejected(client, #"{"author":{"name":""},"text":"x"}"#, status: .badRequest, mentioning: "author.name: is empty")
            try await expectRejected(client, #"{"author":{"name":"C"},"text":42}"#, status: .badRequest, mentioning: "text: must be a string")
            try await expectRejected(client, #"{"author":"C","text":"x"}"#, status: .badRequest, mentioning: "author")
            try await expectRejected(client, #"{"author":{"name":"C"},"text":"x","createdAt":"hier"}"#, status: .badRequest, mentioning: "createdAt")
            try await expectRejected(
                client, #"{"author":{"name":"C"},"text":"x","url":"javascript:alert(1)"}"#, status: .badRequest, mentioning: "url")

            var invalidUTF8 = ByteBuffer(string: #"{"author":{"name":"C"},"text":""#)
            invalidUTF8.writeBytes([0xC3, 0x28, 0xFF])
            invalidUTF8.writeString(#""}"#)
            let response = try await client.execute(
                uri: "/api/ingest", method: .post, headers: [.authorization: "Bearer \(testIngestToken)", .contentType: "application/json"],
                body: invalidUTF8)
            #expect(response.status == .badRequest)
            #expect(try json(response)["error"] as? String == "body: is not valid UTF-8")

            let posts = try await client.execute(uri: "/api/posts", method: .get)
            #expect(try postIDs(posts).isEmpty)
        }
    }
}
