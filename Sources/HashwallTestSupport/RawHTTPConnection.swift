import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One TCP connection to the server on loopback, written and read byte for byte: what an HTTP client library
/// would not let a test do (two requests in one write, a half-close, a request that is not HTTP).
public final class RawHTTPConnection: @unchecked Sendable {
    let descriptor: Int32
    /// Everything the server sent so far, as text.
    public private(set) var received = ""
    private var closedByServer = false

    public init(port: Int) throws {
        guard let fd = connectLoopback(port: port) else { throw POSIXError(.ECONNREFUSED) }
        self.descriptor = fd
    }

    public func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            sent += count
        }
    }

    /// Shuts the sending side, as a client that leaves does first.
    public func halfClose() {
        shutdown(self.descriptor, Int32(SHUT_WR))
    }

    /// Reads until what was received contains `text`; throws when `seconds` pass first or the server closes.
    @discardableResult
    public func read(until text: String, within seconds: Double = 10) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while !self.received.contains(text) {
            guard !self.closedByServer else { throw RawHTTPError.closed(received: self.received) }
            guard Date() < deadline else { throw RawHTTPError.timedOut(waitingFor: text, received: self.received) }
            await self.readSome()
        }
        return self.received
    }

    /// Reads until the server closes the connection; false when it is still open after `seconds`.
    public func readUntilClosed(within seconds: Double = 10) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !self.closedByServer {
            guard Date() < deadline else { return false }
            await self.readSome()
        }
        return true
    }

    /// One answer with a `Content-Length` body: status, headers (names in lower case), body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
    }

    /// Reads until `count` whole answers (each with a `Content-Length`) have arrived since the connection opened;
    /// throws when `seconds` pass first or the server closes before.
    public func responses(_ count: Int, within seconds: Double = 10) async throws -> [Response] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let parsed = Self.parse(Array(self.received.utf8))
            if parsed.count >= count { return Array(parsed.prefix(count)) }
            guard !self.closedByServer else { throw RawHTTPError.closed(received: self.received) }
            guard Date() < deadline else { throw RawHTTPError.timedOut(waitingFor: "\(count) answers", received: self.received) }
            await self.readSome()
        }
    }

    /// The whole answers at the start of `bytes`.
    public static func parse(_ bytes: [UInt8]) -> [Response] {
        var responses: [Response] = []
        var rest = bytes[...]
        let separator = Array("\r\n\r\n".utf8)
        while let end = rest.firstRange(of: separator) {
            let head = String(decoding: rest[rest.startIndex..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            var headers: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = headers["content-length"].flatMap { Int($0) } ?? 0
            guard rest.distance(from: end.upperBound, to: rest.endIndex) >= length else { break }
            let bodyEnd = rest.index(end.upperBound, offsetBy: length)
            let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
            responses.append(Response(status: status, headers: headers, body: String(decoding: rest[end.upperBound..<bodyEnd], as: UTF8.self)))
            rest = rest[bodyEnd...]
        }
        return responses
    }

    /// Waits up to 50 ms for bytes, then lets other tasks run.
    private func readSome() async {
        var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, 50) > 0 {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = recv(self.descriptor, &buffer, buffer.count, 0)
            if count > 0 {
                self.received += String(decoding: buffer.prefix(count), as: UTF8.self)
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                self.closedByServer = true
            }
        }
        await Task.yield()
    }

    deinit { close(self.descriptor) }
}

public enum RawHTTPError: Error, CustomStringConvertible {
    case timedOut(waitingFor: String, received: String)
    case closed(received: String)

    public var description: String {
        switch self {
        case .timedOut(let text, let received): "no \(text.debugDescription) in time; received: \(received.debugDescription)"
        case .closed(let received): "the server closed the connection; received: \(received.debugDescription)"
        }
    }
}
