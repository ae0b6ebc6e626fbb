import Foundation
import Testing

@testable import HashwallChannels

/// The wall's text rules on mail: flowed text, what the person wrote, subjects and automatic mail.
@Suite struct MailTextTests {
    // MARK: unflow

    @Test func flowedLinesJoinKeepingTheirSpaceWithoutDelSp() {
        let text = "Bravo pour la \r\nconf\u{E9}rence de \r\nce matin.\r\nA bient\u{F4}t\r\n"
        let expected = "Bravo pour la conf\u{E9}rence de ce matin.\nA bient\u{F4}t\n"
        #expect(MailText.unflow(text, delSp: false) == expected)
    }

    @Test func delSpDropsTheSpaceThatEndsAFlowedLine() {
        let text = "Merci pour la super \nconf\u{E9}ren \nce #capcomnet\n"
        #expect(MailText.unflow(text, delSp: true) == "Merci pour la superconf\u{E9}rence #capcomnet\n")
        #expect(MailText.unflow(text, delSp: false) == "Merci pour la super conf\u{E9}ren ce #capcomnet\n")
    }

    @Test func spaceStuffedLinesLoseOneLeadingSpace() {
        #expect(MailText.unflow(" From the stand\n  indented\n", delSp: false) == "From the stand\n indented\n")
        // Quote depth is read before unstuffing: " >Bravo" is an unquoted line whose text starts with ">".
        #expect(MailText.unflow(" >Bravo \n>next", delSp: false) == ">Bravo \n>next")
        #expect(MailText.unflow(" >Bravo \nnext", delSp: false) == ">Bravo next")
    }

    @Test func flowedLinesJoinOnlyAtTheSameQuoteDepth() {
        let text = "Oui \nd'accord\n> Tu viens \n> demain ?\n>> Le stand \n> B\n"
        #expect(MailText.unflow(text, delSp: false) == "Oui d'accord\n> Tu viens demain ?\n>> Le stand \n> B\n")
    }

    @Test func theSignatureLineIsNeverFlowed() {
        #expect(MailText.unflow("A demain \n-- \nL\u{E9}a \nDupr\u{E9}\n", delSp: false) == "A demain \n-- \nL\u{E9}a Dupr\u{E9}\n")
        #expect(MailText.unflow("> -- \n> Paul", delSp: true) == "> -- \n> Paul")
    }

    // MARK: authored

    @Test func gmailEnglishAttributionWrappedOnTwoLinesIsCut() {
        let text = """
            Great talk, see you at the stand!

            On Tue, 1 Dec 2026 at 10:02, L\u{E9}a
            Dupr\u{E9} <lea@x.org> wrote:

            > Are you coming?
            """
        #expect(MailText.authored(text) == "Great talk, see you at the stand!")
        let oneLine = "Yes!\r\nOn Tue, Dec 1, 2026 at 10:02 AM L\u{E9}a Dupr\u{E9} <lea@x.org> wrote:\r\n> Are you coming?\r\n"
        #expect(MailText.authored(oneLine) == "Yes!")
    }

    @Test func gmailFrenchAttributionWithNonBreakingSpacesAndWrapIsCut() {
        let oneLine = "Avec plaisir\n\nLe mar. 1 d\u{E9}c. 2026 \u{E0} 10:02, L\u{E9}a Dupr\u{E9} <lea@x.org> a\u{A0}\u{E9}crit\u{A0}:\n> Tu viens ?"
        #expect(MailText.authored(oneLine) == "Avec plaisir")
        let wrapped = "Avec plaisir\n\nLe mar. 1 d\u{E9}c. 2026 \u{E0} 10:02, L\u{E9}a Dupr\u{E9} <lea@x.org> a\n\u{E9}crit\u{202F}:\n\n> Tu viens ?"
        #expect(MailText.authored(wrapped) == "Avec plaisir")
        #expect(MailText.authored("Top\nLe 2 d\u{E9}c. 2026, L\u{E9}a a \u{E9}crit:\nsuite") == "Top")
    }

    @Test func appleMailAndThunderbirdFrenchAttributionsAreCut() {
        let apple = "Bravo #capcomnet \u{1F44F}\n\n> Le 2 d\u{E9}c. 2026 \u{E0} 09:41, L\u{E9}a <lea@example.org> a \u{E9}crit :\n> \n> Salut"
        #expect(MailText.authored(apple) == "Bravo #capcomnet \u{1F44F}")
        let appleUnquoted = "Bravo\n\nLe 2 d\u{E9}c. 2026 \u{E0} 09:41, L\u{E9}a Dupr\u{E9} <lea@example.org> a \u{E9}crit :\n\nSalut"
        #expect(MailText.authored(appleUnquoted) == "Bravo")
        #expect(MailText.authored("Merci !\nLe 02/12/2026 \u{E0} 09:41, L\u{E9}a a \u{E9}crit :\n> Salut") == "Merci !")
    }

    @Test func germanAndSpanishAttributionsAreCut() {
        #expect(MailText.authored("Danke!\nAm 02.12.2026 um 09:41 schrieb L\u{E9}a Dupr\u{E9} <lea@example.org>:\n> Hallo") == "Danke!")
        #expect(MailText.authored("Gracias\nEl mar, 1 dic 2026 a las 10:02, L\u{E9}a (<lea@x.org>) escribi\u{F3}:\n> Hola") == "Gracias")
    }

    @Test func ordinarySentencesAreNotAttributions() {
        let text = "Le stand B a \u{E9}crit un super programme\nOn se voit demain\nLe programme est top\nOn stage everyone wrote notes"
        #expect(MailText.authored(text) == text)
        #expect(MailText.authored("Le stand 3 est top.\nPaul a \u{E9}crit :\nvenez") == "Le stand 3 est top.\nPaul a \u{E9}crit :\nvenez")
        #expect(MailText.authored("De : la part de toute l'\u{E9}quipe, merci\nBravo") == "De : la part de toute l'\u{E9}quipe, merci\nBravo")
    }

    @Test func aWrappedAttributionOnTheNextLinesDoesNotEatTheLineBefore() {
        let text = "Le stand 3 est top\nLe 2 d\u{E9}c. 2026 \u{E0} 09:41, L\u{E9}a a \u{E9}crit :\n> Salut"
        #expect(MailText.authored(text) == "Le stand 3 est top")
    }

    @Test func outlookFrenchHeaderBlockIsCut() {
        let text = """
            Je serai au stand B.

            Claire
            ________________________________
            De : L\u{E9}a Dupr\u{E9} <lea@example.org>
            Envoy\u{E9} : mardi 1 d\u{E9}cembre 2026 10:02
            \u{C0} : Claire <claire@example.org>
            Objet : RE: #capcomnet
            """
        #expect(MailText.authored(text) == "Je serai au stand B.\n\nClaire")
        let noRule = "Je serai au stand B.\n\n*De :* L\u{E9}a Dupr\u{E9}\n*Envoy\u{E9} :* mardi\n*\u{C0} :* Claire\n*Objet :* RE: #capcomnet"
        #expect(MailText.authored(noRule) == "Je serai au stand B.")
        let english = "See you\nFrom: Lea <lea@x.org>\nSent: Tuesday, December 1, 2026 10:02 AM\nTo: Claire\nSubject: talk"
        #expect(MailText.authored(english) == "See you")
    }

    @Test func outlookSeparatorLinesAreCut() {
        for separator in [
            "-----Original Message-----", "-----Message d'origine-----", "-------- Message original --------",
            "---------- Forwarded message ---------", "-------- Message transf\u{E9}r\u{E9} --------", "____________________",
        ] {
            #expect(MailText.authored("Voir ci-dessous\n\(separator)\nFrom: x\nhello") == "Voir ci-dessous")
        }
        #expect(MailText.authored("Score\n________________\nfin") == "Score\n________________\nfin")
    }

    @Test func mobileAndWebmailFootersAreCut() {
        for footer in [
            "Sent from my iPhone", "Envoy\u{E9} de mon iPad", "Sent from my Samsung Galaxy smartphone.",
            "Envoy\u{E9} depuis mon smartphone Samsung Galaxy.",
            "Sent from Outlook for iOS", "Obtenir Outlook pour Android", "T\u{E9}l\u{E9}charger Outlook pour Android",
            "Envoy\u{E9} \u{E0} partir de Outlook pour Android", "Sent from Mail for Windows", "Envoy\u{E9} \u{E0} partir de Courrier pour Windows",
            "Sent from Yahoo Mail", "Envoy\u{E9} de Yahoo Mail", "Envoy\u{E9} de mon appareil Android", "Get Outlook for iOS<https://aka.ms/o0ukef>",
            "Sent from ProtonMail", "Envoy\u{E9} avec la messagerie s\u{E9}curis\u{E9}e Proton Mail", "  SENT FROM MY IPHONE  ",
        ] {
            #expect(MailText.authored("Bravo #capcomnet\n\n\(footer)\n\n> quoted") == "Bravo #capcomnet")
        }
        let long = "Sent from my seat in the second row where the sound was really great today"
        #expect(MailText.authored("Bravo\n\(long)") == "Bravo\n\(long)")
    }

    @Test func signatureSeparatorCutsTheSignature() {
        #expect(MailText.authored("Bravo !\n\n-- \nL\u{E9}a Dupr\u{E9}\n06 12 34 56 42") == "Bravo !")
        #expect(MailText.authored("Bravo !\r\n--\r\nL\u{E9}a") == "Bravo !")
        #expect(MailText.authored("Bravo !\n--- \nL\u{E9}a") == "Bravo !\n---\nL\u{E9}a")
    }

    @Test func linesAreTrimmedBlankRunsCollapsedAndTextTrimmed() {
        #expect(MailText.authored("\n\n  Bravo  \t\n\n\n\nStand B\u{A0}\n\n") == "Bravo\n\nStand B")
    }

    @Test func quoteOnlyTextGivesNothing() {
        #expect(MailText.authored("> Salut\n>> Coucou\n  > indented quote") == "")
        #expect(MailText.authored("") == "")
        #expect(MailText.authored("Oui\n   > non") == "Oui")
    }

    @Test func hostileMegabyteBodiesFinish() {
        let quotes = String(repeating: ">", count: 1_000_000)
        let spaces = String(repeating: " ", count: 1_000_000)
        let lines = String(repeating: "> \n", count: 300_000)
        let headers = String(repeating: "De : x\n", count: 150_000)
        #expect(MailText.authored(quotes) == "")
        #expect(MailText.authored(spaces) == "")
        #expect(MailText.authored("Oui\n" + lines) == "Oui")
        #expect(MailText.authored(headers).count == headers.count - 1)
        #expect(MailText.unflow(quotes, delSp: true) == quotes)
        #expect(MailText.unflow(spaces, delSp: true) == String(spaces.dropFirst(2)))
        #expect(MailText.unflow(String(repeating: "a \n", count: 300_000), delSp: true) == String(repeating: "a", count: 300_000))
        #expect(MailText.subjectCore(String(repeating: "Re:", count: 300_000) + "x") == (core: "x", isReply: true))
        #expect(MailText.isEmptySubject(String(repeating: "#", count: 1_000_000)))
    }

    // MARK: subjects

    @Test func replyAndForwardPrefixesAreRemoved() {
        #expect(MailText.subjectCore("RE: TR: Re : #capcomnet") == (core: "#capcomnet", isReply: true))
        #expect(MailText.subjectCore("R\u{E9}f. : x") == (core: "x", isReply: true))
        #expect(MailText.subjectCore("[EXT] Re: Bravo") == (core: "Bravo", isReply: true))
        #expect(MailText.subjectCore("[EXTERNAL] Bravo") == (core: "Bravo", isReply: false))
        #expect(MailText.subjectCore("  Fwd: FW: fw:Photos ") == (core: "Photos", isReply: true))
        #expect(MailText.subjectCore("AW: WG: SV: VS: Antw: RV: Rif: Ref: Tr: Re[2]: Re(3): talk") == (core: "talk", isReply: true))
        #expect(MailText.subjectCore("Re\u{A0}: Merci") == (core: "Merci", isReply: true))
    }

    @Test func subjectsWithoutPrefixesAreKept() {
        #expect(MailText.subjectCore(" Bravo #capcomnet ") == (core: "Bravo #capcomnet", isReply: false))
        #expect(MailText.subjectCore("Recap: day 1") == (core: "Recap: day 1", isReply: false))
        #expect(MailText.subjectCore("Tres bien: merci") == (core: "Tres bien: merci", isReply: false))
        #expect(MailText.subjectCore("[capcomnet]") == (core: "[capcomnet]", isReply: false))
        #expect(MailText.subjectCore("") == (core: "", isReply: false))
    }

    @Test func emptySubjectsAreRecognised() {
        for subject in [
            "", "   ", "#capcomnet", "#capcomnet #2026 !!!", "(no subject)", "No Subject", "(sans objet)", "Sans objet", "(aucun objet)",
            "(kein Betreff)", "-- ?",
        ] {
            #expect(MailText.isEmptySubject(subject), "\(subject)")
        }
        for subject in ["Bravo #capcomnet", "\u{1F44F}", "2026", "#capcomnet top", "\u{E9}t\u{E9}", "no subject today"] {
            #expect(!MailText.isEmptySubject(subject), "\(subject)")
        }
    }

    // MARK: automatic mail

    /// A person's message sent from Gmail, as its headers arrive.
    let gmailHeaders: [(name: String, value: String)] = [
        ("Return-Path", "<lea.dupre@gmail.com>"), ("Received", "from mail-wr1-f41.google.com (mail-wr1-f41.google.com [209.85.221.41])"),
        ("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d=gmail.com; s=20230601; h=to:subject:message-id:date:from"),
        ("X-Google-DKIM-Signature", "v=1; a=rsa-sha256"), ("X-Gm-Message-State", "AOJu0Yx"), ("MIME-Version", "1.0"),
        ("From", "=?UTF-8?Q?L=C3=A9a_Dupr=C3=A9?= <lea.dupre@gmail.com>"), ("Date", "Wed, 2 Dec 2026 09:41:07 +0100"),
        ("Message-ID", "<CAF=abc@mail.gmail.com>"), ("Subject", "Bravo #capcomnet"), ("To", "wall@in.example.org"),
        ("Content-Type", "multipart/alternative; boundary=\"000000000000a1b2c3\""),
    ]

    /// The reason for the Gmail headers plus `extra`, sent by `from`.
    func reason(_ extra: [(name: String, value: String)], from: String? = "lea.dupre@gmail.com", isReport: Bool = false) -> String? {
        AutomaticMail.reason(headers: self.gmailHeaders + extra, fromAddress: from, isReport: isReport)
    }

    @Test func aPersonsGmailMessageIsNotAutomatic() {
        #expect(self.reason([]) == nil)
        #expect(AutomaticMail.reason(headers: [], fromAddress: nil, isReport: false) == nil)
        #expect(self.reason([], from: "bouncer@example.org") == nil)
    }

    @Test func negativeValuesAndOrdinaryHeadersAreNotAutomatic() {
        let headers: [(name: String, value: String)] = [
            ("Auto-Submitted", "No"), ("X-Autoreply", "false"), ("X-Auto-Reply", "NO"), ("X-Auto-Response-Suppress", "RN, NRN"),
            ("Precedence", "first-class"), ("Return-Path", "<lea@x.org>"), ("Subject", "Re: Out of the office party, bravo"),
            ("X-MS-Exchange-Inbox-Rules-Loop", "lea@x.org"),
        ]
        #expect(AutomaticMail.reason(headers: headers, fromAddress: "lea@x.org", isReport: false) == nil)
    }

    @Test func autoSubmittedAndPrecedenceMarkAutomaticMail() {
        #expect(self.reason([("auto-submitted", "Auto-Replied; owner-email=\"lea@x.org\"")]) == "Auto-Submitted: auto-replied")
        #expect(self.reason([("Auto-Submitted", "auto-generated")]) == "Auto-Submitted: auto-generated")
        for value in ["bulk", "Junk", " list ", "auto_reply"] {
            #expect(self.reason([("Precedence", value)]) == "Precedence: \(value.trimmingCharacters(in: .whitespaces).lowercased())")
        }
        #expect(self.reason([("Precedence", "first-class")]) == nil)
    }

    @Test func autoReplyHeadersMarkAutomaticMail() {
        #expect(self.reason([("X-Autorespond", "yes")]) == "X-Autorespond present")
        #expect(self.reason([("x-auto-reply", "")]) == "X-Auto-Reply present")
        #expect(self.reason([("X-Autoreply", "NO")]) == nil)
        #expect(AutomaticMail.reason(headers: [("X-AUTOREPLY", "yes")], fromAddress: nil, isReport: false) == "X-Autoreply present")
        for (value, hit) in [("All", "all"), ("DR, RN", "dr"), ("RN,AutoReply", "autoreply"), (" oof ", "oof")] {
            let reason = AutomaticMail.reason(headers: [("X-Auto-Response-Suppress", value)], fromAddress: nil, isReport: false)
            #expect(reason == "X-Auto-Response-Suppress: \(hit)")
        }
    }

    @Test func listAndFeedbackHeadersMarkAutomaticMail() {
        #expect(self.reason([("List-Id", "<capcomnet.lists.example.org>")]) == "List-Id present")
        #expect(self.reason([("List-Unsubscribe", "<mailto:u@x.org>")]) == "List-Unsubscribe present")
        #expect(self.reason([("list-post", "<mailto:l@x.org>")]) == "List-Post present")
        #expect(self.reason([("Feedback-ID", "1:campaign:esp")]) == "Feedback-ID present")
    }

    @Test func emptyReturnPathAndReportsMarkAutomaticMail() {
        #expect(AutomaticMail.reason(headers: [("Return-Path", "<>")], fromAddress: "lea@x.org", isReport: false) == "Return-Path: <>")
        #expect(AutomaticMail.reason(headers: [("Return-Path", " < > ")], fromAddress: "lea@x.org", isReport: false) == "Return-Path: <>")
        #expect(self.reason([], isReport: true) == "multipart/report")
    }

    @Test func robotSendersMarkAutomaticMail() {
        let cases = [
            ("MAILER-DAEMON@mx.example.org", "mailer-daemon"), ("postmaster@x.org", "postmaster"), ("noreply@x.org", "noreply"),
            ("No-Reply@x.org", "no-reply"), ("do-not-reply@x.org", "do-not-reply"), ("DoNotReply@x.org", "donotreply"),
            ("bounce@x.org", "bounce"), ("bounces+1234@x.org", "bounces"), ("bounce-mc.us5_123@mail.x.org", "bounce-mc.us5_123"),
            ("noreply-dmarc@x.org", "noreply-dmarc"), ("<no-reply-tickets@x.org>", "no-reply-tickets"),
        ]
        for (address, local) in cases {
            #expect(self.reason([], from: address) == "From: \(local)")
        }
    }

    @Test func autoReplyAndBounceSubjectsMarkAutomaticMail() {
        let cases = [
            ("Automatic reply: Bravo", "automatic reply:"), ("R\u{E9}ponse automatique\u{A0}: Bravo", "reponse automatique:"),
            ("Out of Office: Lea", "out of office"), ("Absence du bureau", "absence du bureau"), ("Undeliverable: Bravo", "undeliverable:"),
            ("Undelivered Mail Returned to Sender", "undelivered mail returned to sender"),
            ("Delivery Status Notification (Failure)", "delivery status notification"), ("Non remis : Bravo", "non remis:"),
            ("Mail delivery failed: returning message to sender", "mail delivery failed"),
        ]
        for (subject, start) in cases {
            #expect(AutomaticMail.reason(headers: [("Subject", subject)], fromAddress: "lea@x.org", isReport: false) == "Subject: \(start)")
        }
    }

    @Test func anExchangeRulesLoopAloneIsNotAutomatic() {
        let headers: [(name: String, value: String)] = [("X-MS-Exchange-Inbox-Rules-Loop", "lea@x.org")]
        #expect(AutomaticMail.reason(headers: headers, fromAddress: "lea@x.org", isReport: false) == nil)
    }
}
