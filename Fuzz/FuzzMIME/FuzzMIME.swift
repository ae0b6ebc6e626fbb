import FuzzSupport
import HashwallChannels
import HashwallCore

/// libFuzzer entry: any bytes as a raw mail, through GMime (headers, encoded words, charsets, transfer encodings,
/// nested multiparts), libxml2 for HTML bodies and our rules (quotes, signatures, automatic mail), and the same bytes
/// as a multipart form body of an inbound-mail webhook. Nothing may crash; a post's text is never empty.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMIME(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let mail = try? MailMessage.parse(bytes) {
        if case .post(let post) = EmailRules().verdict(for: mail) {
            precondition(!post.text.isEmpty, "a post with no text")
            precondition(post.id.rawValue.hasPrefix("email:"), "an email post's id is email:…")
        }
        if let html = mail.html { _ = HTMLText.convert(html, options: .init(dropQuotes: true)) }
    }
    _ = EmailWebhookFuzzing.formFields(bytes, boundary: "b")
    return 0
}

// SwiftPM names a debug executable's main `FuzzMIME_main`: libFuzzer's driver runs from there.
@_cdecl("FuzzMIME_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzMIME(data, size) }
}
