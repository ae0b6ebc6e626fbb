-- wrk script for bench/ingest.sh: POST /api/ingest with a unique body per request, so nothing dedupes.
--   wrk -t2 -c64 -d20s -s bench/ingest.lua http://127.0.0.1:18081/api/ingest -- RUN [QUOTA]
-- RUN makes ids unique across runs on one database; QUOTA (optional) stops each thread once it has counted that
-- many 202s (requests still in flight then may be committed too, so the server may hold a few more).
-- Only 202 counts as acknowledged; any other status is counted by code. The last line of output is JSON.

local threads = {}

function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    run = args[1] or "r"
    share = tonumber(args[2] or "0")
    n, acked, other, codes = 0, 0, 0, ""
    counts = {}
    headers = { ["Authorization"] = "Bearer bench-token", ["Content-Type"] = "application/json" }
end

function request()
    n = n + 1
    local body = string.format('{"id":"bench-%s-%d-%d","author":{"name":"bench"},"text":"bench %s %d %d #bench"}',
        run, tid, n, run, tid, n)
    return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
    if status == 202 then
        acked = acked + 1
        if share > 0 and acked >= share then wrk.thread:stop() end
    else
        other = other + 1
        counts[status] = (counts[status] or 0) + 1
        local parts = {}
        for code, count in pairs(counts) do parts[#parts + 1] = code .. ":" .. count end
        codes = table.concat(parts, " ")   -- "404:3 500:1", read back by done()
    end
end

function done(summary, latency, requests)
    local acked_total, other_total, sent_total, by_code = 0, 0, 0, {}
    for _, thread in ipairs(threads) do
        acked_total = acked_total + thread:get("acked")
        other_total = other_total + thread:get("other")
        sent_total = sent_total + thread:get("n")
        for code, count in string.gmatch(thread:get("codes"), "(%d+):(%d+)") do
            by_code[code] = (by_code[code] or 0) + tonumber(count)
        end
    end
    local codes_all = {}
    for code, count in pairs(by_code) do codes_all[#codes_all + 1] = string.format('"%s":%d', code, count) end
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format('{"acked":%d,"non_202":%d,"non_202_codes":{%s},"requests_sent":%d,"responses":%d,' ..
        '"duration_s":%.3f,"acked_per_s":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
        '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
        acked_total, other_total, table.concat(codes_all, ","), sent_total, summary.requests, seconds,
        acked_total / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
        e.connect, e.read, e.write, e.timeout))
end
