import Foundation
import HashwallCore
import Logging
import ServiceLifecycle

/// Replays the bundled sample at a steady pace, looping, so a wall with no credentials is alive.
public struct DemoChannel: Service {
    let samples: [DemoSample]
    let intake: Intake
    let interval: Duration
    let status: ChannelStatusBoard
    let logger: Logger

    public init(samples: [DemoSample], intake: Intake, interval: Duration, status: ChannelStatusBoard, logger: Logger) {
        self.samples = samples
        self.intake = intake
        self.interval = interval
        self.status = status
        self.logger = logger
    }

    public func run() async {
        guard !self.samples.isEmpty else {
            self.status.set("demo", .stopped, error: "the demo sample is empty")
            return
        }
        self.status.set("demo", .running)
        // A run id keeps ids fresh across restarts of the server, not only across loops.
        let run = String(Int(Date().timeIntervalSince1970), radix: 36)
        try? await cancelWhenGracefulShutdown {
            var loop = 0
            while !Task.isCancelled {
                for (index, sample) in self.samples.enumerated() {
                    try await Task.sleep(for: self.interval)
                    do {
                        _ = try await self.intake.accept(sample.incoming(index: index, loop: loop, run: run), channelName: "demo")
                    } catch let error as InvalidField {
                        self.logger.warning("demo post rejected", metadata: ["index": "\(index)", "error": "\(error)"])
                    } catch {
                        self.status.set("demo", .failing, error: "\(error)")
                        self.logger.error("demo post not stored", metadata: ["index": "\(index)", "error": "\(error)"])
                    }
                }
                loop += 1
            }
        }
        self.status.set("demo", .stopped)
    }
}
