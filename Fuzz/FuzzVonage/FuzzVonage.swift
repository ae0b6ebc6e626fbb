import FuzzSupport
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

// SwiftPM names a debug executable's main `FuzzVonage_main`: libFuzzer's driver runs from there.
@_cdecl("FuzzVonage_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzVonage(data, size) }
}
