/// Thrown when a condition did not hold before its deadline.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let what: String

    public init(what: String) { self.what = what }
    public var description: String { "deadline exceeded waiting for \(self.what)" }
}

/// Polls `condition` until it returns a value or `within` has passed: a deadline, never a fixed sleep.
public func eventually<T>(
    within: Duration = .seconds(10), _ what: String = "condition", _ condition: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + within
    var pause = Duration.milliseconds(5)
    while true {
        if let value = try await condition() { return value }
        guard ContinuousClock.now < deadline else { throw DeadlineExceeded(what: what) }
        try await Task.sleep(for: pause)
        pause = min(pause * 2, .milliseconds(100))
    }
}

/// `eventually` for a condition without a value.
public func eventually(within: Duration = .seconds(10), _ what: String = "condition", _ condition: () async throws -> Bool) async throws {
    _ = try await eventually(within: within, what) { try await condition() ? true : nil }
}
