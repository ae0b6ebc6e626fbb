import HashwallChannels

/// libFuzzer entry: an SMS Gateway for Android webhook body (JSON), through signature check and parsing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAndroid(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let webhook = AndroidGatewayWebhook(signingKey: "fuzz-key")
    try? webhook.check(body: bytes, signature: "00", timestamp: "1796200868")
    if let message = try? AndroidGatewayWebhook(signingKey: nil).message(from: bytes) { _ = SMSRules().post(for: message) }
    return 0
}

// SwiftPM links a debug executable with `main` renamed to `FuzzAndroid_main`: hand control to libFuzzer's driver there.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzAndroid_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv) { data, size in fuzzAndroid(data, size) }
}
