import Foundation
import HTTPTypes
import HashwallCore
import Hummingbird
import HummingbirdCore
import NIOCore

/// `GET /events` as one value: which hub a request follows, from which event, whether its address may open one
/// more stream, and the client attached to its connection. Shared by ``EventStreamRoute`` (a stream asked on a
/// connection that already served other requests) and ``FastPathHandler`` (a connection whose first
/// request is the stream, taken over below the server's request handling).
public struct EventStreams: Sendable {
    let hub: EventHub
    /// The projector's stream (`/events?view=projector`): new posts only after the projector delay.
    let projectorHub: EventHub?
    /// The reconnection delay suggested to browsers.
    let retryMilliseconds: Int
    /// Limits on open streams (public streams only: moderators are few and known).
    let admission: StreamAdmission?
    let addresses: ClientAddresses

    public init(hubs: WallHubs, retryMilliseconds: Int, admission: StreamAdmission?, addresses: ClientAddresses) {
        self.init(hub: hubs.wall, projectorHub: hubs.projector, retryMilliseconds: retryMilliseconds, admission: admission, addresses: addresses)
    }

    init(hub: EventHub, projectorHub: EventHub?, retryMilliseconds: Int, admission: StreamAdmission?, addresses: ClientAddresses) {
        self.hub = hub
        self.projectorHub = projectorHub
        self.retryMilliseconds = retryMilliseconds
        self.admission = admission
        self.addresses = addresses
    }

    /// The stream's own headers and the security headers: neither path to a stream goes through the router's
    /// middlewares, so the stream sets them itself.
    static let headers = SecurityHeaders.added(to: [
        .contentType: "text/event-stream; charset=utf-8",
        .cacheControl: "no-cache",
        .xAccelBuffering: "no",
    ])

    /// What a request asks: the hub (by `view`) and the last event its client has. The header (sent by
    /// browsers on reconnect) wins over the query (what a page uses after its snapshot).
    func request(headers: HTTPFields, query: FlatDictionary<Substring, Substring>) -> (hub: EventHub, lastSeen: Int64?) {
        let lastSeen = (headers[.lastEventID] ?? query["lastEventId"].map(String.init))
            .flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let hub = query["view"] == "projector" ? self.projectorHub ?? self.hub : self.hub
        return (hub, lastSeen)
    }

    /// Admits one more stream from the request's client, or throws the answer to give instead; the returned
    /// closure gives the place back when the stream ends.
    func admit(peer: String, forwardedFor: [String]) throws -> (@Sendable () -> Void)? {
        guard let admission = self.admission else { return nil }
        let address = self.addresses.client(peer: peer, forwardedFor: forwardedFor)
        try admission.admit(address)
        return { admission.release(address) }
    }

    /// Attaches a client writing into `channel` (on its event loop, the response head already queued): replay
    /// from `lastSeen`, then live frames until the client leaves, falls too far behind, or the server stops.
    @discardableResult
    func attach(
        channel: any Channel, hub: EventHub, lastSeen: Int64?, release: (@Sendable () -> Void)?
    ) -> (client: ChannelClient, attachment: Attachment) {
        let client = ChannelClient(channel: channel, queueLimit: hub.limits.clientQueue)
        let attachment = hub.attach(client, after: lastSeen, first: SSEFrame.retry(milliseconds: self.retryMilliseconds))
        channel.closeFuture.whenComplete { _ in
            attachment.cancel()
            release?()
        }
        return (client, attachment)
    }
}
