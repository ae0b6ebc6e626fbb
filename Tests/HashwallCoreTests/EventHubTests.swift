import Foundation
import HashwallCore
import Logging
import NIOCore
import Testing

func event(_ number: Int64, _ text: String = "x") -> EventHub.Frame {
    EventHub.Frame(number: number, bytes: SSEFrame.event(number: number, name: "post", json: Data(#"{"text":"\#(text)"}"#.utf8)))
}

func ids(_ frames: [ByteBuffer]) -> [String] {
    frames.compactMap { frame in
        String(buffer: frame).split(separator: "\n").first { $0.hasPrefix("id: ") }.map { String($0.dropFirst(4)) }
    }
}

func take(_ count: Int, from subscription: Subscription) async -> [ByteBuffer] {
    var frames: [ByteBuffer] = []
    for await frame in subscription.frames {
        frames.append(frame)
        if frames.count == count { break }
    }
    return frames
}

@Suite struct EventHubTests {
    let hub = EventHub(limits: .init(replayWindow: 5, clientQueue: 4), metrics: .discarding, logger: Logger(label: "test"))

    @Test func lastEventIDReplaysExactlyTheGap() async {
        self.hub.publish((1...4).map { event($0) })
        let subscription = self.hub.subscribe(after: 2)
        self.hub.publish([event(5)])
        #expect(ids(await take(3, from: subscription)) == ["3", "4", "5"])
    }

    @Test func aGapOlderThanTheWindowGetsAResetAndNothingOlder() async {
        self.hub.publish((1...9).map { event($0) })  // the window keeps 5...9
        let subscription = self.hub.subscribe(after: 2)
        self.hub.publish([event(10)])
        let frames = await take(2, from: subscription)
        #expect(String(buffer: frames[0]).contains("event: reset"))
        #expect(String(buffer: frames[0]).contains("id: 9"))
        #expect(ids(frames) == ["9", "10"])
    }

    @Test func aClientUpToDateGetsNoReplayAndAnUnknownFutureIDGetsAReset() async {
        self.hub.publish((1...3).map { event($0) })
        let current = self.hub.subscribe(after: 3)
        let future = self.hub.subscribe(after: 42)
        self.hub.publish([event(4)])
        #expect(ids(await take(1, from: current)) == ["4"])
        #expect(String(buffer: (await take(1, from: future))[0]).contains("event: reset"))
    }

    @Test func aSlowClientIsDroppedWhileAnotherKeepsEverything() async {
        let slow = self.hub.subscribe(after: nil)
        let fast = self.hub.subscribe(after: nil)
        var received: [ByteBuffer] = []
        for number in Int64(1)...20 {
            self.hub.publish([event(number)])
            received += await take(1, from: fast)
        }
        #expect(ids(received) == (1...20).map(String.init))
        var slowFrames: [ByteBuffer] = []
        for await frame in slow.frames { slowFrames.append(frame) }  // ends: the hub dropped it
        #expect(slowFrames.count == 4)
        #expect(self.hub.clientCount == 1)
    }

    @Test func numbersWithGapsStillReplayExactlyWhatThisStreamMissed() async {
        self.hub.publish([event(2), event(5), event(9), event(12), event(13), event(20), event(21)])  // the window keeps 12...21
        let within = self.hub.subscribe(after: 10)  // 10 is another stream's number, after the evicted 9
        self.hub.publish([event(22)])
        #expect(ids(await take(5, from: within)) == ["12", "13", "20", "21", "22"])
        let tooOld = self.hub.subscribe(after: 8)  // 9 was evicted: this client missed it
        #expect(String(buffer: (await take(1, from: tooOld))[0]).contains("event: reset"))
    }

    @Test func everyClientGetsTheSameEncodedBytes() async {
        let a = self.hub.subscribe(after: nil)
        let b = self.hub.subscribe(after: nil)
        self.hub.publish([event(1, "Bonjour 👋")])
        let frameA = await take(1, from: a)[0]
        let frameB = await take(1, from: b)[0]
        #expect(frameA == frameB)
        frameA.withUnsafeReadableBytes { pa in
            frameB.withUnsafeReadableBytes { pb in #expect(pa.baseAddress == pb.baseAddress) }  // one encoding, shared storage
        }
    }
}
