import Hummingbird

/// Lets a request through to the moderation routes only for a moderator: `Authorization: Bearer <token>`, or
/// the console's session cookie. With a cookie, a request that changes state must come from our own pages
/// (its `Origin` is this server), so another site can't act through a moderator's browser. 401 or 403 otherwise.
struct ModeratorAuthMiddleware: RouterMiddleware {
    typealias Context = HashwallRequestContext
    static let cookieName = "hashwall_session"

    let accounts: ModeratorAccounts
    /// The origin people use when it differs from the Host header (behind a proxy), from `server.publicURL`.
    let publicOrigin: String?
    /// Wrong bearer tokens count as failed logins of the address (a session cookie is 256 random bits, and a stale
    /// one after a restart is no attack).
    let failures: AuthFailureLimiter
    let addresses: ClientAddresses

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            let address = self.addresses.client(request, context: context)
            try self.failures.check(address)
            guard let name = self.accounts.moderator(forToken: String(header.dropFirst(7))) else {
                self.failures.recordFailure(for: address)
                throw APIError.unauthorized
            }
            context.moderator = name
            return try await next(request, context)
        }
        guard let session = request.cookies[Self.cookieName]?.value, let name = self.accounts.moderator(forSession: session) else {
            throw APIError.unauthorized
        }
        if ![.get, .head, .options].contains(request.method) {
            guard Self.sameOrigin(request, publicOrigin: self.publicOrigin) else {
                throw APIError(.forbidden, "this request must come from the moderation console (Origin check)")
            }
        }
        context.moderator = name
        return try await next(request, context)
    }

    /// Whether the request's `Origin` is this server: its Host, or the configured public origin.
    static func sameOrigin(_ request: Request, publicOrigin: String?) -> Bool {
        guard let origin = request.headers[.origin]?.lowercased() else { return false }
        if let publicOrigin, origin == publicOrigin.lowercased() { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host.lowercased())" || origin == "https://\(host.lowercased())"
    }
}
