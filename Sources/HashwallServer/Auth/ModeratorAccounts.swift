import Foundation
import HashwallCore
import Synchronization

/// Who may moderate: each moderator's name and token (tokens come from the environment), and the console's
/// sessions. Tokens are compared in constant time; session ids are 256 random bits.
public final class ModeratorAccounts: Sendable {
    public struct Account: Sendable {
        public var name: String
        public var token: String

        public init(name: String, token: String) {
            self.name = name
            self.token = token
        }
    }

    let accounts: [Account]
    /// Console sessions last this long.
    static let sessionLifetime: TimeInterval = 12 * 3600
    private let sessions = Mutex<[String: (name: String, expires: Date)]>([:])

    public init(_ accounts: [Account]) {
        self.accounts = accounts
    }

    /// The moderator whose token is `token`, or `nil`. Every account is compared, so the timing doesn't tell which.
    func moderator(forToken token: String) -> String? {
        var found: String?
        for account in self.accounts where Secret.equal(token, account.token) {
            found = account.name
        }
        return found
    }

    /// Opens a console session for `name`; returns its id (the cookie's value).
    func openSession(for name: String) -> String {
        let id = Secret.random()
        self.sessions.withLock { sessions in
            let now = Date()
            sessions = sessions.filter { $0.value.expires > now }
            sessions[id] = (name, now.addingTimeInterval(Self.sessionLifetime))
        }
        return id
    }

    /// The moderator of session `id`, if it is open.
    func moderator(forSession id: String) -> String? {
        self.sessions.withLock { sessions in
            guard let session = sessions[id], session.expires > Date() else { return nil }
            return session.name
        }
    }

    func closeSession(_ id: String) {
        self.sessions.withLock { _ = $0.removeValue(forKey: id) }
    }
}
