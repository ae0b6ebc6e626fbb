import Foundation
import HashwallCore
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET /events`: replays what the client missed, then streams live frames until it leaves, falls too far
/// behind (dropped: it reconnects with `Last-Event-ID`), or the server stops.
struct EventStreamRoute {
    let hub: EventHub
    /// The projector's stream (`/events?view=projector`): new posts only after the projector delay.
    var projectorHub: EventHub?
    /// The reconnection delay suggested to browsers.
    let retryMilliseconds: Int

    static let headers: HTTPFields = [
        .contentType: "text/event-stream; charset=utf-8",
        .cacheControl: "no-cache",
        .xAccelBuffering: "no",
    ]

    func add(to router: Router<HashwallRequestContext>) {
        router.get("events", use: self.events)
    }

    @Sendable func events(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        // The header (sent by browsers on reconnect) wins over the query (what a page uses after its snapshot).
        let lastSeen = (request.headers[.lastEventID] ?? request.uri.queryParameters["lastEventId"].map(String.init))
            .flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let hub = request.uri.queryParameters["view"] == "projector" ? self.projectorHub ?? self.hub : self.hub
        let subscription = hub.subscribe(after: lastSeen)
        let retry = SSEFrame.retry(milliseconds: self.retryMilliseconds)
        return Response(
            status: .ok, headers: Self.headers,
            body: ResponseBody { writer in
                let transfer = UnsafeWriterTransfer(writer: writer)
                try? await withGracefulShutdownHandler {
                    try await request.body.consumeWithInboundCloseHandler { _ in
                        await Self.pump(subscription, into: transfer, first: retry)
                    } onInboundClosed: {
                        subscription.cancel()
                    }
                } onGracefulShutdown: {
                    subscription.cancel()  // without this, shutdown would wait for every open stream
                }
                subscription.cancel()
                try? await writer.finish(nil)
            })
    }

    /// Writes frames until the feed ends. The writes run in a child task so that a feed ending (the client was
    /// dropped, left, or we stop) cancels a write stuck on a client that stopped reading.
    static func pump(_ subscription: Subscription, into transfer: UnsafeWriterTransfer, first: ByteBuffer) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var writer = transfer.writer
                do {
                    try await writer.write(first)
                    for await frame in subscription.frames {
                        try await writer.write(frame)
                    }
                } catch {
                    // The client is gone or the write was cancelled: either way this stream is over.
                }
            }
            group.addTask { await subscription.waitUntilEnded() }
            await group.next()
            subscription.cancel()
            group.cancelAll()
        }
    }
}

/// Carries the response writer into the child task that writes frames. Safe because the parent waits for
/// that task to finish before using the writer again (to finish the response), so it is never used by two
/// tasks at once — the same reasoning as Hummingbird's own `consumeWithCancellationOnInboundClose`.
struct UnsafeWriterTransfer: @unchecked Sendable {
    let writer: any ResponseBodyWriter
}
