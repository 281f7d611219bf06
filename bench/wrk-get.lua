-- wrk script: GET random keys of a 10,000-key space (load them first with wrk-put.lua).
--   wrk -t2 -c32 -d30s -s bench/wrk-get.lua http://127.0.0.1:8080
local keys = tonumber(os.getenv("KEYS") or "10000")
local ns = os.getenv("NS") or "default"
local threads = 0

-- Each wrk thread has its own Lua state: seed each differently, or all threads draw the same keys.
setup = function(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

init = function(args)
  math.randomseed(os.time() * 1000 + seed)
end

request = function()
  return wrk.format("GET", "/v1/kv/" .. ns .. "/key-" .. math.random(keys))
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or errors: %d\n", summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
