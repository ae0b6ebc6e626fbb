import Foundation
import HashwallCore
import Hummingbird

/// Lets a request through only with `Authorization: Bearer <expected>`; 401 otherwise, and 429 for an address
/// that has guessed wrong too often (``AuthFailureLimiter``). The comparison takes the same time wherever the
/// tokens differ.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = HashwallRequestContext
    let expected: String
    let failures: AuthFailureLimiter
    let addresses: ClientAddresses

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let address = self.addresses.client(request, context: context)
        try BearerToken.check(request.headers[.authorization], expected: self.expected, failures: self.failures, address: address)
        return try await next(request, context)
    }
}

enum BearerToken {
    /// Throws 429 when `address` guessed wrong too often, 401 (and counts a guess when a token was given) unless
    /// `header` is `Bearer <expected>`.
    static func check(_ header: String?, expected: String, failures: AuthFailureLimiter, address: String) throws {
        try failures.check(address)
        guard let header, header.utf8.count > 7, header.prefix(7).lowercased() == "bearer ",
            Secret.equal(String(header.dropFirst(7).trimmingSpaces), expected)
        else {
            if header != nil { failures.recordFailure(for: address) }
            throw APIError.unauthorized
        }
    }
}

extension APIError {
    /// 401 with a `Bearer` challenge.
    static let unauthorized = APIError(.unauthorized, "missing or wrong bearer token", headers: [.wwwAuthenticate: #"Bearer realm="hashwall""#])
}
