import HashwallCore
import NIOCore
import NIOHTTPTypes

/// An SSE client written straight into its connection on the connection's event loop: the hub's batch for that
/// loop calls ``write(_:)`` for every client, so an event costs no task wake-up and no thread hop per client.
///
/// Safety of `@unchecked Sendable`: `behind` is only read and written on `channel.eventLoop` (the hub calls
/// `write` and `end` there, as ``LoopClient`` requires); everything else is immutable.
final class ChannelClient: LoopClient, @unchecked Sendable {
    let channel: any Channel
    /// Frames the client may fall behind (written while its socket was full) before it is dropped.
    let queueLimit: Int
    private var behind = 0

    init(channel: any Channel, queueLimit: Int) {
        self.channel = channel
        self.queueLimit = queueLimit
    }

    var eventLoop: any EventLoop { self.channel.eventLoop }

    func write(_ frames: [ByteBuffer]) -> Bool {
        self.channel.eventLoop.assertInEventLoop()
        // A closed connection is detached by its close future; nothing to write meanwhile.
        guard self.channel.isActive else { return true }
        if self.channel.isWritable {
            self.behind = 0
        } else {
            self.behind += frames.count
            if self.behind > self.queueLimit { return false }
        }
        for frame in frames {
            self.channel.write(HTTPResponsePart.body(frame), promise: nil)
        }
        self.channel.flush()
        return true
    }

    func end() {
        self.channel.close(promise: nil)
    }
}

/// Ends an event stream when the client closes its side: Hummingbird keeps half-closed connections open
/// (`allowRemoteHalfClosure`) and nobody reads an SSE request's inbound side, so without this a departed
/// client would stay attached until a write to it failed.
final class InputClosedHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let onClosed: @Sendable () -> Void

    init(onClosed: @escaping @Sendable () -> Void) {
        self.onClosed = onClosed
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            self.onClosed()
        }
        context.fireUserInboundEventTriggered(event)
    }
}
