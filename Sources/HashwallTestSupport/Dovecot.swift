import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway Dovecot IMAP server for one test: its own directory, a free loopback port, one passwd-file user.
///
/// The directory is short (`/tmp/hwdc-XXXXXX`), because Dovecot's `base_dir` holds Unix sockets whose paths must fit
/// in 108 bytes. As root the mail user is `nobody` (65534:65534) and Dovecot runs its own services as `dovecot` and
/// `dovenull`; as another user, everything runs as that user, which must have a name in the passwd database. The
/// directory is left in place after ``shutdown()``, so a failing test's `dovecot.log` can be read.
///
/// Every call blocks its thread until Dovecot has done its part: about 0.04 s to start, 1.0 to 1.2 s to stop (Dovecot's
/// master gives its log process a second before exiting), so `restart()` and `renumber()` take about 1.2 s.
public final class Dovecot: Sendable {
    /// Why Dovecot could not be started, stopped or asked something; the description ends with the log's tail.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        let addressInUse: Bool

        init(_ description: String, addressInUse: Bool = false) {
            self.description = description
            self.addressInUse = addressInUse
        }
    }

    struct State: ~Copyable {
        var process: Process?
    }

    public let port: Int
    public let user: String
    public let password: String
    public let directory: String
    let binary: String
    let configuration: String
    let maildir: String
    /// The owner given to the Maildir and delivered messages when running as root.
    let mailOwner: (uid: uid_t, gid: gid_t)?
    /// Part of the IMAP greeting, so that a greeting from another server on the port is not taken for ours.
    let greeting: String
    let state = Mutex(State())
    let deliveries = Atomic<Int>(0)

    /// imap://127.0.0.1:PORT/INBOX
    public var url: String { "imap://127.0.0.1:\(self.port)/INBOX" }

    /// Writes the config, creates the Maildir, starts `dovecot -F -c conf` and returns once the port accepts
    /// connections and its IMAP greeting `* OK … <token>` has been read (deadline 20 s). Should another process take the port
    /// between ``freePort()`` and Dovecot's bind, it tries again on another port.
    public static func start() throws -> Dovecot {
        let binary = try Self.findBinary()
        let directory = try Self.makeDirectory()
        var attempt = 1
        while true {
            let dovecot = try Dovecot(binary: binary, directory: directory, port: try freePort())
            do {
                try dovecot.state.withLock { try dovecot.launch(&$0) }
                return dovecot
            } catch let failure as Failure where failure.addressInUse && attempt < 5 {
                attempt += 1
            }
        }
    }

    init(binary: String, directory: String, port: Int) throws {
        self.binary = binary
        self.directory = directory
        self.port = port
        self.user = "wall"
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        self.password = String((0..<20).map { _ in alphabet.randomElement()! })
        self.greeting = "Hashwall test Dovecot " + String((0..<12).map { _ in alphabet.randomElement()! })
        self.configuration = directory + "/dovecot.conf"
        let home = directory + "/mail/" + self.user
        self.maildir = home + "/Maildir"
        let uid: uid_t
        let gid: gid_t
        var nonRoot = ""
        if geteuid() == 0 {
            // Dovecot refuses uid 0 for mail; its own services use its default users and chroots.
            (uid, gid) = (65534, 65534)
            self.mailOwner = (uid, gid)
        } else {
            // Dovecot cannot switch users here: every service and the mail user must be the current user.
            (uid, gid) = (geteuid(), getegid())
            self.mailOwner = nil
            guard let userName = getpwuid(uid).map({ String(cString: $0.pointee.pw_name) }),
                let groupName = getgrgid(gid).map({ String(cString: $0.pointee.gr_name) })
            else {
                throw Failure("Dovecot needs a user and group name for uid \(uid) gid \(gid) (no passwd/group entry)")
            }
            nonRoot = """
                default_internal_user = \(userName)
                default_internal_group = \(groupName)
                default_login_user = \(userName)
                first_valid_uid = 1
                service anvil {
                  chroot =
                }
                service imap-login {
                  chroot =
                }

                """
        }
        let config = """
            protocols = imap
            listen = 127.0.0.1
            base_dir = \(directory)/run
            state_dir = \(directory)/state
            log_path = \(directory)/dovecot.log
            ssl = no
            login_greeting = \(self.greeting)
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:~/Maildir
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u \(directory)/passwd
            }
            userdb {
              driver = passwd-file
              args = username_format=%u \(directory)/passwd
            }
            service imap-login {
              inet_listener imap {
                port = \(port)
              }
              inet_listener imaps {
                port = 0
              }
            }

            """
        let files = FileManager.default
        for folder in ["run", "state"] {
            try files.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
        }
        for folder in ["cur", "new", "tmp"] {
            try files.createDirectory(atPath: self.maildir + "/" + folder, withIntermediateDirectories: true)
        }
        try Data((config + nonRoot).utf8).write(to: URL(fileURLWithPath: self.configuration))
        let passwd = "\(self.user):{PLAIN}\(self.password):\(uid):\(gid)::\(home)::\n"
        try Data(passwd.utf8).write(to: URL(fileURLWithPath: directory + "/passwd"))
        if let owner = self.mailOwner {
            for path in [directory + "/mail", home, self.maildir] + ["cur", "new", "tmp"].map({ self.maildir + "/" + $0 }) {
                guard chown(path, owner.uid, owner.gid) == 0 else { throw Failure("chown \(path): \(String(cString: strerror(errno)))") }
            }
        }
    }

    deinit { self.shutdown() }

    /// Delivers a raw message (CRLF line ends expected, passed as-is) into INBOX as a mail server would: written to
    /// `Maildir/tmp/<name>`, then renamed into `Maildir/new/`. Names sort in delivery order
    /// (`<unix time>.<zero-padded counter>_<random>.hashwall`), and Dovecot numbers new messages in name order.
    /// Returns the file name.
    @discardableResult public func deliver(_ message: [UInt8]) throws -> String {
        let count = self.deliveries.wrappingAdd(1, ordering: .relaxed).newValue
        let counter = String(count)
        let random = String(UInt32.random(in: .min ... .max), radix: 16)
        let name =
            "\(Int(Date().timeIntervalSince1970))."
            + String(repeating: "0", count: max(0, 6 - counter.count)) + counter
            + "_" + String(repeating: "0", count: 8 - random.count) + random + ".hashwall"
        let temporary = self.maildir + "/tmp/" + name
        try Data(message).write(to: URL(fileURLWithPath: temporary), options: .withoutOverwriting)
        if let owner = self.mailOwner, chown(temporary, owner.uid, owner.gid) != 0 {
            throw Failure("chown \(temporary): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, self.maildir + "/new/" + name) == 0 else {
            throw Failure("rename \(temporary) into new/: \(String(cString: strerror(errno)))")
        }
        return name
    }

    /// ``deliver(_:)-([UInt8])`` for a message written with `\n` line ends: each `\n` not preceded by `\r` becomes
    /// `\r\n`.
    @discardableResult public func deliver(_ message: String) throws -> String {
        var bytes: [UInt8] = []
        var previous: UInt8 = 0
        for byte in message.utf8 {
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") { bytes.append(UInt8(ascii: "\r")) }
            bytes.append(byte)
            previous = byte
        }
        return try self.deliver(bytes)
    }

    /// Stops the server (SIGTERM to the master, what `dovecot stop` sends), then waits until the master and all its
    /// children have exited and the port refuses connections (deadline 20 s; past it, what is left is killed and
    /// this throws). Does nothing if it is not running.
    public func stop() throws {
        try self.state.withLock { try self.halt(&$0) }
    }

    /// Starts it again on the same port and directory (stopping it first if it runs), and waits for the greeting as
    /// ``start()`` does.
    public func restart() throws {
        try self.state.withLock {
            try self.halt(&$0)
            try self.launch(&$0)
        }
    }

    /// Stops it, deletes the Maildir's UID list and indexes so that Dovecot gives the same messages a new
    /// UIDVALIDITY and numbers them again from 1, and starts it again.
    public func renumber() throws {
        try self.state.withLock {
            try self.halt(&$0)
            let files = FileManager.default
            for name in try files.contentsOfDirectory(atPath: self.maildir)
            where name == "dovecot-uidlist" || name.hasPrefix("dovecot.index") || name.hasPrefix("dovecot.list.index") {
                try files.removeItem(atPath: self.maildir + "/" + name)
            }
            try self.launch(&$0)
        }
    }

    /// The current UIDVALIDITY of INBOX as Dovecot reports it (`LOGIN`, `EXAMINE INBOX`, `[UIDVALIDITY n]` over a
    /// plain socket), for tests to assert that it changed.
    public func uidValidity() throws -> UInt32 {
        guard let connection = Self.connect(port: self.port) else { throw self.failure("IMAP port \(self.port) refused the connection") }
        defer { close(connection) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var reader = LineReader(descriptor: connection)
        guard let greeting = reader.line(), greeting.hasPrefix("* OK") else { throw self.failure("no IMAP greeting") }
        func command(_ tag: String, _ text: String) throws -> [String] {
            guard Self.send(connection, "\(tag) \(text)\r\n") else { throw self.failure("could not send \(tag)") }
            var lines: [String] = []
            while let line = reader.line() {
                lines.append(line)
                if line.hasPrefix(tag + " ") {
                    guard line.hasPrefix(tag + " OK") else { throw self.failure("IMAP \(tag) failed: \(line)") }
                    return lines
                }
            }
            throw self.failure("connection closed or timed out during \(tag); got \(lines)")
        }
        _ = try command("a1", "LOGIN \"\(self.user)\" \"\(self.password)\"")
        let lines = try command("a2", "EXAMINE INBOX")
        _ = try? command("a3", "LOGOUT")
        for line in lines {
            guard let range = line.range(of: "[UIDVALIDITY ") else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            if let value = UInt32(digits) { return value }
        }
        throw self.failure("no UIDVALIDITY in \(lines)")
    }

    /// Stops the server if it runs (idempotent; killed if it does not stop in time). Called from `deinit` too.
    public func shutdown() {
        self.state.withLock { try? self.halt(&$0) }
    }

    // MARK: - Starting and stopping, with the state locked

    /// Starts `dovecot -F` (the master stays in the foreground, so the process is the master) and waits for the
    /// greeting. Throws with `addressInUse` if the port was taken.
    func launch(_ state: inout State) throws {
        precondition(state.process == nil, "Dovecot already running")
        let output = self.directory + "/dovecot.out"
        if !FileManager.default.fileExists(atPath: output) { _ = FileManager.default.createFile(atPath: output, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.binary)
        process.arguments = ["-F", "-c", self.configuration]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try Self.run(process)
        state.process = process
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            if !process.isRunning {
                state.process = nil
                let failure = self.failure("dovecot exited with status \(process.terminationStatus) while starting")
                // Dovecot logs "listen(127.0.0.1, PORT) failed: Address already in use" when the port was taken.
                throw Failure(failure.description, addressInUse: failure.description.contains("\(self.port)) failed: Address already in use"))
            }
            if self.greets() { return }
            guard ContinuousClock.now < deadline else {
                let failure = self.failure("no IMAP greeting on port \(self.port) within 20 s")
                try? self.halt(&state)
                throw failure
            }
            usleep(20_000)
        }
    }

    /// Sends SIGTERM to the master and waits for it, its children and its listener to be gone; kills what is left
    /// at the deadline.
    func halt(_ state: inout State) throws {
        guard let process = state.process else { return }
        let master = process.processIdentifier
        let deadline = ContinuousClock.now + .seconds(20)
        if process.isRunning { kill(master, SIGTERM) }
        var orphansSignalled = false
        while true {
            let left = self.instanceProcesses(group: master)
            // The master exits after about 1 s. Its imap processes would close their clients' connections 10 s later
            // (and the stats and log processes serving them exit after them): they are told to go now. The log
            // process is left to finish, so their last lines are logged. (Foundation only reaps the master once they
            // are all gone: they inherited its status socket.)
            if !orphansSignalled && !left.contains(master) && !Self.isAlive(master) {
                for pid in left where Self.command(pid) != "log" { kill(pid, SIGTERM) }
                orphansSignalled = true
            }
            if left.isEmpty && !process.isRunning && !Self.accepts(port: self.port) { break }
            guard ContinuousClock.now < deadline else {
                kill(-master, SIGKILL)
                for pid in left { kill(pid, SIGKILL) }
                state.process = nil
                throw self.failure("dovecot did not stop within 20 s; killed \(left) and process group \(master)")
            }
            usleep(20_000)
        }
        state.process = nil
    }

    /// The live processes of this instance: those in the master's process group (Foundation starts it in its own
    /// group, which Dovecot's services stay in, even once orphaned) or whose working or root directory is inside
    /// ours. Zombies do not count. Empty where there is no `/proc`.
    func instanceProcesses(group: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let prefix = self.directory + "/"
        return entries.compactMap { entry in
            guard let pid = pid_t(entry), let stat = Self.stat(pid), stat.state != "Z" else { return nil }
            if stat.group == group { return pid }
            for link in ["cwd", "root"] {
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/\(link)"),
                    (target + "/").hasPrefix(prefix)
                {
                    return pid
                }
            }
            return nil
        }
    }

    /// The state letter and process group of `pid` from `/proc/PID/stat`, or nil if there is no such process.
    static func stat(_ pid: pid_t) -> (state: Character, group: pid_t)? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let group = pid_t(fields[2]) else { return nil }
        return (state, group)
    }

    /// The command name of `pid` (Dovecot's services are `imap`, `log`, `stats`, …), or nil.
    static func command(_ pid: pid_t) -> String? {
        FileManager.default.contents(atPath: "/proc/\(pid)/comm").map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Whether `pid` is a live (not zombie) process; where there is no `/proc`, whether it can be signalled.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard FileManager.default.fileExists(atPath: "/proc/self/stat") else { return kill(pid, 0) == 0 }
        return Self.stat(pid).map { $0.state != "Z" } ?? false
    }

    /// Whether a connection to the port is answered with this instance's IMAP greeting (within 2 s).
    func greets() -> Bool {
        guard let connection = Self.connect(port: self.port) else { return false }
        defer { close(connection) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var reader = LineReader(descriptor: connection)
        guard let line = reader.line() else { return false }
        return line.hasPrefix("* OK") && line.contains(self.greeting)
    }

    /// A failure whose description ends with the last lines of Dovecot's log and of its standard output and error.
    func failure(_ what: String) -> Failure {
        var text = "Dovecot in \(self.directory) on port \(self.port): \(what)"
        for name in ["dovecot.log", "dovecot.out"] {
            guard let data = FileManager.default.contents(atPath: self.directory + "/" + name), !data.isEmpty else { continue }
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").suffix(15)
            text += "\n--- \(name) (tail):\n" + lines.joined(separator: "\n")
        }
        return Failure(text)
    }

    // MARK: - Helpers

    /// Runs `process` from a new thread whose signal mask is empty. posix_spawn gives the child the calling thread's
    /// mask, and the threads of Dispatch and of Swift concurrency (where tests run) block SIGTERM, SIGCHLD and most
    /// others: a Dovecot started from there ignores SIGTERM (and `dovecot stop`) and never notices its children exit.
    static func run(_ process: Process) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        let thread = Thread {
            var empty = sigset_t()
            sigemptyset(&empty)
            pthread_sigmask(SIG_SETMASK, &empty, nil)
            do { try process.run() } catch { failure.withLock { $0 = error } }
            done.signal()
        }
        thread.start()
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    static func findBinary() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = ["/usr/sbin/dovecot"] + path.split(separator: ":").map { $0 + "/dovecot" }
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure("no dovecot binary at /usr/sbin/dovecot or in PATH (apt-get install dovecot-imapd)")
        }
        return binary
    }

    /// A new directory, world-traversable (the mail user and Dovecot's own users must reach inside it), whose
    /// longest socket path (`run/token-login/imap-urlauth`) stays well below the 108 bytes of `sun_path`.
    static func makeDirectory() throws -> String {
        var base = NSTemporaryDirectory()
        if !base.hasSuffix("/") { base += "/" }
        if base.utf8.count + "hwdc-XXXXXX/run/token-login/imap-urlauth".utf8.count > 100 { base = "/tmp/" }
        var template = Array((base + "hwdc-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure("mkdtemp in \(base): \(String(cString: strerror(errno)))") }
        let directory = String(cString: made)
        guard chmod(directory, 0o755) == 0 else { throw Failure("chmod \(directory): \(String(cString: strerror(errno)))") }
        return directory
    }

    /// A connected TCP socket to 127.0.0.1:`port`, or nil if the connection is refused.
    static func connect(port: Int) -> Int32? {
        #if os(Linux)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if os(Linux)
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #else
                    Darwin.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #endif
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        #if !os(Linux)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        return fd
    }

    /// Whether something accepts connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        guard let fd = Self.connect(port: port) else { return false }
        close(fd)
        return true
    }

    /// Sends all of `text`; false if the connection failed (never raises SIGPIPE).
    static func send(_ fd: Int32, _ text: String) -> Bool {
        #if os(Linux)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0
        #endif
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes {
                #if os(Linux)
                    Glibc.send(fd, $0.baseAddress, $0.count, flags)
                #else
                    Darwin.send(fd, $0.baseAddress, $0.count, flags)
                #endif
            }
            guard sent > 0 else { return false }
            bytes = bytes.dropFirst(sent)
        }
        return true
    }

    /// Reads CRLF-terminated lines from a socket (with whatever receive timeout the socket has).
    struct LineReader {
        let descriptor: Int32
        var buffer: [UInt8] = []

        init(descriptor: Int32) { self.descriptor = descriptor }

        /// The next line without its CRLF, or nil once the connection is closed, fails or times out.
        mutating func line() -> String? {
            while true {
                if let end = self.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = self.buffer[..<end]
                    if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                    defer { self.buffer.removeSubrange(...end) }
                    return String(decoding: line, as: UTF8.self)
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = recv(self.descriptor, &chunk, chunk.count, 0)
                guard count > 0 else { return nil }
                self.buffer += chunk[..<count]
            }
        }
    }
}
