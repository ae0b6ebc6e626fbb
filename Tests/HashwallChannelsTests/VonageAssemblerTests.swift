import Foundation
import HashwallChannels
import HashwallCore
import HashwallTestSupport
import Logging
import Testing

@Suite struct VonageAssemblerTests {
    @Test func partsThatNeverCompleteAreShownAfterTheTimeoutWithTheGapMarked() async throws {
        let directory = try TemporaryDirectory()
        let logger = Logger(label: "test")
        let hubs = WallHubs(
            wall: EventHub(metrics: .discarding, logger: logger), projector: EventHub(name: "projector", metrics: .discarding, logger: logger),
            moderators: EventHub(name: "moderators", metrics: .discarding, logger: logger))
        let journal = try Journal(path: directory.file("wall.sqlite"), hubs: hubs, metrics: .discarding, logger: logger)
        let intake = try Intake(journal: journal, hubs: hubs, limits: StoreLimits(), metrics: .discarding, status: ChannelStatusBoard())
        let assembler = try VonageAssembler(journal: journal, intake: intake, rules: SMSRules(), timeout: 60)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await journal.run() }
            defer { group.cancelAll() }
            let start = Date()
            for number in [1, 3] {
                let part = VonageWebhook.Part(
                    messageID: "m\(number)", from: "+33611112222", text: "partie \(number) ", reference: "9", part: number, total: 4)
                try await assembler.accept(part, now: start)
            }
            try await assembler.sweep(now: start.addingTimeInterval(30))
            #expect(try await intake.snapshot(limit: 10).posts.isEmpty, "shown before the timeout")
            try await assembler.sweep(now: start.addingTimeInterval(61))
            #expect(try await intake.snapshot(limit: 10).posts.map(\.text) == ["partie 1 …partie 3 …"])
        }
    }
}
