import Foundation
import Hummingbird
import Synchronization

/// Who a request comes from, for the per-address limits: the socket's peer, or, when that peer is one of the
/// organiser's trusted reverse proxies (`server.trustedProxies`), the address it names in `X-Forwarded-For`.
/// Anyone can write that header, so it counts only from a proxy the organiser named: behind one, every client
/// would otherwise share the proxy's address, and one attacker's failed logins would lock every moderator out.
public struct ClientAddresses: Sendable {
    public let trustedProxies: Set<String>

    public init(trustedProxies: [String] = []) {
        self.trustedProxies = Set(trustedProxies)
    }

    /// The client's address for `request` arriving on `context`'s connection.
    func client(_ request: Request, context: HashwallRequestContext) -> String {
        self.client(peer: context.clientAddress, forwardedFor: request.headers[values: .xForwardedFor])
    }

    /// The right-most address in `forwardedFor` that is not a trusted proxy (each proxy appends the address it
    /// saw), when `peer` is trusted; else `peer` (and the headers are not read).
    func client(peer: String, forwardedFor: @autoclosure () -> [String]) -> String {
        guard self.trustedProxies.contains(peer) else { return peer }
        let hops = forwardedFor().flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !self.trustedProxies.contains(hop) {
            return hop.isEmpty || hop.count > 64 ? peer : hop
        }
        return peer
    }
}

/// Failed authentications (console logins, moderator and ingest bearer tokens) per client address: at most
/// `limit` in `window` seconds; beyond, the address waits (429). Bounded: past `maxAddresses` addresses, the
/// expired are forgotten first, then the oldest.
final class AuthFailureLimiter: Sendable {
    let limit: Int
    let window: TimeInterval
    let maxAddresses: Int
    private let failures = Mutex<[String: [Date]]>([:])

    init(limit: Int = 5, window: TimeInterval = 60, maxAddresses: Int = 10_000) {
        self.limit = limit
        self.window = window
        self.maxAddresses = maxAddresses
    }

    /// Seconds `address` must wait before trying again, or `nil` when it may try now.
    func waitTime(for address: String, now: Date = Date()) -> Int? {
        self.failures.withLock { failures in
            let recent = (failures[address] ?? []).filter { now.timeIntervalSince($0) < self.window }
            failures[address] = recent.isEmpty ? nil : recent
            guard recent.count >= self.limit, let oldest = recent.first else { return nil }
            return max(1, Int((self.window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    func recordFailure(for address: String, now: Date = Date()) {
        self.failures.withLock { failures in
            failures[address, default: []].append(now)
            if failures[address]!.count > self.limit { failures[address]!.removeFirst() }
            guard failures.count > self.maxAddresses else { return }
            failures = failures.filter { ($0.value.last.map { now.timeIntervalSince($0) < self.window }) ?? false }
            while failures.count > self.maxAddresses, let oldest = failures.min(by: { ($0.value.last ?? now) < ($1.value.last ?? now) }) {
                failures[oldest.key] = nil
            }
        }
    }

    /// Addresses remembered now.
    var count: Int { self.failures.withLock { $0.count } }

    /// 429 when `address` must wait.
    func check(_ address: String) throws {
        if let wait = self.waitTime(for: address) {
            throw APIError(.tooManyRequests, "too many failed attempts from this address; try again in \(wait) s", retryAfter: wait)
        }
    }
}

/// Open event streams per client address and in all: a clear 429 past `perAddress` from one address, 503 past
/// `total`, so that one client (or a handful) cannot take every socket and all the memory of the wall.
public final class StreamAdmission: Sendable {
    public let perAddress: Int
    public let total: Int
    private let open = Mutex<(byAddress: [String: Int], total: Int)>(([:], 0))

    public init(perAddress: Int = 500, total: Int = 20_000) {
        self.perAddress = perAddress
        self.total = total
    }

    /// Admits one more stream from `address`, or throws the answer to give instead. Call ``release(_:)`` once it ends.
    func admit(_ address: String) throws {
        let refusal: APIError? = self.open.withLock { open in
            if open.total >= self.total {
                return APIError(.serviceUnavailable, "the wall has as many open streams as it can hold; retry later", retryAfter: 10)
            }
            if open.byAddress[address, default: 0] >= self.perAddress {
                return APIError(.tooManyRequests, "too many open streams from this address (at most \(self.perAddress))", retryAfter: 10)
            }
            open.byAddress[address, default: 0] += 1
            open.total += 1
            return nil
        }
        if let refusal { throw refusal }
    }

    func release(_ address: String) {
        self.open.withLock { open in
            guard let count = open.byAddress[address] else { return }
            open.byAddress[address] = count > 1 ? count - 1 : nil
            open.total -= 1
        }
    }
}
