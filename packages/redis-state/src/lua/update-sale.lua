-- Changes a sale that has not started: name, stock, queue capacity, window, lottery, challenge.
-- Refused once it has started or opened its pre-queue, or is about to (within leadMs, on Redis's
-- clock: admission may not see a half-changed sale), or once anyone holds a ticket of it or a
-- place in its pre-queue (an early admission, a reload's restored tickets).
-- KEYS: info, stock, users, queue, prequeue
-- ARGV: leadMs, name, stock, queueCapacity, startsAtMs, endsAtMs, prequeueOpensAtMs ('-' removes
--       it), challengeDifficulty ('' leaves a field as it is)
-- Returns {'OK'}, {'NOT_LOADED'}, {'STARTED'} or {'HAS_TICKETS'}.
local info = redis.call('HMGET', KEYS[1], 'startsAtMs', 'prequeueOpensAtMs')
if not info[1] then return {'NOT_LOADED'} end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local opensAt = tonumber(info[2] or info[1])
if now + tonumber(ARGV[1]) >= math.min(tonumber(info[1]), opensAt) then return {'STARTED'} end
if redis.call('HLEN', KEYS[3]) > 0 or redis.call('ZCARD', KEYS[4]) > 0 or redis.call('ZCARD', KEYS[5]) > 0 then return {'HAS_TICKETS'} end
if ARGV[7] == '-' then redis.call('HDEL', KEYS[1], 'prequeueOpensAtMs') end
local fields = {'name', ARGV[2], 'initialStock', ARGV[3], 'queueCapacity', ARGV[4], 'startsAtMs', ARGV[5], 'endsAtMs', ARGV[6],
  'prequeueOpensAtMs', ARGV[7] == '-' and '' or ARGV[7], 'challengeDifficulty', ARGV[8]}
for i = 1, #fields, 2 do
  if fields[i + 1] ~= '' then redis.call('HSET', KEYS[1], fields[i], fields[i + 1]) end
end
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3]) end
return {'OK'}
