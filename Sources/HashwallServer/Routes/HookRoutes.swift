import CoreMetrics
import Foundation
import HashwallChannels
import HashwallCore
import Hummingbird
import NIOCore

/// The SMS gateways the configuration enables, with the rules and replies that go with them.
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
        rules: SMSRules, twilio: TwilioWebhook? = nil, twilioURL: String? = nil, android: AndroidGatewayWebhook? = nil,
        smsSync: SMSSyncWebhook? = nil,
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

    /// The enabled gateways as webhook channels.
    public var channels: [any WebhookChannel] {
        var channels: [any WebhookChannel] = []
        if let twilio { channels.append(TwilioChannel(webhook: twilio, rules: self.rules, publicURL: self.twilioURL, thankYou: self.twilioThankYou)) }
        if let vonage, let vonageAssembler { channels.append(VonageChannel(webhook: vonage, assembler: vonageAssembler)) }
        if let android { channels.append(AndroidGatewayChannel(webhook: android, rules: self.rules)) }
        if let smsSync { channels.append(SMSSyncChannel(webhook: smsSync, rules: self.rules)) }
        return channels
    }
}

/// `/hooks/{family}/{name}`: every webhook channel, through one route. The route only adapts: it reads the raw
/// request, lets the channel verify, parse and accept it, counts the outcome (`/healthz`, metrics) and writes the
/// channel's answer. A channel that is not enabled answers 404.
struct HookRoutes {
    let intake: Intake
    /// Enabled channels by path (`sms/twilio`).
    let channels: [String: any WebhookChannel]
    let status: ChannelStatusBoard
    let metrics: WallMetrics

    init(intake: Intake, channels: [any WebhookChannel], status: ChannelStatusBoard, metrics: WallMetrics) {
        self.intake = intake
        self.channels = Dictionary(channels.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        self.status = status
        self.metrics = metrics
    }

    func add(to router: Router<HashwallRequestContext>) {
        router.get("hooks/{family}/{name}", use: self.hook)
        router.post("hooks/{family}/{name}", use: self.hook)
    }

    @Sendable func hook(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let path = "\(context.parameters.get("family") ?? "")/\(context.parameters.get("name") ?? "")"
        guard let channel = self.channels[path], channel.methods.contains(request.method.rawValue) else {
            throw APIError(.notFound, "no webhook is enabled at /hooks/\(path)")
        }
        let body = request.method == .get ? [] : try await request.collectBody(limit: channel.maxBody)
        var headers: [String: String] = [:]
        for field in request.headers where headers[field.name.canonicalName] == nil { headers[field.name.canonicalName] = field.value }
        let webhookRequest = WebhookRequest(
            method: request.method.rawValue, url: "http://\(request.head.authority ?? "localhost")\(request.uri.path)",
            query: request.uri.query ?? "",
            headers: headers, body: body)
        return Self.response(try await self.handle(webhookRequest, by: channel))
    }

    /// Verify, parse, accept: the whole exchange with one channel, counted.
    func handle<Channel: WebhookChannel>(_ request: WebhookRequest, by channel: Channel) async throws -> WebhookResponse {
        do throws(WebhookFailure) {
            try channel.verify(request)
        } catch {
            return try self.fail(error, on: channel)
        }
        let delivery: Channel.Delivery?
        do throws(WebhookFailure) {
            delivery = try channel.parse(request)
        } catch {
            return try self.fail(error, on: channel)
        }
        self.status.set(channel.name, .running)
        guard let delivery else {
            self.count(channel.name, .ignored)
            return channel.ignoredResponse
        }
        let (outcome, response) = try await channel.accept(delivery, into: self.intake)
        self.count(channel.name, outcome)
        return response
    }

    private func count(_ name: String, _ outcome: WebhookOutcome) {
        self.metrics.webhook(channel: name, outcome.rawValue).increment()
    }

    /// Counts a refused or malformed request and returns the channel's own answer, or throws the wall's.
    private func fail(_ failure: WebhookFailure, on channel: some WebhookChannel) throws -> WebhookResponse {
        let status: HTTPResponse.Status
        switch failure {
        case .refused(let reason), .unauthorized(let reason), .notAcceptable(let reason):
            self.status.recordSignatureFailure(channel.name, reason)
            self.metrics.webhook(channel: channel.name, "bad_signature").increment()
            if case .unauthorized = failure {
                throw APIError(.unauthorized, failure.description, headers: [.wwwAuthenticate: "Basic realm=\"hashwall\""])
            }
            status = failure.isNotAcceptable ? .notAcceptable : .forbidden
        case .malformed:
            self.status.set(channel.name, .running, error: failure.description)
            self.metrics.webhook(channel: channel.name, "malformed").increment()
            status = .badRequest
        case .unsupportedMediaType:
            self.metrics.webhook(channel: channel.name, "malformed").increment()
            status = .unsupportedMediaType
        }
        if let answer = channel.response(to: failure) { return answer }
        throw APIError(status, failure.description)
    }

    static func response(_ answer: WebhookResponse) -> Response {
        var headers: HTTPFields = [:]
        if let contentType = answer.contentType { headers[.contentType] = contentType }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: answer.body.isEmpty ? .init() : .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
