import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 server, except that the two requests that make the load of a wall, `GET /events` and
/// `POST /api/ingest`, are served by a channel handler on the connection's event loop while a connection asks only
/// for them.
///
/// Hummingbird runs one task per connection, suspended in its wait for a next request; under an open stream that
/// wait is all the task does, and it costs about 13 KiB (the task, its frames, the async channel's buffers), and
/// each request crosses from the event loop to that task and back. Here a connection starts as the same pipeline
/// (decoder, encoder, Hummingbird's idle and shutdown handler) with a ``FastPathHandler`` at its end, and its task
/// only waits for the handler to give the connection up: at the first request that is neither (then to
/// Hummingbird's own request loop, ``HTTPChannelHandler/handleHTTP(asyncChannel:logger:)``, unchanged, with every
/// later request on it), or never (a stream, or a publisher's keep-alive connection, or one that closed).
public struct StreamingHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    public struct Value: ServerChildChannelValue {
        public let channel: any Channel
        /// The async channel for Hummingbird's request loop, or nil when the handler kept the connection to its
        /// end.
        let decision: EventLoopFuture<NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>?>
    }

    public let responder: HTTPChannelHandler.Responder
    let configuration: HTTP1Channel.Configuration
    let streams: EventStreams
    let ingest: IngestEndpoint

    public init(
        responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP1Channel.Configuration, streams: EventStreams, ingest: IngestEndpoint
    ) {
        self.responder = responder
        self.configuration = configuration
        self.streams = streams
        self.ingest = ingest
    }

    /// The pipeline of Hummingbird's `HTTP1Channel`, with the fast path where its async channel would be.
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
            try channel.pipeline.syncOperations.addHandler(
                FastPathHandler(streams: self.streams, ingest: self.ingest, decision: decision, logger: logger))
            return Value(channel: channel, decision: decision.futureResult)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        guard let asyncChannel = try? await value.decision.get() else { return }
        await self.handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// ``StreamingHTTP1Channel``: Hummingbird's HTTP/1.1 server with streams and ingest served by a channel handler.
    public static func streamingHTTP1(configuration: HTTP1Channel.Configuration, server: WallServer) -> HTTPServerBuilder {
        .init { responder in
            StreamingHTTP1Channel(responder: responder, configuration: configuration, streams: server.eventStreams, ingest: server.ingest)
        }
    }
}
