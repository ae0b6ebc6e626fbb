import HTTPTypes

extension HTTPField.Name {
    // Literals that cannot fail, declared once (STYLE §4).
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    static let xAccelBuffering = HTTPField.Name("X-Accel-Buffering")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xTwilioSignature = HTTPField.Name("X-Twilio-Signature")!
    static let xSignature = HTTPField.Name("X-Signature")!
    static let xTimestamp = HTTPField.Name("X-Timestamp")!
}
