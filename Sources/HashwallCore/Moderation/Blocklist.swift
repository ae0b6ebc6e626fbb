/// Words and phrases that hold a post for review, matched as whole words, ignoring case and accents,
/// in the text and in the author's name: "con" holds "quel con" but not "conférence".
public struct Blocklist: Sendable {
    /// A short default list, French and English, that the organiser extends in the settings.
    public static let defaultEntries = [
        "connard", "connasse", "salope", "pute", "enculé", "encule", "batard", "bâtard", "nique ta mère", "ntm", "fdp",
        "fils de pute", "tapette", "bougnoule", "négro", "youpin", "sale arabe", "sale juif", "sale noir",
        "fuck", "fucking", "motherfucker", "shit", "bitch", "cunt", "asshole", "bastard", "whore", "slut", "faggot",
        "nigger", "kys", "kill yourself",
    ]

    /// Each entry's words, as UTF-8: folded text is NFC, so two words are the same exactly when their bytes are.
    private let phrases: [(entry: String, words: [[UInt8]])]

    public init(_ entries: [String]) {
        self.phrases = entries.compactMap { entry in
            let folded = TextNormaliser.fold(entry)
            let bytes = Array(folded.utf8)
            let words = Self.words(folded).map { Array(bytes[$0]) }
            return words.isEmpty ? nil : (entry, words)
        }
    }

    /// The first entry found in `texts` as a run of whole words, or `nil`.
    public func firstMatch(in texts: String...) -> String? {
        self.firstMatch(inFolded: texts.map(TextNormaliser.fold))
    }

    /// ``firstMatch(in:)`` for texts already folded.
    public func firstMatch(inFolded texts: [String]) -> String? {
        guard !self.phrases.isEmpty else { return nil }
        for folded in texts {
            let bytes = Array(folded.utf8)
            let words = Self.words(folded).map { bytes[$0] }
            for phrase in self.phrases where Self.contains(words, phrase.words) {
                return phrase.entry
            }
        }
        return nil
    }

    /// Where the words of `folded` are (runs of letters and digits), as ranges of its UTF-8 offsets.
    private static func words(_ folded: String) -> [Range<Int>] {
        let utf8 = folded.utf8
        if TextNormaliser.isASCII(folded) {  // the same words, byte by byte: ASCII's letters and digits
            var words: [Range<Int>] = []
            var start: Int?
            for (offset, byte) in utf8.enumerated() {
                let isWordByte = TextNormaliser.isASCIILetterOrDigit(UInt32(byte))
                if isWordByte, start == nil { start = offset }
                if !isWordByte, let first = start {
                    words.append(first..<offset)
                    start = nil
                }
            }
            if let first = start { words.append(first..<utf8.count) }
            return words
        }
        return folded.split { !($0.isLetter || $0.isNumber) }.map {
            utf8.distance(from: utf8.startIndex, to: $0.startIndex)..<utf8.distance(from: utf8.startIndex, to: $0.endIndex)
        }
    }

    private static func contains(_ words: [ArraySlice<UInt8>], _ phrase: [[UInt8]]) -> Bool {
        guard phrase.count <= words.count else { return false }
        let same = { (word: ArraySlice<UInt8>, other: [UInt8]) in word.count == other.count && word.elementsEqual(other) }
        for start in 0...(words.count - phrase.count) where same(words[start], phrase[0]) {
            if zip(words[start..<(start + phrase.count)], phrase).allSatisfy(same) { return true }
        }
        return false
    }
}
