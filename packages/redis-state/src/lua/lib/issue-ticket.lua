-- Issues the sale's next numbered ticket to a user: a stock token, the ticket hash, its place in
-- the queue, the user's hold and the outbox entry (until Kafka acknowledges its message).
-- k: { stock, seq, queue, users, outbox } key names. Returns the ticket id and its number.
local function issueTicket(k, saleId, epoch, userId, nowMs, ticketPrefix, relayAfterMs)
  redis.call('DECR', k.stock)
  local number = redis.call('INCR', k.seq)
  local ticketId = saleId .. '.' .. epoch .. '.' .. number
  redis.call('HSET', ticketPrefix .. ticketId, 'ticketId', ticketId, 'saleId', saleId, 'userId', userId,
    'ticketNumber', number, 'status', 'QUEUED', 'admittedAt', nowMs, 'updatedAt', nowMs)
  redis.call('ZADD', k.queue, number, ticketId)
  redis.call('HSET', k.users, userId, ticketId)
  redis.call('ZADD', k.outbox, tonumber(nowMs) + tonumber(relayAfterMs), ticketId)
  return ticketId, number
end
