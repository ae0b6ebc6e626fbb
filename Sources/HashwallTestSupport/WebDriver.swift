import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A W3C WebDriver client for headless Chromium through Debian's `chromedriver`: enough to open pages, run
/// scripts in them and wait for what they show. Each ``Browser`` is its own Chromium (its own cookies).
public final class WebDriver: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let process: Process
    let base: String
    private let slot = Mutex(true)

    /// At most this many chromedrivers (and their browsers) run at once across the test process: Swift Testing runs
    /// suites in parallel, and a dozen Chromiums on a 2-core machine starve the timing of every other test.
    static let slots = Slots(2)

    /// Starts `chromedriver` on a free port and waits until it is ready (and until one of ``slots`` is free).
    public static func start() async throws -> WebDriver {
        await Self.slots.acquire()
        do {
            return try await Self.launch()
        } catch {
            Self.slots.release()
            throw error
        }
    }

    private static func launch() async throws -> WebDriver {
        let binary = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else { throw Failure(description: "chromedriver not found: install Debian's chromium-driver (make test does)") }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--port=\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let driver = WebDriver(process: process, base: "http://127.0.0.1:\(port)")
        try await eventually(within: .seconds(20), "chromedriver to be ready") {
            (try? await driver.request(.GET, "/status"))?["ready"] as? Bool == true
        }
        return driver
    }

    init(process: Process, base: String) {
        self.process = process
        self.base = base
    }

    /// Opens a new headless Chromium whose page is `width`×`height` CSS pixels. The window size alone would not
    /// do: headless Chromium keeps windows at least 500 px wide and counts its own frame in the height (a
    /// 390×844 window gave a 500×701 page), so the page's metrics are emulated (as a phone below 800 px).
    public func browser(width: Int = 1920, height: Int = 1080) async throws -> Browser {
        let phone = width < 800
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": "/usr/bin/chromium",
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height + 200)",
                        ],
                        "mobileEmulation": [
                            "deviceMetrics": ["width": width, "height": height, "pixelRatio": phone ? 3 : 1, "mobile": phone, "touch": phone]
                        ],
                    ] as [String: Any],
                ] as [String: Any]
            ]
        ]
        let answer = try await self.request(.POST, "/session", capabilities)
        guard let id = answer["sessionId"] as? String else { throw Failure(description: "no session: \(answer)") }
        return Browser(driver: self, session: id)
    }

    /// Stops chromedriver (and with it any browser left open). SIGKILL: chromedriver inherits the test process's
    /// blocked signal mask, so a SIGTERM would stay pending and leave it running after the tests.
    public func stop() {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
        if self.slot.withLock({ held in
            defer { held = false }
            return held
        }) {
            Self.slots.release()
        }
    }

    /// A counting semaphore whose release is synchronous (``stop()`` runs in `defer`).
    final class Slots: Sendable {
        private let state: Mutex<(free: Int, waiting: [CheckedContinuation<Void, Never>])>

        init(_ count: Int) { self.state = Mutex((count, [])) }

        func acquire() async {
            await withCheckedContinuation { continuation in
                let granted = self.state.withLock { state in
                    if state.free > 0 {
                        state.free -= 1
                        return true
                    }
                    state.waiting.append(continuation)
                    return false
                }
                if granted { continuation.resume() }
            }
        }

        func release() {
            let next = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                if state.waiting.isEmpty {
                    state.free += 1
                    return nil
                }
                return state.waiting.removeFirst()
            }
            next?.resume()
        }
    }

    deinit { self.stop() }

    /// One WebDriver command; returns its `value` object (or `["value": value]` when it is not an object).
    @discardableResult
    func request(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: self.base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 32 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView), options: [.fragmentsAllowed]) as? [String: Any]
        let value = object?["value"]
        if response.status.code >= 400 {
            throw Failure(description: "WebDriver \(method) \(path): \(response.status.code) \(value ?? "")")
        }
        return value as? [String: Any] ?? ["value": value ?? NSNull()]
    }
}

/// One browser window.
public struct Browser: Sendable {
    let driver: WebDriver
    let session: String

    public func open(_ url: String) async throws {
        try await self.driver.request(.POST, "/session/\(self.session)/url", ["url": url])
    }

    /// Runs `source` in every page this browser opens from now on, before the page's own scripts (Chrome DevTools'
    /// `Page.addScriptToEvaluateOnNewDocument`, through chromedriver): to watch what a page does while it loads.
    public func runBeforeEachPage(_ source: String) async throws {
        try await self.driver.request(
            .POST, "/session/\(self.session)/goog/cdp/execute", ["cmd": "Page.addScriptToEvaluateOnNewDocument", "params": ["source": source]])
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns its result.
    @discardableResult
    public func run(_ script: String, _ args: [Any] = []) async throws -> Any? {
        let value = try await self.driver.request(.POST, "/session/\(self.session)/execute/sync", ["script": script, "args": args])
        return value["value"] ?? value
    }

    /// Runs an async `script` that calls `arguments[arguments.length - 1](result)` when done.
    @discardableResult
    public func runAsync(_ script: String, _ args: [Any] = []) async throws -> Any? {
        let value = try await self.driver.request(.POST, "/session/\(self.session)/execute/async", ["script": script, "args": args])
        return value["value"] ?? value
    }

    /// Waits until `script` returns `true` in the page.
    public func waitUntil(_ what: String, within: Duration = .seconds(15), _ script: String, _ args: [Any] = []) async throws {
        try await eventually(within: within, what) { (try? await self.run(script, args)) as? Bool == true }
    }

    /// A PNG of the window, for test artefacts.
    public func screenshot() async throws -> Data {
        let value = try await self.driver.request(.GET, "/session/\(self.session)/screenshot")
        guard let base64 = value["value"] as? String, let data = Data(base64Encoded: base64) else {
            throw WebDriver.Failure(description: "no screenshot")
        }
        return data
    }

    /// Presses and releases `key` (a WebDriver key code such as `"\u{E004}"`, Tab) as a real keyboard would.
    public func press(_ key: String) async throws {
        let actions: [String: Any] = [
            "actions": [["type": "key", "id": "keyboard", "actions": [["type": "keyDown", "value": key], ["type": "keyUp", "value": key]]]]
        ]
        try await self.driver.request(.POST, "/session/\(self.session)/actions", actions)
    }

    /// A PNG of the first element matching `css`, as the page draws it.
    public func screenshot(of css: String) async throws -> Data {
        let found = try await self.driver.request(.POST, "/session/\(self.session)/element", ["using": "css selector", "value": css])
        guard let element = found["element-6066-11e4-a52e-4f735466cecf"] as? String else {
            throw WebDriver.Failure(description: "no \(css): \(found)")
        }
        let value = try await self.driver.request(.GET, "/session/\(self.session)/element/\(element)/screenshot")
        guard let base64 = value["value"] as? String, let data = Data(base64Encoded: base64) else {
            throw WebDriver.Failure(description: "no screenshot of \(css)")
        }
        return data
    }

    public func close() async {
        _ = try? await self.driver.request(.DELETE, "/session/\(self.session)")
    }
}

/// A TCP port nobody listens on now (bound, read, released).
public func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}
