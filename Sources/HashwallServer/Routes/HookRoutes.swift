import Foundation
import HashwallChannels
import HashwallCore
import Hummingbird
import NIOCore

/// The SMS gateways' webhooks. Each only adapts: read the raw body, let the channel's `…Webhook` check its
/// signature and read the message, hand the post to the intake, answer in the gateway's own format once the
/// post is durable. A gateway that is not enabled answers 404.
public struct SMSHooks: Sendable {
    public var rules: SMSRules
    public var twilio: TwilioWebhook?
    /// The public URL of the Twilio hook, as Twilio calls it (`server.publicURL` + path); `nil`: rebuilt from Host.
    public var twilioURL: String?
    public var android: AndroidGatewayWebhook?
    public var smsSync: SMSSyncWebhook?

    public init(
        rules: SMSRules, twilio: TwilioWebhook? = nil, twilioURL: String? = nil, android: AndroidGatewayWebhook? = nil, smsSync: SMSSyncWebhook? = nil
    ) {
        self.rules = rules
        self.twilio = twilio
        self.twilioURL = twilioURL
        self.android = android
        self.smsSync = smsSync
    }
}

struct HookRoutes {
    let intake: Intake
    let hooks: SMSHooks
    let status: ChannelStatusBoard

    /// Webhook bodies are small: a text is at most a few KiB even with every field a gateway adds.
    static let maxBody = 32 * 1024

    func add(to router: Router<HashwallRequestContext>) {
        let sms = router.group("hooks/sms")
        sms.post("twilio", use: self.twilio)
        sms.post("android", use: self.android)
        sms.post("smssync", use: self.smsSync)
    }

    @Sendable func twilio(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        guard let webhook = self.hooks.twilio else { throw APIError(.notFound, "the Twilio gateway is not enabled") }
        let fields = try await Self.form(request)
        let url = self.hooks.twilioURL ?? "http://\(request.head.authority ?? "localhost")\(request.uri.path)"
        guard let signature = request.headers[.xTwilioSignature], webhook.isSigned(url: url, fields: fields, signature: signature) else {
            self.status.set("sms.twilio", .running, error: "bad or missing X-Twilio-Signature")
            throw APIError(.forbidden, "bad or missing X-Twilio-Signature")
        }
        try await self.accept(try webhook.message(from: fields), channel: "sms.twilio")
        return Response(
            status: .ok, headers: [.contentType: "text/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: TwilioWebhook.emptyResponse)))
    }

    @Sendable func android(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        guard let webhook = self.hooks.android else { throw APIError(.notFound, "the SMS Gateway for Android is not enabled") }
        let body = try await Self.body(request)
        do {
            try webhook.check(body: body, signature: request.headers[.xSignature], timestamp: request.headers[.xTimestamp])
        } catch {
            self.status.set("sms.android", .running, error: error.description)
            throw APIError(.forbidden, error.description)
        }
        if let message = try webhook.message(from: body) {
            try await self.accept(message, channel: "sms.android")
        }
        return JSONBody.response(["ok": true])
    }

    @Sendable func smsSync(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        guard let webhook = self.hooks.smsSync else { throw APIError(.notFound, "SMSSync is not enabled") }
        let fields = try await Self.form(request)
        guard webhook.isAuthentic(fields) else {
            self.status.set("sms.smssync", .running, error: "wrong or missing secret")
            return Self.smsSyncAnswer(.forbidden, success: false, error: "wrong or missing secret")
        }
        do {
            try await self.accept(try webhook.message(from: fields), channel: "sms.smssync")
        } catch let error as InvalidField {
            return Self.smsSyncAnswer(.badRequest, success: false, error: error.description)
        }
        return Self.smsSyncAnswer(.ok, success: true)
    }

    /// Hands the post to the intake; returns once it is durable. Texts that are not for the wall (empty, STOP…)
    /// are acknowledged and dropped.
    private func accept(_ message: SMSMessage, channel: String) async throws {
        self.status.set(channel, .running)
        guard let post = self.hooks.rules.post(for: message) else { return }
        _ = try await self.intake.accept(post, channelName: channel)
    }

    static func smsSyncAnswer(_ status: HTTPResponse.Status, success: Bool, error: String? = nil) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: SMSSyncWebhook.answer(success: success, error: error))))
    }

    static func body(_ request: Request) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.maxBody {
            throw APIError(.contentTooLarge, "the body is larger than \(Self.maxBody / 1024) KiB")
        }
        do {
            return Array(try await request.body.collect(upTo: Self.maxBody).readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "the body is larger than \(Self.maxBody / 1024) KiB")
        }
    }

    static func form(_ request: Request) async throws -> [(name: String, value: String)] {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw APIError(.unsupportedMediaType, "Content-Type must be application/x-www-form-urlencoded")
        }
        guard let fields = FormBody.parse(try await Self.body(request)) else { throw InvalidField("body", "is not valid form encoding in UTF-8") }
        return fields
    }
}
