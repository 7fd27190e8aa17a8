-- One atomic admission, in one round trip: the holder first (a shopper who holds a ticket always
-- gets it back, and is never rate limited for asking), then the per-user and per-IP limits of this
-- sale (fixed windows), the sale window, a stock token, queue capacity, and the numbered ticket,
-- recorded in the sale's outbox until Kafka acknowledges its message. Every key shares the sale's hash tag; the ticket
-- keys are built from the tag (their id is only known here), which stays in the sale's slot.
-- A request whose gateway already gave up (deadline passed on Redis's clock, e.g. it waited in a
-- queue behind a stall) admits nothing, so a shopper told 503 never holds a ticket.
-- A sale reloaded after a Redis loss admits nobody new while it recovers (tickets from before the
-- loss are still on their way to PostgreSQL, and their holders must find them when they ask again).
-- KEYS: info, stock, seq, queue, users, outbox
-- ARGV: userId, nowMs, saleId, ticketKeyPrefix, deadlineMs, relayAfterMs,
--       rateKeyPrefix, clientIp, perUserLimit, perIpLimit, windowMs (a limit of 0 is off)
local clock = redis.call('TIME')
if tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) > tonumber(ARGV[5]) then return {'TOO_LATE'} end
local info = redis.call('HMGET', KEYS[1], 'startsAtMs', 'endsAtMs', 'queueCapacity', 'epoch', 'recoveringSinceMs')
if not info[1] then return {'SALE_NOT_FOUND'} end
local held = redis.call('HGET', KEYS[5], ARGV[1])
if held then
  local ticket = redis.call('HMGET', ARGV[4] .. held, 'ticketNumber', 'status')
  if ticket[1] then
    return {'EXISTING', held, tonumber(ticket[1]), ticket[2], redis.call('ZRANK', KEYS[4], held) or -1}
  end
end
if info[5] then return {'RECOVERING'} end
local function overLimit(key, limit)
  if limit <= 0 then return false end
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[11]) end
  return count > limit
end
for _, limit in ipairs({{'user:' .. ARGV[1], tonumber(ARGV[9])}, {'ip:' .. ARGV[8], tonumber(ARGV[10])}}) do
  local key = ARGV[7] .. limit[1]
  if overLimit(key, limit[2]) then return {'RATE_LIMITED', redis.call('PTTL', key)} end
end
local now = tonumber(ARGV[2])
if now < tonumber(info[1]) or now >= tonumber(info[2]) then return {'SALE_NOT_ACTIVE'} end
if tonumber(redis.call('GET', KEYS[2]) or '0') <= 0 then return {'SOLD_OUT'} end
local depth = redis.call('ZCARD', KEYS[4])
if depth >= tonumber(info[3]) then return {'QUEUE_FULL', depth} end
redis.call('DECR', KEYS[2])
local number = redis.call('INCR', KEYS[3])
local ticketId = ARGV[3] .. '.' .. (info[4] or '1') .. '.' .. number
redis.call('HSET', ARGV[4] .. ticketId, 'ticketId', ticketId, 'saleId', ARGV[3], 'userId', ARGV[1],
  'ticketNumber', number, 'status', 'QUEUED', 'admittedAt', ARGV[2], 'updatedAt', ARGV[2])
redis.call('ZADD', KEYS[4], number, ticketId)
redis.call('HSET', KEYS[5], ARGV[1], ticketId)
redis.call('ZADD', KEYS[6], now + tonumber(ARGV[6]), ticketId)
return {'ADMITTED', ticketId, number, redis.call('ZRANK', KEYS[4], ticketId)}
