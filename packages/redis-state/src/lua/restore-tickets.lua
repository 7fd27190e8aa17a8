-- Rebuilds, from PostgreSQL, the decided tickets of a sale Redis lost, before the sale is loaded
-- again: each buyer holds their ticket once more (a repeat purchase answers it, not a new
-- ticket) and polling reads it from Redis. Never overwrites a ticket Redis has.
-- KEYS: users. ARGV: ttlSeconds, ticketKeyPrefix, then per ticket: ticketId, saleId, userId,
-- ticketNumber, status, orderId, reason, updatedAt. Returns how many were restored.
local FIELDS = 8
local restored = 0
for a = 3, #ARGV, FIELDS do
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
