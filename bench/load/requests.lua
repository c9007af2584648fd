-- wrk script of bench/run.sh: sends the requests of REQUESTS_FILE in rotation (each request the next line; every
-- thread starts on a different line). A line is: METHOD <TAB> PATH <TAB> HEADERS <TAB> BODY, where HEADERS is
-- "Name: value" pairs separated by " | " (or "-" for none) and BODY is sent as it is (or "-" for none). The requests
-- are built once, in init(); request() only picks the next one. response() tallies the statuses outside
-- EXPECT_STATUS (default 200). At the end, one machine-readable line:
--   RESULT requests=… duration_us=… socket_errors=… unexpected=… p50_us=… p95_us=… p99_us=… max_us=… statuses=…
local requests_file = os.getenv("REQUESTS_FILE")
local expect = tonumber(os.getenv("EXPECT_STATUS") or "200")
local threads = {}
local reqs, n, next_i = {}, 0, 0
tally = {}

local function split(s, sep)
  local out, from = {}, 1
  while true do
    local i, j = string.find(s, sep, from, true)
    if not i then table.insert(out, string.sub(s, from)); return out end
    table.insert(out, string.sub(s, from, i - 1))
    from = j + 1
  end
end

function setup(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(requests_file) do
    if line ~= "" then
      local f = split(line, "\t")
      if #f ~= 4 then error("not METHOD<TAB>PATH<TAB>HEADERS<TAB>BODY: " .. line) end
      local headers = {}
      for name, value in pairs(wrk.headers) do headers[name] = value end
      if f[3] ~= "-" then
        for _, h in ipairs(split(f[3], " | ")) do
          local c = string.find(h, ": ", 1, true)
          headers[string.sub(h, 1, c - 1)] = string.sub(h, c + 2)
        end
      end
      n = n + 1
      reqs[n] = wrk.format(f[1], f[2], headers, f[4] ~= "-" and f[4] or nil)
    end
  end
  if n == 0 then error("no requests in " .. tostring(requests_file)) end
  next_i = (first or 0) * 7919 % n
end

function request()
  next_i = next_i % n + 1
  return reqs[next_i]
end

function response(status, headers, body)
  if status ~= expect then tally[status] = (tally[status] or 0) + 1 end
end

function done(summary, latency, requests)
  local e = summary.errors
  local all, unexpected, statuses = {}, 0, ""
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("tally") or {}) do all[status] = (all[status] or 0) + count end
  end
  for status, count in pairs(all) do
    unexpected = unexpected + count
    statuses = statuses .. status .. ":" .. count .. ","
  end
  io.write(string.format(
    "RESULT requests=%d duration_us=%d socket_errors=%d unexpected=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d "
    .. "statuses=%s\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, unexpected,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    statuses == "" and "-" or statuses))
end
