import Foundation
import FuzzSupport
import HashwallChannels
import HashwallCore

/// libFuzzer entry: any bytes as what the open networks send: a Mastodon stream chunk (SSE), a Status, a Jetstream
/// event, an X filtered-stream chunk (lines of JSON), through the decoders and the rules. Nothing may crash; a post is
/// never without text or id.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSocial(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var parser = ServerSentEvents()
    for event in parser.feed(bytes) + parser.feed([10, 10]) {
        precondition(!event.name.isEmpty, "an event without a name")
    }
    let mastodon = MastodonRules(hashtags: ["capcomnet"])
    if let status = try? MastodonStatus.decode(bytes), case .post(let post) = mastodon.verdict(for: status, host: "m.example") {
        precondition(post.id.rawValue.hasPrefix("mastodon:") && !post.text.isEmpty, "a Mastodon post without id or text")
    }
    let bluesky = BlueskyRules(hashtags: ["capcomnet"])
    if let event = try? JetstreamEvent.decode(bytes), let commit = event.commit, let record = commit.record, bluesky.wants(record),
        let uri = event.uri, let post = bluesky.post(uri: uri, did: event.did, rkey: commit.rkey, record: record, profile: nil)
    {
        precondition(post.id.rawValue.hasPrefix("bluesky:at://") && !post.text.isEmpty, "a Bluesky post without id or text")
    }
    let x = XRules()
    var lines = XLineDecoder()
    // The same bytes in two cuts: a line split across chunks must decode as one.
    let cut = bytes.count / 2
    for item in lines.feed(bytes[..<cut]) + lines.feed(bytes[cut...]) + lines.feed([13, 10]) {
        guard case .line(let line) = item else { continue }
        precondition(!line.isEmpty && line.count <= XLineDecoder.maxLine, "an empty or oversized line")
        if let message = try? JSONDecoder().decode(XStreamMessage.self, from: Data(line)), let tweet = message.data {
            for post in x.posts(for: tweet, includes: message.includes) {
                precondition(post.id.rawValue.hasPrefix("x:") && !post.text.isEmpty, "an X post without id or text")
            }
        }
    }
    return 0
}

// SwiftPM names a debug executable's main `FuzzSocial_main`: libFuzzer's driver runs from there.
@_cdecl("FuzzSocial_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzSocial(data, size) }
}
