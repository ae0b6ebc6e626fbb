import Foundation
import Testing

@testable import HashwallCore

@Suite struct TextNormaliserTests {
    @Test func composesToNFC() {
        let decomposed = "Re\u{301}unio\u{300}n"  // e + combining acute, o + combining grave
        #expect(TextNormaliser.normalise(decomposed) == "Réuniòn")
        #expect(TextNormaliser.normalise(decomposed).unicodeScalars.count == 7)
    }

    @Test func foldsHorizontalWhiteSpaceAndTrims() {
        #expect(TextNormaliser.normalise("  Bravo \t\u{00A0} à   tous  ") == "Bravo à tous")
    }

    @Test func keepsLineBreaksButAtMostTwoInARow() {
        #expect(TextNormaliser.normalise("Un\r\ndeux\n\n\n\ntrois  \n  quatre\n") == "Un\ndeux\n\ntrois\nquatre")
    }

    @Test func removesControlAndBidiOverrideCharacters() {
        let hostile = "Salut\u{0007}\u{202E}gnp.exe\u{202C} \u{2066}x\u{2069}\u{200B}!"
        #expect(TextNormaliser.normalise(hostile) == "Salutgnp.exe x!")
    }

    @Test func keepsEmojiSequencesIntact() {
        let text = "👩‍💻 🇫🇷 👏🏽"
        #expect(TextNormaliser.normalise(text) == text)
    }

    @Test func theASCIIShortcutFoldsExactlyLikeTheGeneralPath() {
        let everyASCII = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        for text in [everyASCII, "  Bravo  POUR\tla\n\nTable Ronde !! ", "RT @Claire: #CapComNet 2026", "a\u{0B}b\u{0C}c\rd", ""] {
            #expect(TextNormaliser.fold(text) == TextNormaliser.foldScalars(text), "\(text.debugDescription)")
        }
    }

    @Test func everyASCIICharacterIsKeptDroppedOrSpacedByItsUnicodeCategory() {
        for value in 0..<128 {
            let scalar = Unicode.Scalar(UInt8(value))
            let category = scalar.properties.generalCategory
            let expected: String
            switch value {
            case 0x09, 0x20: expected = "a b"  // a space
            case 0x0A...0x0D: expected = "a\nb"  // a line break
            default: expected = category == .control ? "ab" : "a\(Character(scalar))b"
            }
            #expect(TextNormaliser.normalise("a\(Character(scalar))b") == expected, "U+\(String(value, radix: 16))")
        }
    }

    @Test func oneLineTurnsEveryBreakIntoASpace() {
        #expect(TextNormaliser.oneLine("Claire\nMartin\n\nRennes") == "Claire Martin  Rennes")
        #expect(TextNormaliser.oneLine("Zoë 👩‍💻") == "Zoë 👩‍💻")
    }

    @Test func foldingIgnoresCaseAndAccents() {
        #expect(TextNormaliser.fold("CapComNét  ÉTÉ") == "capcomnet ete")
    }
}

@Suite struct TextScannerTests {
    @Test func asciiWordCharactersAreUnicodesLettersDigitsAndUnderscore() {
        for value in 0..<128 {
            let scalar = Unicode.Scalar(UInt8(value))
            let expected = scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            #expect(TextScanner.isWordCharacter(scalar) == expected, "U+\(String(value, radix: 16))")
        }
        #expect(TextScanner.scan("HTTPS://example.org/a et Https://x.fr").spans.filter { $0.kind == .url }.count == 2)
    }

    @Test func hashtagsInEverySpellingAreOneTag() {
        let result = TextScanner.scan("#CapComNet #capcomnet #CAPCOMNET #capcomnét et #IA")
        #expect(result.hashtags == ["capcomnet", "ia"])
        #expect(result.spans.filter { $0.kind == .hashtag }.count == 5)
    }

    @Test func hashtagNeedsALetterAndAWordBoundary() {
        #expect(TextScanner.scan("salle #2 et mot#tag").hashtags.isEmpty)
    }

    @Test func urlSpanExcludesTrailingPunctuationAndSwallowsItsFragment() throws {
        let text = "Programme : https://example.org/a_(b)?x=1#capcomnet. Merci"
        let result = TextScanner.scan(text)
        let url = try #require(result.spans.first)
        #expect(url.kind == .url)
        let utf16 = Array(text.utf16)
        #expect(String(utf16CodeUnits: Array(utf16[url.start..<url.end]), count: url.end - url.start) == "https://example.org/a_(b)?x=1#capcomnet")
        #expect(result.hashtags.isEmpty)  // the fragment is part of the URL, not a tag
    }

    @Test func mentionsOfEveryNetworkAreSpansButEmailAddressesAreNot() {
        let text = "Merci @capcomnet_org, @alice@piaille.fr et @lea.bsky.social. Écrivez à mur@capcomnet.example"
        let mentions = TextScanner.scan(text).spans.filter { $0.kind == .mention }
        let words = mentions.map { span in String(utf16CodeUnits: Array(Array(text.utf16)[span.start..<span.end]), count: span.end - span.start) }
        #expect(words == ["@capcomnet_org", "@alice@piaille.fr", "@lea.bsky.social"])
    }

    @Test func offsetsCountUTF16CodeUnitsAsJavaScriptDoes() {
        let text = "👩‍💻 #IA"
        let span = TextScanner.scan(text).spans[0]
        // 👩‍💻 is 5 UTF-16 units (2 + 1 + 2), then a space.
        #expect(span.start == 6 && span.end == 9)
    }
}
