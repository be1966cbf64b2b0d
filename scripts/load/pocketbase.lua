-- wrk script: PATCH a PocketBase record, the peer of write.lua.
-- Usage: wrk -t2 -c32 -d15s --latency -s pocketbase.lua http://HOST:PORT -- TOKENS_FILE THREADS RUN_ID COLLECTION
--
-- TOKENS_FILE has lines "recordId<TAB>authToken". As in write.lua, each
-- thread owns its own records (its slice of the file) and cycles through
-- them, and the body is write.lua's change with the same fields, flat (no
-- "operations" list, no "set"): the area cycles through the eight default
-- areas, the text is new each time. PocketBase does not compare versions:
-- baseVersion is only stored, as a number field.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")

setup = common.setup

local areas = { "housing", "work", "education", "economy", "family", "health", "network", "leisure" }
local mine, i, seq, runId, coll

function init(args)
   mine = common.load(args[1], tid, tonumber(args[2] or 1))
   runId = args[3] or tostring(os.time())
   coll = args[4] or "roadmaps"
   for _, r in ipairs(mine) do r.writes = 0 end
   i, seq = 0, 0
   non2xx, conflicts = 0, 0 -- globals: read by common.done via thread:get
end

function request()
   i = i % #mine + 1
   seq = seq + 1
   local r = mine[i]
   r.writes = r.writes + 1
   local body = string.format(
      '{"opId":"w%s-%d-%d","type":"area.update","areaId":"%s","baseVersion":%d,"now":"Lasttest %d"}',
      runId, tid, seq, areas[r.writes % #areas + 1], r.writes, seq)
   return wrk.format("PATCH", "/api/collections/" .. coll .. "/records/" .. r.id,
      { ["Authorization"] = r.token, ["Content-Type"] = "application/json",
        ["Accept"] = "application/json" }, body)
end

function response(status, headers, body)
   if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

done = common.done
