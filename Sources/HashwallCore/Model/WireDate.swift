import Foundation

/// ISO 8601 dates as the wall writes and reads them: `2026-12-02T09:41:07Z`, or with milliseconds
/// (`…07.250Z`) when the instant has a fraction, so order survives a round trip through JSON.
public enum WireDate {
    private static let whole = Date.ISO8601FormatStyle(includingFractionalSeconds: false)
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Formats `date` in UTC.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard (0..<253_402_300_800).contains(seconds) else {  // before 1970 or after 9999: the formatter's business
            return seconds.rounded(.down) == seconds ? date.formatted(Self.whole) : date.formatted(Self.fractional)
        }
        return Self.written(date)
    }

    /// What the ISO 8601 formatter makes of `date` (1970 to 9999), digit by digit: every post is written with two
    /// dates, and the formatter is slow. A test compares both over random instants.
    static func written(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = Int(seconds.rounded(.down))
        let (days, time) = whole.quotientAndRemainder(dividingBy: 86_400)
        // The civil date of a day number (Howard Hinnant's days_from_civil, inverted), from 1970-01-01.
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(year, 4)
        out.append(UInt8(ascii: "-"))
        digits(month, 2)
        out.append(UInt8(ascii: "-"))
        digits(day, 2)
        out.append(UInt8(ascii: "T"))
        digits(time / 3600, 2)
        out.append(UInt8(ascii: ":"))
        digits(time / 60 % 60, 2)
        out.append(UInt8(ascii: ":"))
        digits(time % 60, 2)
        if Double(whole) != seconds {
            // Milliseconds, truncated, of the instant as Foundation keeps it (seconds since 2001).
            let reference = date.timeIntervalSinceReferenceDate
            out.append(UInt8(ascii: "."))
            digits(Int(((reference - reference.rounded(.down)) * 1000).rounded(.down)), 3)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
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
