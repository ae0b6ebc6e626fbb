import FuzzSupport
import HashwallChannels

/// libFuzzer entry: a Twilio webhook body (form-encoded), through signature check, parsing and the SMS rules.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTwilio(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let fields = FormBody.parse(bytes) else { return 0 }
    let webhook = TwilioWebhook(authToken: "fuzz-token")
    _ = webhook.isSigned(url: "https://wall.example.org/hooks/sms/twilio", fields: fields, signature: fields.first?.value ?? "")
    if let message = try? webhook.message(from: fields) { _ = SMSRules(requiredKeyword: "capcomnet").post(for: message) }
    return 0
}

// SwiftPM names a debug executable's main `FuzzTwilio_main`: libFuzzer's driver runs from there.
@_cdecl("FuzzTwilio_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzTwilio(data, size) }
}
