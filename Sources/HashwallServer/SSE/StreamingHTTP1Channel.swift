import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 server, except that a connection whose first request is `GET /events` is served by
/// a channel handler from there on and never becomes a task.
///
/// Hummingbird runs one task per connection, suspended in its wait for a next request; under an open stream that
/// wait is all the task does, and it costs about 13 KiB (the task, its frames, the async channel's buffers). Here a
/// connection starts as the same pipeline (decoder, encoder, Hummingbird's idle and shutdown handler) with a
/// ``StreamConnectionHandler`` at its end, and its task only waits for the handler's decision on the first request:
/// a stream is answered by the handler and the task ends; anything else is handed to Hummingbird's own request
/// loop (``HTTPChannelHandler/handleHTTP(asyncChannel:logger:)``) unchanged, with every later request on it.
public struct StreamingHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    public struct Value: ServerChildChannelValue {
        public let channel: any Channel
        /// The async channel for Hummingbird's request loop, or nil when the handler took the connection (or it
        /// closed before its first request).
        let decision: EventLoopFuture<NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>?>
    }

    public let responder: HTTPChannelHandler.Responder
    let configuration: HTTP1Channel.Configuration
    let streams: EventStreams

    public init(responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP1Channel.Configuration, streams: EventStreams) {
        self.responder = responder
        self.configuration = configuration
        self.streams = streams
    }

    /// The pipeline of Hummingbird's `HTTP1Channel`, with the stream handler where its async channel would be.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = self.configuration.httpDecoder.maxHeaderFieldSize
            limits.maxHeaderListSize = self.configuration.httpDecoder.maxHeaderListSize
            limits.maxHeaderFieldCount = self.configuration.httpDecoder.maxHeaderFieldCount
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try channel.pipeline.syncOperations.addHandlers(self.configuration.additionalChannelHandlers())
            try channel.pipeline.syncOperations.addHandler(
                HTTPConnectionStateHandler(idleTimeout: self.configuration.idleTimeout.map { .init($0) }, logger: logger))
            let decision = channel.eventLoop.makePromise(of: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>?.self)
            try channel.pipeline.syncOperations.addHandler(StreamConnectionHandler(streams: self.streams, decision: decision))
            return Value(channel: channel, decision: decision.futureResult)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        guard let asyncChannel = try? await value.decision.get() else { return }
        await self.handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// ``StreamingHTTP1Channel``: Hummingbird's HTTP/1.1 server with fresh `/events` connections served by a
    /// channel handler.
    public static func streamingHTTP1(configuration: HTTP1Channel.Configuration, streams: EventStreams) -> HTTPServerBuilder {
        .init { responder in StreamingHTTP1Channel(responder: responder, configuration: configuration, streams: streams) }
    }
}

/// The end of a new connection's pipeline until its first request: `GET /events` (admitted) is answered here,
/// and the connection stays a stream until it closes; anything else hands the connection to Hummingbird.
///
/// As a stream: the response head goes through Hummingbird's connection handler (which then neither times the
/// connection out nor closes it until the response ends, and closes it after the end once the server is stopping),
/// frames are written by the hub (``ChannelClient``). A client that half-closes or sends another request behind the
/// stream (HTTP/1.1 pipelining: nothing can answer it behind a response that does not end) is closed: an
/// EventSource reconnects with `Last-Event-ID`.
///
/// Refusals (too many streams) take the normal route, which answers them with the JSON error.
final class StreamConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case waiting
        case streaming(ChannelClient)
        case handedOver
    }

    private let streams: EventStreams
    private let decision: EventLoopPromise<NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>?>
    private var state = State.waiting

    init(streams: EventStreams, decision: EventLoopPromise<NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>?>) {
        self.streams = streams
        self.decision = decision
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.state {
        case .waiting:
            if case .head(let head) = self.unwrapInboundIn(data), self.stream(head, context: context) { return }
            self.handOver(context: context)
            context.fireChannelRead(data)
            self.leave(context: context)
        case .streaming:
            // The GET's end is expected; a second request is not.
            if case .head = self.unwrapInboundIn(data) { context.close(promise: nil) }
        case .handedOver:
            context.fireChannelRead(data)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch self.state {
        case .waiting:
            guard let event = event as? ChannelEvent, event == .inputClosed else {
                context.fireUserInboundEventTriggered(event)
                return
            }
            // Closed before a request (or in the middle of one): Hummingbird ends it as it would have.
            self.handOver(context: context)
            context.fireUserInboundEventTriggered(event)
            self.leave(context: context)
        case .streaming(let client):
            // Nobody reads a stream's inbound side: a client that leaves half-closes first.
            if let event = event as? ChannelEvent, event == .inputClosed { client.end() }
        case .handedOver:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch self.state {
        case .waiting:
            // A malformed first request: Hummingbird answers it (400) as it would have.
            self.handOver(context: context)
            context.fireErrorCaught(error)
            self.leave(context: context)
        case .streaming:
            context.close(promise: nil)
        case .handedOver:
            context.fireErrorCaught(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .waiting = self.state {
            self.state = .handedOver
            self.decision.succeed(nil)
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if case .waiting = self.state {
            self.state = .handedOver
            self.decision.succeed(nil)
        }
    }

    /// Answers `head` as a stream if it is `GET /events` and the client may open one; false otherwise.
    private func stream(_ head: HTTPRequest, context: ChannelHandlerContext) -> Bool {
        guard head.method == .get, let path = head.path else { return false }
        let uri = URI(path)
        guard uri.path == "/events" else { return false }
        let (hub, lastSeen) = self.streams.request(headers: head.headerFields, query: uri.queryParameters)
        let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
        let release: (@Sendable () -> Void)?
        do {
            release = try self.streams.admit(peer: peer, forwardedFor: head.headerFields[values: .xForwardedFor])
        } catch {
            return false
        }
        context.writeAndFlush(self.wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: EventStreams.headers))), promise: nil)
        let (client, _) = self.streams.attach(channel: context.channel, hub: hub, lastSeen: lastSeen, release: release)
        self.state = .streaming(client)
        self.decision.succeed(nil)
        return true
    }

    /// Gives the connection to Hummingbird's request loop: its async channel after this handler, which passes on
    /// what made it decide, then leaves (``leave(context:)``).
    private func handOver(context: ChannelHandlerContext) {
        self.state = .handedOver
        do {
            let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                wrappingChannelSynchronously: context.channel, configuration: .init(isOutboundHalfClosureEnabled: true))
            self.decision.succeed(asyncChannel)
        } catch {
            self.decision.succeed(nil)
            context.close(promise: nil)
        }
    }

    private func leave(context: ChannelHandlerContext) {
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
