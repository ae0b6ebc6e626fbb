import Foundation
import HashwallCore
import Hummingbird
import NIOCore

/// `GET /events`: replays what the client missed, then streams live frames until it leaves, falls too far
/// behind (dropped: it reconnects with `Last-Event-ID`), or the server stops.
///
/// Hummingbird writes the response head; from then on the hub writes the frames straight into the connection on
/// its event loop (``ChannelClient``) and ends the response itself (``WallHubs/endStreams()``, when the server
/// begins to stop). The handler returns at once: an open stream keeps no task of its own, only the connection's
/// wait for a next request that an EventSource never sends.
struct EventStreamRoute {
    let hub: EventHub
    /// The projector's stream (`/events?view=projector`): new posts only after the projector delay.
    var projectorHub: EventHub?
    /// The reconnection delay suggested to browsers.
    let retryMilliseconds: Int
    /// Limits on open streams (public streams only: moderators are few and known).
    var admission: (streams: StreamAdmission, addresses: ClientAddresses)?

    /// The stream's own headers and the security headers: `/events` is registered before the router's
    /// middlewares (see ``WallServer/router()``), so it sets them itself.
    static let headers: HTTPFields = {
        var fields: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8",
            .cacheControl: "no-cache",
            .xAccelBuffering: "no",
        ]
        fields.append(contentsOf: SecurityHeaders.fields)
        return fields
    }()

    func add(to router: Router<HashwallRequestContext>) {
        router.get("events", use: self.events)
    }

    @Sendable func events(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        // The header (sent by browsers on reconnect) wins over the query (what a page uses after its snapshot).
        let lastSeen = (request.headers[.lastEventID] ?? request.uri.queryParameters["lastEventId"].map(String.init))
            .flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let hub = request.uri.queryParameters["view"] == "projector" ? self.projectorHub ?? self.hub : self.hub
        let retry = SSEFrame.retry(milliseconds: self.retryMilliseconds)
        let channel = context.channel
        let closeAfterResponse = request.headers[.connection]?.lowercased() == "close"
        let admitted = try self.admission.map { admission in
            let address = admission.addresses.client(request, context: context)
            try admission.streams.admit(address)
            return (admission.streams, address)
        }
        return Response(
            status: .ok, headers: Self.headers,
            body: ResponseBody { _ in
                // The head is queued on the loop before this runs, so the hub's writes follow it.
                let client = ChannelClient(channel: channel, queueLimit: hub.limits.clientQueue)
                let attachment = hub.attach(client, after: lastSeen, first: retry)
                channel.closeFuture.whenComplete { _ in
                    attachment.cancel()
                    if let admitted { admitted.0.release(admitted.1) }
                }
                // A client that leaves half-closes first: close the stream then, not at the next failed write.
                try? await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(
                        InputClosedHandler { client.eventLoop.execute { client.end() } }, position: .first)
                }.get()
                // Hummingbird closes a `Connection: close` connection as soon as this returns: stay until the end.
                if closeAfterResponse { await attachment.waitUntilEnded() }
            })
    }
}
