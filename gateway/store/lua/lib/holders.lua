-- Which wards hold a number, and which of them an operator's scope reaches. A ward's keys are
-- `prefix .. ward .. '}:...'` (keys::ward_prefix).
local function holders(wards_key, prefix, phone, bucket)
  local found = {}
  for _, w in ipairs(redis.call('SMEMBERS', wards_key)) do
    if redis.call('HEXISTS', prefix .. w .. '}:sub:' .. bucket, phone) == 1 then found[#found + 1] = w end
  end
  return found
end
-- Of `held`, the wards of `scope`: '*' for every ward, else ward names separated by ';'.
local function in_scope(held, scope)
  if scope == '*' then return held end
  local mine, out = {}, {}
  for w in string.gmatch(scope, '[^;]+') do mine[w] = true end
  for _, w in ipairs(held) do if mine[w] then out[#out + 1] = w end end
  return out
end
