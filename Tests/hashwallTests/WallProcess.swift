import Foundation
import HashwallTestSupport
import Synchronization

@testable import hashwall

/// The built `hashwall` binary run as a child process, for what only a real process shows: kill -9,
/// SIGTERM, exit codes.
final class WallProcess: Sendable {
    let process: Process
    private let output = Mutex("")
    private let errors = Mutex("")

    /// The binary beside the test bundle (`swift build --build-tests` builds both).
    static var binary: URL {
        get throws {
            let candidates = [
                Bundle.main.bundleURL.appendingPathComponent("hashwall"),
                Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("hashwall"),
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/hashwall").standardized,
            ]
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw DeadlineExceeded(what: "the hashwall binary (run swift build first); looked in \(candidates.map(\.path))")
            }
            return found
        }
    }

    /// Starts `hashwall --config <configPath>` in `directory` with the test tokens (and `extra` variables).
    init(configPath: String, directory: String, environment extra: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = try Self.binary
        process.arguments = ["--config", configPath]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["HASHWALL_INGEST_TOKEN"] = testIngestToken
        environment["HASHWALL_MODERATOR_TOKEN"] = "test-moderator-token"
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        self.process = process
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            self?.output.withLock { $0 += text }
        }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            self?.errors.withLock { $0 += text }
        }
        try process.run()
    }

    var standardOutput: String { self.output.withLock { $0 } }
    var standardError: String { self.errors.withLock { $0 } }

    /// The port it printed at start-up.
    func port(within: Duration = .seconds(30)) async throws -> Int {
        try await eventually(within: within, "the wall's start-up banner") {
            if !self.process.isRunning {  // it will never print it: say why
                throw Exited(description: "the wall exited before its start-up banner: \(self.standardError.suffix(2000))")
            }
            guard let line = self.standardOutput.split(separator: "\n").first(where: { $0.contains("Wall:") }),
                let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))) })
            else { return nil }
            return port
        }
    }

    struct Exited: Error, CustomStringConvertible {
        var description: String
    }

    func signal(_ signal: Int32) {
        kill(self.process.processIdentifier, signal)
    }

    /// Waits for the process to exit; returns its status.
    func exitStatus(within: Duration) async throws -> Int32 {
        do {
            return try await eventually(within: within, "the process to exit") { self.process.isRunning ? nil : self.process.terminationStatus }
        } catch is DeadlineExceeded {
            // Say what it was doing: its last words.
            throw Exited(
                description: "still running after \(within); its log ends: \(self.standardError.suffix(3000)) \(self.standardOutput.suffix(1000))")
        }
    }

    deinit {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
    }
}

/// Writes `config` as JSON to `directory`/config.json and returns its path.
func writeConfig(_ config: HashwallConfig, in directory: TemporaryDirectory) throws -> String {
    let path = directory.file("config.json")
    try JSONEncoder().encode(config).write(to: URL(fileURLWithPath: path))
    return path
}
