import Foundation

/// The wall's own rules on a mail's text, on top of the MIME library: what the person wrote, not the thread.
///
/// Every rule scans lines once (a marker check looks at most 4 lines ahead), so hostile bodies stay linear.
enum MailText {
    /// RFC 3676 `format=flowed`: a line ending in a space is joined with the next (with `delSp`, that space is
    /// dropped); one leading space of a space-stuffed line removed; quote depth (`>` prefixes) kept as is —
    /// flowed lines join only with lines of the same quote depth; the signature line "-- " is never flowed.
    /// Accepts \r\n or \n; returns \n line ends.
    static func unflow(_ text: String, delSp: Bool) -> String {
        var output: [String] = []
        var paragraph = ""  // the open flowed paragraph, its first line's quote prefix included
        var isOpen = false, openDepth = 0
        for line in self.lines(of: text) {
            var rest = line
            var depth = 0
            while rest.utf8.first == UInt8(ascii: ">") {
                depth += 1
                rest = rest.dropFirst()
            }
            let wasStuffed = rest.utf8.first == UInt8(ascii: " ")
            if wasStuffed { rest = rest.dropFirst() }
            let isSignature = rest == "-- "
            if isOpen && (depth != openDepth || isSignature) {
                // A flowed line before a different depth or the signature is treated as fixed (RFC 3676 §4.5).
                output.append(paragraph)
                isOpen = false
            }
            let isFlowed = !isSignature && rest.utf8.last == UInt8(ascii: " ")
            let content = isFlowed && delSp ? rest.dropLast() : rest
            if isOpen {
                paragraph += content
            } else {
                paragraph = String(repeating: ">", count: depth) + (depth > 0 && wasStuffed ? " " : "") + content
            }
            if isFlowed {
                isOpen = true
                openDepth = depth
            } else {
                output.append(paragraph)
                isOpen = false
            }
        }
        if isOpen { output.append(paragraph) }
        return output.joined(separator: "\n")
    }

    /// What the person wrote above the thread: the text cut at the first signature separator, quoted block, attribution line
    /// (EN/FR/DE/ES, possibly wrapped on two lines), Outlook separator or header block, or mobile/webmail footer.
    /// Then: trailing whitespace removed from each line, runs of blank lines collapsed to one, the whole text trimmed.
    /// A text that is only quotes gives "". Attribution lines must END with their verb ("a écrit :", "wrote:"), and a
    /// "De :" line counts only when followed within 4 lines by "Envoyé :"/"Date:" and "À :"/"Objet :".
    static func authored(_ text: String) -> String {
        var scan = LineScan(lines: self.lines(of: text))
        var end = scan.lines.count
        for index in scan.lines.indices where scan.cuts(at: index) {
            end = index
            break
        }
        var kept: [Substring] = []
        var lastWasBlank = false
        for line in scan.lines[..<end] {
            let trimmed = self.droppingTrailingWhitespace(line)
            if trimmed.isEmpty {
                if !lastWasBlank { kept.append(trimmed) }
                lastWasBlank = true
            } else {
                kept.append(trimmed)
                lastWasBlank = false
            }
        }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A subject without its reply and forward prefixes (repeated, any case, optional space before the colon, also "[EXTERNAL]"-style
    /// leading bracket tags): Re, RE, Fwd, Fw, FW, TR, Tr, Réf, Ref, AW, WG, SV, VS, Antw, RV, Rif, "Re[2]". `isReply` says whether any
    /// reply or forward prefix was removed (a bracket tag alone doesn't count). Surrounding whitespace trimmed.
    static func subjectCore(_ subject: String) -> (core: String, isReply: Bool) {
        var rest = Substring(subject)
        var isReply = false
        while true {
            rest = rest.drop(while: \.isWhitespace)
            if let afterTag = self.droppingBracketTag(rest) {
                rest = afterTag
            } else if let afterPrefix = self.droppingReplyPrefix(rest) {
                rest = afterPrefix
                isReply = true
            } else {
                break
            }
        }
        return (String(rest).trimmingCharacters(in: .whitespacesAndNewlines), isReply)
    }

    /// Whether a subject says nothing by itself: nothing but hashtags (#word), punctuation, symbols and whitespace,
    /// or a placeholder ("(no subject)", "sans objet", "(aucun objet)", "(kein Betreff)"…). Letters, digits and emoji are content.
    static func isEmptySubject(_ core: String) -> Bool {
        if core.utf8.count <= 100 {
            let key = self.matchKey(Substring(core)).trimmingCharacters(in: CharacterSet(charactersIn: "()[]<> "))
            if self.subjectPlaceholders.contains(key) { return true }
        }
        var skippingHashtag = false  // inside "#word": its letters are the wall's tag, not content
        for character in core {
            if skippingHashtag && self.isWordCharacter(character) { continue }
            skippingHashtag = character == "#"
            if self.isWordCharacter(character) || self.isEmoji(character) { return false }
        }
        return true
    }

    // MARK: - Lines and match keys

    /// Splits on \n, \r\n or a lone \r, keeping empty lines. Cuts only at line-end bytes, which are always character boundaries.
    static func lines(of text: String) -> [Substring] {
        var result: [Substring] = []
        let bytes = text.utf8
        var start = bytes.startIndex
        var index = start
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                result.append(text[start..<index])
                var next = bytes.index(after: index)
                if byte == UInt8(ascii: "\r"), next < bytes.endIndex, bytes[next] == UInt8(ascii: "\n") { next = bytes.index(after: next) }
                start = next
                index = next
            } else {
                index = bytes.index(after: index)
            }
        }
        result.append(text[start..<bytes.endIndex])
        return result
    }

    /// Longest line (in UTF-8 bytes) that may be a marker; longer lines are the person's text and are not folded.
    static let longestMarkerLine = 1000

    /// A line folded for matching: any whitespace (U+00A0 and U+202F included) as one space, trimmed, case and accents folded,
    /// "’" as "'", no space before a colon. "" for lines longer than ``longestMarkerLine``.
    static func matchKey(_ line: Substring) -> String {
        guard line.utf8.count <= self.longestMarkerLine else { return "" }
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in line.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !scalars.isEmpty
                continue
            }
            let isColon = scalar == ":" || scalar == "\u{FF1A}"
            if pendingSpace && !isColon { scalars.append(" ") }
            pendingSpace = false
            scalars.append(isColon ? ":" : scalar == "\u{2019}" ? "'" : scalar)
        }
        return self.fold(String(scalars))
    }

    /// Case and accents folded ("Envoyé" → "envoye"); ASCII text skips Foundation's folding, which costs more per call.
    static func fold(_ text: String) -> String {
        text.utf8.allSatisfy({ $0 < 0x80 }) ? text.lowercased() : text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// A line without its trailing whitespace (U+00A0 and U+202F included).
    static func droppingTrailingWhitespace(_ line: Substring) -> Substring {
        var scalars = line.unicodeScalars
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return Substring(scalars)
    }

    // MARK: - Markers

    /// Folded Outlook and forward separator texts, between their dashes.
    private static let separatorTitles: Set<String> = [
        "original message", "message d'origine", "message original", "forwarded message", "message transfere", "message transmis",
    ]
    /// Folded lines that start a forwarded message in Apple Mail.
    private static let forwardHeadings: Set<String> = ["begin forwarded message:", "debut du message reexpedie:"]
    /// Folded starts of mobile and webmail footers; a footer line is shorter than 60 characters.
    private static let footerStarts = [
        "sent from my ", "envoye de mon ", "envoye depuis mon ", "sent from outlook", "get outlook for ", "obtenir outlook pour ",
        "telecharger outlook pour ", "envoye a partir de outlook", "envoye a partir de courrier", "sent from mail for windows",
        "sent from yahoo mail", "envoye de yahoo mail", "envoye depuis yahoo mail", "sent from protonmail", "sent from proton mail",
        "sent with proton mail", "envoye avec la messagerie securisee proton mail", "envoye avec proton mail",
    ]

    /// Whether a folded line (or two joined lines) is a reply attribution, which always ends with its verb.
    static func isAttribution(_ key: String) -> Bool {
        (key.hasPrefix("on ") && key.hasSuffix(" wrote:")) || (key.hasPrefix("le ") && key.hasSuffix(" a ecrit:"))
            || (key.hasPrefix("am ") && key.contains(" schrieb") && key.hasSuffix(":"))
            || (key.hasPrefix("el ") && key.hasSuffix(" escribio:"))
    }

    /// Whether a folded line is an Outlook/forward separator: dashed titles, Apple's forward heading, or 20+ underscores.
    static func isSeparator(_ key: String) -> Bool {
        if key.utf8.count >= 20 && key.utf8.allSatisfy({ $0 == UInt8(ascii: "_") }) { return true }
        if self.forwardHeadings.contains(key) { return true }
        guard key.hasPrefix("--") else { return false }
        return self.separatorTitles.contains(key.trimmingCharacters(in: CharacterSet(charactersIn: "- ")))
    }

    /// Whether a folded line is a mobile or webmail footer.
    static func isFooter(_ key: String) -> Bool {
        key.count < 60 && self.footerStarts.contains { key.utf8.starts(with: $0.utf8) }
    }

    /// Whether a raw line is a signature separator: "-- " or "--", trailing whitespace aside.
    static func isSignatureSeparator(_ line: Substring) -> Bool {
        self.droppingTrailingWhitespace(line) == "--"
    }

    /// Whether a raw line is quoted: ">" after optional whitespace.
    static func isQuoted(_ line: Substring) -> Bool {
        line.unicodeScalars.first(where: { !$0.properties.isWhitespace }) == ">"
    }

    /// One pass over a text's lines, folding each line at most once.
    private struct LineScan {
        /// The text's lines, without their line ends.
        let lines: [Substring]
        /// Each line's match key, once folded.
        private var keys: [String?]

        /// A scan of `lines`, nothing folded yet.
        init(lines: [Substring]) {
            self.lines = lines
            self.keys = Array(repeating: nil, count: lines.count)
        }

        /// The match key of line `index`, folded on first use.
        mutating func key(_ index: Int) -> String {
            if let key = self.keys[index] { return key }
            let key = MailText.matchKey(self.lines[index])
            self.keys[index] = key
            return key
        }

        /// Whether the thread, a signature or a footer starts at line `index`.
        mutating func cuts(at index: Int) -> Bool {
            let line = self.lines[index]
            if MailText.isSignatureSeparator(line) || MailText.isQuoted(line) { return true }
            let key = self.key(index)
            if key.isEmpty { return false }
            if MailText.isAttribution(key) || MailText.isSeparator(key) || MailText.isFooter(key) { return true }
            return self.startsWrappedAttribution(at: index) || self.startsHeaderBlock(at: index)
        }

        /// An attribution wrapped onto two lines: the first has the date (a digit) and doesn't end a sentence,
        /// and the second is not an attribution by itself (then the cut belongs there).
        private mutating func startsWrappedAttribution(at index: Int) -> Bool {
            guard index + 1 < self.lines.count else { return false }
            let first = self.key(index), second = self.key(index + 1)
            guard !second.isEmpty, !MailText.isAttribution(second), first.contains(where: \.isNumber) else { return false }
            if let last = first.last, ".!?".contains(last) { return false }
            return MailText.isAttribution(first + " " + second)
        }

        /// An Outlook header block: "From:"/"De :" followed within 4 lines by "Sent:"/"Envoyé :"/"Date:" and "To:"/"À :"/"Objet :"/"Subject:".
        private mutating func startsHeaderBlock(at index: Int) -> Bool {
            guard self.field(index, isOneOf: ["from:", "de:"]) else { return false }
            var sawSent = false, sawTo = false
            for next in (index + 1)..<min(index + 5, self.lines.count) {
                sawSent = sawSent || self.field(next, isOneOf: ["sent:", "envoye:", "date:"])
                sawTo = sawTo || self.field(next, isOneOf: ["to:", "a:", "objet:", "subject:"])
            }
            return sawSent && sawTo
        }

        /// Whether line `index` starts with one of the folded field names, ignoring the "*" that HTML-to-text conversion
        /// puts around bold field names ("*De :* Léa"). Compares bytes: keys are already folded.
        private mutating func field(_ index: Int, isOneOf names: [String]) -> Bool {
            let key = self.key(index).utf8.drop(while: { $0 == UInt8(ascii: "*") })
            return names.contains { key.starts(with: $0.utf8) }
        }
    }

    // MARK: - Subjects

    /// Folded reply and forward prefixes, without their colon.
    private static let replyPrefixes: Set<String> = ["re", "fwd", "fw", "tr", "ref", "aw", "wg", "sv", "vs", "antw", "rv", "rif"]
    /// Folded placeholders mail clients put in an empty subject, without their brackets.
    private static let subjectPlaceholders: Set<String> = [
        "no subject", "sans objet", "aucun objet", "pas d'objet", "kein betreff", "sin asunto", "untitled",
    ]

    /// The subject after a leading "[TAG]" of at most 40 characters, if something follows it.
    private static func droppingBracketTag(_ subject: Substring) -> Substring? {
        guard subject.first == "[" else { return nil }
        let head = subject.dropFirst().prefix(41)
        guard let close = head.firstIndex(of: "]"), close > head.startIndex, !head[..<close].contains("[") else { return nil }
        let rest = subject[subject.index(after: close)...]
        return rest.contains(where: { !$0.isWhitespace }) ? rest : nil
    }

    /// The subject after one reply or forward prefix ("Re:", "RE :", "Réf. :", "Re[2]:", "AW:"…), or nil if it has none.
    private static func droppingReplyPrefix(_ subject: Substring) -> Substring? {
        let word = subject.prefix(while: \.isLetter).prefix(5)
        guard !word.isEmpty else { return nil }
        var rest = subject[word.endIndex...]
        if rest.first == "." { rest = rest.dropFirst() }
        if let open = rest.first, open == "[" || open == "(" {
            let digits = rest.dropFirst().prefix(while: \.isASCII).prefix(while: \.isNumber)
            let after = rest.dropFirst(1 + digits.count)
            guard !digits.isEmpty, after.first == (open == "[" ? "]" : ")") else { return nil }
            rest = after.dropFirst()
        }
        rest = rest.drop(while: { $0.isWhitespace && !$0.isNewline })
        guard let colon = rest.first, colon == ":" || colon == "\u{FF1A}" else { return nil }
        return self.replyPrefixes.contains(self.fold(String(word))) ? rest.dropFirst() : nil
    }

    /// A letter, digit or "_": what a hashtag is made of, and what makes a subject say something.
    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    /// Whether a character is shown as an emoji (presentation by default, or asked for with U+FE0F).
    private static func isEmoji(_ character: Character) -> Bool {
        character.unicodeScalars.contains { $0.properties.isEmojiPresentation || $0 == "\u{FE0F}" }
    }
}

/// Mail that no person wrote to the wall: auto-replies, vacation notices, bulk and list mail, bounces, delivery and read reports.
enum AutomaticMail {
    /// Why the message is automatic (a short English reason, e.g. "Auto-Submitted: auto-replied"), or nil for a person's message.
    /// `headers` are the message's header fields in order, names in any case, values already unfolded.
    /// `fromAddress` is the From address (may be nil); `returnPath` comes in headers; `isReport` is true for a multipart/report message.
    /// Rules follow RFC 3834 and the reference, checked in a fixed order so the reason doesn't depend on header order.
    /// X-MS-Exchange-Inbox-Rules-Loop alone doesn't count.
    static func reason(headers: [(name: String, value: String)], fromAddress: String?, isReport: Bool) -> String? {
        let fields = headers.map { (name: $0.name.trimmingCharacters(in: .whitespaces).lowercased(), value: $0.value) }
        /// The trimmed values of every field called `name` (lowercase).
        func values(_ name: String) -> [String] {
            fields.filter { $0.name == name }.map { $0.value.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        for value in values("auto-submitted") {
            let token = self.firstToken(value)
            if token != "no" { return token.isEmpty ? "Auto-Submitted present" : "Auto-Submitted: \(token)" }
        }
        for value in values("precedence") where ["bulk", "junk", "list", "auto_reply"].contains(self.firstToken(value)) {
            return "Precedence: \(self.firstToken(value))"
        }
        for name in ["X-Autoreply", "X-Autorespond", "X-Auto-Reply"] {
            for value in values(name.lowercased()) where !["no", "false"].contains(value.lowercased()) { return "\(name) present" }
        }
        for value in values("x-auto-response-suppress") {
            let suppressed = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            if let hit = suppressed.first(where: { ["all", "dr", "autoreply", "oof"].contains($0) }) {
                return "X-Auto-Response-Suppress: \(hit)"
            }
        }
        for name in ["List-Id", "List-Unsubscribe", "List-Post", "Feedback-ID"] where !values(name.lowercased()).isEmpty {
            return "\(name) present"
        }
        if values("return-path").contains(where: { $0.filter { !$0.isWhitespace } == "<>" }) { return "Return-Path: <>" }
        if isReport { return "multipart/report" }
        if let local = fromAddress.flatMap(self.localPart), self.isRobotLocalPart(local) {
            // A web form sends as no-reply@ on behalf of the person named in Reply-To: that is a person's message.
            let replyTo = values("reply-to").first.map { value in
                value.firstIndex(of: "<").map { String(value[value.index(after: $0)...].prefix { $0 != ">" }) } ?? value
            }
            let relaysAPerson = self.isNoReply(local) && replyTo.flatMap(self.localPart).map { !self.isRobotLocalPart($0) } == true
            if !relaysAPerson { return "From: \(local.prefix(40))" }
        }
        if let subject = values("subject").first {
            let key = MailText.matchKey(Substring(subject).prefix(200))
            if let start = self.automaticSubjectStarts.first(where: { key.hasPrefix($0) }) { return "Subject: \(start)" }
        }
        return nil
    }

    /// Folded subject starts of auto-replies and bounces.
    private static let automaticSubjectStarts = [
        "automatic reply:", "reponse automatique:", "out of office", "absence du bureau", "undeliverable:",
        "undelivered mail returned to sender", "delivery status notification", "non remis:", "mail delivery failed",
    ]

    /// A header value's first token, before any ";" parameters, trimmed, lowercased and capped at 40 characters.
    private static func firstToken(_ value: String) -> String {
        let token = value.prefix(while: { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased()
        return String(token.prefix(40))
    }

    /// An address's local part, lowercased, without angle brackets, quotes or a "+tag"; nil if empty.
    private static func localPart(_ address: String) -> String? {
        let bare = address.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t\""))
        let local = bare.lastIndex(of: "@").map { bare[..<$0] } ?? Substring(bare)
        let untagged = local.prefix(while: { $0 != "+" }).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return untagged.isEmpty ? nil : untagged.lowercased()
    }

    /// Whether a (lowercased) local part says "do not reply" (a robot, or a web form relaying a person).
    private static func isNoReply(_ local: String) -> Bool {
        ["noreply", "no-reply", "no_reply", "do-not-reply", "donotreply", "do_not_reply"].contains(local)
            || ["noreply-", "no-reply-"].contains { local.hasPrefix($0) }
    }

    /// Whether a (lowercased) local part names a robot: mailer-daemon, postmaster, noreply and friends, bounce addresses.
    private static func isRobotLocalPart(_ local: String) -> Bool {
        let exact: Set<String> = [
            "mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply", "do-not-reply", "donotreply", "do_not_reply", "bounce",
            "bounces",
        ]
        return exact.contains(local) || ["bounce-", "bounces-", "noreply-", "no-reply-"].contains { local.hasPrefix($0) }
    }
}
