import FuzzSupport
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

// SwiftPM names a debug executable's main `FuzzSMSSync_main`: libFuzzer's driver runs from there.
@_cdecl("FuzzSMSSync_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzSMSSync(data, size) }
}
