-- Rebuilds, from PostgreSQL, the decided tickets of a sale Redis lost, before the sale is loaded
-- again: each buyer holds their ticket once more (a repeat purchase answers it, not a new
-- ticket) and polling reads it from Redis. Never overwrites a ticket Redis has.
-- One reload restores and loads: the one with the highest epoch (its stock count and its list of
-- decided tickets were read together, so they agree). The loading key fences the others off.
-- KEYS: users, info, loading. ARGV: ttlSeconds, ticketKeyPrefix, epoch, then per ticket: ticketId,
-- saleId, userId, ticketNumber, status, orderId, reason, updatedAt.
-- Returns how many were restored, or -1 when the sale is loaded or a later reload owns the load.
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local epoch = tonumber(ARGV[3])
if tonumber(redis.call('GET', KEYS[3]) or '0') > epoch then return -1 end
redis.call('SET', KEYS[3], epoch, 'PX', 60000)
local FIELDS = 8
local restored = 0
for a = 4, #ARGV, FIELDS do
  local key = ARGV[2] .. ARGV[a]
  if redis.call('EXISTS', key) == 0 then
    redis.call('HSET', key, 'ticketId', ARGV[a], 'saleId', ARGV[a + 1], 'userId', ARGV[a + 2], 'ticketNumber', ARGV[a + 3],
      'status', ARGV[a + 4], 'updatedAt', ARGV[a + 7])
    if ARGV[a + 5] ~= '' then redis.call('HSET', key, 'orderId', ARGV[a + 5]) end
    if ARGV[a + 6] ~= '' then redis.call('HSET', key, 'reason', ARGV[a + 6]) end
    redis.call('EXPIRE', key, ARGV[1])
    restored = restored + 1
  end
  redis.call('HSETNX', KEYS[1], ARGV[a + 2], ARGV[a])
end
return restored
