-- Records final states once, for tickets of ONE sale: a redelivered result is a no-op and a final
-- ticket (a cancel that won) is never overwritten. The ticket leaves the queue and the outbox and
-- stays readable until its TTL. Missing tickets (Redis lost them) are recorded from the result.
-- Stock tokens stay equal to what PostgreSQL can still sell:
--  * a ticket of the sale's current epoch that FAILED took a token for nothing: it goes back,
--    unless it failed SOLD_OUT (PostgreSQL had nothing left: that token stood for no item);
--  * an order for a ticket of an older epoch, taken after this epoch's tokens were counted from
--    PostgreSQL (stockEpoch >= current), used stock those tokens still offer: one is taken.
-- While the sale is not loaded (info missing), such orders are counted in the sale's uncounted
-- ledger by stockEpoch: a load in progress may have read PostgreSQL's stock before them, and
-- load-sale.lua takes the ones at or after its epoch off the tokens it loads.
-- A ticket rebuilt from its result (Redis lost it) is held by its buyer again, unless cancelled.
-- KEYS: queue, outbox, stock, info, users, uncounted, then one ticket hash per result.
-- ARGV: ttlSeconds, then per result: ticketId, saleId, userId, status, orderId, reason, at,
--       ticketNumber, ticketEpoch, stockEpoch ('' unless SUCCEEDED). Returns 1/0 per result.
local FIELDS = 10
local current = tonumber(redis.call('HGET', KEYS[4], 'epoch') or '0')
local tokens = 0
local recorded = {}
for i = 7, #KEYS do
  local key = KEYS[i]
  local a = 1 + (i - 7) * FIELDS
  local status = redis.call('HGET', key, 'status')
  if status and status ~= 'QUEUED' then
    recorded[i - 6] = 0
  else
    local ticketId, outcome = ARGV[a + 1], ARGV[a + 4]
    redis.call('HSET', key, 'ticketId', ticketId, 'saleId', ARGV[a + 2], 'userId', ARGV[a + 3], 'status', outcome, 'updatedAt', ARGV[a + 7])
    if ARGV[a + 5] ~= '' then redis.call('HSET', key, 'orderId', ARGV[a + 5]) end
    if ARGV[a + 6] ~= '' then redis.call('HSET', key, 'reason', ARGV[a + 6]) end
    if not status then
      redis.call('HSET', key, 'ticketNumber', ARGV[a + 8])
      if outcome ~= 'CANCELLED' then redis.call('HSETNX', KEYS[5], ARGV[a + 3], ticketId) end
    end
    redis.call('EXPIRE', key, ARGV[1])
    redis.call('ZREM', KEYS[1], ticketId)
    redis.call('ZREM', KEYS[2], ticketId)
    local ticketEpoch = tonumber(ARGV[a + 9])
    if current > 0 then
      if outcome == 'FAILED' and ticketEpoch == current and ARGV[a + 6] ~= 'SOLD_OUT' then
        tokens = tokens + 1
      elseif outcome == 'SUCCEEDED' and ticketEpoch < current and tonumber(ARGV[a + 10]) >= current then
        tokens = tokens - 1
      end
    elseif outcome == 'SUCCEEDED' and ARGV[a + 10] ~= '' then
      redis.call('HINCRBY', KEYS[6], ARGV[a + 10], 1)
      redis.call('EXPIRE', KEYS[6], ARGV[1])
    end
    recorded[i - 6] = 1
  end
end
if tokens ~= 0 then redis.call('INCRBY', KEYS[3], tokens) end
return recorded
