import DequeModule
import CoreMetrics
import Foundation
import HashwallChannels
import HashwallCore
import Hummingbird
import NIOCore
import Synchronization

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
    public var vonage: VonageWebhook?
    /// Joins Vonage's separate parts; set with `vonage`.
    public var vonageAssembler: VonageAssembler?
    /// The reply Twilio sends each sender once, after their first text; `nil`: no reply.
    public var twilioThankYou: String?

    public init(
        rules: SMSRules, twilio: TwilioWebhook? = nil, twilioURL: String? = nil, android: AndroidGatewayWebhook? = nil, smsSync: SMSSyncWebhook? = nil,
        vonage: VonageWebhook? = nil, vonageAssembler: VonageAssembler? = nil, twilioThankYou: String? = nil
    ) {
        self.rules = rules
        self.twilio = twilio
        self.twilioURL = twilioURL
        self.android = android
        self.smsSync = smsSync
        self.vonage = vonage
        self.vonageAssembler = vonageAssembler
        self.twilioThankYou = twilioThankYou
    }
}

/// Senders already thanked (in memory: after a restart a sender may be thanked once more).
/// Bounded: past `capacity` senders the first thanked are forgotten (and would be thanked again).
final class ThankedSenders: Sendable {
    let capacity: Int
    private let keys = Mutex<(set: Set<String>, order: Deque<String>)>(([], []))

    init(capacity: Int = 100_000) { self.capacity = capacity }

    /// Whether `key` is thanked for the first time now.
    func firstTime(_ key: String) -> Bool {
        self.keys.withLock { keys in
            guard keys.set.insert(key).inserted else { return false }
            keys.order.append(key)
            while keys.order.count > self.capacity, let oldest = keys.order.popFirst() { keys.set.remove(oldest) }
            return true
        }
    }
}

struct HookRoutes {
    let intake: Intake
    let hooks: SMSHooks
    let status: ChannelStatusBoard
    let metrics: WallMetrics
    let thanked = ThankedSenders()

    /// Webhook bodies are small: a text is at most a few KiB even with every field a gateway adds.
    static let maxBody = 32 * 1024

    func add(to router: Router<HashwallRequestContext>) {
        let sms = router.group("hooks/sms")
        sms.post("twilio", use: self.twilio)
        sms.post("android", use: self.android)
        sms.post("smssync", use: self.smsSync)
        sms.get("vonage", use: self.vonage)
        sms.post("vonage", use: self.vonage)
    }

    @Sendable func twilio(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        guard let webhook = self.hooks.twilio else { throw APIError(.notFound, "the Twilio gateway is not enabled") }
        let fields = try await Self.form(request)
        let url = self.hooks.twilioURL ?? "http://\(request.head.authority ?? "localhost")\(request.uri.path)"
        guard let signature = request.headers[.xTwilioSignature], webhook.isSigned(url: url, fields: fields, signature: signature) else {
            throw self.refuse("twilio", "bad or missing X-Twilio-Signature")
        }
        let message = try self.read("twilio") { try webhook.message(from: fields) }
        let accepted = try await self.accept(message, gateway: "twilio")
        var twiml = TwilioWebhook.emptyResponse
        if accepted, let thanks = self.hooks.twilioThankYou, self.thanked.firstTime(message.from.authorKey) {
            twiml = TwilioWebhook.reply(thanks)
        }
        return Response(status: .ok, headers: [.contentType: "text/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: twiml)))
    }

    @Sendable func vonage(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        guard let webhook = self.hooks.vonage, let assembler = self.hooks.vonageAssembler else {
            throw APIError(.notFound, "the Vonage gateway is not enabled")
        }
        let fields: [(name: String, value: String)]
        if request.method == .get {
            fields = FormBody.parse(Array((request.uri.query ?? "").utf8)) ?? []
        } else if request.mediaType == "application/json" {
            let body = try await Self.body(request)
            do { try JSONNesting.check(body) } catch let problem as InvalidField { throw self.malformed("vonage", problem) }
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw self.malformed("vonage", InvalidField("body", "is not a JSON object"))
            }
            fields = object.map { ($0.key, ($0.value as? String) ?? "\($0.value)") }
        } else {
            fields = try await Self.form(request)
        }
        do {
            try webhook.check(fields)
        } catch {
            throw self.refuse("vonage", error.description)
        }
        if let part = try self.read("vonage", { try webhook.part(from: fields) }) {
            self.status.set("sms.vonage", .running)
            try await assembler.accept(part)
            self.metrics.webhook("vonage", "accepted").increment()
        } else {
            self.metrics.webhook("vonage", "ignored").increment()
        }
        return Response(status: .noContent)
    }

    @Sendable func android(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        guard let webhook = self.hooks.android else { throw APIError(.notFound, "the SMS Gateway for Android is not enabled") }
        let body = try await Self.body(request)
        do {
            try webhook.check(body: body, signature: request.headers[.xSignature], timestamp: request.headers[.xTimestamp])
        } catch {
            throw self.refuse("android", error.description)
        }
        if let message = try self.read("android", { try webhook.message(from: body) }) {
            _ = try await self.accept(message, gateway: "android")
        } else {
            self.metrics.webhook("android", "ignored").increment()
        }
        return JSONBody.response(["ok": true])
    }

    @Sendable func smsSync(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        guard let webhook = self.hooks.smsSync else { throw APIError(.notFound, "SMSSync is not enabled") }
        let fields = try await Self.form(request)
        guard webhook.isAuthentic(fields) else {
            _ = self.refuse("smssync", "wrong or missing secret")
            return Self.smsSyncAnswer(.forbidden, success: false, error: "wrong or missing secret")
        }
        do {
            _ = try await self.accept(try self.read("smssync") { try webhook.message(from: fields) }, gateway: "smssync")
        } catch let error as APIError where error.status == .badRequest {
            return Self.smsSyncAnswer(.badRequest, success: false, error: error.message)
        }
        return Self.smsSyncAnswer(.ok, success: true)
    }

    /// Hands the post to the intake; returns once it is durable, and whether it was for the wall. Texts that are
    /// not (empty, STOP…) are acknowledged and dropped.
    private func accept(_ message: SMSMessage, gateway: String) async throws -> Bool {
        self.status.set("sms.\(gateway)", .running)
        guard let post = self.hooks.rules.post(for: message) else {
            self.metrics.webhook(gateway, "ignored").increment()
            return false
        }
        _ = try await self.intake.accept(post, channelName: "sms.\(gateway)")
        self.metrics.webhook(gateway, "accepted").increment()
        return true
    }

    /// Counts a refused signature and returns the 403 to throw.
    private func refuse(_ gateway: String, _ problem: String) -> APIError {
        self.status.recordSignatureFailure("sms.\(gateway)", problem)
        self.metrics.webhook(gateway, "bad_signature").increment()
        return APIError(.forbidden, problem)
    }

    /// Runs a parser; a malformed request is counted and becomes a 400 naming the field.
    private func read<T>(_ gateway: String, _ parse: () throws -> T) throws -> T {
        do {
            return try parse()
        } catch let error as InvalidField {
            throw self.malformed(gateway, error)
        }
    }

    private func malformed(_ gateway: String, _ error: InvalidField) -> APIError {
        self.status.set("sms.\(gateway)", .running, error: error.description)
        self.metrics.webhook(gateway, "malformed").increment()
        return APIError(.badRequest, error.description)
    }

    static func smsSyncAnswer(_ status: HTTPResponse.Status, success: Bool, error: String? = nil) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: SMSSyncWebhook.answer(success: success, error: error))))
    }

    static func body(_ request: Request) async throws -> [UInt8] {
        try await request.collectBody(limit: Self.maxBody)
    }

    static func form(_ request: Request) async throws -> [(name: String, value: String)] {
        guard request.mediaType == "application/x-www-form-urlencoded" else {
            throw APIError(.unsupportedMediaType, "Content-Type must be application/x-www-form-urlencoded")
        }
        guard let fields = FormBody.parse(try await Self.body(request)) else { throw InvalidField("body", "is not valid form encoding in UTF-8") }
        return fields
    }
}
