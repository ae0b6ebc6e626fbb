import Foundation
import HashwallCore

/// `make bench-text`: the text path of every post (normalise, scan, fold, blocklist) on ordinary and pathological
/// 20,000-character texts. Each is timed over repeated runs (median); the figure that matters is the ratio to
/// plain letters: a linear scanner keeps every ratio near 1, a quadratic one makes some of them thousands.
let length = 20_000
let inputs: [(String, String)] = [
    ("letters", String(repeating: "a", count: length)),
    ("words", String(repeating: "Bravo pour la table ronde ", count: length / 26)),
    (")", String(repeating: ")", count: length)),
    ("URL + )", "https://example.org/" + String(repeating: ")", count: length)),
    ("URL + (", "https://example.org/" + String(repeating: "(", count: length)),
    ("#", String(repeating: "#", count: length)),
    ("#_", "#" + String(repeating: "_", count: length)),
    ("@a.", String(repeating: "@a.", count: length / 3)),
    ("@a@", String(repeating: "@a", count: length / 2)),
    ("invisible", String(repeating: "a\u{00AD}\u{200D}", count: length / 3)),
    ("look-alikes", String(repeating: "аrnаquе ", count: length / 8)),
    ("emoji", String(repeating: "👨‍👩‍👧", count: length / 5)),
]
let blocklist = Blocklist(Blocklist.defaultEntries + ["arnaque"])

func median(_ runs: Int, _ body: () -> Void) -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        body()
        let elapsed = ContinuousClock.now - start
        times.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
    }
    return times.sorted()[runs / 2]
}

var baseline: Double?
print("input         chars   normalise+scan+fold+blocklist (µs, median of 15)   ns/char   × letters")
for (name, text) in inputs {
    let micros = median(15) {
        let normalised = TextNormaliser.normalise(text)
        _ = TextScanner.scan(normalised)
        _ = blocklist.firstMatch(inFolded: [TextNormaliser.fold(normalised)])
    }
    baseline = baseline ?? micros
    let chars = text.count
    print(
        name.padding(toLength: 12, withPad: " ", startingAt: 0),
        String(format: "%7d   %12.0f %36.1f %10.2f", chars, micros, micros * 1000 / Double(chars), micros / baseline!))
}
print("Reproduce: make bench-text")
