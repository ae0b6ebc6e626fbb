import HashwallChannels
import HashwallCore
import Testing

@testable import HashwallServer

@Suite struct IngestBodyTests {
    func problem(_ json: String) -> String? {
        do {
            _ = try IngestBody.decode(Array(json.utf8)).incoming()
            return nil
        } catch let error as InvalidField {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    @Test func everyBadFieldIsNamed() {
        #expect(problem(#"{"text":"x"}"#) == "author: is required")
        #expect(problem(#"{"author":{},"text":"x"}"#) == "author.name: is required")
        #expect(problem(#"{"author":{"name":"A"},"text":null}"#) == "text: must not be null")
        #expect(problem(#"{"author":{"name":"A"},"text":"x","id":""}"#)?.hasPrefix("id:") == true)
        #expect(problem(#"{"author":{"name":"A"},"text":"x","url":"ftp://x"}"#)?.hasPrefix("url:") == true)
        #expect(problem("[1,2]")?.hasPrefix("body:") == true)
        #expect(problem(#"{"author":{"name":"A"},"text":"ok","createdAt":"2026-12-02T09:41:07+01:00"}"#) == nil)
    }

    @Test func theSameBodyWithoutIDGetsTheSameID() throws {
        let json = Array(#"{"author":{"name":"Claire"},"text":"Bonjour"}"#.utf8)
        let a = try IngestBody.decode(json).incoming().id
        let b = try IngestBody.decode(json).incoming().id
        let other = try IngestBody.decode(Array(#"{"author":{"name":"Paul"},"text":"Bonjour"}"#.utf8)).incoming().id
        #expect(a == b && a != other && a.rawValue.hasPrefix("api:"))
    }

    @Test func tokensCompareByValueOnly() {
        #expect(Secret.equal("secret", "secret"))
        #expect(!Secret.equal("secret", "secreT"))
        #expect(!Secret.equal("", "secret"))
    }
}
