-- Fill the portal schema (schema.sql) with deterministic sample data.
--
--   psql -X -v ON_ERROR_STOP=1 -q -v scale=0.01 -d DB -f tools/demo/generate.sql
--
-- Variables:
--   scale   required, > 0.  Scale 1 is about 100 agencies, 10 000 projects,
--           1 000 000 tasks, 1 000 000 assets, 200 000 share links and
--           5 000 000 audit events; counts are proportional (rounded) with a
--           small floor so that every table has rows at any scale.
--   anchor  optional timestamptz, default 2026-10-01 00:00:00+00: the "now" of
--           the data set.  Everything happened before it; residency evidence
--           covers the 24 whole months before it.
--   part    optional, default "all": run everything in order.  tools/demo/load
--           runs "prepare", then "core" and "audit" in two sessions at once
--           (they touch different tables), then "finish".
--
-- Same scale and anchor => identical rows: every value is derived from the
-- row number through hashint8extended(), never from random() or now().
-- Run it once, into the empty tables of a fresh schema.sql.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET work_mem = '256MB';
SET maintenance_work_mem = '256MB';
SET synchronous_commit = off;
-- These queries are function calls per row; compiling them does not pay.
SET jit = off;

\if :{?scale}
\else
DO $$ BEGIN RAISE EXCEPTION 'generate.sql: set the scale, e.g. psql -v scale=0.01'; END $$;
\endif
\if :{?anchor}
\else
\set anchor '2026-10-01 00:00:00+00'
\endif
\if :{?part}
\else
\set part all
\endif

SELECT :'scale'::numeric > 0 AND :'scale'::numeric <= 100 AS scale_ok,
       :'part' IN ('all', 'prepare', 'core', 'audit', 'finish') AS part_ok,
       :'part' IN ('all', 'prepare') AS do_prepare,
       :'part' IN ('all', 'core') AS do_core,
       :'part' IN ('all', 'audit') AS do_audit,
       :'part' IN ('all', 'finish') AS do_finish \gset
\if :scale_ok
\else
DO $$ BEGIN RAISE EXCEPTION 'generate.sql: scale must be > 0 and <= 100'; END $$;
\endif
\if :part_ok
\else
DO $$ BEGIN RAISE EXCEPTION 'generate.sql: part must be all, prepare, core, audit or finish'; END $$;
\endif

-- Row counts for this scale.
SELECT greatest(3,  round(100     * s))::bigint AS n_agencies,
       greatest(6,  round(10000   * s))::bigint AS n_projects,
       greatest(40, round(1000000 * s))::bigint AS n_tasks,
       greatest(40, round(1000000 * s))::bigint AS n_assets,
       greatest(12, round(200000  * s))::bigint AS n_share_links,
       greatest(60, round(5000000 * s))::bigint AS n_audit,
       :'anchor'::timestamptz AS anchor_ts
  FROM (SELECT :'scale'::numeric AS s) p \gset

-- rnd(i, salt, n): a well-mixed integer in [0, n) determined by (i, salt).
CREATE FUNCTION pg_temp.rnd(i bigint, salt bigint, n bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (hashint8extended(i, salt) & 9223372036854775807) % n;
-- frac(i, salt): a well-mixed double in [0, 1).
CREATE FUNCTION pg_temp.frac(i bigint, salt bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (hashint8extended(i, salt) & 4503599627370495)::double precision / 4503599627370496;

\if :do_prepare
-- ---------------------------------------------------------------- prepare
DO $$ BEGIN
    IF EXISTS (SELECT FROM public.agencies) OR EXISTS (SELECT FROM public.audit_log) THEN
        RAISE EXCEPTION 'generate.sql: the tables already hold data; load into a fresh schema.sql';
    END IF;
END $$;

-- Bulk-load the way pg_restore does: drop the foreign keys, the primary-key
-- and unique constraints and the other indexes, load, then recreate them
-- from their saved definitions (keys and indexes at the end of "core" and
-- "audit", foreign keys in "finish").  Building an index once is much
-- cheaper than growing it row by row, and re-adding a constraint checks every
-- row, so the data is verified all the same and the catalog ends up exactly
-- as schema.sql made it.
CREATE SCHEMA demo_load;
CREATE TABLE demo_load.deferred_ddl AS
SELECT CASE WHEN c.contype = 'f' THEN 2 ELSE 1 END AS phase,
       (SELECT relname::text FROM pg_class WHERE oid = c.conrelid) AS tbl, c.conname::text AS name,
       format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop_ddl,
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
              pg_get_constraintdef(c.oid)) AS create_ddl
  FROM pg_constraint AS c
 WHERE c.contype IN ('f', 'p', 'u') AND c.connamespace = 'public'::regnamespace
UNION ALL
SELECT 1, t.relname::text, i.indexrelid::regclass::text,
       format('DROP INDEX %s', i.indexrelid::regclass),
       pg_get_indexdef(i.indexrelid)
  FROM pg_index AS i
  JOIN pg_class AS t ON t.oid = i.indrelid
 WHERE t.relnamespace = 'public'::regnamespace
   AND NOT EXISTS (SELECT FROM pg_constraint AS k
                    WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid);

-- foreign keys first: they depend on the keys
SELECT drop_ddl FROM demo_load.deferred_ddl ORDER BY phase DESC, name \gexec
-- The loaded history already holds its audit events.
ALTER TABLE public.projects DISABLE TRIGGER audit_project_change;
\endif

\if :do_core
-- -------------------------------------------------------------- agencies
-- Created over the year that ends two years before the anchor.  Every
-- fourth agency (2, 6, 10, ...) is in Melbourne, the rest in Sydney.
INSERT INTO public.agencies (id, name, region, created_at)
SELECT i,
       (ARRAY['Harbour', 'Southern', 'Coastal', 'Northern', 'Western', 'Eastern',
              'Central', 'Highland', 'River', 'Metro', 'Bay', 'Valley'])[1 + pg_temp.rnd(i, 11, 12)]
       || ' ' ||
       (ARRAY['Health', 'Transport', 'Education', 'Planning', 'Water', 'Energy',
              'Housing', 'Justice', 'Arts', 'Parks'])[1 + pg_temp.rnd(i, 12, 10)]
       || ' Agency ' || i,
       CASE WHEN i % 4 = 2 THEN 'ap-southeast-4' ELSE 'ap-southeast-2' END,
       :'anchor_ts'::timestamptz - interval '1095 days'
           + (i - 1) * (interval '365 days' / :n_agencies)
  FROM generate_series(1::bigint, :n_agencies) AS i;

-- -------------------------------------------------------------- projects
-- The first projects go round-robin so that every agency has one; the rest
-- land on agencies unevenly (squared draw: low ids are the big tenants).
-- Created from 730 to 30 days before the anchor, in id order.
INSERT INTO public.projects (id, agency_id, name, status, created_at)
SELECT j,
       CASE WHEN j <= :n_agencies THEN j
            ELSE 1 + floor(:n_agencies * pg_temp.frac(j, 21) ^ 2)::bigint END,
       (ARRAY['Bridge', 'Library', 'Clinic', 'Depot', 'Corridor', 'Reservoir', 'School',
              'Wharf', 'Station', 'Park', 'Substation', 'Archive'])[1 + pg_temp.rnd(j, 22, 12)]
       || ' ' ||
       (ARRAY['upgrade', 'renewal', 'fit-out', 'survey', 'extension', 'audit',
              'relocation', 'design', 'maintenance'])[1 + pg_temp.rnd(j, 23, 9)]
       || ' ' || j,
       CASE WHEN f < 0.60 THEN 'active'
            WHEN f < 0.72 THEN 'on_hold'
            WHEN f < 0.94 THEN 'completed'
            ELSE 'archived' END,
       :'anchor_ts'::timestamptz - interval '730 days'
           + (j - 1) * (interval '700 days' / :n_projects)
  FROM generate_series(1::bigint, :n_projects) AS j,
       LATERAL (SELECT pg_temp.frac(j, 24) AS f) AS r;

-- ----------------------------------------------------------------- tasks
-- Each task belongs to a pseudo-random project (agency copied from it) and
-- was created between its project's creation and the anchor.
INSERT INTO public.tasks (id, project_id, agency_id, title, state, due_at, created_at)
SELECT t, p.id, p.agency_id,
       (ARRAY['Review', 'Approve', 'Draft', 'Inspect', 'Schedule', 'Update', 'Submit',
              'Reconcile', 'Archive', 'Chase'])[1 + pg_temp.rnd(t, 32, 10)]
       || ' ' ||
       (ARRAY['drawings', 'budget', 'contract', 'permit', 'invoice', 'site report',
              'risk register', 'variation', 'handover pack', 'minutes'])[1 + pg_temp.rnd(t, 33, 10)],
       CASE WHEN f < 0.25 THEN 'todo'
            WHEN f < 0.45 THEN 'in_progress'
            WHEN f < 0.50 THEN 'blocked'
            ELSE 'done' END,
       CASE WHEN pg_temp.rnd(t, 35, 10) = 0 THEN NULL
            ELSE c.created_at + (1 + pg_temp.rnd(t, 36, 90)) * interval '1 day' END,
       c.created_at
  FROM generate_series(1::bigint, :n_tasks) AS t
  JOIN public.projects AS p ON p.id = 1 + pg_temp.rnd(t, 31, :n_projects),
       LATERAL (SELECT pg_temp.frac(t, 34) AS f,
                       p.created_at + (:'anchor_ts'::timestamptz - p.created_at) * pg_temp.frac(t, 37)
                           AS created_at) AS c;

-- ---------------------------------------------------------------- assets
INSERT INTO public.assets (id, project_id, agency_id, filename, bytes, sha256, created_at)
SELECT a, p.id, p.agency_id,
       (ARRAY['site-plan', 'invoice', 'photo', 'contract', 'minutes', 'report',
              'drawing', 'schedule', 'permit', 'survey'])[1 + pg_temp.rnd(a, 42, 10)]
       || '-' || a ||
       (ARRAY['.pdf', '.pdf', '.docx', '.xlsx', '.jpg', '.png', '.dwg', '.zip'])[1 + pg_temp.rnd(a, 43, 8)],
       -- mostly small files, a long tail up to ~200 MB
       512 + floor(200000000 * pg_temp.frac(a, 44) ^ 4)::bigint,
       sha256(convert_to('demo-asset-content:' || a, 'UTF8')),
       p.created_at + (:'anchor_ts'::timestamptz - p.created_at) * pg_temp.frac(a, 45)
  FROM generate_series(1::bigint, :n_assets) AS a
  JOIN public.projects AS p ON p.id = 1 + pg_temp.rnd(a, 41, :n_projects);

-- ----------------------------------------------------------- share_links
-- The plaintext token of link s is
--   'pst_' || encode(sha256(convert_to('demo-share-link:' || s, 'UTF8')), 'hex')
-- and only its SHA-256 (hex) is stored.  Lifetime 1..30 days; 5 % revoked.
INSERT INTO public.share_links (id, asset_id, agency_id, token_hash, created_at, expires_at, revoked_at)
SELECT s, x.id, x.agency_id,
       encode(sha256(convert_to(
           'pst_' || encode(sha256(convert_to('demo-share-link:' || s, 'UTF8')), 'hex'),
           'UTF8')), 'hex'),
       c.created_at,
       c.expires_at,
       CASE WHEN pg_temp.rnd(s, 54, 20) = 0
            THEN c.created_at + (c.expires_at - c.created_at) * pg_temp.frac(s, 55) END
  FROM generate_series(1::bigint, :n_share_links) AS s
  JOIN public.assets AS x ON x.id = 1 + pg_temp.rnd(s, 51, :n_assets),
       LATERAL (SELECT x.created_at + (:'anchor_ts'::timestamptz - x.created_at) * pg_temp.frac(s, 52)
                           AS created_at) AS c0,
       LATERAL (SELECT c0.created_at,
                       c0.created_at + (1 + pg_temp.rnd(s, 53, 30)) * interval '1 day'
                           AS expires_at) AS c;

-- ---------------------------------------------------- residency_evidence
-- One attestation per region in use and per whole month in the 24 months
-- before the anchor (months in UTC), recorded on the last day of that month.
INSERT INTO public.residency_evidence (id, period, region, document_sha256, recorded_at)
SELECT row_number() OVER (ORDER BY m.period, r.region),
       m.period, r.region,
       encode(sha256(convert_to('demo-residency:' || r.region || ':' || m.period, 'UTF8')), 'hex'),
       (m.period + interval '1 month' - interval '1 day' + interval '9 hours') AT TIME ZONE 'UTC'
  FROM (SELECT DISTINCT region FROM public.agencies) AS r,
       LATERAL (SELECT (date_trunc('month', :'anchor_ts'::timestamptz, 'UTC')
                        - n * interval '1 month')::date AS period
                  FROM generate_series(1, 24) AS n) AS m;

-- --------------------------------------------------------------- api_keys
-- One key per agency, made when the agency joined; only its hash is kept.
INSERT INTO public.api_keys (id, agency_id, key_hash, created_at)
SELECT a.id, a.id,
       encode(sha256(convert_to('demo-api-key:' || a.id, 'UTF8')), 'hex'),
       a.created_at + interval '1 hour'
  FROM public.agencies AS a;

-- Keys and indexes of these tables, and their statistics.
SELECT create_ddl FROM demo_load.deferred_ddl
 WHERE phase = 1 AND tbl <> 'audit_log' ORDER BY name \gexec
VACUUM (ANALYZE) public.agencies, public.projects, public.tasks, public.assets,
    public.share_links, public.residency_evidence, public.api_keys;
\endif

\if :do_audit
-- -------------------------------------------------------------- audit_log
-- Events spread over the 730 days before the anchor: one time slot per
-- event, jitter inside the slot, so occurred_at strictly increases with id.
-- 1 % are system events without an agency.
--
-- The hash chain (schema.sql) is a fold over the rows in id order, so it is
-- computed as a running aggregate: state(0) = 32 zero bytes,
-- state(k) = sha256(state(k-1) || bytes(k)) = row_hash(k), and
-- prev_hash(k) = state(k-1) = lag(row_hash).  The windows have no ORDER BY:
-- the rows arrive in generate_series order and sorting 5 M wide rows would
-- cost more than everything else; the row_number() guard below stops the
-- load if they ever do not.  The bytes are built from the same values that
-- are stored (occurred_us is occurred_at in microseconds since the Unix
-- epoch, payload_text is the canonical jsonb text), so they equal
-- audit_log_row_bytes() of the stored row; load checks a sample.
CREATE FUNCTION pg_temp.audit_chain_step(state bytea, row_bytes bytea) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $$ BEGIN RETURN sha256(state || row_bytes); END $$;
CREATE AGGREGATE pg_temp.audit_chain(bytea) (
    sfunc    = pg_temp.audit_chain_step,
    stype    = bytea,
    initcond = '\x0000000000000000000000000000000000000000000000000000000000000000'
);
CREATE FUNCTION pg_temp.audit_out_of_order(id bigint) RETURNS bytea
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'generate.sql: audit rows arrived out of order at id %', id; END $$;

SELECT (730::bigint * 86400 * 1000000) / :n_audit AS audit_slot_us,
       (extract(epoch FROM :'anchor_ts'::timestamptz) * 1000000)::bigint
           - 730::bigint * 86400 * 1000000 AS audit_start_us \gset

INSERT INTO public.audit_log (id, occurred_at, actor, action, agency_id, payload, prev_hash, row_hash)
SELECT id, occurred_at, actor, action, agency_id, payload_text::jsonb,
       coalesce(lag(row_hash) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
                '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea),
       row_hash
  FROM (SELECT e.*,
               CASE WHEN e.id = row_number() OVER w
                    THEN pg_temp.audit_chain(convert_to(
                             e.id::text || '|' || e.occurred_us::text || '|' || e.actor
                             || '|' || e.action || '|' || coalesce(e.agency_id::text, '')
                             || '|' || e.payload_text, 'UTF8')) OVER w
                    ELSE pg_temp.audit_out_of_order(e.id)
               END AS row_hash
          FROM (SELECT k AS id, t.occurred_us,
                       'epoch'::timestamptz + t.occurred_us * interval '1 microsecond' AS occurred_at,
                       CASE WHEN t.agency_id IS NULL THEN 'system'
                            ELSE 'user' || (t.agency_id * 1000 + pg_temp.rnd(k, 64, 40))
                                 || '@agency' || t.agency_id || '.example.gov.au' END AS actor,
                       CASE WHEN t.agency_id IS NULL
                            THEN (ARRAY['system.backup', 'system.maintenance',
                                        'system.key_rotation'])[1 + pg_temp.rnd(k, 65, 3)]
                            ELSE (ARRAY['user.login', 'project.create', 'project.update',
                                        'task.create', 'task.update', 'task.complete',
                                        'asset.upload', 'asset.download', 'share_link.create',
                                        'share_link.revoke', 'export.csv', 'user.logout'])[1 + pg_temp.rnd(k, 66, 12)]
                       END AS action,
                       t.agency_id,
                       -- exactly jsonb's own text form (keys sorted by length, ", " and ": ")
                       '{"ip": "10.' || pg_temp.rnd(k, 67, 256) || '.' || pg_temp.rnd(k, 68, 256)
                           || '.' || pg_temp.rnd(k, 69, 256)
                           || '", "object_id": ' || pg_temp.rnd(k, 71, 1000000)
                           || ', "request_id": "' || lpad(to_hex(pg_temp.rnd(k, 70, 4294967296)), 8, '0')
                           || '"}' AS payload_text
                  FROM generate_series(1::bigint, :n_audit) AS k,
                       LATERAL (SELECT CASE WHEN pg_temp.rnd(k, 62, 100) = 0 THEN NULL
                                            ELSE 1 + pg_temp.rnd(k, 63, :n_agencies) END AS agency_id,
                                       :audit_start_us + (k - 1) * :audit_slot_us
                                           + pg_temp.rnd(k, 61, :audit_slot_us) AS occurred_us) AS t
                OFFSET 0  -- compute each column once, not once per reference
               ) AS e
        WINDOW w AS (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
       ) AS chained;

SELECT create_ddl FROM demo_load.deferred_ddl
 WHERE phase = 1 AND tbl = 'audit_log' ORDER BY name \gexec
VACUUM (ANALYZE) public.audit_log;
\endif

\if :do_finish
-- ----------------------------------------------------------------- finish
-- Foreign keys, validated now; the catalog is now exactly what schema.sql made.
SELECT create_ddl FROM demo_load.deferred_ddl WHERE phase = 2 ORDER BY name \gexec
DROP SCHEMA demo_load CASCADE;
ALTER TABLE public.projects ENABLE TRIGGER audit_project_change;

-- Sequences continue after the loaded ids.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agencies', 'projects', 'tasks', 'assets', 'share_links',
                             'audit_log', 'residency_evidence', 'api_keys'] LOOP
        EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), max(id)) FROM public.%I',
                       'public.' || t, t);
    END LOOP;
END
$$;
\endif
