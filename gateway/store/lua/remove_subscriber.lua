-- Takes groups off one subscriber record, or the whole record (lib/subscribers.lua remove_record).
-- KEYS: 1 bucket, 2 groups counter, 3 meta. ARGV: 1 phone, 2 groups (';'; every group when ''). Returns 1
-- when it changed something.
--! include lib/subscribers.lua
return remove_record(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
