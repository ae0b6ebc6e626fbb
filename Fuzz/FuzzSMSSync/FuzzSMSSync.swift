import HashwallChannels

/// libFuzzer entry: an SMSSync webhook body (form-encoded), through the secret check and parsing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMSSync(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let fields = FormBody.parse(bytes) else { return 0 }
    let webhook = SMSSyncWebhook(secret: "fuzz-secret")
    _ = webhook.isAuthentic(fields)
    if let message = try? webhook.message(from: fields) { _ = SMSRules().post(for: message) }
    return 0
}

// SwiftPM links a debug executable with `main` renamed to `FuzzSMSSync_main`: hand control to libFuzzer's driver there.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzSMSSync_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv) { data, size in fuzzSMSSync(data, size) }
}
