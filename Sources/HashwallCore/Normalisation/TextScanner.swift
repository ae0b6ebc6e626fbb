/// Finds URLs, @mentions and #hashtags in normalised text, as ``TextSpan``s with UTF-16 offsets.
public enum TextScanner {
    /// What a scan found: the spans in order, and the distinct hashtags folded (lower case, no accents, no `#`).
    public struct Result: Sendable, Equatable {
        public var spans: [TextSpan] = []
        public var hashtags: [String] = []
    }

    /// Scans `text` once, left to right. A hashtag or mention inside a URL is part of the URL.
    public static func scan(_ text: String) -> Result {
        let scalars = Array(text.unicodeScalars)
        var offsets = [Int]()  // UTF-16 offset of each scalar, plus the end
        offsets.reserveCapacity(scalars.count + 1)
        var position = 0
        for scalar in scalars {
            offsets.append(position)
            position += scalar.utf16.count
        }
        offsets.append(position)

        var result = Result()
        var index = 0
        while index < scalars.count {
            let atBoundary = index == 0 || !Self.isWordCharacter(scalars[index - 1])
            if atBoundary, let end = Self.urlEnd(scalars, from: index) {
                result.spans.append(TextSpan(kind: .url, start: offsets[index], end: offsets[end]))
                index = end
            } else if atBoundary, scalars[index] == "@", let end = Self.mentionEnd(scalars, from: index) {
                result.spans.append(TextSpan(kind: .mention, start: offsets[index], end: offsets[end]))
                index = end
            } else if atBoundary, scalars[index] == "#" || scalars[index] == "＃", let end = Self.hashtagEnd(scalars, from: index) {
                result.spans.append(TextSpan(kind: .hashtag, start: offsets[index], end: offsets[end]))
                let tag = Hashtags.fold(String(String.UnicodeScalarView(scalars[(index + 1)..<end])))
                if !result.hashtags.contains(tag) { result.hashtags.append(tag) }
                index = end
            } else {
                index += 1
            }
        }
        return result
    }

    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {  // the same answer without looking up Unicode properties
            return scalar == "_" || TextNormaliser.isASCIILetterOrDigit(scalar.value)
        }
        return scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            || scalar.properties.generalCategory == .nonspacingMark
    }

    private static func urlEnd(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        let prefixes = ["https://", "http://"]
        guard let prefix = prefixes.first(where: { Self.hasPrefix(s, at: start, $0) }) else { return nil }
        var end = start + prefix.unicodeScalars.count
        while end < s.count, !s[end].properties.isWhitespace, !"<>\"«»“”".unicodeScalars.contains(s[end]) {
            end += 1
        }
        // Trailing punctuation belongs to the sentence, and a closing bracket only when it opens nowhere in the URL.
        // The brackets are counted once, so a URL followed by thousands of `)` costs no more than as many letters.
        var opening = 0
        var closing = 0
        for scalar in s[start..<end] {
            if scalar == "(" { opening += 1 } else if scalar == ")" { closing += 1 }
        }
        while end > start + prefix.unicodeScalars.count {
            let last = s[end - 1]
            if ".,;:!?…'’".unicodeScalars.contains(last) {
                end -= 1
            } else if last == ")" && opening < closing {
                closing -= 1
                end -= 1
            } else {
                break
            }
        }
        return end > start + prefix.unicodeScalars.count ? end : nil
    }

    /// `@name`, `@user@instance.social`, `@name.bsky.social`.
    private static func mentionEnd(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        var end = start + 1
        var sawAt = false
        while end < s.count {
            let c = s[end]
            if c.isASCII && (c.properties.isAlphabetic || c.properties.numericType != nil || c == "_") {
                end += 1
            } else if (c == "." || c == "-") && end > start + 1 {
                end += 1
            } else if c == "@" && !sawAt && end > start + 1 && end + 1 < s.count && s[end + 1].isASCII && s[end + 1].properties.isAlphabetic {
                sawAt = true
                end += 1
            } else {
                break
            }
        }
        while end > start + 1 && (s[end - 1] == "." || s[end - 1] == "-") { end -= 1 }
        return end > start + 1 ? end : nil
    }

    private static func hashtagEnd(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        var end = start + 1
        var sawLetter = false
        while end < s.count, Self.isWordCharacter(s[end]) || s[end] == "\u{200D}" {
            if s[end].properties.isAlphabetic { sawLetter = true }
            end += 1
        }
        return sawLetter ? end : nil
    }

    private static func hasPrefix(_ s: [Unicode.Scalar], at start: Int, _ prefix: String) -> Bool {
        var index = start
        for p in prefix.unicodeScalars {
            guard index < s.count else { return false }
            let scalar = s[index]
            if scalar.isASCII {  // `p` is lower-case ASCII
                guard scalar == p || ((0x41...0x5A).contains(scalar.value) && scalar.value + 0x20 == p.value) else { return false }
            } else {
                guard scalar.properties.lowercaseMapping == String(p) else { return false }
            }
            index += 1
        }
        return true
    }
}
