-- Returns stock tokens once per expired order: the per-order marker makes a retried sweep (say,
-- after a failed PostgreSQL commit) a no-op for the orders whose tokens already went back.
-- No token key means Redis lost the sale: its next load counts PostgreSQL's stock, which already
-- includes what this sweep returns, so creating the key here would be wrong.
-- KEYS: stock, then one marker per order. ARGV: markerTtlSeconds. Returns how many went back.
local returned = 0
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then returned = returned + 1 end
end
if returned > 0 and redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCRBY', KEYS[1], returned) end
return returned
