-- wrk script for bench/ivr_webhook.py: replays pre-signed Twilio webhook requests.
-- Args: FILE NTHREADS MODE. FILE has one request a line: path <TAB> X-Twilio-Signature <TAB> body.
-- MODE "cycle" repeats the lines; "once" sends each line once per thread and then stops it.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  lines, idx, once, shown = {}, 0, args[3] == "once", 0
  local nthreads, i = tonumber(args[2]), 0
  for line in io.lines(args[1]) do
    if i % nthreads == id then
      local path, sig, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      table.insert(lines, wrk.format("POST", path, {
        ["Content-Type"] = "application/x-www-form-urlencoded", ["X-Twilio-Signature"] = sig}, body))
    end
    i = i + 1
  end
end

function request()
  idx = idx + 1
  if idx > #lines then
    idx = once and #lines or 1
  end
  return lines[idx]
end

function response(status, headers, body)
  if status ~= 200 and shown < 3 then
    -- The first answers that are not 200, for bench/ivr_webhook.py to print.
    shown = shown + 1
    io.write("NON200 " .. status .. " " .. string.sub(string.gsub(body or "", "\n", " "), 1, 200) .. "\n")
  end
  if once and idx >= #lines then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
