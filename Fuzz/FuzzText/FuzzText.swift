import FuzzSupport
import HashwallCore

/// libFuzzer entry: any bytes as text (UTF-8, repaired), through the normaliser, the scanner, the fold and the
/// blocklist, checking what they promise: normalising twice changes nothing, spans lie inside the text in order,
/// and the fold of a fold is the fold.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let normalised = TextNormaliser.normalise(text)
    precondition(TextNormaliser.normalise(normalised) == normalised, "normalise is not idempotent")
    let scan = TextScanner.scan(normalised)
    let length = normalised.utf16.count
    var end = 0
    for span in scan.spans {
        precondition(span.start >= end && span.start < span.end && span.end <= length, "span out of order or out of the text")
        end = span.end
    }
    let folded = TextNormaliser.fold(normalised)
    precondition(TextNormaliser.fold(folded) == folded, "fold is not idempotent")
    _ = Blocklist(Blocklist.defaultEntries).firstMatch(inFolded: [folded])
    return 0
}

// SwiftPM names a debug executable's main `FuzzText_main`: libFuzzer's driver runs from there.
@_cdecl("FuzzText_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzText(data, size) }
}
