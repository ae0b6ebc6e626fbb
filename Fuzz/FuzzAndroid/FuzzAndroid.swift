import FuzzSupport
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

// SwiftPM names a debug executable's main `FuzzAndroid_main`: libFuzzer's driver runs from there.
@_cdecl("FuzzAndroid_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzAndroid(data, size) }
}
