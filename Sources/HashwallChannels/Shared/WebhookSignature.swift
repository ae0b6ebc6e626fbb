import Crypto
import Foundation
import HashwallCore

/// Signature checks shared by the webhooks: HMACs in constant time, and the form encoding gateways use.
public enum WebhookSignature {
    /// Whether `expected` is the Base64 of HMAC-SHA1(`key`, `message`), compared in constant time as text, so a
    /// variant spelling of the same bytes (other padding bits) is refused too.
    public static func hmacSHA1Base64(_ expected: String, key: String, message: String) -> Bool {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return Secret.equal(expected, Data(mac).base64EncodedString())
    }

    /// Whether `expected` (hex, any case) is HMAC-SHA256(`key`, `message`), compared in constant time.
    public static func hmacSHA256Hex(_ expected: String, key: String, message: [UInt8]) -> Bool {
        guard let mac = Self.bytes(hex: expected) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: SymmetricKey(data: Data(key.utf8)))
    }

    static func bytes(hex: String) -> [UInt8]? {
        let characters = Array(hex.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        var index = 0
        while index < characters.count {
            guard let high = Self.nibble(characters[index]), let low = Self.nibble(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// `application/x-www-form-urlencoded`, as gateways send it: `+` is a space, `%XX` a byte of UTF-8.
public enum FormBody {
    /// The fields in order, decoded; `nil` when the body is not valid form encoding or not UTF-8.
    public static func parse(_ body: [UInt8]) -> [(name: String, value: String)]? {
        guard let text = String(validating: body, as: UTF8.self) else { return nil }
        var fields: [(String, String)] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else { return nil }
            fields.append((name, value))
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String? {
        String(text.replacingOccurrences(of: "+", with: " ")).removingPercentEncoding
    }
}
