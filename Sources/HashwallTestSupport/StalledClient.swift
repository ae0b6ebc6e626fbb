import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A client that opens `GET path`, with a tiny receive buffer, and then never reads: the slow projector on a
/// dead Wi-Fi. A plain socket, because an HTTP client library would read for us.
public final class StalledClient: Sendable {
    let descriptor: Int32

    public init(port: Int, path: String) throws {
        let small: (Int32) -> Void = { fd in
            var size: Int32 = 4096
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        guard let fd = connectLoopback(port: port, configure: small) else { throw POSIXError(.ECONNREFUSED) }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        self.descriptor = fd
    }

    /// Reads and discards everything until the server closes the connection; returns whether it did within `seconds`.
    public func drainUntilClosed(seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(self.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(self.descriptor, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return false }
        }
    }

    deinit { close(self.descriptor) }
}
