import Foundation
import HashwallChannels
import HashwallTestSupport

/// `make bench-mail`: the email channel's two figures.
/// 1. The MIME path (GMime parse, charsets, HTML to text, quotes and signatures, automatic mail), messages per second
///    and MB/s over the 35 client-shaped fixtures, single core, median of 5 rounds.
/// 2. Delivery to card: a message delivered into a real Dovecot's Maildir (as its MTA would) until its card arrives
///    on `/events` of the release `hashwall` binary polling it (`pollSeconds` 1), p50/p90/p99 over 60 messages sent at
///    random moments of the poll cycle: waiting for the next poll is uniform over 0–1,000 ms (mean 500), the rest is
///    the channel's own cost (login, EXAMINE, SEARCH, FETCH, MIME, commit, fan-out).
let fixtures = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Tests/HashwallChannelsTests/Fixtures/mail")
let mails = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).filter { $0.hasSuffix(".eml") }.sorted()
    .map { Array(try Data(contentsOf: fixtures.appendingPathComponent($0))) }
let bytes = mails.reduce(0) { $0 + $1.count }
let rules = EmailRules()
var rates: [Double] = []
for _ in 0..<5 {
    let rounds = 200
    let start = ContinuousClock.now
    for _ in 0..<rounds {
        for raw in mails {
            if let mail = try? MailMessage.parse(raw) { _ = rules.verdict(for: mail) }
        }
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    rates.append(Double(rounds * mails.count) / seconds)
}
let rate = rates.sorted()[2]
print(
    String(
        format: "MIME path: %.0f messages/s (%.1f MB/s, %.1f µs per message; %d fixtures, mean %.1f KB), median of 5 rounds, one core",
        rate, rate * Double(bytes) / Double(mails.count) / 1e6, 1e6 / rate, mails.count, Double(bytes) / Double(mails.count) / 1000))

// Delivery to card.
let binary = ".build/release/hashwall"
guard FileManager.default.isExecutableFile(atPath: binary) else {
    print("delivery to card: skipped (build the release binary first: swift build -c release)")
    exit(0)
}
let dovecot = try Dovecot.start()
defer { dovecot.shutdown() }
let directory = try TemporaryDirectory()
let port = try freePort()
let config = """
    {"server": {"host": "127.0.0.1", "port": \(port)}, "storage": {"path": "\(directory.path)/wall.sqlite"},
     "channels": {"demo": {"enabled": false}, "email": {"enabled": true,
       "imap": {"enabled": true, "url": "\(dovecot.url)", "user": "\(dovecot.user)", "pollSeconds": 1}}}}
    """
try config.write(toFile: directory.path + "/config.json", atomically: true, encoding: .utf8)
let wall = Process()
wall.executableURL = URL(fileURLWithPath: binary)
wall.arguments = ["--config", directory.path + "/config.json"]
var environment = ProcessInfo.processInfo.environment
environment["HASHWALL_IMAP_PASSWORD"] = dovecot.password
wall.environment = environment
wall.standardOutput = FileHandle.nullDevice
wall.standardError = FileHandle.nullDevice
try wall.run()
defer { wall.terminate() }
let stream = try await eventually(within: .seconds(30), "the wall's /events") { () -> SSEClient? in
    try? await SSEClient.connect(to: "http://127.0.0.1:\(port)/events")
}
var latencies: [Double] = []
let count = 60
for index in 0..<count {
    // A random moment in the poll cycle (not just after the last poll, which would always wait nearly a whole period).
    try await Task.sleep(for: .milliseconds(Int.random(in: 0...1000)))
    let text = "Latency probe \(index)"
    let message =
        "From: Bench <bench@example.org>\r\nSubject: \r\nMessage-ID: <probe-\(index)-\(UUID().uuidString)@bench>\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n\r\n\(text)\r\n"
    let start = ContinuousClock.now
    try dovecot.deliver(message)
    while true {
        let event = try await stream.next(within: .seconds(30))
        if event.type == "post", event.data.contains(text) { break }
    }
    let elapsed = ContinuousClock.now - start
    latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
}
await stream.close()
let sorted = latencies.sorted()
let percentile = { (p: Double) -> Double in sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
print(
    String(
        format:
            "delivery to card (Maildir delivery → post on /events, pollSeconds 1, %d messages): p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms",
        count, percentile(0.5), percentile(0.9), percentile(0.99), sorted.last ?? 0))
print("Reproduce: make bench-mail")
