/// Input from outside that can't be accepted, naming the field and what is wrong with it.
///
/// The server maps it to `400` with `"<field>: <problem>"`; the core never names a status.
public struct InvalidField: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field's path in the input, e.g. `author.name`.
    public let field: String
    public let problem: String

    public init(_ field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(self.field): \(self.problem)" }

    /// Quotes a value for a message, cut to 40 characters so an error never echoes a whole hostile body.
    public static func quote(_ value: String) -> String {
        let cut = value.count > 40 ? String(value.prefix(40)) + "…" : value
        return "\"\(cut)\""
    }
}
