import Foundation
import HTTPTypes
import HashwallChannels
import HashwallCore
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// `POST /api/ingest` as one value, shared by the route (``PostRoutes``) and the connection handler that serves
/// it below Hummingbird's request loop (``StreamingHTTP1Channel``): the same checks, in the same order, the same
/// answers.
///
/// A body is decoded and prepared (normalised, scanned, keyed) on the caller's thread; the prepared posts of all
/// connections then meet in ``IngestBatcher``, which hands the ``Intake`` actor everything that arrived while its
/// previous batch was being made durable: one actor call and one commit for many posts.
public struct IngestEndpoint: Sendable {
    /// No ingest body is larger: 413 beyond it (the request context's limit for every body).
    static let maxBody = HashwallRequestContext.maxBody

    let token: String
    let failures: AuthFailureLimiter
    let addresses: ClientAddresses
    let batcher: IngestBatcher

    init(intake: Intake, token: String, failures: AuthFailureLimiter, addresses: ClientAddresses) {
        self.token = token
        self.failures = failures
        self.addresses = addresses
        self.batcher = IngestBatcher(intake: intake)
    }

    /// Whether `head` is an ingest request the connection handler may serve: a POST to the path, without
    /// `Expect: 100-continue` (Hummingbird's loop answers that one).
    static func serves(_ head: HTTPRequest, path: String) -> Bool {
        head.method == .post && path == "/api/ingest" && head.headerFields[.expect] == nil
    }

    /// What can be refused before the body: 429 for an address that guessed tokens too often, 401 without the
    /// token, 415 when the body is not JSON, 413 when `Content-Length` says it is too large.
    func admit(headers: HTTPFields, peer: String) throws {
        let address = self.addresses.client(peer: peer, forwardedFor: headers[values: .xForwardedFor])
        try BearerToken.check(headers[.authorization], expected: self.token, failures: self.failures, address: address)
        guard headers.mediaType == "application/json" else {
            throw APIError(.unsupportedMediaType, "Content-Type must be application/json")
        }
        if let length = headers[.contentLength].flatMap({ Int($0) }), length > Self.maxBody { throw Self.tooLarge }
    }

    static let tooLarge = APIError.bodyTooLarge(limit: maxBody)

    /// The post a body describes, ready for the intake; ``InvalidField`` (400) for what can't be shown.
    func prepare(_ body: [UInt8]) throws -> PreparedPost {
        try PreparedPost(try IngestBody.decode(body).incoming(), receivedAt: Date())
    }

    /// Queues `prepared` for the intake; the future (on `eventLoop`) gives its post's id once it is durable.
    func accept(_ prepared: PreparedPost, on eventLoop: any EventLoop) -> EventLoopFuture<PostID> {
        let promise = eventLoop.makePromise(of: PostID.self)
        self.batcher.accept(prepared, promise: promise)
        return promise.futureResult
    }

    /// The 202 answer's body.
    static func accepted(_ id: PostID) -> ByteBuffer {
        ByteBuffer(bytes: PostJSONWriter.idObject(id))
    }
}

/// Prepared posts from every connection, handed to the ``Intake`` in batches: while one batch is being made
/// durable, the next gathers; each waiting request learns its post's id (or the batch's error) once its batch is
/// on disk.
final class IngestBatcher: Sendable {
    /// Posts handed to the intake at once (as many as one journal transaction takes).
    static let maxBatch = 1024
    let intake: Intake
    private let queue = Mutex<(waiting: [(PreparedPost, EventLoopPromise<PostID>)], draining: Bool)>(([], false))

    init(intake: Intake) {
        self.intake = intake
    }

    /// Queues `post`; `promise` is completed once it is durable (with the id of the wall's post it became or
    /// merged into) or could not be stored.
    func accept(_ post: PreparedPost, promise: EventLoopPromise<PostID>) {
        let start = self.queue.withLock { queue in
            queue.waiting.append((post, promise))
            guard !queue.draining else { return false }
            queue.draining = true
            return true
        }
        if start { Task { await self.drain() } }
    }

    private func drain() async {
        while true {
            let batch = self.queue.withLock { queue in
                let batch = Array(queue.waiting.prefix(Self.maxBatch))
                queue.waiting.removeFirst(batch.count)
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let ids = try await self.intake.accept(batch.map(\.0), channelName: ChannelKind.api.rawValue)
                for ((_, promise), id) in zip(batch, ids) { promise.succeed(id) }
            } catch {
                for (_, promise) in batch { promise.fail(error) }
            }
        }
    }
}
