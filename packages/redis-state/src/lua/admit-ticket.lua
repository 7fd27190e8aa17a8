-- One atomic admission, in one round trip: the holder first (a shopper who holds a ticket always
-- gets it back, and is never rate limited for asking), then a member of the lottery's pre-queue
-- (the same answer until the draw), the per-user and per-IP limits of this sale (fixed windows),
-- the sale window (or, before the start, joining the pre-queue), the draw before anyone who came
-- after the start, a stock token, queue capacity, the purchase challenge (used up only by what it
-- bought: a ticket or a place in the pre-queue), and the numbered ticket, recorded in the sale's
-- outbox until Kafka acknowledges its message.
-- Every key shares the sale's hash tag; the keys built here (ticket, rate, challenge) too, which
-- keeps them in the sale's slot on a cluster.
-- A request whose gateway already gave up (deadline passed on Redis's clock, e.g. it waited in a
-- queue behind a stall) admits nothing, so a shopper told 503 never holds a ticket.
-- A sale reloaded after a Redis loss admits nobody new while it recovers (tickets from before the
-- loss are still on their way to PostgreSQL, and their holders must find them when they ask again).
-- KEYS: info, stock, seq, queue, users, outbox, prequeue, drawn
-- ARGV: userId, nowMs, saleId, ticketKeyPrefix, deadlineMs, relayAfterMs,
--       rateKeyPrefix, clientIp, perUserLimit, perIpLimit, windowMs (a limit of 0 is off),
--       challengeKey ('' when no valid challenge came), challengeDifficulty (of that challenge),
--       challengeTtlMs (how long its used marker must outlive it), prequeueRank (random, drawn by the caller)
local clock = redis.call('TIME')
if tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) > tonumber(ARGV[5]) then return {'TOO_LATE'} end
local info = redis.call('HMGET', KEYS[1], 'startsAtMs', 'endsAtMs', 'queueCapacity', 'epoch', 'recoveringSinceMs', 'prequeueOpensAtMs', 'challengeDifficulty')
if not info[1] then return {'SALE_NOT_FOUND'} end
local held = redis.call('HGET', KEYS[5], ARGV[1])
if held then
  local ticket = redis.call('HMGET', ARGV[4] .. held, 'ticketNumber', 'status')
  if ticket[1] then
    return {'EXISTING', held, tonumber(ticket[1]), ticket[2], redis.call('ZRANK', KEYS[4], held) or -1}
  end
end
local now, startsAt = tonumber(ARGV[2]), tonumber(info[1])
local undrawn = info[6] and redis.call('EXISTS', KEYS[8]) == 0
if undrawn and redis.call('ZSCORE', KEYS[7], ARGV[1]) then
  if now < startsAt then return {'PREQUEUED', redis.call('ZCARD', KEYS[7]), startsAt} end
  return {'DRAW_FIRST'}
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
-- nil when the challenge (if the sale asks for one) is good, and now used up.
local function challengeRefused()
  local difficulty = tonumber(info[7] or '0')
  if difficulty <= 0 then return nil end
  if ARGV[12] == '' or tonumber(ARGV[13]) < difficulty then return 'CHALLENGE_REQUIRED' end
  if not redis.call('SET', ARGV[12], '1', 'NX', 'PX', ARGV[14]) then return 'CHALLENGE_INVALID' end
  return nil
end
if now >= tonumber(info[2]) then return {'SALE_NOT_ACTIVE'} end
if now < startsAt then
  if not info[6] or now < tonumber(info[6]) then return {'SALE_NOT_ACTIVE'} end
  local refused = challengeRefused()
  if refused then return {refused} end
  redis.call('ZADD', KEYS[7], 'NX', ARGV[15], ARGV[1])
  return {'PREQUEUED', redis.call('ZCARD', KEYS[7]), startsAt}
end
-- The pre-queue's places are drawn before anyone who came after the start is let in.
if undrawn then return {'DRAW_FIRST'} end
if tonumber(redis.call('GET', KEYS[2]) or '0') <= 0 then return {'SOLD_OUT'} end
local depth = redis.call('ZCARD', KEYS[4])
if depth >= tonumber(info[3]) then return {'QUEUE_FULL', depth} end
local refused = challengeRefused()
if refused then return {refused} end
local ticketId, number = issueTicket({ stock = KEYS[2], seq = KEYS[3], queue = KEYS[4], users = KEYS[5], outbox = KEYS[6] },
  ARGV[3], info[4] or '1', ARGV[1], ARGV[2], ARGV[4], ARGV[6])
return {'ADMITTED', ticketId, number, redis.call('ZRANK', KEYS[4], ticketId)}
