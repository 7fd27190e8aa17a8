-- The lottery's draw, once per sale and atomically, at or after the start (not while the sale
-- recovers from a Redis loss). Each shopper joined the pre-queue with a rank drawn uniformly at
-- random (admit-ticket.lua), so the ranks' order is a uniformly random permutation whatever the
-- arrival order; tickets are numbered in that order while stock and queue capacity last. The rest
-- of the pre-queue is out: asking again, they are answered as anyone who comes after the start.
-- Ranks come from the gateways' CSPRNG rather than a generator seeded here: every order is
-- possible, and only the first `room` entries are read.
-- KEYS: info, stock, seq, queue, users, outbox, prequeue, drawn
-- ARGV: nowMs, saleId, ticketKeyPrefix, relayAfterMs
-- Returns {'NOT_DUE'}, {'ALREADY_DRAWN'} or {'DRAWN', entrants, userId, ticketId, ticketNumber, ...}.
if redis.call('EXISTS', KEYS[8]) == 1 then return {'ALREADY_DRAWN'} end
local info = redis.call('HMGET', KEYS[1], 'startsAtMs', 'queueCapacity', 'epoch', 'prequeueOpensAtMs', 'recoveringSinceMs')
if not info[4] or info[5] or tonumber(ARGV[1]) < tonumber(info[1]) then return {'NOT_DUE'} end
redis.call('SET', KEYS[8], ARGV[1])
local drawn = {'DRAWN', redis.call('ZCARD', KEYS[7])}
local room = math.min(tonumber(redis.call('GET', KEYS[2]) or '0'), tonumber(info[2]) - redis.call('ZCARD', KEYS[4]))
if room > 0 then
  local keys = { stock = KEYS[2], seq = KEYS[3], queue = KEYS[4], users = KEYS[5], outbox = KEYS[6] }
  for _, userId in ipairs(redis.call('ZRANGE', KEYS[7], 0, room - 1)) do
    if not redis.call('HGET', KEYS[5], userId) then
      local ticketId, number = issueTicket(keys, ARGV[2], info[3] or '1', userId, ARGV[1], ARGV[3], ARGV[4])
      table.insert(drawn, userId)
      table.insert(drawn, ticketId)
      table.insert(drawn, number)
    end
  end
end
redis.call('UNLINK', KEYS[7])
return drawn
