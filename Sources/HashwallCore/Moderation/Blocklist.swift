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

    private let phrases: [(entry: String, words: [Substring])]

    public init(_ entries: [String]) {
        self.phrases = entries.compactMap { entry in
            let words = Self.words(TextNormaliser.fold(entry))
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
            let words = Self.words(folded)
            for phrase in self.phrases where Self.contains(words, phrase.words) {
                return phrase.entry
            }
        }
        return nil
    }

    private static func words(_ folded: String) -> [Substring] {
        folded.split { !($0.isLetter || $0.isNumber) }
    }

    private static func contains(_ words: [Substring], _ phrase: [Substring]) -> Bool {
        guard phrase.count <= words.count else { return false }
        for start in 0...(words.count - phrase.count) where words[start] == phrase[0] {
            if zip(words[start..<(start + phrase.count)], phrase).allSatisfy({ $0 == $1 }) { return true }
        }
        return false
    }
}
