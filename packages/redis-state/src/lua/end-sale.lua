-- Ends a sale now (Redis's clock): admission refuses new shoppers from here on (SALE_NOT_ACTIVE),
-- holders still get their ticket back, and the queued tickets are left to the order workers,
-- which decide them as usual (each holds a stock token already). A sale that had not started
-- ends before it starts. A sale already over keeps its end.
-- KEYS: info, queue
-- Returns {'ENDED', endsAtMs, queued} or {'NOT_LOADED'}.
local window = redis.call('HMGET', KEYS[1], 'startsAtMs', 'endsAtMs')
if not window[1] then return {'NOT_LOADED'} end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local endsAt = tonumber(window[2])
if now < endsAt then
  endsAt = now
  redis.call('HSET', KEYS[1], 'endsAtMs', endsAt)
  if now < tonumber(window[1]) then redis.call('HSET', KEYS[1], 'startsAtMs', endsAt) end
end
return {'ENDED', endsAt, redis.call('ZCARD', KEYS[2])}
