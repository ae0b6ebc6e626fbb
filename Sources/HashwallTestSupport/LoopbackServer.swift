import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A fake upstream's Hummingbird application, run on a free loopback port until ``stop()``.
public final class LoopbackServer: Sendable {
    public let port: Int
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// Builds the application with `make` (given the logger and the `onServerRunning` hook to pass on), runs it and
    /// returns once it listens.
    public static func start<App: ApplicationProtocol>(
        name: String, _ make: (Logger, @escaping @Sendable (any Channel) async -> Void) -> App
    ) async throws -> LoopbackServer {
        var logger = Logger(label: name)
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = make(logger) { channel in continuation.yield(channel.localAddress?.port ?? 0) }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw CancellationError()
        }
        return LoopbackServer(port: port, group: group, task: task)
    }

    init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Stops the server gracefully and waits until it has.
    public func stop() async {
        await self.group.triggerGracefulShutdown()
        _ = try? await self.task.value
    }
}
