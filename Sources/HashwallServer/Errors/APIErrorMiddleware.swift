import HashwallCore
import Hummingbird
import Logging

/// The only place where errors become statuses: ``InvalidField`` → 400, ``JournalError`` → 503 (logged),
/// Hummingbird's own `HTTPError`s as they are, anything else → 500 (logged). Bodies are JSON `{"error": "…"}`.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as InvalidField {
            throw APIError(.badRequest, error.description)
        } catch let error as UnknownPost {
            throw APIError(.notFound, error.description)
        } catch let error as UnknownAnnouncement {
            throw APIError(.notFound, error.description)
        } catch let error as ModerationConflict {
            throw APIError(.conflict, error.description)
        } catch JournalError.overloaded {
            throw APIError(.serviceUnavailable, "the wall is busy; retry in a second", retryAfter: 1)
        } catch let error as JournalError {
            context.logger.error("journal unavailable", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "the wall cannot store posts right now; retry later", retryAfter: 5)
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "internal error")
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

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = JSONBody.encode(["error": self.message])
        return Response(status: self.status, headers: self.headers, body: .init(byteBuffer: body))
    }
}
