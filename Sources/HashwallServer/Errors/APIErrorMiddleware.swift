import HashwallCore
import Hummingbird
import Logging

/// The only place where errors become statuses: ``InvalidField`` → 400, ``JournalError`` → 503 (logged),
/// Hummingbird's own `HTTPError`s as they are, anything else → 500 (logged). Bodies are JSON `{"error": "…"}`.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw Self.answer(for: error, logger: context.logger)
        }
    }

    /// What `error` is answered with (logged when it is the wall's fault, not the client's).
    static func answer(for error: any Error, logger: Logger) -> any HTTPResponseError {
        switch error {
        case let error as InvalidField: return APIError(.badRequest, error.description)
        case let error as UnknownPost: return APIError(.notFound, error.description)
        case let error as UnknownAnnouncement: return APIError(.notFound, error.description)
        case let error as ModerationConflict: return APIError(.conflict, error.description)
        case JournalError.overloaded: return APIError(.serviceUnavailable, "the wall is busy; retry in a second", retryAfter: 1)
        case let error as JournalError:
            logger.error("journal unavailable", metadata: ["error": "\(error)"])
            return APIError(.serviceUnavailable, "the wall cannot store posts right now; retry later", retryAfter: 5)
        case let error as any HTTPResponseError: return error
        default:
            logger.error("request failed", metadata: ["error": "\(error)"])
            return APIError(.internalServerError, "internal error")
        }
    }
}

/// An error answered as `{"error": "…"}` with its status.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    var retryAfter: Int?
    /// Headers the answer carries besides its type (a `WWW-Authenticate` challenge).
    var extraHeaders: HTTPFields

    init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
        self.extraHeaders = headers
    }

    var headers: HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        headers.append(contentsOf: self.extraHeaders)
        return headers
    }

    /// 413 for a body past `limit` bytes.
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "the body is larger than \(limit / 1024) KiB")
    }

    /// `{"error": "…"}`.
    var body: ByteBuffer { JSONBody.encode(["error": self.message]) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: self.status, headers: self.headers, body: .init(byteBuffer: self.body))
    }
}
