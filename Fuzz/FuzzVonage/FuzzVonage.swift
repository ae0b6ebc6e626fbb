import HashwallChannels

/// libFuzzer entry: a Vonage webhook query or form body, through signature check and part parsing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVonage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let fields = FormBody.parse(bytes) else { return 0 }
    let webhook = VonageWebhook(signatureSecret: "fuzz-secret", method: .sha256)
    try? webhook.check(fields)
    if let part = try? webhook.part(from: fields), let from = try? PhoneNumber(part.from, field: "msisdn") {
        _ = SMSRules().post(for: SMSMessage(gateway: "vonage", messageID: part.messageID, from: from, text: part.text))
    }
    return 0
}

// SwiftPM links a debug executable with `main` renamed to `FuzzVonage_main`: hand control to libFuzzer's driver there.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzVonage_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv) { data, size in fuzzVonage(data, size) }
}
