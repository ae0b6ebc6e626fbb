import Foundation

/// A post's JSON written byte by byte: the object `JSONEncoder` (`.withoutEscapingSlashes`) makes of
/// `Post.encode(to:)` — same keys and values, every string escaped as it escapes it (a test compares both over
/// hostile posts), keys in declaration order (JSONEncoder's follow its dictionary) — at a fraction of its cost. Every accepted post is encoded once for its row and its frames, on the journal's writer.
public enum PostJSONWriter {
    static func encode(_ post: Post) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(320 + post.text.utf8.count + post.author.name.utf8.count)
        out.append(contentsOf: #"{"id":"#.utf8)
        string(post.id.rawValue, into: &out)
        out.append(contentsOf: #","channel":"#.utf8)
        string(post.channel.rawValue, into: &out)
        out.append(contentsOf: #","author":{"name":"#.utf8)
        string(post.author.name, into: &out)
        out.append(contentsOf: #","handle":"#.utf8)
        optional(post.author.handle, into: &out)
        out.append(contentsOf: #"},"text":"#.utf8)
        string(post.text, into: &out)
        out.append(contentsOf: #","createdAt":"#.utf8)
        string(WireDate.format(post.createdAt), into: &out)
        out.append(contentsOf: #","receivedAt":"#.utf8)
        string(WireDate.format(post.receivedAt), into: &out)
        out.append(contentsOf: #","url":"#.utf8)
        optional(post.url, into: &out)
        out.append(contentsOf: #","media":["#.utf8)
        for (index, media) in post.media.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"url":"#.utf8)
            string(media.url, into: &out)
            out.append(contentsOf: #","source":"#.utf8)
            string(media.source, into: &out)
            out.append(contentsOf: #","alt":"#.utf8)
            string(media.alt, into: &out)
            if let width = media.width { out.append(contentsOf: #","width":\#(width)"#.utf8) }
            if let height = media.height { out.append(contentsOf: #","height":\#(height)"#.utf8) }
            out.append(contentsOf: #","sensitive":\#(media.sensitive)}"#.utf8)
        }
        out.append(contentsOf: #"],"hashtags":["#.utf8)
        for (index, tag) in post.hashtags.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(tag, into: &out)
        }
        out.append(contentsOf: #"],"spans":["#.utf8)
        for (index, span) in post.spans.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"kind":"\#(span.kind.rawValue)","start":\#(span.start),"end":\#(span.end)}"#.utf8)
        }
        out.append(contentsOf: #"],"reposts":\#(post.reposts),"pinned":\#(post.pinned)"#.utf8)
        if let warning = post.contentWarning {
            out.append(contentsOf: #","contentWarning":"#.utf8)
            string(warning, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }

    /// The fields ``ModeratedPost`` adds to its post's object, each preceded by a comma: what `JSONEncoder` makes of
    /// ``ModeratedPost/Fields``, to be appended to the post's object before its closing brace.
    static func moderationFields(_ moderated: ModeratedPost) -> [UInt8] {
        let moderation = moderated.stored.moderation
        var out: [UInt8] = []
        out.reserveCapacity(160 + (moderation.heldBecause?.utf8.count ?? 0) + (moderation.contact?.utf8.count ?? 0))
        out.append(contentsOf: #","state":"#.utf8)
        string(moderation.state.rawValue, into: &out)
        out.append(contentsOf: #","heldSince":"#.utf8)
        optional(moderation.heldSince.map { WireDate.format(Date(timeIntervalSince1970: $0)) }, into: &out)
        out.append(contentsOf: #","heldBecause":"#.utf8)
        optional(moderation.heldBecause, into: &out)
        out.append(contentsOf: #","authorBanned":\#(moderated.authorBanned),"authorTrusted":\#(moderated.authorTrusted),"contact":"#.utf8)
        optional(moderation.contact, into: &out)
        out.append(contentsOf: #","question":"#.utf8)
        if let question = moderation.question {
            out.append(contentsOf: #"{"markedAt":"#.utf8)
            string(WireDate.format(Date(timeIntervalSince1970: question.markedAt)), into: &out)
            out.append(contentsOf: #","doneAt":"#.utf8)
            optional(question.doneAt.map { WireDate.format(Date(timeIntervalSince1970: $0)) }, into: &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(contentsOf: "null".utf8)
        }
        return out
    }

    /// `{"id":"…"}`: the answer to an accepted post.
    public static func idObject(_ id: PostID) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(12 + id.rawValue.utf8.count)
        out.append(contentsOf: #"{"id":"#.utf8)
        string(id.rawValue, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func optional(_ value: String?, into out: inout [UInt8]) {
        if let value { string(value, into: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\n`-style or `\u00XX` escapes, everything else
    /// as its UTF-8 bytes.
    private static func string(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
