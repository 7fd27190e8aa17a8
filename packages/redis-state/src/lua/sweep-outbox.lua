-- One pass over a sale's outbox: the admitted tickets whose Kafka message was not acknowledged
-- yet, scored by when they are due for a (re)send. Each due ticket is either
--  * gone from the outbox: claimed by a worker (its message got through) or already final;
--  * reaped: queued past the enqueue deadline and unclaimed, so it ends FAILED
--    QUEUE_UNAVAILABLE, its token goes back and its user may buy again;
--  * handed out to re-produce, and due again after retryMs, so no other gateway takes it meanwhile.
-- KEYS: outbox, queue, stock, users, info, drawn
-- ARGV: nowMs, retryMs, enqueueDeadlineMs, ttlSeconds, limit, ticketKeyPrefix
-- Returns {relay: [ticketId, userId, ticketNumber, admittedAt]..., reaped: [ticketId, userId, ticketNumber]..., idle, drawDue}
-- where idle = 1 when the sale has ended and its outbox is empty, drawDue = 1 when its
-- pre-queue's draw is due (started, not drawn yet, not recovering from a Redis loss).
local now = tonumber(ARGV[1])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[5]))
local relay, reaped = {}, {}
for _, ticketId in ipairs(due) do
  local key = ARGV[6] .. ticketId
  local ticket = redis.call('HMGET', key, 'userId', 'ticketNumber', 'status', 'claimed', 'admittedAt')
  if ticket[3] ~= 'QUEUED' or ticket[4] == '1' then
    redis.call('ZREM', KEYS[1], ticketId)
  elseif now - tonumber(ticket[5] or '0') >= tonumber(ARGV[3]) then
    redis.call('HSET', key, 'status', 'FAILED', 'reason', 'QUEUE_UNAVAILABLE', 'updatedAt', now)
    redis.call('EXPIRE', key, ARGV[4])
    redis.call('ZREM', KEYS[1], ticketId)
    redis.call('ZREM', KEYS[2], ticketId)
    redis.call('INCR', KEYS[3])
    if redis.call('HGET', KEYS[4], ticket[1]) == ticketId then redis.call('HDEL', KEYS[4], ticket[1]) end
    table.insert(reaped, ticketId)
    table.insert(reaped, ticket[1])
    table.insert(reaped, ticket[2])
  else
    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ticketId)
    table.insert(relay, ticketId)
    table.insert(relay, ticket[1])
    table.insert(relay, ticket[2])
    table.insert(relay, ticket[5])
  end
end
local idle = 0
if #due == 0 and redis.call('ZCARD', KEYS[1]) == 0 and now >= tonumber(redis.call('HGET', KEYS[5], 'endsAtMs') or '0') then idle = 1 end
local drawDue = 0
local lottery = redis.call('HMGET', KEYS[5], 'startsAtMs', 'prequeueOpensAtMs', 'recoveringSinceMs')
if lottery[2] and not lottery[3] and now >= tonumber(lottery[1]) and redis.call('EXISTS', KEYS[6]) == 0 then drawDue = 1 end
return {relay, reaped, idle, drawDue}
