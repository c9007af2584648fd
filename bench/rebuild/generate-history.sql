-- Synthetic event history for the projection-rebuild benchmark (bench/rebuild/rebuild-1m.sh), written straight into
-- domain_event_entry in the format of Axon's JdbcEventStorageEngine as configured in AxonConfiguration: payload and
-- meta_data as UTF-8 JSON in bytea (the records' fields in camelCase, instants ISO-8601 with nanoseconds), payload_type
-- the class name (nested records with '$'), payload_revision '1', time_stamp an ISO-8601 UTC string with
-- milliseconds, type 'tenant' / 'user' / 'api_key' / 'session' for aggregate events. Usage records are not
-- aggregate events: Axon stores them with aggregate_identifier = event_identifier, sequence_number 0, type NULL.
-- Metadata: command events carry the keys of MessageMetadataConfiguration plus Axon's traceId/correlationId;
-- usage records the keys MeteringFilter sets (tenant_id, actor_type, actor_id, api_key_id, request_id, ip).
--
-- Deterministic for a given seed (ids are UUID-shaped md5 digests; a batched call's usage and request ids are
-- time-ordered, version 7, as the service draws them since it batches calls). Run with psql -v ON_ERROR_STOP=1 and:
--   n_events     total rows wanted in domain_event_entry, the rows already there included
--   existing     rows already in domain_event_entry (the probe's); they are renumbered to follow the history
--   tenants      number of tenants
--   t_end        timestamptz: the history ends here (the probe's first event follows it)
--   span_days    length of the history
--   gap_every    leave one global_index value unused after every gap_every events (0: none), as rolled-back
--                appends do
--   seed         setseed() argument, -1 .. 1
--   usage_form   batch (UsageRecordedBatchEvent, what this version writes) or call (UsageRecordedEvent, earlier versions)
--
-- The mix (per tenant): TenantRegisteredEvent + the owner's UserRegisteredEvent; the top 25 % of tenants by usage
-- upgraded (TenantPlanChangedEvent, system actor: 1 % enterprise, 9 % professional, 15 % starter) and adding team
-- members (UserAddedEvent + UserRegisteredEvent, some UserRoleChangedEvent); 10 % renamed; 1-3 API keys
-- (ApiKeyIssuedEvent; later keys sometimes rotated: ApiKeyRotatedEvent + ApiKeyIssuedEvent, or revoked); login
-- sessions (SessionStartedEvent, 0-2 RefreshTokenRotatedEvent, 35 % SessionRevokedEvent "logout"); the rest,
-- about 95 %, usage (see usage_form), skewed across tenants (tenant i gets a share ~ i^-0.6), 60 % with an API key.

\set ON_ERROR_STOP on
SET work_mem = '256MB';
SET maintenance_work_mem = '256MB';
SELECT setseed(:seed);

CREATE FUNCTION pg_temp.uid(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT overlay(overlay(md5(t) PLACING '4' FROM 13) PLACING '8' FROM 17)::uuid::text $$;
-- a version 7 UUID (Ids.timeOrderedId): the instant's milliseconds first, the rest from the digest
CREATE FUNCTION pg_temp.uid7(at timestamptz, t text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT overlay(overlay(lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || substr(md5(t), 13)
                          PLACING '7' FROM 13) PLACING '8' FROM 17)::uuid::text $$;
-- an Instant as Jackson writes it (nanoseconds; the last group never 000, so always 9 digits)
CREATE FUNCTION pg_temp.inst(t timestamptz) RETURNS text LANGUAGE sql AS
$$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || lpad((1 + floor(random() * 999))::int::text, 3, '0') || 'Z' $$;
-- meta_data of an event caused by a command sent inside an HTTP request (actor_id only for user actors)
CREATE FUNCTION pg_temp.cmeta(tenant text, actor_type text, actor_id text, ip text, rid text, ua text, trace text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT '{"tenant_id":"' || tenant || '","traceId":"' || trace || '","actor_type":"' || actor_type || '","ip":"' || ip
    || '","correlationId":"' || trace || '"' || COALESCE(',"actor_id":"' || actor_id || '"', '')
    || ',"request_id":"' || rid || '","user_agent":"' || ua || '"}' $$;
-- the refresh endpoint's command names no tenant: Axon's HashMap puts traceId first there; nor a user, so no address
-- or user agent either (they are sealed under the user's key; ip and ua unused)
CREATE FUNCTION pg_temp.rmeta(tenant text, ip text, rid text, ua text, trace text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT '{"traceId":"' || trace || '","tenant_id":"' || tenant || '","correlationId":"' || trace
    || '","actor_type":"anonymous","request_id":"' || rid || '"}' $$;
CREATE FUNCTION pg_temp.smeta(tenant text, trace text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT '{"tenant_id":"' || tenant || '","traceId":"' || trace || '","actor_type":"system","correlationId":"' || trace
    || '"}' $$;
CREATE FUNCTION pg_temp.q(v text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN v IS NULL THEN 'null' ELSE '"' || v || '"' END $$;
CREATE FUNCTION pg_temp.ms(t timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS
$$ SELECT date_trunc('milliseconds', t) $$;

-- ------------------------------------------------------------------ tenants
CREATE TEMP TABLE bt AS
SELECT s.*, CASE WHEN plan <> 'free'
                 THEN pg_temp.ms(t0 + interval '1 hour' + random() * least(interval '14 days', 0.2 * (:'t_end'::timestamptz - t0))) END AS t_up
FROM (
    SELECT i, pg_temp.uid(:seed || '-tenant-' || i) AS tenant_id, pg_temp.uid(:seed || '-owner-' || i) AS owner_id,
           'Company ' || i AS name, 'company-' || i AS slug, 'owner@company-' || i || '.example.com' AS email,
           CASE WHEN i <= ceil(:tenants * 0.01) THEN 'enterprise' WHEN i <= ceil(:tenants * 0.10) THEN 'professional'
                WHEN i <= ceil(:tenants * 0.25) THEN 'starter' ELSE 'free' END AS plan,
           pg_temp.ms(:'t_end'::timestamptz - :span_days * interval '1 day'
                      + random() * 0.7 * :span_days * interval '1 day') AS t0,
           '203.0.113.' || (1 + (i * 7) % 250) AS ip,
           '198.51.100.' || (1 + (i * 13) % 250) AS key_ip,
           (ARRAY['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
                  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
                  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
                  'catalytic-cli/1.2.0'])[1 + floor(random() * 4)::int] AS ua,
           '$argon2id$v=19$m=16384,t=2,p=1$' || rtrim(encode(decode(md5(:seed || 'salt' || i), 'hex'), 'base64'), '=')
               || '$' || rtrim(encode(sha256((:seed || 'pw' || i)::bytea), 'base64'), '=') AS pw_hash
    FROM generate_series(1, :tenants) i
) s;
CREATE UNIQUE INDEX ON bt (i);

-- team members of upgraded tenants (within the plan's seats: starter 3, professional 10, enterprise unlimited)
CREATE TEMP TABLE bu AS
SELECT t.i, j, t.tenant_id, t.owner_id, t.ip, t.ua, pg_temp.uid(:seed || '-user-' || t.i || '-' || j) AS user_id,
       'user' || j || '@company-' || t.i || '.example.com' AS email,
       (ARRAY['MEMBER', 'MEMBER', 'MEMBER', 'ADMIN', 'VIEWER'])[1 + floor(random() * 5)::int] AS role,
       pg_temp.ms(t.t_up + interval '10 minutes' + random() * 0.5 * (:'t_end'::timestamptz - t.t_up)) AS t_add,
       random() < 0.2 AS role_changes,
       '$argon2id$v=19$m=16384,t=2,p=1$' || rtrim(encode(decode(md5(:seed || 'usalt' || t.i || '-' || j), 'hex'), 'base64'), '=')
           || '$' || rtrim(encode(sha256((:seed || 'upw' || t.i || '-' || j)::bytea), 'base64'), '=') AS pw_hash
FROM bt t, LATERAL generate_series(1, CASE t.plan WHEN 'starter' THEN 1 + floor(random() * 2)
                                                  WHEN 'professional' THEN 1 + floor(random() * 6)
                                                  WHEN 'enterprise' THEN 3 + floor(random() * 10) ELSE 0 END::int) j;

-- API keys: key 1 right after sign-up (the one integrations use), later ones sometimes rotated or revoked
CREATE TEMP TABLE bk AS
SELECT s.*, CASE WHEN rotated THEN pg_temp.ms(issued + random() * interval '3 days') END AS t_rot,
       CASE WHEN revoked THEN pg_temp.ms(issued + random() * interval '5 days') END AS t_rev
FROM (
    SELECT t.i, k, t.tenant_id, t.owner_id, t.ip, t.ua, pg_temp.uid(:seed || '-key-' || t.i || '-' || k) AS key_id,
           pg_temp.uid(:seed || '-key-' || t.i || '-' || k || '-r') AS new_key_id,
           CASE k WHEN 1 THEN 'production' WHEN 2 THEN 'staging' ELSE 'ci' END AS name,
           CASE k WHEN 1 THEN '["usage:read","users:read"]' ELSE '["users:read"]' END AS scopes,
           CASE WHEN k = 1 THEN t.t0 + interval '2 minutes'
                ELSE pg_temp.ms(t.t0 + random() * (:'t_end'::timestamptz - interval '7 days' - t.t0)) END AS issued,
           k > 1 AND random() < 0.25 AS rotated, false AS revoked
    FROM bt t, LATERAL generate_series(1, 1 + floor(random() * 3)::int) k
) s;
UPDATE bk SET revoked = true, t_rev = pg_temp.ms(issued + random() * interval '5 days')
WHERE k > 1 AND NOT rotated AND random() < 0.2;

-- login sessions: owners 2-7, each team member 2
CREATE TEMP TABLE bs AS
SELECT s.*, pg_temp.uid(:seed || '-session-' || s.sk) AS session_id, floor(random() * 3)::int AS refreshes,
       random() < 0.35 AS revoked
FROM (
    SELECT t.i || '-o-' || n AS sk, t.i, t.tenant_id, t.owner_id AS user_id, t.ip, t.ua,
           pg_temp.ms(t.t0 + interval '1 minute' + random() * (:'t_end'::timestamptz - interval '3 days' - t.t0)) AS started
    FROM bt t, LATERAL generate_series(1, 2 + floor(random() * 6)::int) n
    UNION ALL
    SELECT u.i || '-u' || u.j || '-' || n, u.i, u.tenant_id, u.user_id, u.ip, u.ua,
           pg_temp.ms(u.t_add + interval '1 minute' + random() * (:'t_end'::timestamptz - interval '3 days' - u.t_add))
    FROM bu u, generate_series(1, 2) n
) s;

-- ------------------------------------------------------------------ events (staging)
CREATE UNLOGGED TABLE bench_ev (
    ts      timestamptz NOT NULL,   -- millisecond precision: the event's time_stamp
    ord     smallint    NOT NULL,   -- order of the events of one command within the same millisecond
    eid     text        NOT NULL,
    agg     text,                   -- NULL: not an aggregate event
    atype   text,
    ptype   text        NOT NULL,
    payload text        NOT NULL,
    meta    text        NOT NULL
);

-- sign-up: TenantRegisteredEvent, then the owner's UserRegisteredEvent (one command, one request)
INSERT INTO bench_ev
SELECT t.t0, 0, pg_temp.uid(:seed || '-ev-treg-' || t.i), t.tenant_id, 'tenant', 'com.catalytic.api.tenant.TenantRegisteredEvent',
       '{"tenantId":"' || t.tenant_id || '","name":"' || t.name || '","slug":"' || t.slug || '","plan":"free","ownerUserId":"'
           || t.owner_id || '","ownerEmail":"' || t.email || '"}',
       pg_temp.cmeta(t.tenant_id, 'anonymous', NULL, t.ip, pg_temp.uid(:seed || '-rq-reg-' || t.i), t.ua, pg_temp.uid(:seed || '-cm-reg-' || t.i))
FROM bt t
UNION ALL
SELECT t.t0 + interval '5 milliseconds', 1, pg_temp.uid(:seed || '-ev-ureg-' || t.i), t.owner_id, 'user', 'com.catalytic.api.user.UserRegisteredEvent',
       '{"userId":"' || t.owner_id || '","tenantId":"' || t.tenant_id || '","email":"' || t.email || '","passwordHash":"'
           || t.pw_hash || '","role":"OWNER"}',
       pg_temp.cmeta(t.tenant_id, 'anonymous', NULL, t.ip, pg_temp.uid(:seed || '-rq-reg-' || t.i), t.ua, pg_temp.uid(:seed || '-cm-reg-' || t.i))
FROM bt t;

-- upgrades (billing: the system actor)
INSERT INTO bench_ev
SELECT t.t_up, 0, pg_temp.uid(:seed || '-ev-plan-' || t.i), t.tenant_id, 'tenant', 'com.catalytic.api.tenant.TenantEvents$TenantPlanChangedEvent',
       '{"tenantId":"' || t.tenant_id || '","previousPlan":"free","plan":"' || t.plan || '"}',
       pg_temp.smeta(t.tenant_id, pg_temp.uid(:seed || '-cm-plan-' || t.i))
FROM bt t WHERE t.t_up IS NOT NULL;

-- renames
INSERT INTO bench_ev
SELECT pg_temp.ms(t.t0 + interval '1 hour' + random() * (:'t_end'::timestamptz - interval '1 day' - t.t0)), 0,
       pg_temp.uid(:seed || '-ev-ren-' || t.i), t.tenant_id, 'tenant', 'com.catalytic.api.tenant.TenantEvents$TenantRenamedEvent',
       '{"tenantId":"' || t.tenant_id || '","name":"' || t.name || ' Ltd"}',
       pg_temp.cmeta(t.tenant_id, 'user', t.owner_id, t.ip, pg_temp.uid(:seed || '-rq-ren-' || t.i), t.ua, pg_temp.uid(:seed || '-cm-ren-' || t.i))
FROM bt t WHERE random() < 0.1;

-- team members: UserAddedEvent on the tenant, then the member's UserRegisteredEvent (one command)
INSERT INTO bench_ev
SELECT u.t_add, 0, pg_temp.uid(:seed || '-ev-uadd-' || u.i || '-' || u.j), u.tenant_id, 'tenant', 'com.catalytic.api.tenant.TenantEvents$UserAddedEvent',
       '{"tenantId":"' || u.tenant_id || '","userId":"' || u.user_id || '","email":"' || u.email || '","role":"' || u.role
           || '","invited":false,"addedBy":"' || u.owner_id || '"}',
       pg_temp.cmeta(u.tenant_id, 'user', u.owner_id, u.ip, pg_temp.uid(:seed || '-rq-uadd-' || u.i || '-' || u.j), u.ua, pg_temp.uid(:seed || '-cm-uadd-' || u.i || '-' || u.j))
FROM bu u
UNION ALL
SELECT u.t_add + interval '3 milliseconds', 1, pg_temp.uid(:seed || '-ev-ureg-' || u.i || '-' || u.j), u.user_id, 'user', 'com.catalytic.api.user.UserRegisteredEvent',
       '{"userId":"' || u.user_id || '","tenantId":"' || u.tenant_id || '","email":"' || u.email || '","passwordHash":"'
           || u.pw_hash || '","role":"' || u.role || '"}',
       pg_temp.cmeta(u.tenant_id, 'user', u.owner_id, u.ip, pg_temp.uid(:seed || '-rq-uadd-' || u.i || '-' || u.j), u.ua, pg_temp.uid(:seed || '-cm-uadd-' || u.i || '-' || u.j))
FROM bu u
UNION ALL
SELECT pg_temp.ms(u.t_add + interval '1 second' + random() * 0.9 * (:'t_end'::timestamptz - u.t_add)), 0, pg_temp.uid(:seed || '-ev-role-' || u.i || '-' || u.j),
       u.tenant_id, 'tenant', 'com.catalytic.api.tenant.TenantEvents$UserRoleChangedEvent',
       '{"tenantId":"' || u.tenant_id || '","userId":"' || u.user_id || '","previousRole":"' || u.role || '","role":"'
           || CASE u.role WHEN 'MEMBER' THEN 'ADMIN' ELSE 'MEMBER' END || '"}',
       pg_temp.cmeta(u.tenant_id, 'user', u.owner_id, u.ip, pg_temp.uid(:seed || '-rq-role-' || u.i || '-' || u.j), u.ua, pg_temp.uid(:seed || '-cm-role-' || u.i || '-' || u.j))
FROM bu u WHERE u.role_changes;

-- API keys
INSERT INTO bench_ev
SELECT k.issued, 0, pg_temp.uid(:seed || '-ev-kiss-' || k.i || '-' || k.k), k.key_id, 'api_key', 'com.catalytic.api.apikey.ApiKeyMessages$ApiKeyIssuedEvent',
       '{"keyId":"' || k.key_id || '","tenantId":"' || k.tenant_id || '","name":"' || k.name || '","scopes":' || k.scopes
           || ',"expiresAt":null,"keyHash":"' || encode(sha256((:seed || 'key' || k.key_id)::bytea), 'hex')
           || '","displayPrefix":"clc_live_' || translate(substr(md5(k.key_id), 1, 4), '01', 'Zk')
           || '","createdBy":"' || k.owner_id || '","rotatedFrom":null,"rateLimitPerMinute":null}',
       pg_temp.cmeta(k.tenant_id, 'user', k.owner_id, k.ip, pg_temp.uid(:seed || '-rq-kiss-' || k.i || '-' || k.k), k.ua, pg_temp.uid(:seed || '-cm-kiss-' || k.i || '-' || k.k))
FROM bk k
UNION ALL   -- rotation: ApiKeyRotatedEvent on the old key, ApiKeyIssuedEvent of its successor (one command)
SELECT k.t_rot, 0, pg_temp.uid(:seed || '-ev-krot-' || k.i || '-' || k.k), k.key_id, 'api_key', 'com.catalytic.api.apikey.ApiKeyMessages$ApiKeyRotatedEvent',
       '{"keyId":"' || k.key_id || '","tenantId":"' || k.tenant_id || '","replacedBy":"' || k.new_key_id || '","validUntil":"'
           || pg_temp.inst(k.t_rot + interval '1 hour') || '","rotatedBy":"' || k.owner_id || '"}',
       pg_temp.cmeta(k.tenant_id, 'user', k.owner_id, k.ip, pg_temp.uid(:seed || '-rq-krot-' || k.i || '-' || k.k), k.ua, pg_temp.uid(:seed || '-cm-krot-' || k.i || '-' || k.k))
FROM bk k WHERE k.rotated
UNION ALL
SELECT k.t_rot + interval '3 milliseconds', 1, pg_temp.uid(:seed || '-ev-krotnew-' || k.i || '-' || k.k), k.new_key_id, 'api_key',
       'com.catalytic.api.apikey.ApiKeyMessages$ApiKeyIssuedEvent',
       '{"keyId":"' || k.new_key_id || '","tenantId":"' || k.tenant_id || '","name":"' || k.name || '","scopes":' || k.scopes
           || ',"expiresAt":null,"keyHash":"' || encode(sha256((:seed || 'key' || k.new_key_id)::bytea), 'hex')
           || '","displayPrefix":"clc_live_' || translate(substr(md5(k.new_key_id), 1, 4), '01', 'Zk')
           || '","createdBy":"' || k.owner_id || '","rotatedFrom":"' || k.key_id || '","rateLimitPerMinute":null}',
       pg_temp.cmeta(k.tenant_id, 'user', k.owner_id, k.ip, pg_temp.uid(:seed || '-rq-krot-' || k.i || '-' || k.k), k.ua, pg_temp.uid(:seed || '-cm-krot-' || k.i || '-' || k.k))
FROM bk k WHERE k.rotated
UNION ALL
SELECT k.t_rev, 0, pg_temp.uid(:seed || '-ev-krev-' || k.i || '-' || k.k), k.key_id, 'api_key', 'com.catalytic.api.apikey.ApiKeyMessages$ApiKeyRevokedEvent',
       '{"keyId":"' || k.key_id || '","tenantId":"' || k.tenant_id || '","revokedBy":"' || k.owner_id || '"}',
       pg_temp.cmeta(k.tenant_id, 'user', k.owner_id, k.ip, pg_temp.uid(:seed || '-rq-krev-' || k.i || '-' || k.k), k.ua, pg_temp.uid(:seed || '-cm-krev-' || k.i || '-' || k.k))
FROM bk k WHERE k.revoked;

-- sessions: login (anonymous), refreshes about every quarter of an hour (anonymous), logout (the user)
INSERT INTO bench_ev
SELECT s.started, 0, pg_temp.uid(:seed || '-ev-sst-' || s.sk), s.session_id, 'session', 'com.catalytic.api.auth.SessionStartedEvent',
       '{"sessionId":"' || s.session_id || '","tenantId":"' || s.tenant_id || '","userId":"' || s.user_id
           || '","refreshTokenHash":"' || encode(sha256((:seed || 'rt' || s.sk)::bytea), 'hex') || '","expiresAt":"'
           || pg_temp.inst(s.started + interval '30 days') || '","sessionEpoch":0}',
       pg_temp.cmeta(s.tenant_id, 'anonymous', NULL, s.ip, pg_temp.uid(:seed || '-rq-sst-' || s.sk), s.ua, pg_temp.uid(:seed || '-cm-sst-' || s.sk))
FROM bs s
UNION ALL
SELECT pg_temp.ms(s.started + r * interval '14 minutes' + random() * interval '1 minute'), r,
       pg_temp.uid(:seed || '-ev-srot-' || s.sk || '-' || r), s.session_id, 'session', 'com.catalytic.api.auth.RefreshTokenRotatedEvent',
       '{"sessionId":"' || s.session_id || '","tenantId":"' || s.tenant_id || '","userId":"' || s.user_id
           || '","newTokenHash":"' || encode(sha256((:seed || 'rt' || s.sk || '-' || r)::bytea), 'hex') || '","expiresAt":"'
           || pg_temp.inst(s.started + r * interval '14 minutes' + interval '30 days') || '"}',
       pg_temp.rmeta(s.tenant_id, s.ip, pg_temp.uid(:seed || '-rq-srot-' || s.sk || '-' || r), s.ua, pg_temp.uid(:seed || '-cm-srot-' || s.sk || '-' || r))
FROM bs s, LATERAL generate_series(1, s.refreshes) r
UNION ALL
SELECT pg_temp.ms(s.started + interval '50 minutes' + random() * interval '2 days'), 9, pg_temp.uid(:seed || '-ev-srev-' || s.sk),
       s.session_id, 'session', 'com.catalytic.api.auth.SessionRevokedEvent',
       '{"sessionId":"' || s.session_id || '","tenantId":"' || s.tenant_id || '","userId":"' || s.user_id || '","reason":"logout"}',
       pg_temp.cmeta(s.tenant_id, 'user', s.user_id, s.ip, pg_temp.uid(:seed || '-rq-srev-' || s.sk), s.ua, pg_temp.uid(:seed || '-cm-srev-' || s.sk))
FROM bs s WHERE s.revoked;

-- ------------------------------------------------------------------ usage records: every remaining row
SELECT :n_events - :existing - count(*) AS n_usage, :n_events - :existing - count(*) < 0 AS too_small FROM bench_ev \gset
\if :too_small
\echo 'ERROR: n_events is too small for this many tenants (fewer tenants, or more events)'
SELECT 1 / 0;
\endif

CREATE TEMP TABLE bkey1 AS SELECT i, key_id FROM bk WHERE k = 1;
CREATE UNIQUE INDEX ON bkey1 (i);

-- usage_form 'batch' (what this version writes): one UsageRecordedBatchEvent per call, as the usage journal ships a
-- tenant's calls of one 50 ms window together, and in this history even the busiest tenant makes only a few hundred
-- calls a day, so two calls of one tenant hardly ever share a window; 'call': one UsageRecordedEvent per call, as versions before the
-- journal wrote them (still projected).
INSERT INTO bench_ev
SELECT pg_temp.ms(call_at + (duration + 1 + floor(random() * 4)) * interval '1 millisecond'
                  + CASE WHEN :'usage_form' = 'batch' THEN (5 + floor(random() * 50)) * interval '1 millisecond' ELSE interval '0' END),
       0, pg_temp.uid(:seed || '-ev-use-' || n), NULL, NULL,
       CASE WHEN :'usage_form' = 'batch' THEN 'com.catalytic.api.usage.UsageEvents$UsageRecordedBatchEvent'
            ELSE 'com.catalytic.api.usage.UsageEvents$UsageRecordedEvent' END,
       CASE WHEN :'usage_form' = 'batch'
            THEN '{"tenantId":"' || tenant_id || '","records":[{"usageId":"' || pg_temp.uid7(call_at, :seed || '-usage-' || n)
                 || '","userId":"' || owner_id || '","apiKeyId":' || pg_temp.q(api_key_id) || ',"endpoint":"' || endpoint
                 || '","method":"GET","status":' || status || ',"durationMs":' || duration || ',"bytes":'
                 || CASE WHEN status >= 400 THEN 180 + floor(random() * 60)::int ELSE bytes END
                 || ',"units":0,"occurredAt":"' || pg_temp.inst(call_at) || '","requestId":"'
                 || pg_temp.uid7(call_at, :seed || '-rq-use-' || n) || '","ip":"' || CASE WHEN api_key_id IS NULL THEN ip ELSE key_ip END
                 || '"}]}'
            ELSE '{"usageId":"' || pg_temp.uid(:seed || '-usage-' || n) || '","tenantId":"' || tenant_id || '","userId":"' || owner_id
                 || '","apiKeyId":' || pg_temp.q(api_key_id) || ',"endpoint":"' || endpoint || '","method":"GET","status":' || status
                 || ',"durationMs":' || duration || ',"bytes":' || CASE WHEN status >= 400 THEN 180 + floor(random() * 60)::int ELSE bytes END
                 || ',"units":0,"occurredAt":"' || pg_temp.inst(call_at) || '"}' END,
       CASE WHEN :'usage_form' = 'batch' THEN '{"tenant_id":"' || tenant_id || '","actor_type":"system"}'
            WHEN api_key_id IS NULL
            THEN '{"tenant_id":"' || tenant_id || '","actor_id":"' || owner_id || '","actor_type":"user","request_id":"'
                 || pg_temp.uid(:seed || '-rq-use-' || n) || '","ip":"' || ip || '"}'
            ELSE '{"tenant_id":"' || tenant_id || '","actor_type":"api_key","ip":"' || key_ip || '","actor_id":"' || owner_id
                 || '","request_id":"' || pg_temp.uid(:seed || '-rq-use-' || n) || '","api_key_id":"' || api_key_id || '"}' END
FROM (
    SELECT u.n, t.tenant_id, t.owner_id, t.ip, t.key_ip, CASE WHEN u.by_key THEN k.key_id END AS api_key_id,
           t.t0 + interval '10 minutes' + u.r_time * (:'t_end'::timestamptz - interval '1 minute' - t.t0 - interval '10 minutes') AS call_at,
           CASE WHEN u.r_ep < 0.30 THEN '/api/me' WHEN u.r_ep < 0.42 THEN '/api/usage' WHEN u.r_ep < 0.52 THEN '/api/usage/logs'
                WHEN u.r_ep < 0.62 THEN '/api/users' WHEN u.r_ep < 0.68 THEN '/api/users/{id}' WHEN u.r_ep < 0.74 THEN '/api/api-keys'
                WHEN u.r_ep < 0.82 THEN '/api/tenant' WHEN u.r_ep < 0.88 THEN '/api/audit-logs'
                WHEN u.r_ep < 0.93 THEN '/api/history/{aggregateType}/{id}' WHEN u.r_ep < 0.96 THEN '/api/history/{aggregateType}/{id}/state'
                WHEN u.r_ep < 0.98 THEN '/api/audit-logs/checkpoint' ELSE '/api/audit-logs/export' END AS endpoint,
           CASE WHEN u.r_ep < 0.30 THEN 326 + floor(random() * 40)::int WHEN u.r_ep < 0.42 THEN 420 + floor(random() * 200)::int
                WHEN u.r_ep < 0.52 THEN 1500 + floor(random() * 12000)::int WHEN u.r_ep < 0.62 THEN 300 + floor(random() * 3000)::int
                WHEN u.r_ep < 0.98 THEN 250 + floor(random() * 2500)::int ELSE 5000 + floor(random() * 200000)::int END AS bytes,
           CASE WHEN u.r_st < 0.975 THEN 200 WHEN u.r_st < 0.99 THEN 404 WHEN u.r_st < 0.995 THEN 403 ELSE 422 END AS status,
           (2 + floor(60 * power(random(), 3)))::int AS duration
    FROM (SELECT n, least(:tenants, 1 + floor(:tenants * power(random(), 2.5)))::int AS i, random() < 0.6 AS by_key,
                 random() AS r_time, random() AS r_ep, random() AS r_st
          FROM generate_series(1, :n_usage) n) u
    JOIN bt t ON t.i = u.i
    JOIN bkey1 k ON k.i = u.i
) x;

-- ------------------------------------------------------------------ into the event store
-- the probe's rows (written by the application) move to the end, after the history, keeping their order
UPDATE domain_event_entry SET global_index = global_index + (:n_events - :existing) * 2 + 1000;
INSERT INTO domain_event_entry (global_index, event_identifier, aggregate_identifier, sequence_number, type, time_stamp,
                                payload_type, payload_revision, payload, meta_data)
SELECT CASE WHEN :gap_every > 0 THEN rn + (rn - 1) / :gap_every ELSE rn END, eid, COALESCE(agg, eid),
       CASE WHEN agg IS NULL THEN 0 ELSE row_number() OVER (PARTITION BY agg ORDER BY ts, ord, eid) - 1 END,
       atype, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), ptype, '1',
       convert_to(payload, 'UTF8'), convert_to(meta, 'UTF8')
FROM (SELECT e.*, row_number() OVER (ORDER BY ts, ord, eid) AS rn FROM bench_ev e) s
ORDER BY 1;
SELECT max(global_index) AS history_end FROM domain_event_entry WHERE global_index < (:n_events - :existing) * 2 + 1000 \gset
UPDATE domain_event_entry SET global_index = global_index - (:n_events - :existing) * 2 - 1000 + :history_end
WHERE global_index > (:n_events - :existing) * 2 + 1000;
SELECT setval(pg_get_serial_sequence('domain_event_entry', 'global_index'), (SELECT max(global_index) FROM domain_event_entry));
DROP TABLE bench_ev;
