-- wrk: each request registers the next person for the event (one session
-- cookie per person, read from COOKIES; each thread takes every n-th one,
-- so nobody registers twice while there are cookies left).
local cookies = {}
for line in io.lines(os.getenv("COOKIES")) do cookies[#cookies + 1] = line end
local threads = tonumber(os.getenv("THREADS") or "2")
-- Each round of the load test starts at its own person (OFFSET).
local first = tonumber(os.getenv("OFFSET") or "0")
local next_thread = 0
function setup(thread)
  thread:set("offset", next_thread)
  next_thread = next_thread + 1
end
local n = 0
function request()
  local i = first + (offset or 0) + n * threads + 1
  n = n + 1
  local cookie = cookies[((i - 1) % #cookies) + 1]
  return wrk.format("POST", nil, {
    ["Cookie"] = "kizuna_session=" .. cookie,
    ["Content-Type"] = "application/json",
  }, "{}")
end
