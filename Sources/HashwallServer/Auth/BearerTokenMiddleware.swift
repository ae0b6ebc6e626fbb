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
        try self.failures.check(address)
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            Secret.equal(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), self.expected)
        else {
            if request.headers[.authorization] != nil { self.failures.recordFailure(for: address) }
            throw UnauthorizedError()
        }
        return try await next(request, context)
    }
}

struct UnauthorizedError: HTTPResponseError {
    var status: HTTPResponse.Status { .unauthorized }
    var headers: HTTPFields { [.wwwAuthenticate: #"Bearer realm="hashwall""#, .contentType: "application/json; charset=utf-8"] }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: self.status, headers: self.headers, body: .init(byteBuffer: JSONBody.encode(["error": "missing or wrong bearer token"])))
    }
}
