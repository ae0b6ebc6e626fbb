import Foundation
import HashwallCore
import HashwallTestSupport
import Testing

@testable import HashwallChannels
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

/// `IngestBody.quickDecode` against `JSONDecoder` over bodies of every kind: whenever the quick reader answers, the
/// decoder answers the same.
@Suite struct IngestBodyQuickReaderTests {
    struct Maker {
        var random: SeededGenerator

        mutating func pick<T>(_ options: [T]) -> T { options[Int.random(in: 0..<options.count, using: &self.random)] }
        mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self.random) < percent }

        mutating func space() -> String { self.chance(20) ? self.pick([" ", "\n", "\t", "\r\n  ", "  "]) : "" }

        /// Pieces of strings; one in a hundred is one the decoder refuses (a lone surrogate, a bad escape, a raw tab).
        static let pieces = [
            "a", "Z", "é", "🎉", "#capcomnet", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\r", "\\b", "\\f", "\\u0041", "\\u00e9",
            "\\u0000", "\\u001f", "\\ud83c\\udf89", "\\uD83D\\uDE00", "\u{7F}", "\u{2028}", "'",
        ]
        static let badPieces = ["\\ud800", "\\udc00", "\\ud800x", "\\q", "\\u12", "\t"]

        mutating func stringLiteral() -> String {
            var out = "\""
            for _ in 0..<Int.random(in: 0..<8, using: &self.random) {
                out += self.chance(1) ? self.pick(Self.badPieces) : self.pick(Self.pieces)
            }
            return out + "\""
        }

        mutating func scalar() -> String {
            if self.chance(10) { return self.pick(["01", "1.", "-", "+1", ".5", "tru", "nul"]) }
            return self.pick([self.stringLiteral(), "null", "true", "false", "0", "-1", "12.5", "1e5", "-0.5E-3"])
        }

        mutating func value(depth: Int = 0) -> String {
            guard depth < 3, self.chance(30) else { return self.scalar() }
            let count = Int.random(in: 0..<3, using: &self.random)
            let trailing = self.chance(10) ? "," : ""
            if self.chance(50) {
                return "[" + (0..<count).map { _ in self.space() + self.value(depth: depth + 1) }.joined(separator: ",") + trailing + "]"
            }
            return "{" + (0..<count).map { _ in self.member(self.pick(["k", "name", "x"]), self.value(depth: depth + 1)) }.joined(separator: ",")
                + trailing + "}"
        }

        mutating func member(_ key: String, _ value: String) -> String {
            self.space() + "\"" + key + "\"" + self.space() + ":" + self.space() + value + self.space()
        }

        mutating func author() -> String {
            if self.chance(5) { return self.value() }
            var members: [String] = []
            if self.chance(97) { members.append(self.member("name", self.chance(92) ? self.stringLiteral() : self.scalar())) }
            if self.chance(50) { members.append(self.member("handle", self.chance(70) ? self.stringLiteral() : self.scalar())) }
            if self.chance(20) { members.append(self.member(self.pick(["name", "extra"]), self.value())) }
            members.shuffle(using: &self.random)
            return "{" + members.joined(separator: ",") + (self.chance(5) ? "," : "") + "}"
        }

        mutating func body() -> String {
            var members: [String] = []
            if self.chance(97) { members.append(self.member("author", self.author())) }
            if self.chance(97) { members.append(self.member("text", self.chance(92) ? self.stringLiteral() : self.scalar())) }
            for key in ["id", "createdAt", "url", "repostOf"] where self.chance(40) {
                members.append(self.member(key, self.chance(85) ? self.stringLiteral() : self.scalar()))
            }
            for _ in 0..<Int.random(in: 0..<3, using: &self.random) {
                members.append(self.member(self.pick(["text", "author", "id", "extra", "te\\u0078t", "media"]), self.value()))
            }
            members.shuffle(using: &self.random)
            var body = self.space() + "{" + members.joined(separator: ",") + (self.chance(5) ? "," : "") + "}" + self.space()
            if self.chance(10) {  // a byte changed somewhere
                var bytes = Array(body.utf8)
                let index = Int.random(in: 0..<bytes.count, using: &self.random)
                bytes[index] = self.pick(Array("{}[],:\"\\ x0".utf8))
                body = String(decoding: bytes, as: UTF8.self)
            }
            return body
        }
    }

    @Test func answersOnlyWhatTheDecoderAnswersTheSame() throws {
        var maker = Maker(random: SeededGenerator(seed: 0x1A2B_3C4D))
        var quick = 0
        var decoded = 0
        for _ in 0..<20_000 {
            let body = maker.body()
            let bytes = Array(body.utf8)
            let reference = try? JSONDecoder().decode(IngestBody.self, from: Data(bytes))
            if reference != nil { decoded += 1 }
            guard let fast = IngestBody.quickDecode(bytes) else { continue }
            quick += 1
            #expect(fast == reference, "\(body)")
        }
        // The quick reader takes most of what the decoder reads: it is the path nearly every post goes through.
        #expect(decoded > 4_000, "\(decoded) of 20,000 decoded, \(quick) read quickly")
        #expect(quick > decoded / 2, "\(decoded) of 20,000 decoded, \(quick) read quickly")
    }

    @Test func readsThePlainBody() throws {
        let body =
            #"{"id":"x-1","author":{"name":"Claire","handle":null},"text":"Bonjour \"tout\" le monde \ud83c\udf89 #capcomnet","extra":[1,{"a":null}]}"#
        let read = try #require(IngestBody.quickDecode(Array(body.utf8)))
        #expect(read == (try JSONDecoder().decode(IngestBody.self, from: Data(body.utf8))))
        #expect(IngestBody.quickDecode(Array(#"{"author":{"name":"A"},"text":"one","text":"two"}"#.utf8)) == nil)  // the decoder keeps "one"
        #expect(IngestBody.quickDecode(Array(#"{"author":{"name":"A"},"text":"\ud800"}"#.utf8)) == nil)
    }
}
