-- Fails at run time: not a NOSCRIPT error, so it is not sent again.
redis.call('INCR', KEYS[1])
return redis.error_reply('ERR refused on purpose')
