-- Cancels the owner's ticket while it is queued and no worker claimed it, atomically with giving
-- its token back, releasing the user's hold and dropping it from the outbox.
-- KEYS: ticket, queue, stock, users, outbox
-- ARGV: userId, ticketId, nowMs, ttlSeconds
-- Returns {'OK', ticketNumber}, {'NOT_FOUND'}, {'CLAIMED'} or {finalStatus}.
local ticket = redis.call('HMGET', KEYS[1], 'userId', 'status', 'claimed', 'ticketNumber')
if not ticket[1] or ticket[1] ~= ARGV[1] then return {'NOT_FOUND'} end
if ticket[2] ~= 'QUEUED' then return {ticket[2]} end
if ticket[3] == '1' then return {'CLAIMED'} end
redis.call('HSET', KEYS[1], 'status', 'CANCELLED', 'updatedAt', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[5], ARGV[2])
redis.call('INCR', KEYS[3])
if redis.call('HGET', KEYS[4], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[4], ARGV[1]) end
return {'OK', tonumber(ticket[4])}
