-- wrk script: PUT 256-byte values to, or GET, random keys of a 10,000-key space.
--   OP=put wrk -t2 -c32 -d30s -s bench/wrk-kv.lua http://127.0.0.1:8080
--   OP=get wrk -t2 -c32 -d30s -s bench/wrk-kv.lua http://127.0.0.1:8080   (load the keys first)
-- Environment: OP (put or get, default put), KEYS (10000), NS (default).
local op = os.getenv("OP") or "put"
local value = string.rep("v", 256)
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
  local path = "/v1/kv/" .. ns .. "/key-" .. math.random(keys)
  if op == "get" then
    return wrk.format("GET", path)
  end
  return wrk.format("PUT", path, {["Content-Type"] = "application/octet-stream"}, value)
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or errors: %d\n", summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
