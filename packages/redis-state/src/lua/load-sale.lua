-- Loads a sale into Redis unless it is there already (a concurrent load lost the race: no-op).
-- The info hash is written last: it is the marker the admission script checks, so a half-loaded
-- sale is never admitted against. The epoch is the one PostgreSQL handed out for this load.
-- Orders recorded while the sale was not loaded, at or after this load's epoch, took stock after
-- PostgreSQL's count was read: they come off the tokens (see record-results.lua).
-- A reload that lost to a later one (see restore-tickets.lua) loads nothing.
-- KEYS: info, stock, seq, uncounted, loading
-- ARGV: stock, ticketNumberFloor, id, name, initialStock, queueCapacity, startsAtMs, endsAtMs, epoch,
--       recoveringSinceMs ('' unless reloaded after a loss: admission waits for the tickets in flight),
--       challengeDifficulty, prequeueOpensAtMs ('' when the sale has no pre-queue)
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if tonumber(redis.call('GET', KEYS[5]) or '0') > tonumber(ARGV[9]) then return 0 end
local stock = tonumber(ARGV[1])
local uncounted = redis.call('HGETALL', KEYS[4])
for i = 1, #uncounted, 2 do
  if tonumber(uncounted[i]) >= tonumber(ARGV[9]) then stock = stock - tonumber(uncounted[i + 1]) end
end
redis.call('DEL', KEYS[4], KEYS[5])
redis.call('SET', KEYS[2], math.max(0, stock))
if tonumber(redis.call('GET', KEYS[3]) or '0') < tonumber(ARGV[2]) then redis.call('SET', KEYS[3], ARGV[2]) end
redis.call('HSET', KEYS[1], 'id', ARGV[3], 'name', ARGV[4], 'initialStock', ARGV[5], 'queueCapacity', ARGV[6],
  'startsAtMs', ARGV[7], 'endsAtMs', ARGV[8], 'epoch', ARGV[9], 'challengeDifficulty', ARGV[11])
if ARGV[10] ~= '' then redis.call('HSET', KEYS[1], 'recoveringSinceMs', ARGV[10]) end
if ARGV[12] ~= '' then redis.call('HSET', KEYS[1], 'prequeueOpensAtMs', ARGV[12]) end
return 1
