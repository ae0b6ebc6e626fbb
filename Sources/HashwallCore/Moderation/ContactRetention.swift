import Logging
import ServiceLifecycle

/// `storage.retentionDays`: wipes the contacts (SMS senders' numbers, e-mail addresses) of posts older than `days`
/// days, at start-up and then every `period`, until graceful shutdown.
public struct ContactRetention: Service {
    let intake: Intake
    let days: Int
    let period: Duration
    let logger: Logger

    public init(intake: Intake, days: Int, period: Duration = .seconds(3600), logger: Logger) {
        self.intake = intake
        self.days = days
        self.period = period
        self.logger = logger
    }

    public func run() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.intake.wipeContacts(olderThanDays: self.days)
                } catch {
                    self.logger.warning("contacts past storage.retentionDays not wiped yet", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: self.period)
            }
        }
    }
}
