import CCurl
import Foundation
import Synchronization

/// Where the mailbox is and how to log in (`channels.email.imap`, password from `HASHWALL_IMAP_PASSWORD`).
public struct IMAPServer: Sendable, Equatable {
    /// `imap://host:port` or `imaps://host:port`, without the mailbox.
    public var base: String
    /// The mailbox as the URL writes it (percent-encoded), `INBOX` by default.
    public var mailboxPath: String
    public var user: String
    public var password: String
    /// Gives up connecting after this.
    public var connectTimeout: Duration = .seconds(10)
    /// Gives up a transfer (a command or one message) after this.
    public var transferTimeout: Duration = .seconds(120)

    /// Reads `imap://host[:port]/MAILBOX` or `imaps://…`; `nil` for anything else.
    public init?(url: String, user: String, password: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "imap" || scheme == "imaps",
            let host = components.host, !host.isEmpty
        else { return nil }
        let port = components.port.map { ":\($0)" } ?? ""
        let hostPart = host.contains(":") ? "[\(host)]" : host
        self.base = "\(scheme)://\(hostPart)\(port)"
        var path = components.percentEncodedPath
        while path.hasPrefix("/") { path.removeFirst() }
        while path.hasSuffix("/") { path.removeLast() }
        self.mailboxPath = path.isEmpty ? "INBOX" : path
        self.user = user
        self.password = password
    }

    /// The mailbox name as IMAP commands quote it.
    var quotedMailbox: String {
        let name = self.mailboxPath.removingPercentEncoding ?? self.mailboxPath
        return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// How an IMAP exchange failed.
public struct IMAPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Wrong user or password (or an unknown mailbox, which servers report the same way).
        case login
        /// The message is gone, or the mailbox's UIDVALIDITY changed under us.
        case notFound
        /// The message is larger than we read.
        case tooLarge
        /// The wall is stopping.
        case cancelled
        /// Anything else: connection refused or cut, timeout, TLS, a response we can't read.
        case other
    }

    public var kind: Kind
    public var message: String

    public var description: String { self.message }
}

/// One IMAP session through libcurl's easy API, reused between transfers so the connection stays open.
///
/// libcurl is blocking: every call runs on this session's own serial queue (a thread of its own, never an event
/// loop or the cooperative pool), and cancellation aborts a transfer in progress through the progress callback.
/// Follows the recipe of `reference/email.md`: `EXAMINE` for UIDVALIDITY, `UID SEARCH` above the last UID, each
/// body by its `;UID=` URL (never a custom FETCH, whose literals libcurl loses).
final class CurlIMAPSession: @unchecked Sendable {
    let server: IMAPServer
    private let queue: DispatchQueue
    // Touched only on `queue`.
    private var handle: UnsafeMutableRawPointer?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    private let cancelled = CancelFlag()

    init(server: IMAPServer) {
        CurlLibrary.initialise()
        self.server = server
        self.queue = DispatchQueue(label: "hashwall.imap")
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
        self.errorBuffer.deallocate()
    }

    /// Runs `work` on the session's queue; a cancelled task aborts the transfer in progress.
    func perform<T: Sendable>(_ work: @escaping @Sendable (CurlIMAPSession) throws(IMAPError) -> T) async throws(IMAPError) -> T {
        let result: Result<T, IMAPError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                self.queue.async {
                    do throws(IMAPError) {
                        continuation.resume(returning: .success(try work(self)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
        } onCancel: {
            self.cancelled.cancel()
        }
        return try result.get()
    }

    /// `EXAMINE` the mailbox: its UIDVALIDITY and UIDNEXT.
    func examine() throws(IMAPError) -> (uidValidity: UInt32, uidNext: UInt32?) {
        let response = try self.transfer(url: self.server.base + "/", command: "EXAMINE \(self.server.quotedMailbox)", limit: 1 << 20)
        let text = String(decoding: response, as: UTF8.self)
        guard let validity = Self.number(after: "[UIDVALIDITY ", in: text) else {
            throw IMAPError(kind: .other, message: "EXAMINE gave no UIDVALIDITY")
        }
        return (validity, Self.number(after: "[UIDNEXT ", in: text))
    }

    /// The UIDs above `last`, ascending (`n:*` also names the highest UID when nothing is new: dropped).
    func search(above last: UInt32) throws(IMAPError) -> [UInt32] {
        let response = try self.transfer(url: self.mailboxURL, command: "UID SEARCH UID \(UInt64(last) + 1):*", limit: 16 << 20)
        var uids: [UInt32] = []
        for line in String(decoding: response, as: UTF8.self).split(whereSeparator: \.isNewline) where line.hasPrefix("* SEARCH") {
            uids += line.dropFirst("* SEARCH".count).split(separator: " ").compactMap { UInt32($0) }
        }
        return Array(Set(uids.filter { $0 > last })).sorted()
    }

    /// The size of each message with a UID in `uids` (`UID FETCH a:b (RFC822.SIZE)`: one line each, no literal).
    func sizes(_ uids: ClosedRange<UInt32>) throws(IMAPError) -> [UInt32: Int] {
        let response = try self.transfer(
            url: self.mailboxURL, command: "UID FETCH \(uids.lowerBound):\(uids.upperBound) (UID RFC822.SIZE)", limit: 16 << 20)
        var sizes: [UInt32: Int] = [:]
        for line in String(decoding: response, as: UTF8.self).split(whereSeparator: \.isNewline) where line.hasPrefix("* ") {
            let words = line.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ").split(separator: " ")
            var uid: UInt32?
            var size: Int?
            for (index, word) in words.enumerated() where index + 1 < words.count {
                if word.uppercased() == "UID" { uid = UInt32(words[index + 1]) }
                if word.uppercased() == "RFC822.SIZE" { size = Int(words[index + 1]) }
            }
            if let uid, let size { sizes[uid] = size }
        }
        return sizes
    }

    /// The raw message with `uid`, as long as the mailbox's UIDVALIDITY is still `validity`.
    func fetch(uid: UInt32, validity: UInt32, limit: Int) throws(IMAPError) -> [UInt8] {
        try self.transfer(url: self.server.base + "/\(self.server.mailboxPath);UIDVALIDITY=\(validity)/;UID=\(uid)", command: nil, limit: limit)
    }

    private var mailboxURL: String { self.server.base + "/" + self.server.mailboxPath }

    /// One transfer on the reused handle: what reached the write callback.
    private func transfer(url: String, command: String?, limit: Int) throws(IMAPError) -> [UInt8] {
        if self.cancelled.isCancelled { throw IMAPError(kind: .cancelled, message: "cancelled") }
        let handle = try self.easyHandle()
        let sink = Sink(limit: limit, cancelled: self.cancelled)
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        self.errorBuffer[0] = 0
        hw_curl_setopt_string(handle, CURLOPT_URL, url)
        hw_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, command)
        hw_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque())
        hw_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context.toOpaque())
        let code = curl_easy_perform(handle)
        guard code != CURLE_OK else { return sink.bytes }
        let detail = String(cString: self.errorBuffer)
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: IMAPError.Kind
        switch code {
        case CURLE_LOGIN_DENIED: kind = .login
        case CURLE_REMOTE_FILE_NOT_FOUND: kind = .notFound
        case CURLE_WRITE_ERROR where sink.overflowed: kind = .tooLarge
        case CURLE_ABORTED_BY_CALLBACK: kind = .cancelled
        default: kind = .other
        }
        if kind != .notFound && kind != .tooLarge {
            // After a failure the connection's state is unknown: start the next transfer on a fresh one.
            curl_easy_cleanup(handle)
            self.handle = nil
        }
        throw IMAPError(kind: kind, message: "IMAP \(command ?? "FETCH") failed: \(reason) (curl \(code.rawValue))")
    }

    private func easyHandle() throws(IMAPError) -> UnsafeMutableRawPointer {
        if let handle = self.handle { return handle }
        guard let handle = curl_easy_init() else { throw IMAPError(kind: .other, message: "curl_easy_init failed") }
        hw_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, self.errorBuffer)
        hw_curl_setopt_string(handle, CURLOPT_USERNAME, self.server.user)
        hw_curl_setopt_string(handle, CURLOPT_PASSWORD, self.server.password)
        // STARTTLS where the server offers it on imap://; imaps:// is TLS from the start.
        hw_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_TRY.rawValue))
        hw_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        hw_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(self.server.connectTimeout.components.seconds * 1000))
        hw_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(self.server.transferTimeout.components.seconds * 1000))
        hw_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        hw_curl_setopt_write_function(handle, Sink.write)
        hw_curl_setopt_progress_function(handle, Sink.progress)
        self.handle = handle
        return handle
    }

    /// The number after `marker` in `text` (`[UIDVALIDITY 1795349446]`).
    static func number(after marker: String, in text: String) -> UInt32? {
        guard let range = text.range(of: marker, options: .caseInsensitive) else { return nil }
        return UInt32(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// Collects one transfer's bytes, up to a limit.
    final class Sink {
        var bytes: [UInt8] = []
        let limit: Int
        var overflowed = false
        let cancelled: CancelFlag

        init(limit: Int, cancelled: CancelFlag) {
            self.limit = limit
            self.cancelled = cancelled
        }

        static let write: hw_curl_write_callback = { data, size, count, context in
            guard let context, let data else { return 0 }
            let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            guard sink.bytes.count + length <= sink.limit else {
                sink.overflowed = true
                return 0
            }
            sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
            return length
        }

        static let progress: hw_curl_progress_callback = { context, _, _, _, _ in
            guard let context else { return 0 }
            return Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue().cancelled.isCancelled ? 1 : 0
        }
    }
}

/// Set once when the task using a session is cancelled; read by libcurl's progress callback.
final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func cancel() { self.value.store(true, ordering: .relaxed) }
    var isCancelled: Bool { self.value.load(ordering: .relaxed) }
}

/// libcurl's one-time global initialisation.
enum CurlLibrary {
    private static let done = Mutex(false)

    static func initialise() {
        Self.done.withLock { done in
            guard !done else { return }
            curl_global_init(3)  // CURL_GLOBAL_ALL
            done = true
        }
    }
}
