-- Drive gunicorn with prepared requests, one per line of a tab-separated file:
--   METHOD <tab> PATH <tab> COOKIE <tab> BODY
-- Each wrk thread takes every n-th line (thread k: lines k, k+n, ...), so no two
-- requests share a line until the file runs out ("wrapped" counts reuses). Answers
-- other than the expected status are counted; `done` prints one JSON line.
-- Usage: wrk -s requests.lua URL -- FILE THREADS EXPECTED_STATUS

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

function init(args)
  lines = {}
  for line in io.lines(args[1]) do
    if #line > 0 then
      lines[#lines + 1] = split(line)
    end
  end
  step = tonumber(args[2])
  index = id + 1
  sent = 0
  wrapped = 0
  unexpected = 0
  expected = tonumber(args[3])
end

function request()
  if index > #lines then
    index = ((index - 1) % #lines) + 1
    wrapped = wrapped + 1
  end
  local item = lines[index]
  index = index + step
  sent = sent + 1
  local headers = {}
  if #item[3] > 0 then
    headers["Cookie"] = item[3]
  end
  local body = nil
  if item[1] == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = item[4]
  end
  return wrk.format(item[1], item[2], headers, body)
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local total_wrapped, total_unexpected, total_sent = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_wrapped = total_wrapped + thread:get("wrapped")
    total_unexpected = total_unexpected + thread:get("unexpected")
    total_sent = total_sent + thread:get("sent")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "sent": %d, "wrapped": %d, '
      .. '"unexpected_status": %d, "errors_connect": %d, "errors_read": %d, '
      .. '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, total_sent, total_wrapped, total_unexpected,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
