import HashwallCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// An SSE client written straight into its connection on the connection's event loop: the hub's batch for that
/// loop calls ``write(_:frames:)`` for every client, so an event costs no task wake-up and no thread hop per
/// client.
///
/// The batch arrives already framed as one HTTP/1.1 chunk (``prepare(_:)``, once for all clients) and is written
/// below Hummingbird's HTTP handlers, straight to the socket end of the pipeline: the response is always chunked
/// there (Hummingbird answers as HTTP/1.1 and a stream has no length), and the head before it and the end after
/// it still go through those handlers, in order on the same loop.
///
/// Safety of `@unchecked Sendable`: `behind` and `encoder` are only used on `channel.eventLoop` (the hub calls
/// `write` and `end` there, as ``LoopClient`` requires); everything else is immutable.
final class ChannelClient: LoopClient, @unchecked Sendable {
    let channel: any Channel
    /// Frames the client may fall behind (written while its socket was full) before it is dropped.
    let queueLimit: Int
    private var behind = 0
    /// The HTTP encoder's place in the pipeline: chunks are written just below it. Nil until the first write, or
    /// when the pipeline has no HTTP/1 encoder (then frames go through the whole pipeline).
    private var encoder: ChannelHandlerContext?
    private var lookedUp = false

    init(channel: any Channel, queueLimit: Int) {
        self.channel = channel
        self.queueLimit = queueLimit
    }

    var eventLoop: any EventLoop { self.channel.eventLoop }

    /// `frames` as one chunk of a chunked HTTP/1.1 body: size in hex, CRLF, the frames, CRLF.
    static func prepare(_ frames: [ByteBuffer]) -> ByteBuffer {
        let size = frames.reduce(0) { $0 + $1.readableBytes }
        var chunk = ByteBuffer()
        chunk.reserveCapacity(size + 12)
        chunk.writeString(String(size, radix: 16))
        chunk.writeStaticString("\r\n")
        for frame in frames { chunk.writeImmutableBuffer(frame) }
        chunk.writeStaticString("\r\n")
        return chunk
    }

    func write(_ prepared: ByteBuffer, frames: [ByteBuffer]) -> Bool {
        self.channel.eventLoop.assertInEventLoop()
        // A closed connection is detached by its close future; nothing to write meanwhile.
        guard self.channel.isActive else { return true }
        if self.channel.isWritable {
            self.behind = 0
        } else {
            self.behind += frames.count
            if self.behind > self.queueLimit { return false }
        }
        if !self.lookedUp {
            self.lookedUp = true
            self.encoder = try? self.channel.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
        }
        if let encoder = self.encoder {
            encoder.write(NIOAny(IOData.byteBuffer(prepared)), promise: nil)
            encoder.flush()
        } else {
            for frame in frames { self.channel.write(HTTPResponsePart.body(frame), promise: nil) }
            self.channel.flush()
        }
        return true
    }

    func end() {
        self.channel.close(promise: nil)
    }

    /// The end of the response, through the whole pipeline as Hummingbird would write it: its connection handler
    /// sees the response complete (and closes the connection if the server is stopping).
    func finish() {
        self.channel.writeAndFlush(HTTPResponsePart.end(nil), promise: nil)
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
