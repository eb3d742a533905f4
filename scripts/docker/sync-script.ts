/**
 * The one Redis script the agent runs: "this agent's containers for HOST are
 * now these", applied atomically (a script runs alone: Redis, and Upstash's
 * per-script lock), so agents on several Docker hosts writing the same host
 * at the same moment merge instead of overwriting each other.
 *
 * Keys, all under ROUTE_KEY_PREFIX:
 *   KEYS[1] HOST                    the route the router reads
 *   KEYS[2] docker:routes           hash HOST → "<agents>\n<value written>" (src/admin/agent-marks.ts)
 *   KEYS[3] docker:backends:HOST    hash "<agent>/<container>" → entry (labels.ts)
 *   KEYS[4] docker:agent:AGENT      set of the hosts this agent has entries for (what a reconcile revisits)
 * ARGV: HOST, AGENT, then "<agent>/<container>", entry pairs: the agent's entries, all of them.
 *
 * The route is computed from every agent's entries, sorted by field, so every
 * agent computes the same value: the backends in that order, the `router.route`
 * members of the first entry that has some. Nothing is written when nothing
 * changes; the reply is {"ok"|"conflict", writes}. "conflict": the route exists
 * and is not what the agents last wrote (typed by hand, or edited since): it is
 * left as it is and this agent's entries for it are withdrawn.
 */
export const SYNC_SCRIPT = `
local host, agent = ARGV[1], ARGV[2]
local own = agent .. '/'
local function mine(field) return string.sub(field, 1, #own) == own end
local writes = 0
local current = redis.pcall('GET', KEYS[1])
local mark = redis.call('HGET', KEYS[2], host)
local flat = redis.call('HGETALL', KEYS[3])
local entries, had = {}, false
for i = 1, #flat, 2 do
  entries[flat[i]] = flat[i + 1]
  if mine(flat[i]) then had = true end
end
local written = mark and string.sub(mark, (string.find(mark, '\\n', 1, true) or #mark) + 1)
if type(current) == 'table' or (current and current ~= written) then
  for field in pairs(entries) do
    if mine(field) then redis.call('HDEL', KEYS[3], field); writes = writes + 1 end
  end
  if had then redis.call('SREM', KEYS[4], host); writes = writes + 1 end
  return {'conflict', writes}
end
local want, has = {}, false
for i = 3, #ARGV - 1, 2 do want[ARGV[i]] = ARGV[i + 1]; has = true end
for field in pairs(entries) do
  if mine(field) and want[field] == nil then
    redis.call('HDEL', KEYS[3], field); entries[field] = nil; writes = writes + 1
  end
end
for field, entry in pairs(want) do
  if entries[field] ~= entry then
    redis.call('HSET', KEYS[3], field, entry); entries[field] = entry; writes = writes + 1
  end
end
if has and not had then redis.call('SADD', KEYS[4], host); writes = writes + 1 end
if had and not has then redis.call('SREM', KEYS[4], host); writes = writes + 1 end
local fields = {}
for field in pairs(entries) do fields[#fields + 1] = field end
table.sort(fields)
if #fields == 0 then
  if current then redis.call('DEL', KEYS[1]); writes = writes + 1 end
  if mark then redis.call('HDEL', KEYS[2], host); writes = writes + 1 end
  return {'ok', writes}
end
local backends, members, agents, seen = {}, '', {}, {}
for _, field in ipairs(fields) do
  local entry = entries[field]
  local newline = string.find(entry, '\\n', 1, true) or (#entry + 1)
  backends[#backends + 1] = string.sub(entry, 1, newline - 1)
  if members == '' then members = string.sub(entry, newline + 1) end
  local id = string.sub(field, 1, (string.find(field, '/', 1, true) or (#field + 1)) - 1)
  if not seen[id] then seen[id] = true; agents[#agents + 1] = id end
end
local value = '{"backends":[' .. table.concat(backends, ',') .. ']'
if members ~= '' then value = value .. ',' .. members end
value = value .. '}'
if value ~= current then redis.call('SET', KEYS[1], value); writes = writes + 1 end
local newMark = table.concat(agents, ',') .. '\\n' .. value
if newMark ~= mark then redis.call('HSET', KEYS[2], host, newMark); writes = writes + 1 end
return {'ok', writes}
`;
