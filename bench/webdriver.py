"""Shared pieces of the browser benchmarks (bench/browser.py, bench/soak.py), Python 3 standard library only.

- `Hashwall`: the release server on a fresh temporary directory (the config of bench/run.sh's start_hashwall, its
  own port, no projector delay), stopped on exit.
- `ChromeDriver`/`Browser`: a tiny W3C WebDriver client for Debian's chromedriver + headless Chromium, with the
  flags our Swift tests use (Sources/HashwallTestSupport/WebDriver.swift) plus what the benchmarks need
  (precise memory figures, an exposed `gc()`).
- `Cleanup`: everything started here is stopped on exit, Ctrl-C or SIGTERM, by process id (and the process
  group each was started in), never by name.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(TOP, ".build", "release", "hashwall")
INGEST_TOKEN = "bench-token"
MODERATOR_TOKEN = "bench-mod"


def now_ms():
    """Wall-clock epoch milliseconds (comparable with the page's performance.timeOrigin + performance.now())."""
    return time.time() * 1000.0


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100), at least 1
    return ordered[int(rank) - 1]


def descendants(pid):
    """The pids of every live descendant of `pid` (from /proc), deepest last."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(0), []):
            found.append(child)
            queue.append(child)
    return found


def rss_kib(pids):
    """The summed resident set size (KiB) of `pids` (those that still exist)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class Cleanup:
    """Stop functions run once, last registered first, at exit, on SIGINT/SIGTERM/SIGHUP."""

    def __init__(self):
        self.actions = []
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._signal)

    def _signal(self, signum, frame):
        raise SystemExit(128 + signum)

    def add(self, action):
        self.actions.append(action)

    def run(self):
        while self.actions:
            action = self.actions.pop()
            try:
                action()
            except Exception as error:  # cleanup goes on whatever one step did
                print(f"cleanup: {error}", file=sys.stderr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.run()
        return False


def stop_process(process, grace=5.0):
    """SIGTERM then SIGKILL `process` (a Popen started with start_new_session=True), its descendants and its group."""
    if process is None:
        return
    family = descendants(process.pid)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(grace)
    # Children left behind (e.g. Chromium when chromedriver goes): by pid, then the process group we created.
    for pid in family:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def port_free(port):
    """Nobody listens on `port` (connections left in TIME_WAIT by an earlier run do not count)."""
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hashwall:
    """The release server on `port` with a fresh journal in a temporary directory: post moderation, no demo,
    no projector delay, log level warning (bench/run.sh's start_hashwall, own port)."""

    def __init__(self, cleanup, port=18082, binary=BINARY):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(120):  # the binary may be momentarily missing while someone rebuilds it
            if os.access(binary, os.X_OK):
                break
            print(f"waiting for {binary} (being rebuilt?)", file=sys.stderr)
            time.sleep(5)
        else:
            sys.exit(f"no release binary {binary}: swift build -c release")
        if not port_free(port):
            sys.exit(f"port {port} is taken: stop what listens there or set BENCH_PORT")
        self.dir = tempfile.mkdtemp(prefix="hashwall-browser-bench.")
        cleanup.add(lambda: shutil.rmtree(self.dir, ignore_errors=True))
        config = {
            "server": {"host": "127.0.0.1", "port": port},
            "channels": {"demo": {"enabled": False}},
            "moderation": {"mode": "post", "projectorDelaySeconds": 0},
            "storage": {"path": os.path.join(self.dir, "wall.sqlite")},
            "log": {"level": "warning"},
        }
        with open(os.path.join(self.dir, "config.json"), "w") as f:
            json.dump(config, f)
        env = dict(os.environ, HASHWALL_INGEST_TOKEN=INGEST_TOKEN, HASHWALL_MODERATOR_TOKEN=MODERATOR_TOKEN)
        self.log = open(os.path.join(self.dir, "out.log"), "w")
        self.process = subprocess.Popen([binary, "--config", os.path.join(self.dir, "config.json")], env=env,
                                         stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        cleanup.add(self.stop)
        for _ in range(200):
            try:
                if self.request("GET", "/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        else:
            self.process.poll()
        if self.process.returncode is not None:
            self.log.flush()
            sys.exit("hashwall did not come up:\n" + open(os.path.join(self.dir, "out.log")).read()[-2000:])
        self.ingest_connection = None
        self.moderation_connection = None

    def stop(self):
        stop_process(self.process)
        self.log.close()

    def request(self, method, path, body=None, token=None, timeout=10, connection=None):
        """One request; returns (status, decoded JSON or text). Reuses `connection` when given."""
        conn = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            if connection is None:
                conn.close()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw.decode(errors="replace")

    def _keepalive(self, attr, method, path, body, token):
        for attempt in range(2):  # a kept-alive connection the server closed (idle timeout) is opened again once
            conn = getattr(self, attr)
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                setattr(self, attr, conn)
            try:
                return self.request(method, path, body, token, connection=conn)
            except (http.client.HTTPException, OSError):
                conn.close()
                setattr(self, attr, None)
                if attempt:
                    raise

    def ingest(self, body):
        """POST /api/ingest on a kept-alive connection; returns (status, JSON)."""
        return self._keepalive("ingest_connection", "POST", "/api/ingest", body, INGEST_TOKEN)

    def moderate(self, post_id, action):
        """POST /api/moderation/posts/{id}/{action} (id percent-encoded); returns (status, JSON)."""
        path = f"/api/moderation/posts/{urllib.parse.quote(post_id, safe='')}/{action}"
        return self._keepalive("moderation_connection", "POST", path, None, MODERATOR_TOKEN)


class WebDriverError(Exception):
    pass


class ChromeDriver:
    """Debian's chromedriver on a free port, in its own process group; stopped (with its browsers) on exit."""

    def __init__(self, cleanup):
        binary = next((b for b in ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver") if os.access(b, os.X_OK)), None)
        if not binary:
            sys.exit("chromedriver not found: install Debian's chromium and chromium-driver")
        self.port = free_port()
        self.process = subprocess.Popen([binary, f"--port={self.port}"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        self.browsers = []
        cleanup.add(self.stop)
        for _ in range(200):
            try:
                if self.call("GET", "/status").get("ready"):
                    return
            except (OSError, WebDriverError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        sys.exit("chromedriver did not become ready")

    def call(self, method, path, body=None, timeout=120):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        answer = json.loads(raw) if raw else {}
        value = answer.get("value") if isinstance(answer, dict) else None
        if response.status >= 400:
            raise WebDriverError(f"WebDriver {method} {path}: {response.status} {value}")
        return value if value is not None else {}

    def browser(self, width, height, extra_args=()):
        """A new headless Chromium whose page is width x height CSS pixels (its own profile). The window size alone
        would not do (headless windows are at least 500 px wide and their frame takes height), so the page's
        metrics are emulated, as a phone below 800 px (the Swift tests' WebDriver.browser does the same)."""
        phone = width < 800
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height + 200}",
                # a benchmark should not be throttled because no one looks at the window
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows", *extra_args]
        capabilities = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args, "mobileEmulation": {"deviceMetrics": {
                "width": width, "height": height, "pixelRatio": 3 if phone else 1, "mobile": phone, "touch": phone}}},
        }}}
        value = self.call("POST", "/session", capabilities)
        browser = Browser(self, value["sessionId"])
        self.browsers.append(browser)
        return browser

    def chromium_pids(self):
        return descendants(self.process.pid)

    def stop(self):
        for browser in self.browsers:
            try:
                self.call("DELETE", f"/session/{browser.session}", timeout=15)
            except Exception:
                pass
        self.browsers = []
        stop_process(self.process)


class Browser:
    def __init__(self, driver, session):
        self.driver = driver
        self.session = session

    def open(self, url):
        self.driver.call("POST", f"/session/{self.session}/url", {"url": url})

    def run(self, script, *args):
        """Runs `script` (a function body; `arguments` holds args) in the page; returns its result."""
        return self.driver.call("POST", f"/session/{self.session}/execute/sync", {"script": script, "args": list(args)})

    def run_async(self, script, *args):
        """Runs `script`, which calls `arguments[arguments.length - 1](result)` when done."""
        return self.driver.call("POST", f"/session/{self.session}/execute/async", {"script": script, "args": list(args)})

    def wait_until(self, script, *args, within=20.0, what="the page"):
        deadline = time.monotonic() + within
        while True:
            try:
                if self.run(script, *args) is True:
                    return True
            except WebDriverError:
                pass
            if time.monotonic() > deadline:
                raise WebDriverError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def clock_offset_ms(self, samples=5):
        """page clock (timeOrigin + now) minus Python's time.time(), in ms, from the tightest of `samples` round trips;
        returns (offset, half round trip) so the reader sees how comparable the two clocks are."""
        best = None
        for _ in range(samples):
            before = now_ms()
            page = self.run("return performance.timeOrigin + performance.now();")
            after = now_ms()
            estimate = (page - (before + after) / 2, (after - before) / 2)
            if best is None or estimate[1] < best[1]:
                best = estimate
        return best
