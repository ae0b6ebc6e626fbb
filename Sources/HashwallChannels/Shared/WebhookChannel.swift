import Foundation
import HashwallCore

/// A channel that is called: a gateway or a mail service posts each message to `/hooks/<path>`.
///
/// One shape for all of them, mounted by one generic route: ``verify(_:)`` checks the request's credentials
/// (signature, shared secret, basic auth), ``parse(_:)`` reads it (a pure function of the request's method, headers
/// and bytes, so it is fuzzed without a server), ``accept(_:into:)`` makes what it carries durable and answers in the
/// gateway's own format. The route counts each outcome on `/healthz` and in `hashwall_webhooks_total{channel,outcome}`.
public protocol WebhookChannel: Sendable {
    associatedtype Delivery: Sendable
    /// The channel's stable name on `/healthz` and in metrics: `sms.twilio`, `email.mailgun`…
    var name: String { get }
    /// Where it is mounted, under `/hooks/`: `sms/twilio`.
    var path: String { get }
    /// The HTTP methods it answers (`POST`, and `GET` for a gateway that sends queries).
    var methods: Set<String> { get }
    /// Checks the request's credentials. Throws ``WebhookFailure/refused(_:)`` (or ``WebhookFailure/malformed(_:)``
    /// when the credentials can't even be read).
    func verify(_ request: WebhookRequest) throws(WebhookFailure)
    /// What the request carries; `nil` when it is nothing for the wall (another kind of event), acknowledged.
    func parse(_ request: WebhookRequest) throws(WebhookFailure) -> Delivery?
    /// Makes `delivery` durable (through `intake`) and returns the answer, once it is; whether it was for the wall.
    func accept(_ delivery: Delivery, into intake: Intake) async throws -> (WebhookOutcome, WebhookResponse)
    /// The answer to a request that carried nothing for the wall.
    var ignoredResponse: WebhookResponse { get }
    /// The gateway's own answer to a refused or malformed request; `nil`: the wall's (`{"error": "…"}`).
    func response(to failure: WebhookFailure) -> WebhookResponse?
    /// The largest body it reads (413 beyond).
    var maxBody: Int { get }
}

extension WebhookChannel {
    public func response(to failure: WebhookFailure) -> WebhookResponse? { nil }
    /// Gateways' bodies are small: a text is at most a few KiB even with every field a gateway adds.
    public var maxBody: Int { 32 * 1024 }
}

/// A webhook request as a channel reads it: plain values, no server types.
public struct WebhookRequest: Sendable {
    /// `GET`, `POST`.
    public var method: String
    /// The URL as it was called (`http://host/hooks/sms/twilio`), for signatures over it.
    public var url: String
    /// The raw query, without `?` (empty when none).
    public var query: String
    /// Header values by lower-cased name (the first of repeated ones).
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, url: String, query: String = "", headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        self.url = url
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    public func header(_ name: String) -> String? { self.headers[name.lowercased()] }

    /// The media type of the body, lower case, without parameters (`application/json`).
    public var mediaType: String? {
        self.header("content-type").map { $0.split(separator: ";").first.map(String.init) ?? "" }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
    }

    /// The fields of a form-encoded body.
    /// - Throws: 415 for another content type, ``WebhookFailure/malformed(_:)`` for bytes that are not a form.
    public func formFields() throws(WebhookFailure) -> [(name: String, value: String)] {
        guard self.mediaType == "application/x-www-form-urlencoded" else {
            throw .unsupportedMediaType("Content-Type must be application/x-www-form-urlencoded")
        }
        guard let fields = FormBody.parse(self.body) else { throw .malformed(InvalidField("body", "is not valid form encoding in UTF-8")) }
        return fields
    }
}

/// A webhook's answer: status, content type and body.
public struct WebhookResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String?
    public var body: [UInt8]

    public init(status: Int, contentType: String? = nil, body: [UInt8] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public static func text(_ status: Int, _ contentType: String, _ body: String) -> WebhookResponse {
        WebhookResponse(status: status, contentType: contentType, body: Array(body.utf8))
    }
}

/// Why a webhook request is refused before anything is stored.
public enum WebhookFailure: Error, Sendable, CustomStringConvertible {
    /// Wrong or missing credentials: 403 (and counted as a signature failure).
    case refused(String)
    /// Wrong or missing HTTP basic credentials: 401 with a `WWW-Authenticate` challenge (counted as a signature failure).
    case unauthorized(String)
    /// A signature too old or already used (a replay): 406, which tells Mailgun not to retry (counted as a signature
    /// failure). Nothing is stored.
    case notAcceptable(String)
    /// A body that is not what the gateway sends: 400 naming the field.
    case malformed(InvalidField)
    /// 415.
    case unsupportedMediaType(String)

    public var description: String {
        switch self {
        case .refused(let reason), .unauthorized(let reason), .notAcceptable(let reason), .unsupportedMediaType(let reason): reason
        case .malformed(let field): field.description
        }
    }

    /// A stale or replayed signature (406).
    public var isNotAcceptable: Bool {
        if case .notAcceptable = self { true } else { false }
    }

    /// Runs `parse`, turning its ``InvalidField`` into ``malformed(_:)``.
    public static func reading<T>(_ parse: () throws -> T) throws(WebhookFailure) -> T {
        do {
            return try parse()
        } catch let field as InvalidField {
            throw .malformed(field)
        } catch {
            throw .malformed(InvalidField("body", "\(error)"))
        }
    }
}

/// What became of a webhook request that was let in.
public enum WebhookOutcome: String, Sendable {
    /// Something for the wall, now durable.
    case accepted
    /// Nothing for the wall (an opt-out word, a delivery receipt…), acknowledged.
    case ignored
}
