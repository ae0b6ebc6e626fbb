import HashwallChannels
import Testing

/// HTML to text through libxml2's HTML parser: what a reader sees, as plain text, and never markup.
@Suite struct HTMLTextTests {
    @Test func scriptsStylesImagesAndCommentsAreDroppedAndEntitiesDecoded() {
        let html = """
            <html><head><title>T</title><style>p { color: red }</style></head><body>
            <!-- a comment --><script>document.write("x")</script>
            <p>Caf&eacute; &amp; cr&#232;me &lt;b&gt; <img src="x.png" alt="photo"></p></body></html>
            """
        #expect(HTMLText.text(html) == "Café & crème <b>")
    }

    @Test func paragraphsAndBreaksAreLineBreaksAndLinkTextIsKept() {
        let (text, links) = HTMLText.convert("<p>Un</p><p>Deux<br>Trois</p><div>Voir <a href=\"https://ex.org/a\">le programme</a></div>")
        #expect(text == "Un\n\nDeux\nTrois\n\nVoir le programme")
        #expect(links == [HTMLText.Link(text: "le programme", href: "https://ex.org/a")])
    }

    @Test func quotedRepliesAreDroppedWhenAsked() {
        let html = """
            <div dir="ltr">Bravo !</div><br><div class="gmail_quote"><div>Le lun. a écrit :</div>
            <blockquote>Ancien message</blockquote></div>
            """
        #expect(HTMLText.text(html, options: .init(dropQuotes: true)) == "Bravo !")
        #expect(HTMLText.text(html).contains("Ancien message"))
    }

    @Test func brokenMarkupIsReadNotRefused() {
        #expect(HTMLText.text("<p>ouvert <b>gras <i>italique") == "ouvert gras italique")
        #expect(HTMLText.text("") == "")
        #expect(HTMLText.text("<<<>>>&&&;").contains("&"))
    }
}
