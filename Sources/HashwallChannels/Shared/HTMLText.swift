import CLibXML2
import Foundation
import Synchronization

/// HTML to plain text through libxml2's HTML parser (forgiving, like a browser's): scripts, styles, images and
/// comments dropped, entities decoded, `<p>`, `<br>` and other blocks as line breaks, link text kept (and each
/// link's address listed). Never renders or keeps markup: the result is text for `textContent`.
public enum HTMLText {
    public struct Options: Sendable {
        /// Leave out quoted replies: `<blockquote>`, Gmail's `gmail_quote`, and everything from Outlook's reply
        /// header (`divRplyFwdMsg`, `appendonsend`) on. For mail; a post's own quotes stay.
        public var dropQuotes: Bool

        public init(dropQuotes: Bool = false) { self.dropQuotes = dropQuotes }
    }

    /// A link in the text: its shown text and its address.
    public struct Link: Sendable, Equatable {
        public var text: String
        public var href: String

        public init(text: String, href: String) {
            self.text = text
            self.href = href
        }
    }

    /// Elements whose content is never text.
    static let skipped: Set<String> = [
        "script", "style", "head", "title", "noscript", "template", "img", "svg", "object", "iframe", "embed", "video", "audio", "canvas",
        "map", "select", "button", "input", "textarea",
    ]
    /// Elements that end a line.
    static let blocks: Set<String> = [
        "div", "li", "tr", "ul", "ol", "dl", "dt", "dd", "table", "section", "article", "header", "footer", "aside", "nav", "main", "pre",
        "address", "figure", "figcaption", "center", "hr", "form", "fieldset", "details", "summary",
    ]
    /// Elements that stand apart by a blank line.
    static let paragraphs: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"]

    /// The text of `html` (and its links).
    public static func convert(_ html: String, options: Options = Options()) -> (text: String, links: [Link]) {
        XMLLibrary.initialise()
        var utf8 = Array(html.utf8)
        guard !utf8.isEmpty else { return ("", []) }
        utf8.append(0)
        let flags = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
        let document = utf8.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, Int32(buffer.count - 1), nil, "UTF-8", flags)
            }
        }
        guard let document else { return ("", []) }
        defer { xmlFreeDoc(document) }
        var walk = Walk(options: options)
        if let root = xmlDocGetRootElement(document) { walk.visit(root, depth: 0) }
        return (walk.builder.finish(), walk.links)
    }

    /// The text of `html`.
    public static func text(_ html: String, options: Options = Options()) -> String { Self.convert(html, options: options).text }

    struct Walk {
        let options: Options
        var builder = TextBuilder()
        var links: [Link] = []
        var stopped = false
        var preformatted = 0

        init(options: Options) { self.options = options }

        mutating func visit(_ node: xmlNodePtr, depth: Int) {
            var child: xmlNodePtr? = node
            while let current = child, !self.stopped {
                self.visitOne(current, depth: depth)
                child = current.pointee.next
            }
        }

        mutating func visitOne(_ node: xmlNodePtr, depth: Int) {
            switch node.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = node.pointee.content { self.builder.text(Self.string(content), preformatted: self.preformatted > 0) }
            case XML_ELEMENT_NODE:
                guard depth < 400 else { return }
                let name = node.pointee.name.map(Self.string)?.lowercased() ?? ""
                if Self.isSkipped(name) { return }
                if self.options.dropQuotes {
                    let id = Self.attribute(node, "id") ?? ""
                    if id == "divRplyFwdMsg" || id == "appendonsend" || id == "mail-editor-reference-message-container" {
                        self.stopped = true
                        return
                    }
                    if name == "blockquote" { return }
                    let classes = (Self.attribute(node, "class") ?? "").split(separator: " ")
                    if classes.contains(where: { $0 == "gmail_quote" || $0 == "gmail_quote_container" || $0 == "moz-cite-prefix" }) { return }
                }
                if name == "br" {
                    self.builder.lineBreak()
                    return
                }
                let isBlock = HTMLText.blocks.contains(name)
                let isParagraph = HTMLText.paragraphs.contains(name)
                if isParagraph { self.builder.breakLines(2) } else if isBlock { self.builder.breakLines(1) }
                if name == "pre" { self.preformatted += 1 }
                let start = self.builder.count
                if let children = node.pointee.children { self.visit(children, depth: depth + 1) }
                if name == "pre" { self.preformatted -= 1 }
                if name == "a", let href = Self.attribute(node, "href") {
                    let text = self.builder.suffix(from: start).trimmingCharacters(in: .whitespacesAndNewlines)
                    if !text.isEmpty { self.links.append(Link(text: text, href: href)) }
                }
                if isParagraph { self.builder.breakLines(2) } else if isBlock { self.builder.breakLines(1) }
            default:
                return  // comments, processing instructions, DTDs
            }
        }

        static func isSkipped(_ name: String) -> Bool {
            HTMLText.skipped.contains(name) || name.hasPrefix("o:") || name.hasPrefix("v:") || name.hasPrefix("w:")
        }

        static func string(_ pointer: UnsafePointer<xmlChar>) -> String {
            String(cString: pointer)
        }

        static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
            guard let value = xmlGetProp(node, name) else { return nil }
            defer { hw_xml_free(value) }
            return String(cString: value)
        }
    }

    /// Text with HTML's whitespace rules: runs of white space are one space, line breaks come from elements.
    struct TextBuilder {
        private(set) var output = ""
        private var pendingSpace = false
        private var pendingBreaks = 0
        private(set) var count = 0

        mutating func text(_ text: String, preformatted: Bool) {
            for character in text {
                if preformatted, character.isNewline {
                    self.lineBreak()
                } else if character.isWhitespace && character != "\u{00A0}" && character != "\u{202F}" {
                    self.pendingSpace = true
                } else {
                    self.flush()
                    self.output.append(character)
                    self.count += 1
                }
            }
        }

        mutating func lineBreak() {
            self.pendingBreaks = min(self.pendingBreaks + 1, 2)
            self.pendingSpace = false
        }

        mutating func breakLines(_ lines: Int) {
            self.pendingBreaks = max(self.pendingBreaks, lines)
            self.pendingSpace = false
        }

        private mutating func flush() {
            if self.pendingBreaks > 0 {
                if !self.output.isEmpty { self.output += String(repeating: "\n", count: self.pendingBreaks) }
            } else if self.pendingSpace, !self.output.isEmpty, self.output.last?.isNewline == false {
                self.output += " "
            }
            self.pendingBreaks = 0
            self.pendingSpace = false
        }

        /// What was written since `count` was `start` (characters, not counting breaks and spaces).
        func suffix(from start: Int) -> String {
            var seen = 0
            var index = self.output.endIndex
            while index > self.output.startIndex, seen < self.count - start {
                index = self.output.index(before: index)
                if !self.output[index].isWhitespace || self.output[index] == "\u{00A0}" { seen += 1 }
            }
            return String(self.output[index...])
        }

        func finish() -> String { self.output.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}

/// libxml2's one-time initialisation (required before parsing from several threads).
enum XMLLibrary {
    private static let done = Mutex(false)

    static func initialise() {
        Self.done.withLock { done in
            guard !done else { return }
            xmlInitParser()
            done = true
        }
    }
}
