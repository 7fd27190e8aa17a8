-- Ends the recovery of a sale reloaded after a Redis loss (see load-sale.lua), unless Redis was
-- lost again since and the sale reloaded at a newer epoch, which has a recovery of its own.
-- KEYS: info. ARGV: epoch. Returns 1 when this call ended it.
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
return redis.call('HDEL', KEYS[1], 'recoveringSinceMs')
