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
        guard text.utf8.count <= 64, let date = (try? Self.whole.parse(text)) ?? (try? Self.fractional.parse(text)) else {
            throw InvalidField(field, "must be an ISO 8601 date-time such as 2026-12-02T09:41:07Z, got \(InvalidField.quote(text))")
        }
        return try Self.plausible(date.timeIntervalSince1970, field: field)
    }

    /// The dates a post may carry: from 2000 to 2100. Anything else (NaN, infinite, year 1 or 9999) is a mistake
    /// or an attack, never a post's date.
    public static let plausibleRange = 946_684_800.0...4_102_444_800.0

    /// `seconds` since 1970 as a date, when finite and in ``plausibleRange``.
    /// - Throws: ``InvalidField`` naming `field` otherwise.
    public static func plausible(_ seconds: Double, field: String) throws -> Date {
        guard seconds.isFinite, Self.plausibleRange.contains(seconds) else {
            throw InvalidField(field, "is not a plausible date (2000 to 2100)")
        }
        return Date(timeIntervalSince1970: seconds)
    }
}
