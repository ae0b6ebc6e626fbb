import NIOCore

/// A client whose frames are written on its connection's event loop, without a task of its own: the hub hands
/// each event loop one batch per publish (one `execute` for all of that loop's clients), and the client writes
/// the shared buffers straight into its channel.
///
/// Its methods are only called on ``eventLoop``.
public protocol LoopClient: AnyObject, Sendable {
    var eventLoop: any EventLoop { get }
    /// The bytes that ``write(_:frames:)`` sends for `frames`, built once per batch and shared by every client
    /// of this type on the loop (for HTTP/1.1: one chunk of the chunked body holding all the frames).
    static func prepare(_ frames: [ByteBuffer]) -> ByteBuffer
    /// Writes `prepared` (the batch `frames`, as ``prepare(_:)`` made them) and flushes. Returns false when the
    /// client fell too far behind and must go (it reconnects with `Last-Event-ID` and catches up from the
    /// replay window).
    func write(_ prepared: ByteBuffer, frames: [ByteBuffer]) -> Bool
    /// Closes the connection (the client fell behind).
    func end()
    /// Ends the stream cleanly (the server is stopping): the end of the response, then the connection may close.
    func finish()
}

/// A ``LoopClient``'s place in the hub: wait on it for the end of the stream, cancel it when the client leaves.
public struct Attachment: Sendable {
    let id: Int
    let ended: AsyncStream<Void>
    let hub: EventHub

    /// Detaches the client (it left); idempotent.
    public func cancel() {
        self.hub.detach([self.id], because: .left)
    }

    /// Returns when the client is detached: cancelled, dropped as too slow, or the hub stopped.
    public func waitUntilEnded() async {
        for await _ in self.ended {}
    }
}
