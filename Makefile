# Hashwall: `make run` runs the wall on config.json, `make test` runs every test.
# Both install the Debian packages they need first (apt-get update, then install what is missing).

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# Build-time C libraries: SQLite for the journal (GRDB), libqrencode for the projector's QR code, libcurl (IMAP),
# GMime 3 (MIME) and libxml2 (HTML to text) for the email channel, libzip for the static archive.
APT_PACKAGES := libsqlite3-dev libqrencode-dev libcurl4-openssl-dev libgmime-3.0-dev libxml2-dev libzip-dev pkg-config
# The wall's own machine often drives the projector through a browser: colour emoji for it.
RUN_APT_PACKAGES := $(APT_PACKAGES) fonts-noto-color-emoji
# The tests also drive real pages in headless Chromium over WebDriver, read QR codes back with zbarimg and poll a real
# Dovecot IMAP server.
# Past one machine: Redis and nginx + Nchan edges, started by the tests on loopback.
TEST_APT_PACKAGES := $(APT_PACKAGES) chromium chromium-driver zbar-tools dovecot-imapd fonts-noto-color-emoji nginx libnginx-mod-nchan redis-server

.PHONY: all deps test-deps install-packages build run test lint format release fuzz bench bench-full bench-ingest bench-browser bench-text bench-mail bench-edges soak clean

all: build

deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(APT_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(TEST_APT_PACKAGES)"

# Installs the Debian packages in PACKAGES that are missing (apt-get update first); safe to run twice.
install-packages:
	@missing=""; \
	for p in $(PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) dpkg --configure -a; \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

run: build
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(RUN_APT_PACKAGES)"
	.build/debug/hashwall --config config.json

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

# House rules as a tool: the toolchain's swift-format with the checked-in .swift-format. `make lint` fails on any
# difference (CI runs it); `make format` rewrites the files.
SWIFT_FORMAT_PATHS := Sources Tests Benchmarks Fuzz Package.swift
lint:
	$(SWIFT) format lint --strict --recursive $(SWIFT_FORMAT_PATHS)

format:
	$(SWIFT) format format --in-place --recursive $(SWIFT_FORMAT_PATHS)

# One self-contained binary (static Swift runtime; pages and demo sample embedded) in dist/.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib
	mkdir -p dist
	cp .build/release/hashwall dist/hashwall
	strip dist/hashwall
	@echo "dist/hashwall: copy it with a config.json; it needs Debian's libsqlite3-0, libqrencode4, libcurl4, libgmime-3.0-0, libxml2 and libzip4 (and libstdc++6, libc6, on every Debian)."

# Benchmarks (not tests: they print figures and never fail on a slow machine). Hashwall beside nginx + Nchan,
# same load generator (../shared/bench/sseload), alternating, BENCH_REPS runs each; raw runs in bench/results/.
# Then bench/ingest.sh (alone: make bench-ingest): durable ingest (wrk, acks/s; ack p99 at 1,000/s; the disk's
# fsync cost), restart time with 100,000 posts, RSS with 10,000 idle SSE clients beside Nchan.
BENCH_REPS ?= 3
BENCH_APT_PACKAGES := golang-go nginx libnginx-mod-nchan jq curl wrk chromium chromium-driver
bench: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(BENCH_APT_PACKAGES)"
	$(SWIFT) build -c release
	bench/run.sh $(BENCH_REPS) c1k c5k10
	bench/ingest.sh
	python3 bench/browser.py
	@$(MAKE) --no-print-directory bench-text

# Followers through two nginx + Nchan edges sharing Redis (configured by `hashwall nchan-config`, one worker each)
# beside the node alone, same scenario, same session: per-edge and total deliveries, p99, CPU, the node's CPU for
# publishing, followers per busy edge core (docs/edges.md). BENCH_REPS runs; EDGES_SCENARIO c1k, c5k10, c10k, or
# c1k10 / c2k10 (c5k10's events with fewer followers: the headline, followers per edge core at the node's p99).
EDGES_SCENARIO ?= c5k10
bench-edges: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(BENCH_APT_PACKAGES) redis-server"
	$(SWIFT) build -c release
	bench/edges.sh $(BENCH_REPS) $(EDGES_SCENARIO)

# The text path of a post (normalise, scan, fold, blocklist) on pathological 20,000-character texts beside plain
# letters: a linear scanner keeps every ratio near 1.
bench-text: deps
	HASHWALL_BENCHMARKS=1 $(SWIFT) build -c release --product TextScanBench
	HASHWALL_BENCHMARKS=1 $(SWIFT) run -c release --skip-build TextScanBench

# The email channel: messages/s through the MIME path (GMime, HTML to text, our rules) over the fixture corpus, and the
# time from a message delivered into a real Dovecot's Maildir to its card on /events of the release binary.
bench-mail: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="dovecot-imapd"
	$(SWIFT) build -c release --product hashwall
	HASHWALL_BENCHMARKS=1 $(SWIFT) build -c release --product MailBench
	HASHWALL_BENCHMARKS=1 $(SWIFT) run -c release --skip-build MailBench

bench-full: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(BENCH_APT_PACKAGES)"
	$(SWIFT) build -c release
	bench/run.sh $(BENCH_REPS) c1k c5k10 c5k c10k burst
	bench/ingest.sh

bench-ingest: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(BENCH_APT_PACKAGES)"
	$(SWIFT) build -c release
	bench/ingest.sh

# Real pages in headless Chromium over WebDriver (bench/browser.py, Python 3 standard library): ingest-to-card on
# /projector and / (200 posts at 5/s; goal p99 <= 150 ms) and hide-to-gone on the projector (50 hides; p99 <= 250 ms).
BROWSER_APT_PACKAGES := chromium chromium-driver
bench-browser: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(BROWSER_APT_PACKAGES)"
	$(SWIFT) build -c release
	python3 bench/browser.py

# The projector for SOAK_MINUTES at 2 posts/s: JS heap and DOM nodes every 30 s after a GC (goal: flat within 10%).
SOAK_MINUTES ?= 30
soak: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(BROWSER_APT_PACKAGES)"
	$(SWIFT) build -c release
	SOAK_MINUTES=$(SOAK_MINUTES) python3 bench/soak.py

# Fuzzes each SMS webhook parser, the ingest body, the text normaliser/scanner and the MIME path (mail, HTML, forms) and the Mastodon/Jetstream decoders with libFuzzer for FUZZ_SECONDS (not part of `make test`); crashes land in
# .build-fuzz/crashes/. Prints each target's executions per second and whether it crashed.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := FuzzTwilio FuzzVonage FuzzAndroid FuzzSMSSync FuzzIngest FuzzText FuzzMIME FuzzSocial
fuzz: deps
	HASHWALL_FUZZ=1 $(SWIFT) build --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address $(addprefix --product ,$(firstword $(FUZZ_TARGETS)))
	for t in $(wordlist 2,9,$(FUZZ_TARGETS)); do HASHWALL_FUZZ=1 $(SWIFT) build --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address --product $$t || exit 1; done
	mkdir -p .build-fuzz/crashes
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p .build-fuzz/corpus/$$t; cp Fuzz/$$t/seeds/* .build-fuzz/corpus/$$t/; \
		if [ $$t = FuzzMIME ]; then cp Tests/HashwallChannelsTests/Fixtures/mail/*.eml .build-fuzz/corpus/$$t/; fi; \
		.build-fuzz/debug/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=.build-fuzz/crashes/$$t- \
			.build-fuzz/corpus/$$t > .build-fuzz/$$t.log 2>&1; status=$$?; \
		runs=$$(grep -o 'stat::number_of_executed_units: *[0-9]*' .build-fuzz/$$t.log | grep -o '[0-9]*$$'); \
		echo "$$t: $$runs inputs in $(FUZZ_SECONDS) s ($$(( $${runs:-0} / $(FUZZ_SECONDS) ))/s), exit $$status $$( [ $$status -eq 0 ] && echo '(no crash)' || echo '(CRASH: see .build-fuzz/crashes)')"; \
	done
	@echo "Reproduce: make fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)"

clean:
	rm -rf .build dist .build-fuzz
