import Crypto

/// Tokens and shared secrets: made from the system's generator, compared in constant time.
public enum Secret {
    /// 32 random bytes, hex-encoded: tokens made at start-up, console session ids.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
        }.joined()
    }

    /// Whether `given` equals `expected`, comparing their digests so that neither the length nor the first
    /// differing byte shows in the timing.
    public static func equal(_ given: String, _ expected: String) -> Bool {
        let a = SHA256.hash(data: Array(given.utf8))
        let b = SHA256.hash(data: Array(expected.utf8))
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
