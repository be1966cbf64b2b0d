-- wrk script: GET /api/v1/shared (an agency's inbox) as its caseworkers.
-- Usage: wrk -t2 -c32 -d30s --latency -s shared.lua http://HOST:PORT -- CASEWORKER_TOKENS_FILE THREADS
--
-- The file is the seeder's -caseworker-out (roadmapId<TAB>token, a line per
-- caseworker and roadmap); each thread rotates over the distinct
-- caseworkers among its lines.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")

setup = common.setup

local tokens, i

function init(args)
   local seen = {}
   tokens = {}
   for _, r in ipairs(common.load(args[1], tid, tonumber(args[2] or 1))) do
      if not seen[r.token] then
         seen[r.token] = true
         table.insert(tokens, r.token)
      end
   end
   i = 0
end

function request()
   i = i % #tokens + 1
   return wrk.format("GET", "/api/v1/shared",
      { ["Authorization"] = "Bearer " .. tokens[i], ["Accept"] = "application/json" })
end

-- No response(): as read.lua, wrk counts statuses of 400 and above itself.

done = common.done
