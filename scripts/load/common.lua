-- Shared by read.lua and write.lua: thread ids, the token file, the result line.
--
-- The scripts take their arguments after wrk's "--":
--   wrk ... -s read.lua  URL -- TOKENS_FILE THREADS
--   wrk ... -s write.lua URL -- TOKENS_FILE THREADS RUN_ID
-- TOKENS_FILE has lines "roadmapId<TAB>accessToken[<TAB>version]". Thread t
-- (1-based) takes lines t, t+THREADS, t+2*THREADS ..., so no two threads
-- touch the same roadmap.

local common = {}

local threads = {}
local counter = 0

-- setup runs in wrk's main Lua state once per thread, before that thread's init.
function common.setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
   table.insert(threads, thread)
end

-- load returns this thread's slice of the token file.
function common.load(path, tid, nthreads)
   local f = assert(io.open(path, "r"), "cannot open token file " .. tostring(path))
   local all, mine = {}, {}
   for line in f:lines() do
      local id, token, version = line:match("^([^\t]+)\t([^\t]+)\t?(%d*)")
      if id then
         table.insert(all, { id = id, token = token, version = tonumber(version) })
      end
   end
   f:close()
   assert(#all > 0, "no tokens in " .. path)
   for n, r in ipairs(all) do
      if (n - 1) % nthreads == tid - 1 then table.insert(mine, r) end
   end
   -- Fewer lines than threads (the ceiling's single token): share them.
   -- Only read.lua may do this; write.lua needs roadmaps of its own.
   if #mine == 0 then mine = all end
   return mine
end

local function sum(name)
   local total = 0
   for _, t in ipairs(threads) do
      total = total + (tonumber(t:get(name)) or 0)
   end
   return total
end

-- done prints one machine-readable line that run.sh turns into a table row:
-- LOADRESULT requests rps p50_ms p99_ms non2xx conflicts socket_errors
function common.done(summary, latency)
   local e = summary.errors
   local secs = summary.duration / 1e6
   local non2xx = sum("non2xx")
   if non2xx == 0 then non2xx = e.status end -- read.lua counts nothing itself
   io.write(string.format("LOADRESULT\t%d\t%.0f\t%.2f\t%.2f\t%d\t%d\t%d\n",
      summary.requests, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      non2xx, sum("conflicts"), e.connect + e.read + e.write + e.timeout))
end

return common
