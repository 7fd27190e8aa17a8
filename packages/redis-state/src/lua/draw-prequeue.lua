-- The lottery's draw, once per sale and atomically, at or after the start: everyone in the
-- pre-queue gets a uniformly random place (a Fisher-Yates shuffle), and tickets are issued in that
-- order while stock and queue capacity last; the rest are out (a later purchase answers SOLD_OUT
-- or QUEUE_FULL as for anyone). Redis seeds its own math.random alike for every call, so the
-- caller passes a random seed and the shuffle runs on xorshift32.
-- KEYS: info, stock, seq, queue, users, outbox, prequeue, drawn
-- ARGV: nowMs, seed (a 32-bit integer, not 0), saleId, ticketKeyPrefix, relayAfterMs
-- Returns {userId, ticketId, ticketNumber, ...} of the winners; {} when not due or drawn already.
if redis.call('EXISTS', KEYS[8]) == 1 then return {} end
local info = redis.call('HMGET', KEYS[1], 'startsAtMs', 'queueCapacity', 'epoch', 'prequeueOpensAtMs')
if not info[4] or tonumber(ARGV[1]) < tonumber(info[1]) then return {} end
redis.call('SET', KEYS[8], ARGV[1])
local shoppers = redis.call('ZRANGE', KEYS[7], 0, -1)
local state = tonumber(ARGV[2])
local function nextRandom()
  state = bit.bxor(state, bit.lshift(state, 13))
  state = bit.bxor(state, bit.rshift(state, 17))
  state = bit.bxor(state, bit.lshift(state, 5))
  return state
end
for i = #shoppers, 2, -1 do
  local j = (nextRandom() % i) + 1
  shoppers[i], shoppers[j] = shoppers[j], shoppers[i]
end
local keys = { stock = KEYS[2], seq = KEYS[3], queue = KEYS[4], users = KEYS[5], outbox = KEYS[6] }
local capacity = tonumber(info[2])
local winners = {}
for _, userId in ipairs(shoppers) do
  if tonumber(redis.call('GET', KEYS[2]) or '0') <= 0 or redis.call('ZCARD', KEYS[4]) >= capacity then break end
  if not redis.call('HGET', KEYS[5], userId) then
    local ticketId, number = issueTicket(keys, ARGV[3], info[3] or '1', userId, ARGV[1], ARGV[4], ARGV[5])
    table.insert(winners, userId)
    table.insert(winners, ticketId)
    table.insert(winners, number)
  end
end
return winners
