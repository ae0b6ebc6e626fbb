import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway Redis on a free loopback port (Debian's `redis-server`, no persistence), for the Nchan edges' tests.
public final class Redis: Sendable {
    public let port: Int
    let process: Process

    /// Starts it and waits until it answers.
    public static func start(port: Int? = nil) async throws -> Redis {
        let port = try port ?? freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let redis = Redis(port: port, process: process)
        try await eventually(within: .seconds(10), "redis-server to answer on \(port)") { Self.answers(port: port) }
        return redis
    }

    init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    public var url: String { "redis://127.0.0.1:\(self.port)" }

    /// Kills it (SIGKILL: it keeps nothing anyway).
    public func stop() {
        guard self.process.isRunning else { return }
        kill(self.process.processIdentifier, SIGKILL)
        self.process.waitUntilExit()
    }

    deinit { self.stop() }

    /// Whether something answers PING with PONG on `port`.
    static func answers(port: Int) -> Bool {
        guard let fd = connectLoopback(port: port) else { return false }
        defer { close(fd) }
        let ping = Array("PING\r\n".utf8)
        guard write(fd, ping, ping.count) == ping.count else { return false }
        var answer = [UInt8](repeating: 0, count: 16)
        let count = read(fd, &answer, answer.count)
        return count > 0 && String(decoding: answer.prefix(count), as: UTF8.self).hasPrefix("+PONG")
    }
}

/// A TCP connection to 127.0.0.1:`port` (its descriptor; the caller closes it), or `nil` when nothing listens there.
/// `configure` runs on the socket before it connects (buffer sizes).
func connectLoopback(port: Int, configure: (Int32) -> Void = { _ in }) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    configure(fd)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(fd)
        return nil
    }
    return fd
}

/// nginx with a configuration of ours (an Nchan edge), in its own prefix folder, in the foreground.
public final class Nginx: Sendable {
    public let prefix: String
    let configuration: String
    let process: Mutex<Process?>

    /// Starts nginx on `configuration` (a complete nginx.conf) with `prefix` as its folder, and waits until `port` answers.
    public static func start(configuration: String, prefix: String, port: Int) async throws -> Nginx {
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        try configuration.write(toFile: prefix + "/nginx.conf", atomically: true, encoding: .utf8)
        let nginx = Nginx(prefix: prefix, configuration: configuration)
        try await nginx.start(port: port)
        return nginx
    }

    init(prefix: String, configuration: String) {
        self.prefix = prefix
        self.configuration = configuration
        self.process = Mutex(nil)
    }

    /// (Re)starts it and waits until `port` takes connections.
    public func start(port: Int) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", self.prefix + "/", "-c", self.prefix + "/nginx.conf", "-g", "daemon off;"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice  // nginx writes its errors to error.log in its prefix
        try process.run()
        self.process.withLock { $0 = process }
        try await eventually(within: .seconds(10), "nginx to listen on \(port)") {
            if !process.isRunning {
                let log = (try? String(contentsOfFile: self.prefix + "/error.log", encoding: .utf8)) ?? ""
                throw EdgeFailure(description: "nginx exited: \(log.suffix(2000))")
            }
            return Self.listening(port: port)
        }
    }

    /// Stops it at once (SIGTERM: nginx's fast shutdown, open streams closed).
    public func stop() {
        guard let process = self.process.withLock({ $0 }), process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    deinit { self.stop() }

    static func listening(port: Int) -> Bool {
        guard let fd = connectLoopback(port: port) else { return false }
        close(fd)
        return true
    }
}

public struct EdgeFailure: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}
