import Foundation
import HashwallCore

/// The wall as it was, as files: `index.html` (every visible post, newest first, styled inline, no script, readable
/// offline from `file://`) and `media/` (the pictures copied from the wall's cache). Nothing moderators see is in it:
/// no hidden, held or rejected post, no state, no contact, and no handle of an SMS or e-mail author (a masked number
/// is still a number).
public enum StaticArchive {
    /// Writes the archive into `folder` (created; an `index.html` there is replaced). `mediaDirectory`: the picture
    /// cache, whose files are copied for the posts that show them. Returns how many posts it holds.
    @discardableResult
    public static func write(posts: [Post], settings: WallSettings, mediaDirectory: String?, exportedAt: Date, to folder: String) throws -> Int {
        let visible = posts.sorted { ($0.createdAt, $0.id.rawValue) > ($1.createdAt, $1.id.rawValue) }
        try FileManager.default.createDirectory(atPath: folder + "/media", withIntermediateDirectories: true)
        var copied: [String: String] = [:]  // cache key → file name in media/
        if let mediaDirectory {
            for media in visible.flatMap(\.media) where copied[media.key] == nil {
                let source = mediaDirectory + "/" + media.key
                guard let data = FileManager.default.contents(atPath: source), let type = Self.imageExtension(Array(data.prefix(16))) else {
                    continue
                }
                let name = media.key + "." + type
                try data.write(to: URL(fileURLWithPath: folder + "/media/" + name))
                copied[media.key] = name
            }
        }
        let html = Self.html(posts: visible, settings: settings, pictures: copied, exportedAt: exportedAt)
        try Data(html.utf8).write(to: URL(fileURLWithPath: folder + "/index.html"))
        return visible.count
    }

    static func html(posts: [Post], settings: WallSettings, pictures: [String: String], exportedAt: Date) -> String {
        let english = settings.language == "en"
        let labels = Dictionary(uniqueKeysWithValues: settings.channels.map { ($0.name, $0.label) })
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: english ? "en_GB" : "fr_FR")
        formatter.dateStyle = .medium
        formatter.timeStyle = .short
        var out = """
            <!DOCTYPE html>
            <html lang="\(english ? "en" : "fr")">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'">
            <title>\(Self.escape(settings.title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <header>
            <h1>\(Self.escape(settings.title))</h1>
            <p class="about">\(english ? "Archive of the wall" : "Archive du mur")\(settings.hashtags.isEmpty ? "" : " · " + Self.escape(settings.hashtags.map { "#" + $0 }.joined(separator: " "))) · \(posts.count) \(english ? (posts.count == 1 ? "post" : "posts") : (posts.count == 1 ? "message" : "messages")) · \(english ? "exported" : "exportée le") <time datetime="\(WireDate.format(exportedAt))">\(Self.escape(formatter.string(from: exportedAt)))</time></p>
            </header>
            <main>

            """
        for post in posts {
            let channel = labels[post.channel.rawValue] ?? post.channel.rawValue
            let handle = [.sms, .email].contains(post.channel) ? nil : post.author.handle
            out += "<article class=\"post\" id=\"\(Self.escape(post.id.rawValue))\" data-channel=\"\(Self.escape(post.channel.rawValue))\">\n"
            out += "<p class=\"meta\"><span class=\"author\">\(Self.escape(post.author.name))</span>"
            if let handle, !handle.isEmpty { out += " <span class=\"handle\">@\(Self.escape(handle))</span>" }
            out += " · <span class=\"channel\">\(Self.escape(channel))</span>"
            out += " · <time datetime=\"\(WireDate.format(post.createdAt))\">\(Self.escape(formatter.string(from: post.createdAt)))</time></p>\n"
            let text = "<p class=\"text\">\(Self.escape(post.text))</p>\n"
            if let warning = post.contentWarning {
                out += "<details><summary>\(Self.escape(warning))</summary>\n\(text)</details>\n"
            } else {
                out += text
            }
            let shown = post.media.filter { pictures[$0.key] != nil }
            if !shown.isEmpty {
                out += "<div class=\"media\">"
                for media in shown {
                    let size = media.width.flatMap { width in media.height.map { " width=\"\(width)\" height=\"\($0)\"" } } ?? ""
                    out += "<img src=\"media/\(pictures[media.key]!)\" alt=\"\(Self.escape(media.alt))\"\(size) loading=\"lazy\">"
                }
                out += "</div>\n"
            }
            if post.reposts > 0 { out += "<p class=\"reposts\">\(post.reposts) \(english ? "reposts" : "partages")</p>\n" }
            if let url = post.url, let scheme = URL(string: url)?.scheme?.lowercased(), ["http", "https"].contains(scheme) {
                out +=
                    "<p class=\"source\"><a href=\"\(Self.escape(url))\" rel=\"noopener noreferrer nofollow\">\(english ? "Original" : "Original")</a></p>\n"
            }
            out += "</article>\n"
        }
        if posts.isEmpty {
            out += "<p class=\"empty\">\(english ? "No post was shown on the wall." : "Aucun message n’a été affiché sur le mur.")</p>\n"
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    /// Text as HTML text or attribute value: `&`, `<`, `>`, `"` and `'` escaped, so a post's text can never be markup.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func imageExtension(_ head: [UInt8]) -> String? {
        switch MediaCache.imageType(head) {
        case "image/png": "png"
        case "image/jpeg": "jpg"
        case "image/gif": "gif"
        case "image/webp": "webp"
        default: nil
        }
    }

    static let style = """
        :root{color-scheme:light dark;font-family:system-ui,"Noto Sans",sans-serif,"Noto Color Emoji"}
        body{max-width:46rem;margin:0 auto;padding:1rem;line-height:1.45}
        header{border-bottom:1px solid #8886;margin-bottom:1rem}
        h1{margin:.2rem 0}.about{color:#777}
        .post{border:1px solid #8884;border-radius:.5rem;padding:.6rem .9rem;margin:.8rem 0}
        .meta{margin:0 0 .3rem;color:#777;font-size:.9rem}.author{font-weight:600;color:inherit}
        .text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0;font-size:1.1rem}
        .media{display:flex;flex-wrap:wrap;gap:.4rem}.media img{max-width:100%;height:auto;border-radius:.3rem}
        .reposts,.source{margin:.2rem 0;font-size:.85rem;color:#777}
        """
}
