-- Marks queued tickets of ONE sale as taken by a worker, so a cancel or the outbox reaper can no
-- longer win the race against their orders being written. Their message reached Kafka: they
-- leave the outbox whatever their state.
-- KEYS: outbox, then one ticket hash per ticket. ARGV: the ticket ids, in the same order.
-- Returns, per ticket, 'CLAIMED', 'MISSING' (Redis lost it) or its final status.
local outcomes = {}
for i = 2, #KEYS do
  local status = redis.call('HGET', KEYS[i], 'status')
  if not status then
    outcomes[i - 1] = 'MISSING'
  elseif status == 'QUEUED' then
    redis.call('HSET', KEYS[i], 'claimed', '1')
    outcomes[i - 1] = 'CLAIMED'
  else
    outcomes[i - 1] = status
  end
  redis.call('ZREM', KEYS[1], ARGV[i - 1])
end
return outcomes
