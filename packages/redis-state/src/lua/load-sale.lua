-- Loads a sale into Redis unless it is there already (a concurrent load lost the race: no-op).
-- The info hash is written last: it is the marker the admission script checks, so a half-loaded
-- sale is never admitted against. The epoch is the one PostgreSQL handed out for this load.
-- KEYS: info, stock, seq
-- ARGV: stock, ticketNumberFloor, id, name, initialStock, queueCapacity, startsAtMs, endsAtMs, epoch
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
if tonumber(redis.call('GET', KEYS[3]) or '0') < tonumber(ARGV[2]) then redis.call('SET', KEYS[3], ARGV[2]) end
redis.call('HSET', KEYS[1], 'id', ARGV[3], 'name', ARGV[4], 'initialStock', ARGV[5], 'queueCapacity', ARGV[6],
  'startsAtMs', ARGV[7], 'endsAtMs', ARGV[8], 'epoch', ARGV[9])
return 1
