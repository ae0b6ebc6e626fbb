import Foundation

/// Turns text from outside into the form the wall stores and compares.
///
/// Normalised text is NFC, has no control characters (line breaks excepted) and no bidi embedding,
/// override or isolate characters, has every run of horizontal white space folded to one space, no space
/// at either end of a line, at most two line breaks in a row, and nothing blank at either end.
public enum TextNormaliser {
    /// Returns `text` normalised as described above.
    public static func normalise(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        var pendingBreaks = 0
        var previousWasCR = false
        // ASCII is already NFC: only other text pays for Foundation's normalisation.
        let composed = Self.isASCII(text) ? text : text.precomposedStringWithCanonicalMapping
        for scalar in composed.unicodeScalars {
            let isCR = scalar == "\r"
            defer { previousWasCR = isCR }
            switch Self.classify(scalar) {
            case .drop:
                continue
            case .lineBreak:
                if scalar == "\n" && previousWasCR { continue }  // CR LF is one break
                pendingSpace = false  // no space at the end of a line
                if !out.isEmpty { pendingBreaks = min(pendingBreaks + 1, 2) }
            case .space:
                if !out.isEmpty && pendingBreaks == 0 { pendingSpace = true }
            case .keep:
                if pendingBreaks > 0 {
                    out.append(contentsOf: String(repeating: "\n", count: pendingBreaks).unicodeScalars)
                } else if pendingSpace {
                    out.append(" ")
                }
                pendingBreaks = 0
                pendingSpace = false
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Normalised `text` on one line: each line break (normalised text has only `\n`) becomes a space.
    public static func oneLine(_ text: String) -> String {
        guard text.utf8.contains(0x0A) else { return text }
        return String(decoding: text.utf8.map { $0 == 0x0A ? 0x20 : $0 }, as: UTF8.self)  // 0x0A is never inside a longer UTF-8 sequence
    }

    /// The comparison form of already normalised text: lower case, accents removed, all white space as one
    /// space. `#CapComNét` and `#capcomnet` fold to the same string. Hostile spellings fold too: invisible format
    /// characters (soft hyphen, zero-width joiners, word joiners, bidi marks, tag characters) are dropped, so they
    /// cannot split a word; compatibility forms (full-width, mathematical, circled letters, ligatures) become
    /// their plain letters, and common Cyrillic and Greek look-alikes become the Latin letters they imitate.
    public static func fold(_ text: String) -> String {
        Self.isASCII(text) ? Self.foldASCII(text) : Self.foldScalars(text)
    }

    /// ``fold(_:)`` for any text: decomposes (compatibility), drops marks and format characters, lowers each
    /// scalar, maps look-alikes, recomposes. Linear in the text's length.
    static func foldScalars(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.decomposedStringWithCompatibilityMapping.unicodeScalars {
            let category = scalar.properties.generalCategory
            if category == .nonspacingMark || category == .format || category == .enclosingMark { continue }
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                out.append(Self.lookAlikes[lower] ?? lower)
            }
        }
        return String(out).precomposedStringWithCanonicalMapping
    }

    /// Lower-case Cyrillic and Greek letters that read as Latin ones (Unicode's confusables for these scripts,
    /// the common part): `раураl` must not pass for something other than `paypal` on a blocklist.
    static let lookAlikes: [Unicode.Scalar: Unicode.Scalar] = [
        // Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y",
        "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ү": "y", "ɡ": "g",
        // Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
        "ω": "w", "ς": "c",
    ]

    /// `0`–`9`, `A`–`Z`, `a`–`z`: the ASCII scalars that are Unicode letters or numbers.
    static func isASCIILetterOrDigit(_ value: UInt32) -> Bool {
        (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
    }

    static func isASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// ``fold(_:)`` for ASCII text, byte by byte: the same result without decomposing or recomposing.
    private static func foldASCII(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if byte == 0x20 || (0x09...0x0D).contains(byte) {  // ASCII's Unicode white space
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace {
                bytes.append(0x20)
                pendingSpace = false
            }
            bytes.append((0x41...0x5A).contains(byte) ? byte + 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private enum ScalarClass { case keep, space, lineBreak, drop }

    private static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        switch scalar.value {
        case 0x0A, 0x0D, 0x0B, 0x0C, 0x85, 0x2028, 0x2029:
            return .lineBreak
        case 0x09:
            return .space
        case 0x202A...0x202E, 0x2066...0x2069:  // bidi embeddings, overrides and isolates
            return .drop
        case 0x200B, 0xFEFF, 0x2060:  // zero-width space, BOM, word joiner: invisible, used to dodge filters
            return .drop
        case 0x00..<0x20, 0x7F:  // ASCII's other control characters
            return .drop
        case 0x20:
            return .space
        case 0x21..<0x7F:
            return .keep
        default:
            break
        }
        let category = scalar.properties.generalCategory
        if category == .control || category == .surrogate {
            return .drop
        }
        if category == .spaceSeparator { return .space }
        return .keep
    }
}
