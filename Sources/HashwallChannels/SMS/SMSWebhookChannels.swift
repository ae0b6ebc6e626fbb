import DequeModule
import Foundation
import HashwallCore
import Synchronization

/// The SMS gateways as ``WebhookChannel``s: each adapts its `…Webhook` (signature and message) and the SMS rules.

/// Twilio: a signed form (`X-Twilio-Signature` over the public URL); answers TwiML, with a thank-you to each
/// sender's first text when the organiser asks for one.
public struct TwilioChannel: WebhookChannel {
    public let name = "sms.twilio"
    public let path = "sms/twilio"
    public let methods: Set<String> = ["POST"]
    let webhook: TwilioWebhook
    let rules: SMSRules
    /// The URL Twilio calls (`server.publicURL` + path), which it signs; `nil`: the URL as the request reached us.
    let publicURL: String?
    let thankYou: String?
    let thanked: ThankedSenders

    public init(webhook: TwilioWebhook, rules: SMSRules, publicURL: String?, thankYou: String?, thanked: ThankedSenders = ThankedSenders()) {
        self.webhook = webhook
        self.rules = rules
        self.publicURL = publicURL
        self.thankYou = thankYou
        self.thanked = thanked
    }

    public func verify(_ request: WebhookRequest) throws(WebhookFailure) {
        let fields = try request.formFields()
        guard let signature = request.header("X-Twilio-Signature"),
            self.webhook.isSigned(url: self.publicURL ?? request.url, fields: fields, signature: signature)
        else { throw .refused("bad or missing X-Twilio-Signature") }
    }

    public func parse(_ request: WebhookRequest) throws(WebhookFailure) -> SMSMessage? {
        let fields = try request.formFields()
        return try WebhookFailure.reading { try self.webhook.message(from: fields) }
    }

    public func accept(_ message: SMSMessage, into intake: Intake) async throws -> (WebhookOutcome, WebhookResponse) {
        guard try await self.rules.accept(message, into: intake, channelName: self.name) == .accepted else { return (.ignored, self.ignoredResponse) }
        var twiml = TwilioWebhook.emptyResponse
        if let thankYou = self.thankYou, self.thanked.firstTime(message.from.authorKey) { twiml = TwilioWebhook.reply(thankYou) }
        return (.accepted, Self.twiml(twiml))
    }

    public var ignoredResponse: WebhookResponse { Self.twiml(TwilioWebhook.emptyResponse) }

    static func twiml(_ text: String) -> WebhookResponse { .text(200, "text/xml; charset=utf-8", text) }
}

/// Vonage: a query (GET), a form or JSON (POST), signed when a secret is set; long texts come in parts, joined by
/// the ``VonageAssembler`` (each part durable before it is answered). Answers 204.
public struct VonageChannel: WebhookChannel {
    public let name = "sms.vonage"
    public let path = "sms/vonage"
    public let methods: Set<String> = ["GET", "POST"]
    let webhook: VonageWebhook
    let assembler: VonageAssembler

    public init(webhook: VonageWebhook, assembler: VonageAssembler) {
        self.webhook = webhook
        self.assembler = assembler
    }

    /// The request's fields, wherever Vonage put them.
    static func fields(_ request: WebhookRequest) throws(WebhookFailure) -> [(name: String, value: String)] {
        if request.method == "GET" { return FormBody.parse(Array(request.query.utf8)) ?? [] }
        guard request.mediaType == "application/json" else { return try request.formFields() }
        try WebhookFailure.reading { try JSONNesting.check(request.body) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
            throw .malformed(InvalidField("body", "is not a JSON object"))
        }
        return object.map { ($0.key, ($0.value as? String) ?? "\($0.value)") }
    }

    public func verify(_ request: WebhookRequest) throws(WebhookFailure) {
        let fields = try Self.fields(request)
        do {
            try self.webhook.check(fields)
        } catch {
            throw .refused(error.description)
        }
    }

    public func parse(_ request: WebhookRequest) throws(WebhookFailure) -> VonageWebhook.Part? {
        let fields = try Self.fields(request)
        return try WebhookFailure.reading { try self.webhook.part(from: fields) }
    }

    public func accept(_ part: VonageWebhook.Part, into intake: Intake) async throws -> (WebhookOutcome, WebhookResponse) {
        try await self.assembler.accept(part)
        return (.accepted, self.ignoredResponse)
    }

    public var ignoredResponse: WebhookResponse { WebhookResponse(status: 204) }
}

/// SMS Gateway for Android: a JSON event, signed with HMAC-SHA256 and a timestamp when a key is set; answers JSON.
public struct AndroidGatewayChannel: WebhookChannel {
    public let name = "sms.android"
    public let path = "sms/android"
    public let methods: Set<String> = ["POST"]
    let webhook: AndroidGatewayWebhook
    let rules: SMSRules

    public init(webhook: AndroidGatewayWebhook, rules: SMSRules) {
        self.webhook = webhook
        self.rules = rules
    }

    public func verify(_ request: WebhookRequest) throws(WebhookFailure) {
        do {
            try self.webhook.check(body: request.body, signature: request.header("X-Signature"), timestamp: request.header("X-Timestamp"))
        } catch {
            throw .refused(error.description)
        }
    }

    public func parse(_ request: WebhookRequest) throws(WebhookFailure) -> SMSMessage? {
        try WebhookFailure.reading { try self.webhook.message(from: request.body) }
    }

    public func accept(_ message: SMSMessage, into intake: Intake) async throws -> (WebhookOutcome, WebhookResponse) {
        (try await self.rules.accept(message, into: intake, channelName: self.name), self.ignoredResponse)
    }

    public var ignoredResponse: WebhookResponse { .text(200, "application/json; charset=utf-8", #"{"ok":true}"#) }
}

/// SMSSync: a form with a shared secret; every answer, refusals included, in SMSSync's own JSON.
public struct SMSSyncChannel: WebhookChannel {
    public let name = "sms.smssync"
    public let path = "sms/smssync"
    public let methods: Set<String> = ["POST"]
    let webhook: SMSSyncWebhook
    let rules: SMSRules

    public init(webhook: SMSSyncWebhook, rules: SMSRules) {
        self.webhook = webhook
        self.rules = rules
    }

    public func verify(_ request: WebhookRequest) throws(WebhookFailure) {
        guard self.webhook.isAuthentic(try request.formFields()) else { throw .refused("wrong or missing secret") }
    }

    public func parse(_ request: WebhookRequest) throws(WebhookFailure) -> SMSMessage? {
        let fields = try request.formFields()
        return try WebhookFailure.reading { try self.webhook.message(from: fields) }
    }

    public func accept(_ message: SMSMessage, into intake: Intake) async throws -> (WebhookOutcome, WebhookResponse) {
        (try await self.rules.accept(message, into: intake, channelName: self.name), self.ignoredResponse)
    }

    public var ignoredResponse: WebhookResponse { Self.answer(200, success: true) }

    public func response(to failure: WebhookFailure) -> WebhookResponse? {
        switch failure {
        case .refused(let reason), .unauthorized(let reason), .notAcceptable(let reason): Self.answer(403, success: false, error: reason)
        case .malformed(let field): Self.answer(400, success: false, error: field.description)
        case .unsupportedMediaType: nil
        }
    }

    static func answer(_ status: Int, success: Bool, error: String? = nil) -> WebhookResponse {
        .text(status, "application/json; charset=utf-8", SMSSyncWebhook.answer(success: success, error: error))
    }
}

extension SMSRules {
    /// Hands the post `message` becomes to `intake` (durable when this returns); `ignored` for a text that is not
    /// for the wall (empty, an opt-out word, no required keyword).
    func accept(_ message: SMSMessage, into intake: Intake, channelName: String) async throws -> WebhookOutcome {
        guard let post = self.post(for: message) else { return .ignored }
        _ = try await intake.accept(post, channelName: channelName)
        return .accepted
    }
}

/// Senders already thanked (in memory: after a restart a sender may be thanked once more). Bounded: past
/// `capacity` senders the first thanked are forgotten (and would be thanked again).
public final class ThankedSenders: Sendable {
    let capacity: Int
    private let keys = Mutex<(set: Set<String>, order: Deque<String>)>(([], []))

    public init(capacity: Int = 100_000) { self.capacity = capacity }

    /// Whether `key` is thanked for the first time now.
    public func firstTime(_ key: String) -> Bool {
        self.keys.withLock { keys in
            guard keys.set.insert(key).inserted else { return false }
            keys.order.append(key)
            while keys.order.count > self.capacity, let oldest = keys.order.popFirst() { keys.set.remove(oldest) }
            return true
        }
    }
}
