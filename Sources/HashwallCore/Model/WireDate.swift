import Foundation

/// ISO 8601 dates as the wall writes and reads them: `2026-12-02T09:41:07Z`, or with milliseconds
/// (`…07.250Z`) when the instant has a fraction, so order survives a round trip through JSON.
public enum WireDate {
    private static let whole = Date.ISO8601FormatStyle(includingFractionalSeconds: false)
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Formats `date` in UTC.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        if seconds.rounded(.down) == seconds {
            return date.formatted(Self.whole)
        }
        return date.formatted(Self.fractional)
    }

    /// Parses an ISO 8601 date-time with or without fractional seconds and with `Z` or an offset.
    /// - Throws: ``InvalidField`` naming `field` when `text` is not such a date.
    public static func parse(_ text: String, field: String) throws -> Date {
        if let date = try? Self.whole.parse(text) { return date }
        if let date = try? Self.fractional.parse(text) { return date }
        throw InvalidField(field, "must be an ISO 8601 date-time such as 2026-12-02T09:41:07Z, got \(InvalidField.quote(text))")
    }
}
