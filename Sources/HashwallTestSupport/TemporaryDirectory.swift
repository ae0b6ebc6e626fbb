import Foundation

/// A fresh directory under the system's temporary folder, for a test's database and config.
/// It is left in place, so a failing test's files can be inspected.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        let path = NSTemporaryDirectory() + "hashwall-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    /// `name` inside the directory.
    public func file(_ name: String) -> String { self.path + "/" + name }
}
