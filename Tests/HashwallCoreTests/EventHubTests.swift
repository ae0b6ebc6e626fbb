import Foundation
import HashwallCore
import HashwallTestSupport
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

@Suite struct EventHubTests {
    let hub = EventHub(limits: .init(replayWindow: 5, clientQueue: 4), metrics: .discarding, logger: Logger(label: "test"))

    @Test func lastEventIDReplaysExactlyTheGap() async throws {
        self.hub.publish((1...4).map { event($0) })
        let client = RecordingClient.attach(to: self.hub, after: 2)
        self.hub.publish([event(5)])
        #expect(ids(try await client.take(3)) == ["3", "4", "5"])
    }

    @Test func aGapOlderThanTheWindowGetsAResetAndNothingOlder() async throws {
        self.hub.publish((1...9).map { event($0) })  // the window keeps 5...9
        let client = RecordingClient.attach(to: self.hub, after: 2)
        self.hub.publish([event(10)])
        let frames = try await client.take(2)
        #expect(String(buffer: frames[0]).contains("event: reset"))
        #expect(String(buffer: frames[0]).contains("id: 9"))
        #expect(ids(frames) == ["9", "10"])
    }

    @Test func aClientUpToDateGetsNoReplayAndAnUnknownFutureIDGetsAReset() async throws {
        self.hub.publish((1...3).map { event($0) })
        let current = RecordingClient.attach(to: self.hub, after: 3)
        let future = RecordingClient.attach(to: self.hub, after: 42)
        self.hub.publish([event(4)])
        #expect(ids(try await current.take(1)) == ["4"])
        #expect(String(buffer: try await future.take(1)[0]).contains("event: reset"))
    }

    @Test func aSlowClientIsDroppedWhileAnotherKeepsEverything() async throws {
        let slow = RecordingClient.attach(to: self.hub, after: nil, capacity: 4)  // never reads
        let fast = RecordingClient.attach(to: self.hub, after: nil)
        var received: [ByteBuffer] = []
        for number in Int64(1)...20 {
            self.hub.publish([event(number)])
            received += try await fast.take(1)
        }
        #expect(ids(received) == (1...20).map(String.init))
        try await eventually("the slow client dropped") { slow.wasDropped && self.hub.clientCount == 1 }
        #expect(slow.frames.count == 4)
        #expect(!fast.wasDropped)
    }

    @Test func stoppingEndsEveryStreamCleanlyAndRefusesNewOnes() async throws {
        let open = RecordingClient.attach(to: self.hub, after: nil)
        self.hub.endStreams()
        try await eventually("the open stream finished") { open.wasFinished }
        #expect(self.hub.clientCount == 0)
        let late = RecordingClient.attach(to: self.hub, after: nil)
        try await eventually("a stream opened while stopping finished at once") { late.wasFinished }
        self.hub.publish([event(1)])
        #expect(self.hub.clientCount == 0 && late.frames.isEmpty)
    }

    @Test func numbersWithGapsStillReplayExactlyWhatThisStreamMissed() async throws {
        self.hub.publish([event(2), event(5), event(9), event(12), event(13), event(20), event(21)])  // the window keeps 12...21
        let within = RecordingClient.attach(to: self.hub, after: 10)  // 10 is another stream's number, after the evicted 9
        self.hub.publish([event(22)])
        #expect(ids(try await within.take(5)) == ["12", "13", "20", "21", "22"])
        let tooOld = RecordingClient.attach(to: self.hub, after: 8)  // 9 was evicted: this client missed it
        #expect(String(buffer: try await tooOld.take(1)[0]).contains("event: reset"))
    }

    @Test func everyClientGetsTheSameEncodedBytes() async throws {
        let a = RecordingClient.attach(to: self.hub, after: nil)
        let b = RecordingClient.attach(to: self.hub, after: nil)
        self.hub.publish([event(1, "Bonjour 👋")])
        let frameA = try await a.take(1)[0]
        let frameB = try await b.take(1)[0]
        #expect(frameA == frameB)
        frameA.withUnsafeReadableBytes { pa in
            frameB.withUnsafeReadableBytes { pb in #expect(pa.baseAddress == pb.baseAddress) }  // one encoding, shared storage
        }
    }
}
