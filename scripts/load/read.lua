-- wrk script: GET a roadmap as its owner, rotating over many owners.
-- Usage: wrk -t2 -c32 -d30s --latency -s read.lua http://HOST:PORT -- TOKENS_FILE THREADS
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")

setup = common.setup

local mine, i

function init(args)
   mine = common.load(args[1], tid, tonumber(args[2] or 1))
   i = 0
end

function request()
   i = i % #mine + 1
   local r = mine[i]
   return wrk.format("GET", "/api/v1/roadmaps/" .. r.id,
      { ["Authorization"] = "Bearer " .. r.token, ["Accept"] = "application/json" })
end

-- No response(): wrk then skips handing bodies to Lua, and counts statuses
-- of 400 and above itself (summary.errors.status).

done = common.done
