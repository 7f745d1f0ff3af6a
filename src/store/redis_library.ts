// The Redis Function library (Lua) that makes every cluster decision atomic inside Redis: leases with a
// fencing epoch, the checked log append, lobby listings that expire. Redis's TIME and PX are the only clock.

/** The library's name in `FUNCTION LIST`; the first line of the source must say the same. */
export const LIBRARY_NAME = "liaptui";

/** Bumped on every change to the source below, so a node loads it when an older one is in Redis. */
export const LIBRARY_VERSION = "1";

// Conventions inside: every function answers an array whose first element is a status word, so the caller
// switches on one string; numbers go out as Lua integers (RESP integers); arguments arrive as strings and are
// checked before any write, because an error after a write would leave that write in place.
export const LIBRARY_SOURCE = `#!lua name=${LIBRARY_NAME}

local VERSION = '${LIBRARY_VERSION}'

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function need_uint(value, what)
  if type(value) ~= 'string' or not string.match(value, '^%d+$') or string.len(value) > 15 then
    error('liaptui: ' .. what .. ' must be a whole number, got ' .. tostring(value))
  end
  return tonumber(value)
end

local function need_text(value, what)
  if type(value) ~= 'string' or value == '' then error('liaptui: ' .. what .. ' is missing') end
  return value
end

local function need_pairs(args, from, what)
  local n = #args - from + 1
  if n < 2 or n % 2 ~= 0 then error('liaptui: ' .. what .. ' needs field/value pairs') end
  local out = {}
  for i = from, #args do out[#out + 1] = args[i] end
  return out
end

-- Also the cheapest liveness probe: a node compares it with its own LIBRARY_VERSION at start.
local function version()
  return VERSION
end

-- KEYS meta. ARGV created_ms, data (JSON text).
-- Creates the room once; a second creator learns that it exists and its head, and changes nothing.
local function room_create(keys, args)
  local meta = keys[1]
  local created = need_uint(args[1], 'created')
  local data = need_text(args[2], 'data')
  if redis.call('EXISTS', meta) == 1 then
    return {'exists', tonumber(redis.call('HGET', meta, 'seq') or '0')}
  end
  redis.call('HSET', meta, 'status', 'open', 'epoch', 0, 'seq', 0, 'created', created, 'data', data,
    'token', '', 'owner', '')
  return {'created', 0}
end

-- KEYS meta, lease. ARGV token, owner, ttl_ms.
-- SET NX PX: at most one holder at a time, by Redis's clock; each grant bumps the epoch, so a holder's token
-- and epoch are never reused by a later holder. A finished room has nothing left to own.
local function lease_acquire(keys, args)
  local meta, lease = keys[1], keys[2]
  local token = need_text(args[1], 'token')
  local owner = need_text(args[2], 'owner')
  local ttl = need_uint(args[3], 'ttl_ms')
  local status = redis.call('HGET', meta, 'status')
  if not status or status == 'finished' then return {'not_found'} end
  if not redis.call('SET', lease, token, 'NX', 'PX', ttl) then
    local held = redis.call('HMGET', meta, 'owner', 'epoch')
    return {'busy', held[1] or '', tonumber(held[2] or '0'), redis.call('PTTL', lease)}
  end
  local epoch = redis.call('HINCRBY', meta, 'epoch', 1)
  redis.call('HSET', meta, 'token', token, 'owner', owner, 'leased_at', now_ms())
  return {'granted', epoch, tonumber(redis.call('HGET', meta, 'seq') or '0')}
end

-- KEYS meta, lease. ARGV token, ttl_ms. Only the current holder may extend; a lapsed lease cannot be revived.
local function lease_renew(keys, args)
  local meta, lease = keys[1], keys[2]
  local token = need_text(args[1], 'token')
  local ttl = need_uint(args[2], 'ttl_ms')
  if redis.call('GET', lease) ~= token then
    return {'fenced', tonumber(redis.call('HGET', meta, 'epoch') or '0')}
  end
  redis.call('PEXPIRE', lease, ttl)
  return {'ok', ttl}
end

-- KEYS meta, lease. ARGV token. Lets the next node take the room at once instead of after the TTL.
local function lease_release(keys, args)
  local meta, lease = keys[1], keys[2]
  local token = need_text(args[1], 'token')
  if redis.call('GET', lease) ~= token then
    return {'fenced', tonumber(redis.call('HGET', meta, 'epoch') or '0')}
  end
  redis.call('DEL', lease)
  redis.call('HSET', meta, 'owner', '', 'token', '')
  return {'ok'}
end

-- The checks every write makes, in the order of the RoomLog contract: the room exists, is not finished,
-- and the caller holds the live lease under the current epoch. Answers nil when the write may go on.
local function write_refused(meta, lease, token, epoch)
  local state = redis.call('HMGET', meta, 'epoch', 'status')
  if not state[1] then return {'not_found'} end
  if state[2] == 'finished' then return {'finished'} end
  local current = tonumber(state[1])
  if current ~= epoch or redis.call('GET', lease) ~= token then return {'fenced', current} end
  return nil
end

-- KEYS meta, lease, log, ids. ARGV token, epoch, seq, action_id, field, value, ... (the entry).
-- One atomic check of everything that makes an append safe, then XADD with the id <seq>-0: fencing, then
-- de-duplication (a retry learns the seq its first attempt got), then compare-and-set on the head.
local function log_append(keys, args)
  local meta, lease, log, ids = keys[1], keys[2], keys[3], keys[4]
  local token = need_text(args[1], 'token')
  local epoch = need_uint(args[2], 'epoch')
  local seq_text = args[3]
  local seq = need_uint(seq_text, 'seq')
  local action_id = need_text(args[4], 'action_id')
  local fields = need_pairs(args, 5, 'log_append')
  local refused = write_refused(meta, lease, token, epoch)
  if refused then return refused end
  local prior = redis.call('HGET', ids, action_id)
  if prior then return {'duplicate', tonumber(prior)} end
  local head = tonumber(redis.call('HGET', meta, 'seq') or '0')
  if seq ~= head + 1 then return {'conflict', head} end
  redis.call('XADD', log, seq_text .. '-0', unpack(fields))
  redis.call('HSET', meta, 'seq', seq)
  redis.call('HSET', ids, action_id, seq)
  return {'ok', seq}
end

-- KEYS meta, lease. ARGV token, epoch. Closes the log for good (checked like an append); answers the head.
local function room_finish(keys, args)
  local meta, lease = keys[1], keys[2]
  local token = need_text(args[1], 'token')
  local epoch = need_uint(args[2], 'epoch')
  local refused = write_refused(meta, lease, token, epoch)
  if refused then return refused end
  redis.call('HSET', meta, 'status', 'finished')
  return {'ok', tonumber(redis.call('HGET', meta, 'seq') or '0')}
end

-- KEYS h, z. ARGV game_id, order_member, json. Keeps the first version of a finished game; the zset member
-- '<finished_at, 16 digits>.<game id>' orders the history newest first by lexicographic range.
local function game_put(keys, args)
  local h, z = keys[1], keys[2]
  local game_id = need_text(args[1], 'game_id')
  local member = need_text(args[2], 'member')
  local json = need_text(args[3], 'json')
  if redis.call('HSETNX', h, game_id, json) == 0 then return {'exists'} end
  redis.call('ZADD', z, 0, member)
  return {'ok'}
end

-- Lobby listings are stored as '<epoch>|<summary>' so a put or remove from an older owner than the one
-- that wrote the listing is refused: a node that woke up late cannot bring back a stale summary.
local function listing_epoch(value)
  if not value then return nil end
  return tonumber(string.match(value, '^(%d+)|'))
end

-- Change ids are 0-1, 0-2, ... (Redis numbers '0-*' one past the last): a reader can tell from the first id
-- still in the stream whether trimming took changes it had not read yet.
local function lobby_event(ev, maxlen, kind, room, summary)
  if summary then
    return redis.call('XADD', ev, 'MAXLEN', '~', maxlen, '0-*', 'type', kind, 'room', room, 'summary', summary)
  end
  return redis.call('XADD', ev, 'MAXLEN', '~', maxlen, '0-*', 'type', kind, 'room', room)
end

-- KEYS z, h, ev. ARGV room, epoch, ttl_ms, maxlen, summary.
-- A put is also the refresh: it moves the expiry; only a changed summary becomes a change event.
local function lobby_put(keys, args)
  local z, h, ev = keys[1], keys[2], keys[3]
  local room = need_text(args[1], 'room')
  local epoch = need_uint(args[2], 'epoch')
  local ttl = need_uint(args[3], 'ttl_ms')
  local maxlen = need_uint(args[4], 'maxlen')
  local summary = need_text(args[5], 'summary')
  local prev = redis.call('HGET', h, room)
  local prev_epoch = listing_epoch(prev)
  if prev_epoch and prev_epoch > epoch then return {'stale', prev_epoch} end
  local value = epoch .. '|' .. summary
  redis.call('ZADD', z, now_ms() + ttl, room)
  if prev == value then return {'ok', ''} end
  redis.call('HSET', h, room, value)
  return {'ok', lobby_event(ev, maxlen, 'put', room, summary)}
end

-- KEYS z, h, ev. ARGV room, epoch, maxlen. The owner takes its own listing down (the room closed).
local function lobby_remove(keys, args)
  local z, h, ev = keys[1], keys[2], keys[3]
  local room = need_text(args[1], 'room')
  local epoch = need_uint(args[2], 'epoch')
  local maxlen = need_uint(args[3], 'maxlen')
  local prev = redis.call('HGET', h, room)
  if not prev then return {'absent'} end
  local prev_epoch = listing_epoch(prev)
  if prev_epoch and prev_epoch > epoch then return {'stale', prev_epoch} end
  redis.call('ZREM', z, room)
  redis.call('HDEL', h, room)
  return {'ok', lobby_event(ev, maxlen, 'remove', room, nil)}
end

-- Listings whose expiry (Redis time) has passed go, each with an 'expire' event. Any node may sweep: it
-- judges by the expiry the owner set, never by suspicion.
local function sweep(z, h, ev, maxlen, limit)
  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now_ms(), 'LIMIT', 0, limit)
  for _, room in ipairs(expired) do
    redis.call('ZREM', z, room)
    redis.call('HDEL', h, room)
    lobby_event(ev, maxlen, 'expire', room, nil)
  end
  return #expired
end

-- KEYS z, h, ev. ARGV maxlen, limit.
local function lobby_sweep(keys, args)
  local maxlen = need_uint(args[1], 'maxlen')
  local limit = need_uint(args[2], 'limit')
  return {'ok', sweep(keys[1], keys[2], keys[3], maxlen, limit)}
end

-- KEYS z, h, ev. ARGV maxlen. Sweeps, then answers every listing with the change stream's last id, in one
-- step, so a reader that continues from that id misses nothing and sees nothing twice.
local function lobby_snapshot(keys, args)
  local z, h, ev = keys[1], keys[2], keys[3]
  local maxlen = need_uint(args[1], 'maxlen')
  while sweep(z, h, ev, maxlen, 1000) == 1000 do end
  local last = redis.call('XREVRANGE', ev, '+', '-', 'COUNT', 1)
  local out = {'ok', last[1] and last[1][1] or '0-0'}
  local all = redis.call('HGETALL', h)
  for i = 1, #all do out[#out + 1] = all[i] end
  return out
end

redis.register_function{function_name = 'lt_version', callback = version, flags = {'no-writes'}}
redis.register_function('lt_room_create', room_create)
redis.register_function('lt_lease_acquire', lease_acquire)
redis.register_function('lt_lease_renew', lease_renew)
redis.register_function('lt_lease_release', lease_release)
redis.register_function('lt_log_append', log_append)
redis.register_function('lt_room_finish', room_finish)
redis.register_function('lt_game_put', game_put)
redis.register_function('lt_lobby_put', lobby_put)
redis.register_function('lt_lobby_remove', lobby_remove)
redis.register_function('lt_lobby_sweep', lobby_sweep)
redis.register_function('lt_lobby_snapshot', lobby_snapshot)
`;
