import Crypto
import Foundation
import HashwallCore

/// A phone number in E.164 (`+33612345642`). Never shown whole on a public surface: see ``masked``.
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    /// `+` and 8 to 15 digits.
    public let e164: String

    /// Normalises what gateways send: `+33612345642`, `0033612345642`, `33612345642` (Vonage drops the `+`),
    /// or a national number (`06 12 34 56 42`) with `defaultCountryCode` (`+33`).
    /// - Throws: ``InvalidField`` naming `field` when it is not a phone number.
    public init(_ text: String, defaultCountryCode: String = "+33", field: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var digits = trimmed.filter(\.isASCII).filter(\.isNumber)
        guard !digits.isEmpty, trimmed.allSatisfy({ $0.isNumber || " +-.()".contains($0) }) else {
            throw InvalidField(field, "is not a phone number")
        }
        if trimmed.hasPrefix("+") {
            // already international
        } else if digits.hasPrefix("00") {
            digits.removeFirst(2)
        } else if digits.hasPrefix("0") {
            digits = defaultCountryCode.filter(\.isNumber) + digits.dropFirst()
        }
        guard (8...15).contains(digits.count) else { throw InvalidField(field, "is not a phone number") }
        self.e164 = "+" + digits
    }

    /// What the wall shows: the country code, the first digit after it and the last two, e.g. `+33 6 •• •• •• 42`.
    public var masked: String {
        let digits = Array(self.e164.dropFirst())
        let codeLength = Self.countryCodeLength(digits)
        let code = String(digits.prefix(codeLength))
        let rest = digits.dropFirst(codeLength)
        guard rest.count >= 4, let first = rest.first else { return "+\(code) •• \(String(rest.suffix(2)))" }
        let hiddenPairs = max(1, (rest.count - 3 + 1) / 2)
        return "+\(code) \(first) " + Array(repeating: "••", count: hiddenPairs).joined(separator: " ") + " " + String(rest.suffix(2))
    }

    /// The author key bans, trust, the flood limit and dedupe go by: a digest, so the journal holds no number.
    public var authorKey: String {
        AuthorKey.phoneIdentity(e164: self.e164)
    }

    public var description: String { self.masked }

    /// ITU-T E.164 country codes: 1 and 7 are one digit; two digits for the zones listed, three otherwise.
    static func countryCodeLength(_ digits: [Character]) -> Int {
        guard let first = digits.first else { return 0 }
        if first == "1" || first == "7" { return 1 }
        guard digits.count >= 2 else { return 1 }
        let two = String(digits.prefix(2))
        let twoDigit: Set<String> = [
            "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54",
            "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
        ]
        return twoDigit.contains(two) ? 2 : 3
    }
}
