-- Paced load for wrk: each connection waits PACE_MS (default 100) between
-- requests, like people reading a page before the next click. 64
-- connections then offer up to ~640 requests a second: load well below
-- saturation, so the latency measured is the page's, not a queue's.
local pace = tonumber(os.getenv("PACE_MS") or "100")
function delay()
  return pace
end
