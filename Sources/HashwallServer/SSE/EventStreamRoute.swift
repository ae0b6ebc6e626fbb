import Foundation
import HashwallCore
import Hummingbird
import NIOCore

/// `GET /events` through the router: a stream asked on a connection that already served other requests (a
/// browser reuses its keep-alive connections). A connection whose first request is the stream never gets here:
/// ``FastPathHandler`` takes it over first.
///
/// Hummingbird writes the response head; from then on the hub writes the frames straight into the connection on
/// its event loop (``ChannelClient``) and ends the response itself (``WallHubs/endStreams()``, when the server
/// begins to stop). The handler returns at once: the stream keeps no task of its own, only the connection's wait
/// for a next request that an EventSource never sends.
struct EventStreamRoute {
    let streams: EventStreams

    init(streams: EventStreams) {
        self.streams = streams
    }

    /// A stream of `hub` with no admission limit (the moderators' and the lectern's: few and known).
    init(hub: EventHub, retryMilliseconds: Int) {
        self.streams = EventStreams(hub: hub, projectorHub: nil, retryMilliseconds: retryMilliseconds, admission: nil, addresses: ClientAddresses())
    }

    func add(to router: Router<HashwallRequestContext>) {
        router.get("events", use: self.events)
    }

    @Sendable func events(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let (hub, lastSeen) = self.streams.request(headers: request.headers, query: request.uri.queryParameters)
        let channel = context.channel
        let closeAfterResponse = request.headers[.connection]?.lowercased() == "close"
        let release = try self.streams.admit(peer: context.clientAddress, forwardedFor: request.headers[values: .xForwardedFor])
        let streams = self.streams
        return Response(
            status: .ok, headers: EventStreams.headers,
            body: ResponseBody { _ in
                // The head is queued on the loop before this runs, so the hub's writes follow it.
                let (client, attachment) = streams.attach(channel: channel, hub: hub, lastSeen: lastSeen, release: release)
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
