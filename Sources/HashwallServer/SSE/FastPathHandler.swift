import DequeModule
import HTTPTypes
import HashwallCore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// The end of a connection's pipeline while it asks only for `GET /events` and `POST /api/ingest`
/// (``StreamingHTTP1Channel``): both are answered here, on the event loop; the first other request hands the
/// connection to Hummingbird's request loop for good.
///
/// - A stream: the response head goes through Hummingbird's connection handler (which then neither times the
///   connection out nor closes it until the response ends, and closes it after the end once the server is
///   stopping); frames are written by the hub (``ChannelClient``). A client that half-closes, or sends another
///   request behind the stream (HTTP/1.1 pipelining: nothing can answer it behind a response that does not end),
///   is closed: an EventSource reconnects with `Last-Event-ID`.
/// - An ingest: checked and prepared here (``IngestEndpoint``), made durable with the other connections' posts
///   (``IngestBatcher``), answered once on disk. One request at a time: what a client pipelines behind it waits,
///   in order, until its answer is written.
/// Refusals of a stream (too many open) take the normal route, which answers them with the JSON error.
final class FastPathHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// An ingest's body arriving; `refusal` when it will be refused (its body is read and dropped first).
        case collecting(close: Bool, body: ByteBuffer, refusal: (any HTTPResponseError)?)
        /// An ingest on its way to the disk: later parts wait in `waiting`.
        case answering
        case streaming(ChannelClient)
        case handedOver
    }

    /// More of a refused body than this is not read: the connection is closed.
    static let maxDiscarded = 1 << 20
    /// Bytes of requests pipelined behind an answer past which the connection stops reading until they are taken
    /// (what Hummingbird's async channel does with its watermarks): a client can't fill the server's memory.
    static let maxWaitingBytes = 256 * 1024

    private let streams: EventStreams
    private let ingest: IngestEndpoint
    private let decision: EventLoopPromise<NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>?>
    private let logger: Logger
    private var state = State.idle
    /// Parts that arrived while an ingest was being answered.
    private var waiting: Deque<HTTPRequestPart> = []
    private var waitingBytes = 0
    private var readingPaused = false
    private var discarded = 0
    /// The client half-closed: the connection closes after the answer in flight.
    private var inputClosed = false

    init(
        streams: EventStreams, ingest: IngestEndpoint, decision: EventLoopPromise<NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>?>,
        logger: Logger
    ) {
        self.streams = streams
        self.ingest = ingest
        self.decision = decision
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.receive(self.unwrapInboundIn(data), context: context)
    }

    private func receive(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch self.state {
        case .handedOver:
            context.fireChannelRead(self.wrapInboundOut(part))
        case .streaming:
            // The GET's end is expected; a second request is not.
            if case .head = part { context.close(promise: nil) }
        case .answering:
            self.waiting.append(part)
            if case .body(let chunk) = part { self.waitingBytes += chunk.readableBytes } else { self.waitingBytes += 256 }
            if self.waitingBytes > Self.maxWaitingBytes, !self.readingPaused { self.pauseReading(true, context: context) }
        case .idle, .collecting:
            self.process(part, context: context)
        }
    }

    private func process(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (self.state, part) {
        case (.idle, .head(let head)):
            let path = URI(head.path ?? "")
            if head.method == .get, path.path == "/events", self.stream(head, query: path.queryParameters, context: context) { return }
            if IngestEndpoint.serves(head, path: path.path) {
                let close = head.headerFields[.connection]?.lowercased() == "close"
                let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
                var refusal: (any HTTPResponseError)?
                do { try self.ingest.admit(headers: head.headerFields, peer: peer) } catch {
                    refusal = APIErrorMiddleware<HashwallRequestContext>.answer(for: error, logger: self.logger)
                }
                self.state = .collecting(close: close, body: context.channel.allocator.buffer(capacity: 0), refusal: refusal)
                return
            }
            self.handOver(context: context, first: part)
            self.leave(context: context)
        case (.collecting(let close, var body, var refusal), .body(var chunk)):
            if refusal == nil, body.readableBytes + chunk.readableBytes > IngestEndpoint.maxBody { refusal = IngestEndpoint.tooLarge }
            if refusal == nil {
                body.writeBuffer(&chunk)
            } else {
                body.clear()
                self.discarded += chunk.readableBytes
                if self.discarded > Self.maxDiscarded { context.close(promise: nil) }
            }
            self.state = .collecting(close: close, body: body, refusal: refusal)
        case (.collecting(let close, let body, let refusal), .end):
            self.state = .answering
            self.discarded = 0
            if let refusal {
                self.answer(refusal, close: close, context: context)
                return
            }
            let prepared: PreparedPost
            do {
                prepared = try self.ingest.prepare(Array(body.readableBytesView))
            } catch {
                self.answer(APIErrorMiddleware<HashwallRequestContext>.answer(for: error, logger: self.logger), close: close, context: context)
                return
            }
            self.ingest.accept(prepared, on: context.eventLoop).assumeIsolated().whenComplete { result in
                switch result {
                case .success(let id):
                    self.write(.accepted, headers: Self.acceptedHeaders, body: IngestEndpoint.accepted(id), close: close, context: context)
                case .failure(let error):
                    self.answer(APIErrorMiddleware<HashwallRequestContext>.answer(for: error, logger: self.logger), close: close, context: context)
                }
            }
        default:
            // A body without a request, or a request inside another: the decoder lets neither through.
            context.close(promise: nil)
        }
    }

    private func answer(_ error: any HTTPResponseError, close: Bool, context: ChannelHandlerContext) {
        // Every error of this path is an `APIError`; anything else would be answered by its status alone.
        let error = (error as? APIError) ?? APIError(error.status, error.status.reasonPhrase)
        self.write(error.status, headers: SecurityHeaders.added(to: error.headers), body: error.body, close: close, context: context)
    }

    /// The 202's headers, security headers included.
    private static let acceptedHeaders = SecurityHeaders.added(to: JSONBody.headers)

    /// Writes a whole answer (`headers` with the security headers; its length is added), then takes the requests
    /// that waited.
    private func write(_ status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer, close: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var fields = headers
        fields.append(HTTPField(name: .contentLength, value: String(body.readableBytes)))
        if close { fields[.connection] = "close" }
        context.write(self.wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(self.wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        if close || self.inputClosed {
            context.close(promise: nil)
            return
        }
        self.state = .idle
        while !self.isAnswering, let part = self.waiting.popFirst() {
            self.receive(part, context: context)
        }
        if self.waiting.isEmpty { self.waitingBytes = 0 }
        if self.readingPaused, self.waiting.isEmpty { self.pauseReading(false, context: context) }
    }

    private func pauseReading(_ pause: Bool, context: ChannelHandlerContext) {
        guard (try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: !pause)) != nil else {
            context.close(promise: nil)
            return
        }
        self.readingPaused = pause
        if !pause { context.read() }
    }

    private var isAnswering: Bool {
        if case .answering = self.state { return true }
        return false
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch self.state {
        case .streaming(let client):
            // Nobody reads a stream's inbound side: a client that leaves half-closes first.
            if let event = event as? ChannelEvent, event == .inputClosed { client.end() }
        case .idle:
            guard let event = event as? ChannelEvent, event == .inputClosed else {
                context.fireUserInboundEventTriggered(event)
                return
            }
            // Closed between requests: Hummingbird ends the connection as it would have.
            self.handOver(context: context, first: nil)
            context.fireUserInboundEventTriggered(event)
            self.leave(context: context)
        case .collecting, .answering:
            // Half-closed with a request in flight: its answer is still written, then the connection closes.
            if let event = event as? ChannelEvent, event == .inputClosed { self.inputClosed = true }
            context.fireUserInboundEventTriggered(event)
        case .handedOver:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch self.state {
        case .idle:
            // A malformed request: Hummingbird answers it (400) as it would have.
            self.handOver(context: context, first: nil)
            context.fireErrorCaught(error)
            self.leave(context: context)
        case .handedOver:
            context.fireErrorCaught(error)
        case .streaming, .collecting, .answering:
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.giveUp()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.giveUp()
    }

    /// The connection ends with the handler: its task has nothing to do.
    private func giveUp() {
        switch self.state {
        case .handedOver, .streaming:
            return
        case .idle, .collecting, .answering:
            self.state = .handedOver
            self.decision.succeed(nil)
        }
    }

    /// Answers `head` as a stream if the client may open one; false otherwise.
    private func stream(_ head: HTTPRequest, query: FlatDictionary<Substring, Substring>, context: ChannelHandlerContext) -> Bool {
        let (hub, lastSeen) = self.streams.request(headers: head.headerFields, query: query)
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

    /// Gives the connection to Hummingbird's request loop (its async channel after this handler) and passes on
    /// `first` and whatever waited behind it; the caller then passes on what made it decide and ``leave(context:)``s.
    private func handOver(context: ChannelHandlerContext, first: HTTPRequestPart?) {
        self.state = .handedOver
        do {
            let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                wrappingChannelSynchronously: context.channel, configuration: .init(isOutboundHalfClosureEnabled: true))
            self.decision.succeed(asyncChannel)
        } catch {
            self.decision.succeed(nil)
            context.close(promise: nil)
            return
        }
        if let first { context.fireChannelRead(self.wrapInboundOut(first)) }
        while let part = self.waiting.popFirst() { context.fireChannelRead(self.wrapInboundOut(part)) }
        if self.readingPaused { self.pauseReading(false, context: context) }  // the async channel has its own watermarks
        // The async channel hands its reads on at a read's end, which may not come now (after an answer).
        context.fireChannelReadComplete()
    }

    private func leave(context: ChannelHandlerContext) {
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
