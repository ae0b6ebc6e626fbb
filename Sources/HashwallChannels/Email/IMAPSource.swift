import Foundation
import HashwallCore
import Logging

/// The event's mailbox, polled over IMAP (`email.imap` on `/healthz`).
///
/// Every `pollInterval`: `EXAMINE` for the mailbox's UIDVALIDITY, `UID SEARCH` above the last UID read, then each
/// new message by its UID, in order, in batches whose cursor (UIDVALIDITY, last UID) commits with their posts, so a
/// restart (even after kill -9) resumes after the last message journaled. A new UIDVALIDITY (the mailbox was rebuilt)
/// reads it all again: the Message-ID makes every message the post it already was. A message too large, gone or
/// unreadable is skipped with a log line; automatic mail is read and left out. A server that is down, a wrong
/// password or a timeout fails the run (the supervisor retries with backoff; the wall is unaffected).
public struct IMAPSource: PulledSource {
    public let name = "email.imap"
    let server: IMAPServer
    let rules: EmailRules
    let pollInterval: Duration
    let logger: Logger
    /// Messages per committed batch.
    let batchSize: Int

    public init(server: IMAPServer, rules: EmailRules, pollInterval: Duration, logger: Logger, batchSize: Int = 25) {
        self.server = server
        self.rules = rules
        self.pollInterval = pollInterval
        self.logger = logger
        self.batchSize = batchSize
    }

    /// The channel's cursor, committed with its posts.
    struct Cursor: Codable, Equatable {
        var uidValidity: UInt32
        var lastUID: UInt32
    }

    public func run(from cursor: Data?, deliver: @Sendable (SourceBatch) async throws -> Void) async throws {
        var position = cursor.flatMap { try? JSONDecoder().decode(Cursor.self, from: $0) }
        let session = CurlIMAPSession(server: self.server)
        while true {
            try Task.checkCancellation()
            let status = try await self.call(session) { session throws(IMAPError) in try session.examine() }
            var moved = false
            if position?.uidValidity != status.uidValidity {
                if let position {
                    self.logger.warning(
                        "the mailbox's UIDVALIDITY changed: reading it again (messages already on the wall stay one post each)",
                        metadata: ["channel": "\(self.name)", "was": "\(position.uidValidity)", "now": "\(status.uidValidity)"])
                }
                position = Cursor(uidValidity: status.uidValidity, lastUID: 0)
                moved = true
            }
            guard var current = position else { continue }
            let last = current.lastUID
            let uids = try await self.call(session) { session throws(IMAPError) in try session.search(above: last) }
            if uids.isEmpty {
                try await deliver(SourceBatch(posts: [], cursor: moved ? try JSONEncoder().encode(current) : nil))
            }
            var start = 0
            while start < uids.count {
                let chunk = uids[start..<min(start + self.batchSize, uids.count)]
                start += chunk.count
                // Sizes a batch at a time: libcurl holds a custom command's whole answer as "headers", capped at 300 KB.
                var sizes: [UInt32: Int] = [:]
                if let first = chunk.first, let highest = chunk.last {
                    sizes = try await self.call(session) { session throws(IMAPError) in try session.sizes(first...highest) }
                }
                var posts: [IncomingPost] = []
                for uid in chunk {
                    if let post = try await self.read(uid: uid, size: sizes[uid], validity: current.uidValidity, session: session) {
                        posts.append(post)
                    }
                    current.lastUID = uid
                }
                try await deliver(SourceBatch(posts: posts, cursor: try JSONEncoder().encode(current)))
                position = current
            }
            try await Task.sleep(for: self.pollInterval)
        }
    }

    /// The post of the message `uid`, or `nil` when it is skipped (too large, gone, unreadable, not for the wall).
    func read(uid: UInt32, size: Int?, validity: UInt32, session: CurlIMAPSession) async throws -> IncomingPost? {
        let metadata: Logger.Metadata = ["channel": "\(self.name)", "uid": "\(uid)"]
        if let size, size > MailMessage.maxSize {
            self.logger.warning("message skipped: too large", metadata: metadata.merging(["size": "\(size)"]) { $1 })
            return nil
        }
        let raw: [UInt8]
        do throws(IMAPError) {
            raw = try await session.perform { session throws(IMAPError) in try session.fetch(uid: uid, validity: validity, limit: MailMessage.maxSize)
            }
        } catch  where error.kind == .tooLarge || error.kind == .notFound {
            self.logger.warning("message skipped: \(error.description)", metadata: metadata)
            return nil
        } catch {
            throw Self.sourceError(error)
        }
        let mail: MailMessage
        do {
            mail = try MailMessage.parse(raw)
        } catch {
            self.logger.warning("message skipped: unreadable", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return nil
        }
        switch self.rules.verdict(for: mail) {
        case .post(let post):
            return post
        case .ignored(let reason):
            self.logger.info("message not for the wall: \(reason)", metadata: metadata)
            return nil
        }
    }

    private func call<T: Sendable>(_ session: CurlIMAPSession, _ work: @escaping @Sendable (CurlIMAPSession) throws(IMAPError) -> T) async throws -> T
    {
        do {
            return try await session.perform(work)
        } catch {
            throw Self.sourceError(error)
        }
    }

    static func sourceError(_ error: IMAPError) -> any Error {
        error.kind == .cancelled ? CancellationError() : SourceError.transient(error.description)
    }
}
