-- wrk script: field-level writes (area.update) as each roadmap's owner.
-- Usage: wrk -t2 -c32 -d30s --latency -s write.lua http://HOST:PORT -- TOKENS_FILE THREADS RUN_ID
--
-- Every write must name a base version that is not older than the last change
-- of the field it sets, or it gets 409. Each thread owns its own roadmaps (its
-- slice of the token file, which run.sh extends with each roadmap's current
-- version), cycles through them so that no roadmap has two writes in flight
-- while it has more roadmaps than connections, cycles the area it sets, and
-- takes the new version from every response. So a 409 here is a server bug.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")

setup = common.setup

local areas = { "housing", "work", "education", "economy", "family", "health", "network", "leisure" }
local mine, byId, i, seq, runId

function init(args)
   mine = common.load(args[1], tid, tonumber(args[2] or 1))
   runId = args[3] or tostring(os.time())
   byId = {}
   for _, r in ipairs(mine) do
      r.version = r.version or 0
      r.writes = 0
      byId[r.id] = r
   end
   i, seq = 0, 0
   non2xx, conflicts = 0, 0 -- globals: read by common.done via thread:get
end

function request()
   i = i % #mine + 1
   seq = seq + 1
   local r = mine[i]
   r.writes = r.writes + 1
   local body = string.format(
      '{"operations":[{"opId":"w%s-%d-%d","type":"area.update","areaId":"%s","baseVersion":%d,"set":{"now":"Lasttest %d"}}]}',
      runId, tid, seq, areas[r.writes % #areas + 1], r.version, seq)
   return wrk.format("POST", "/api/v1/roadmaps/" .. r.id .. "/operations",
      { ["Authorization"] = "Bearer " .. r.token, ["Content-Type"] = "application/json",
        ["Accept"] = "application/json" }, body)
end

-- The operations response starts {"roadmap":{"id":"...","title":"...","version":N;
-- a 409 problem document carries the current roadmap too, when it has one.
function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if status == 409 then conflicts = conflicts + 1 end
   end
   local id = body:match('"id":"([^"]+)"')
   local v = body:match('"version":(%d+)')
   local r = id and byId[id]
   if r and v then
      v = tonumber(v)
      if v > r.version then r.version = v end
   end
end

done = common.done
