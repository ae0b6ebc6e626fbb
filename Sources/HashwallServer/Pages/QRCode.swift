import CQRencode

/// A QR code drawn by libqrencode, as SVG: one path of dark modules on a light square with the standard
/// four-module quiet zone, so phones read it from the back of the room whatever the page's theme.
enum QRCode {
    /// The SVG of `text` (error correction M: readable with a scratch or a reflection), or nil if it does not fit.
    static func svg(for text: String) -> String? {
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let modules = UnsafeBufferPointer(start: code.pointee.data, count: width * width)
        let quiet = 4
        let size = width + 2 * quiet
        // One horizontal run per stretch of dark modules (bit 0 of each byte: dark).
        var path = ""
        for row in 0..<width {
            var column = 0
            while column < width {
                guard modules[row * width + column] & 1 == 1 else {
                    column += 1
                    continue
                }
                let start = column
                while column < width && modules[row * width + column] & 1 == 1 { column += 1 }
                path += "M\(start + quiet) \(row + quiet)h\(column - start)v1h-\(column - start)z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" shape-rendering="crispEdges">\
            <rect width="\(size)" height="\(size)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }
}
