import Hummingbird

/// Headers every response carries: a strict Content-Security-Policy (no inline script, no eval), no MIME
/// sniffing, no referrer leaking a moderator's URL.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers.append(contentsOf: SecurityHeaders.fields)
        return response
    }
}

/// The headers ``SecurityHeadersMiddleware`` adds, for a route that sets them itself.
enum SecurityHeaders {
    static let fields: HTTPFields = [
        .contentSecurityPolicy: SecurityHeadersMiddleware<HashwallRequestContext>.contentSecurityPolicy,
        .xContentTypeOptions: "nosniff",
        .referrerPolicy: "same-origin",
    ]

    /// `headers` followed by these.
    static func added(to headers: HTTPFields) -> HTTPFields {
        var fields = headers
        fields.append(contentsOf: Self.fields)
        return fields
    }
}
