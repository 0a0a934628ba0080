-- wrk: each request GETs the next path of the file PATHS (one per line),
-- so a load test asks many different questions, not one cached one.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local n = 0
function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
