import NIOCore

/// One client's feed from the ``EventHub``: replayed frames first, then live ones, through a bounded buffer.
///
/// Overflow rule: when the client falls `clientQueue` frames behind, the hub ends its feed; the client
/// reconnects with `Last-Event-ID` and catches up from the replay window.
public struct Subscription: Sendable {
    /// Encoded frames, in event order.
    public let frames: AsyncStream<ByteBuffer>
    let ended: AsyncStream<Void>
    let continuation: AsyncStream<ByteBuffer>.Continuation

    /// Ends the feed (the client left, or the server is stopping).
    public func cancel() {
        self.continuation.finish()
    }

    /// Returns when the feed has ended: cancelled, dropped as too slow, or the hub stopped.
    public func waitUntilEnded() async {
        for await _ in self.ended {}
    }
}
