import Foundation
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import hashwall

/// The projector and the follower page in real headless Chromium (WebDriver), at the sizes people use them:
/// hostile posts stay text and stay in their boxes, the QR code reads back, permalinks, recovery after a restart.
@Suite(.serialized) struct PagesBrowserTests {
    /// Posts that break walls: very long, only emoji, right-to-left, a huge URL, and four script injections that
    /// would each set `window.__pwned` if the page ever treated post text as HTML.
    static let hostile: [(author: String, text: String)] = [
        ("Long", String(repeating: "Un message très long sur la table ronde, encore et encore. ", count: 34) + "#capcomnet"),
        ("Emoji", "🎉🎉🎉👏👏👏🔥🔥🔥🚀🚀🚀❤️❤️❤️😂😂😂🙌🙌🙌✨✨✨ #capcomnet"),
        ("مريم", "شكرا جزيلا على هذا المؤتمر الرائع في رين #capcomnet"),
        ("Lien", "https://example.org/" + String(repeating: "chemin-tres-long/", count: 17) + "fin?x=1 #capcomnet"),
        ("<b>Img</b>", #"<img src=x onerror="window.__pwned='img'"> #capcomnet"#),
        ("Script", "<script>window.__pwned='script'</script> #capcomnet"),
        ("Lien JS", #"<a href="javascript:window.__pwned='link'">cliquez</a> javascript:window.__pwned='bare' #capcomnet"#),
        ("Svg", #"<svg onload="window.__pwned='svg'"></svg> #capcomnet"#),
    ]

    /// Records CSP violations from the moment it runs (a payload turned into markup would trip the CSP).
    static let watchViolations = """
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
        return true;
        """

    /// Every layout problem on the page: scrollbars, cards outside the viewport, anything visible outside its card
    /// (clipped by a box inside the card, such as the text box that ends with "…", counts as inside; cut by the card itself does not). `arguments[0]`: also check the vertical axis.
    static let layoutProblems = #"""
        const vertical = arguments[0];
        const problems = [];
        const root = document.documentElement;
        const vw = root.clientWidth, vh = root.clientHeight;
        if (root.scrollWidth > vw) problems.push(`horizontal scroll: ${root.scrollWidth} > ${vw}`);
        if (vertical && root.scrollHeight > vh) problems.push(`vertical scroll: ${root.scrollHeight} > ${vh}`);
        const visibleRect = (el, card) => {
          let r = el.getBoundingClientRect();
          let box = { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
          for (let a = el.parentElement; a && a !== card; a = a.parentElement) {
            const s = getComputedStyle(a);
            if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
              const c = a.getBoundingClientRect();
              box = { left: Math.max(box.left, c.left), right: Math.min(box.right, c.right),
                      top: Math.max(box.top, c.top), bottom: Math.min(box.bottom, c.bottom) };
            }
          }
          return box;
        };
        for (const card of document.querySelectorAll('.card')) {
          const c = card.getBoundingClientRect();
          if (c.width === 0 || getComputedStyle(card).visibility === 'hidden') continue;
          const name = card.dataset.postId;
          if (c.left < -1 || c.right > vw + 1) problems.push(`${name}: card outside the viewport (x ${c.left}…${c.right})`);
          if (vertical && (c.top < -1 || c.bottom > vh + 1)) problems.push(`${name}: card outside the viewport (y ${c.top}…${c.bottom})`);
          for (const el of card.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            const v = visibleRect(el, card);
            if (v.right <= v.left || v.bottom <= v.top) continue;
            if (v.left < c.left - 1 || v.right > c.right + 1 || v.top < c.top - 1 || v.bottom > c.bottom + 1) {
              problems.push(`${name}: <${el.tagName.toLowerCase()} class="${el.className}"> outside its card`);
            }
          }
        }
        return problems;
        """#

    /// What a script injection would have left behind: the global, live elements, CSP violations, unsafe links.
    static let injectionTraces = #"""
        const traces = [];
        if (window.__pwned !== undefined) traces.push(`window.__pwned = ${window.__pwned}`);
        for (const v of window.__violations ?? []) traces.push(`CSP violation: ${v}`);
        // A post's own pictures are images the wall serves (`/media/<key>`); any other image in a card came from its text.
        for (const el of document.querySelectorAll('.card script, .card img:not(.media > img[src^="/media/"]), .card svg[onload], .card [onerror], .card [onload]')) traces.push(`live <${el.tagName}>`);
        for (const a of document.querySelectorAll('a[href]')) {
          const href = a.getAttribute('href');
          if (!/^(https?:|\/)/.test(href)) traces.push(`link to ${href}`);
          if (/^https?:/.test(href) && a.rel !== 'noopener noreferrer nofollow ugc') traces.push(`link without rel: ${href}`);
        }
        return traces;
        """#

    /// Text whose contrast with the background behind it is under WCAG AA (4.5:1, or 3:1 for large text), as
    /// `selector: ratio`, for every visible element matching the selectors in `arguments[0]`.
    static let contrastProblems = #"""
        const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
        const luminance = ([r, g, b]) => {
          const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const background = (el) => {
          for (let e = el; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c;
          }
          return rgb(getComputedStyle(document.body).backgroundColor);
        };
        const problems = [];
        for (const selector of arguments[0]) {
          for (const el of document.querySelectorAll(selector)) {
            if (el.getClientRects().length === 0 || el.closest('[hidden]')) continue;
            const style = getComputedStyle(el);
            const a = luminance(rgb(style.color)), b = luminance(background(el));
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
            const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
            if (ratio < needed) problems.push(`${selector}: ${ratio.toFixed(2)} (needs ${needed})`);
          }
        }
        return [...new Set(problems)];
        """#

    static let textSelectors = [
        ".card .text", ".card .author", ".card .handle", ".card time", ".card .text a", ".card .hashtag", ".wall-title",
        ".wall-hashtags", ".event-title", ".event-hashtags", ".call-to-action", ".follow-caption", ".channel-filter button",
        ".filter-status", ".older-button",
    ]

    static func config(in directory: TemporaryDirectory, port: Int = 0) -> HashwallConfig {
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.server.port = port
        config.server.publicURL = "http://192.0.2.10:8080"
        config.wall.howToContribute = "Tweetez #capcomnet · SMS au 06 12 34 56 78 · écrivez à mur@capcomnet.example"
        return config
    }

    /// 1080p in the dark theme, 4K in the light one with the event's colour.
    @Test(arguments: [(1920, 1080, "dark"), (3840, 2160, "light")])
    func theProjectorKeepsHostilePostsAsTextInsideTheirBoxesAndItsQRCodeReadsBack(width: Int, height: Int, theme: String) async throws {
        let directory = try TemporaryDirectory()
        var config = Self.config(in: directory)
        config.wall.theme = theme
        config.wall.accentColor = theme == "light" ? "#e4007c" : nil
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(config) { (client: any TestClientProtocol, port: Int) async throws in
            let projector = try await driver.browser(width: width, height: height)
            try await projector.open("http://127.0.0.1:\(port)/projector")
            try await projector.waitUntil("the projector to start", "return document.querySelector('#follow:not([hidden])') !== null")
            try await projector.run(Self.watchViolations)
            for post in Self.hostile { try await ingest(client, body(author: post.author, text: post.text)) }
            // The newest six fill the column, the newest of all is in the spotlight.
            try await projector.waitUntil(
                "the hostile posts on the projector",
                "return document.querySelectorAll('#column .card').length >= 6 && document.body.textContent.includes('svg onload')")
            try await projector.waitUntil("the spotlight to show a post", "return document.querySelector('#spotlight .card .text') !== null")
            ModerationBrowserTests.keep(try await projector.screenshot(), "projector-\(width)x\(height)-\(theme).png")
            #expect(try await projector.run("return document.documentElement.dataset.theme") as? String == theme)

            #expect(try await projector.run(Self.layoutProblems, [true]) as? [String] == [])
            try await projector.waitUntil("the cards to finish entering", "return document.getAnimations().length === 0")
            #expect(try await projector.run(Self.contrastProblems, [Self.textSelectors]) as? [String] == [])
            #expect(try await projector.run(Self.injectionTraces) as? [String] == [])
            #expect(
                try await projector.run("return document.body.textContent.includes('<script>window.__pwned')") as? Bool == true,
                "the payload shows as text")
            let spotlightSize = try await projector.run(
                "return parseFloat(getComputedStyle(document.querySelector('#spotlight .card .text')).fontSize)")
            #expect((spotlightSize as? Double ?? (spotlightSize as? Int).map(Double.init) ?? 0) >= 32, "spotlight text at least 32 px")

            let qr = try await projector.screenshot(of: "#follow-qr")
            ModerationBrowserTests.keep(qr, "projector-qr-\(width)x\(height).png")
            #expect(try Self.decodeQR(qr) == "http://192.0.2.10:8080/")
            await projector.close()
        }
    }

    @Test func theFollowerPageOnAPhoneNeverScrollsSidewaysAndShowsHostilePostsAsText() async throws {
        let directory = try TemporaryDirectory()
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(Self.config(in: directory)) { (client: any TestClientProtocol, port: Int) async throws in
            for post in Self.hostile.prefix(4) { try await ingest(client, body(author: post.author, text: post.text)) }
            let phone = try await driver.browser(width: 390, height: 844)
            try await phone.open("http://127.0.0.1:\(port)/")
            try await phone.waitUntil("the snapshot", "return document.querySelectorAll('#cards .card').length === 4")
            try await phone.run(Self.watchViolations)
            for post in Self.hostile.dropFirst(4) { try await ingest(client, body(author: post.author, text: post.text)) }
            try await phone.waitUntil("the live posts", "return document.querySelectorAll('#cards .card').length === 8")
            ModerationBrowserTests.keep(try await phone.screenshot(), "follower-390x844.png")

            #expect(try await phone.run(Self.layoutProblems, [false]) as? [String] == [])
            #expect(try await phone.run(Self.contrastProblems, [Self.textSelectors]) as? [String] == [])
            #expect(try await phone.run(Self.injectionTraces) as? [String] == [])
            #expect(try await phone.run("return document.body.textContent.includes('<svg onload=')") as? Bool == true, "the payload shows as text")
            // The long URL is a real link, safely attributed; every card links to its permalink.
            #expect(try await phone.run("return document.querySelector('.card .text a[href^=\"https://example.org/\"]') !== null") as? Bool == true)
            #expect(
                try await phone.run(
                    "return [...document.querySelectorAll('.card')].every((c) => c.querySelector('a.permalink').getAttribute('href') === '/p/' + encodeURIComponent(c.dataset.postId))"
                ) as? Bool == true)
            // The checks see trouble when there is some: a word pushed 600 px to the right in a card.
            try await phone.run(
                "const word = document.createElement('span'); word.textContent = 'décalé'; word.style.setProperty('position', 'relative'); word.style.setProperty('left', '600px'); document.querySelector('.card .card-head').append(word);"
            )
            #expect((try await phone.run(Self.layoutProblems, [false]) as? [String])?.isEmpty == false)
            // And grey text on the dark card is caught.
            try await phone.run("document.querySelector('.card .text').style.setProperty('color', '#3a3f45')")
            let grey = try await phone.run(Self.contrastProblems, [[".card .text"]]) as? [String]
            #expect(grey?.count == 1 && grey?.first?.hasPrefix(".card .text: 1.") == true, "\(grey ?? [])")
            await phone.close()
        }
    }

    @Test func theFollowerPageFiltersByChannelAndSearchesWhatIsLoaded() async throws {
        let directory = try TemporaryDirectory()
        var config = Self.config(in: directory)
        config.channels.sms.enabled = true
        config.channels.sms.smssync.enabled = true
        var secrets = Secrets.testing
        secrets.named = ["HASHWALL_SMSSYNC_SECRET": "sync-secret"]
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(config, secrets: secrets) { (client: any TestClientProtocol, port: Int) async throws in
            try await ingest(client, body(author: "Claire", text: "Les Réseaux sociaux en collectivité #capcomnet"))
            try await ingest(client, body(author: "Yann", text: "Bravo pour la table ronde #capcomnet"))
            let phone = try await driver.browser(width: 390, height: 844)
            try await phone.open("http://127.0.0.1:\(port)/")
            try await phone.waitUntil("the snapshot", "return document.querySelectorAll('#cards .card').length === 2")
            let visible =
                "return [...document.querySelectorAll('#cards .card')].filter((c) => !c.hidden).map((c) => c.querySelector('.author').textContent)"

            try await phone.run(#"document.querySelector('.channel-filter button[data-channel="sms"]').click()"#)
            #expect(try await phone.run(visible) as? [String] == [])
            // A live SMS lands while the SMS filter is on: it shows, the others stay filtered out.
            let form = "from=%2B33622222222&message=Super+journ%C3%A9e+%23capcomnet&message_id=m-1&secret=sync-secret&sent_timestamp=1796200867000"
            let sms = try await client.execute(
                uri: "/hooks/sms/smssync", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form)
            )
            #expect(sms.status == .ok)
            try await phone.waitUntil(
                "the SMS, alone",
                "return document.querySelectorAll('#cards .card:not([hidden])').length === 1 && document.querySelectorAll('#cards .card').length === 3"
            )
            #expect(try await phone.run("return document.querySelector('#cards .card:not([hidden])').dataset.channel") as? String == "sms")

            try await phone.run(#"document.querySelector('.channel-filter button[data-channel=""]').click()"#)
            #expect((try await phone.run(visible) as? [String])?.count == 3)
            // Search ignores case and accents, and says how many match.
            try await phone.run(
                "const s = document.querySelector('#search'); s.value = 'RESEAUX'; s.dispatchEvent(new Event('input'));")
            #expect(try await phone.run(visible) as? [String] == ["Claire"])
            #expect(try await phone.run("return document.querySelector('#filter-status').textContent") as? String == "1 message correspond")

            // Everything works from the keyboard: Tab reaches the search, the channel buttons and each post's link,
            // and the focused control shows it.
            try await phone.run("document.activeElement?.blur(); window.scrollTo(0, 0)")
            var reached: [String] = []
            for _ in 0..<14 {
                try await phone.press("\u{E004}")
                let focused = try await phone.run(
                    """
                    const el = document.activeElement;
                    if (el === document.body) return 'body';  // past the last control, before wrapping round
                    const style = getComputedStyle(el);
                    if (style.outlineStyle === 'none' && style.boxShadow === 'none') return 'invisible focus: ' + el.outerHTML.slice(0, 60);
                    return el.id ? '#' + el.id : el.dataset.channel !== undefined ? 'channel:' + el.dataset.channel : el.className;
                    """)
                reached.append(focused as? String ?? "?")
            }
            #expect(reached.contains("#search") && reached.contains("channel:sms") && reached.contains("permalink"), "\(reached)")
            #expect(!reached.contains { $0.hasPrefix("invisible focus") }, "\(reached)")
            ModerationBrowserTests.keep(try await phone.screenshot(), "follower-search-390x844.png")
            await phone.close()
        }
    }

    @Test func aPermalinkShowsItsPostAndAHiddenPostAsNoLongerAvailable() async throws {
        let directory = try TemporaryDirectory()
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        try await withLiveWall(Self.config(in: directory)) { (client: any TestClientProtocol, port: Int) async throws in
            let id = try acceptedID(try await ingest(client, body(author: "Claire", text: "Merci pour la table ronde #capcomnet")))
            let phone = try await driver.browser(width: 390, height: 844)
            let permalink = "http://127.0.0.1:\(port)/p/" + (id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id)
            try await phone.open(permalink)
            try await phone.waitUntil(
                "the post on its page", "return document.querySelector('#cards .card .text')?.textContent.includes('table ronde') === true")
            #expect(try await phone.run("return document.querySelector('#unavailable').hidden") as? Bool == true)

            let hide = try await client.execute(
                uri: "/api/moderation/posts/\(id)/hide", method: .post, headers: [.authorization: "Bearer \(moderatorToken)"])
            #expect(hide.status == .ok)
            #expect(try await client.execute(uri: "/api/posts/\(id)", method: .get).status == .notFound)
            try await phone.open(permalink)
            try await phone.waitUntil("the page to say it is gone", "return document.querySelector('#unavailable').hidden === false")
            #expect(try await phone.run("return document.body.textContent.includes('table ronde')") as? Bool == false, "nothing of a hidden post")
            #expect(try await phone.run("return document.body.textContent.includes('plus disponible')") as? Bool == true)
            await phone.close()
        }
    }

    @Test func theProjectorRecoversOnItsOwnWhenTheServerIsKilledAndRestarted() async throws {
        let directory = try TemporaryDirectory()
        let port = try freePort()
        let configPath = try writeConfig(Self.config(in: directory, port: port), in: directory)
        let driver = try await WebDriver.start()
        defer { driver.stop() }
        let first = try WallProcess(configPath: configPath, directory: directory.path)
        _ = try await first.port()
        #expect(try await ingest(port: port, body(author: "Avant", text: "Avant le redémarrage #capcomnet")) == 202)
        let projector = try await driver.browser(width: 1920, height: 1080)
        try await projector.open("http://127.0.0.1:\(port)/projector")
        try await projector.waitUntil("the first post", "return document.body.textContent.includes('Avant le redémarrage')")

        first.signal(SIGKILL)
        _ = try await first.exitStatus(within: .seconds(10))
        // The server is gone: the page keeps its posts and shows its discreet mark.
        try await projector.waitUntil("the reconnecting mark", "return document.querySelector('#connection').hidden === false")
        #expect(try await projector.run("return document.body.textContent.includes('Avant le redémarrage')") as? Bool == true, "never blank")

        let second = try WallProcess(configPath: configPath, directory: directory.path)
        _ = try await second.port()
        try await projector.waitUntil("the page to reconnect", within: .seconds(30), "return document.querySelector('#connection').hidden === true")
        #expect(try await ingest(port: port, body(author: "Après", text: "Après le redémarrage #capcomnet")) == 202)
        try await projector.waitUntil("the new post, without a reload", "return document.body.textContent.includes('Après le redémarrage')")
        await projector.close()
        second.signal(SIGTERM)
        _ = try await second.exitStatus(within: .seconds(10))
    }

    /// The text of the QR code in `png`, read by zbarimg (Debian zbar-tools).
    static func decodeQR(_ png: Data) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hashwall-qr-\(UUID().uuidString).png")
        try png.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zbarimg")
        process.arguments = ["--raw", "-q", file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
