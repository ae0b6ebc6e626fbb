import Foundation
import HashwallChannels
import HashwallCore
import Testing

@Suite struct DemoSampleTests {
    @Test func theBundledSampleIsVariedAndWellFormed() throws {
        let samples = try DemoSample.bundled()
        #expect((150...260).contains(samples.count))
        let channels = Set(samples.map(\.channel))
        #expect(channels == [.x, .mastodon, .bluesky, .sms, .email])
        for (index, sample) in samples.enumerated() {
            if let original = sample.repostOf {
                #expect(original < index, "item \(index) reposts a later item")
                #expect(samples[original].text == sample.text, "item \(index) does not copy its original's text")
            }
        }
        #expect(samples.contains { $0.text.count > 300 })
        #expect(samples.contains { $0.text.hasPrefix("RT @") })
    }

    @Test func oneLoopMergesItsDuplicatesAndRepostsButKeepsDifferentAuthorsApart() throws {
        let samples = try DemoSample.bundled()
        var store = PostStore(limits: StoreLimits(maxPosts: 1000, maxRememberedKeys: 10_000))
        var reposted = 0
        var duplicates = 0
        let start = Date()
        for (index, sample) in samples.enumerated() {
            let prepared = try PreparedPost(sample.incoming(index: index, loop: 0, run: "t"), receivedAt: start.addingTimeInterval(Double(index)))
            switch store.merge(prepared).outcome {
            case .reposted: reposted += 1
            case .duplicate: duplicates += 1
            default: break
            }
        }
        #expect(reposted >= 10, "the sample's retweets and boosts should raise counts")
        #expect(duplicates >= 5, "the sample's retries and cross-posts should merge")
        #expect(store.count == samples.count - reposted - duplicates)
        let bravos = store.page(limit: 1000)?.filter { $0.text.hasPrefix("Bravo !") } ?? []
        #expect(bravos.count >= 3, "different authors who write the same short text stay apart")
    }

    @Test func theNextLoopIsFreshNotADuplicateOfTheFirst() throws {
        let sample = try #require(try DemoSample.bundled().first)
        var store = PostStore(limits: StoreLimits())
        let first = store.merge(try PreparedPost(sample.incoming(index: 0, loop: 0, run: "t"), receivedAt: Date())).outcome
        let second = store.merge(try PreparedPost(sample.incoming(index: 0, loop: 1, run: "t"), receivedAt: Date())).outcome
        guard case .added = first, case .added = second else {
            Issue.record("loop 1 merged into loop 0: \(first), \(second)")
            return
        }
    }
}
