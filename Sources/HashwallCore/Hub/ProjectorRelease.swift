import ServiceLifecycle

/// Sends the projector each post once its projector delay has passed (see ``Intake/releaseProjectorPosts(now:)``),
/// checking four times a second until graceful shutdown.
public struct ProjectorRelease: Service {
    let intake: Intake
    let period: Duration

    public init(intake: Intake, period: Duration = .milliseconds(250)) {
        self.intake = intake
        self.period = period
    }

    public func run() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.period)
                try? await self.intake.releaseProjectorPosts()
            }
        }
    }
}
