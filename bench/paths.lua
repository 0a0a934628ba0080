-- wrk: each request GETs the next path of the file PATHS (one per line),
-- so a load test asks many different questions, not one cached one.
-- With PACE_MS set, each connection waits that long between requests
-- (people typing a draft), so the latency measured is the answer's, not
-- a queue's.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local n = 0
function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
local pace = tonumber(os.getenv("PACE_MS") or "0")
if pace > 0 then
  function delay()
    return pace
  end
end
