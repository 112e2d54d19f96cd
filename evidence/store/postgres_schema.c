/* The PostgreSQL store's schema (docs/store.md, "The store on PostgreSQL"): the tables of
 * SQLite's schema 6 in schema "vouch", the append-only triggers, the sealing functions and
 * the two roles' grants. 'vouch store init' runs it; 'vouch store init --print' writes it
 * for a DBA. Every statement can run again on a store that has it (IF NOT EXISTS, OR
 * REPLACE), so init is safe to repeat. */
#include "evidence/store/postgres_internal.h"

#include "src/util.h"

/* Tables: the columns and checks of evidence/store/sqlite.c's migrations 1 to 6, in one. */
static const char tables[] =
    "CREATE SCHEMA IF NOT EXISTS vouch;\n"
    "CREATE TABLE IF NOT EXISTS vouch.meta (\n"
    "  one boolean PRIMARY KEY DEFAULT true CHECK (one),\n"
    "  version integer NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS vouch.runs (\n"
    "  id bigserial PRIMARY KEY,\n"
    "  kind text NOT NULL CHECK (kind IN ('baseline', 'gate', 'check')),\n"
    "  status text NOT NULL\n"
    "    CHECK (status IN ('running', 'passed', 'failed', 'aborted', 'captured')),\n"
    "  started_at text NOT NULL,\n"
    "  finished_at text,\n"
    "  target text NOT NULL,\n"
    "  baseline_id bigint REFERENCES vouch.runs (id),\n"
    "  checks text NOT NULL,\n"
    "  error text,\n"
    "  vouch_version text NOT NULL,\n"
    "  server_version text, system_identifier text, timeline text, lsn text,\n"
    "  snapshot_time text, database text,\n"
    "  host text NOT NULL,\n"
    "  pid bigint NOT NULL,\n"
    "  chain_pos bigint UNIQUE,\n"
    "  prev_digest text,\n"
    "  digest text,\n"
    "  incident_at text, started_by text, ci_job text, not_evaluated text,\n"
    "  drill_id bigint,\n"
    "  waivers text\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS vouch.results (\n"
    "  run_id bigint NOT NULL REFERENCES vouch.runs (id),\n"
    "  seq bigint NOT NULL,\n"
    "  check_name text NOT NULL,\n"
    "  subject text NOT NULL,\n"
    "  status text NOT NULL CHECK (status IN ('pass', 'warn', 'fail', 'error')),\n"
    "  expected text, observed text,\n"
    "  reason text NOT NULL,\n"
    "  detail text,\n"
    "  facts text,\n"
    "  waiver text,\n"
    "  PRIMARY KEY (run_id, seq)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS vouch.baselines (\n"
    "  run_id bigint NOT NULL REFERENCES vouch.runs (id),\n"
    "  check_name text NOT NULL,\n"
    "  content text NOT NULL,\n"
    "  PRIMARY KEY (run_id, check_name)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS vouch.baseline_parts (\n"
    "  run_id bigint NOT NULL REFERENCES vouch.runs (id),\n"
    "  check_name text NOT NULL,\n"
    "  seq bigint NOT NULL,\n"
    "  content text NOT NULL,\n"
    "  PRIMARY KEY (run_id, check_name, seq)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS vouch.drills (\n"
    "  id bigserial PRIMARY KEY,\n"
    "  scenario text NOT NULL,\n"
    "  operator text NOT NULL,\n"
    "  incident_at text NOT NULL,\n"
    "  started_at text NOT NULL,\n"
    "  finished_at text,\n"
    "  status text NOT NULL\n"
    "    CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),\n"
    "  note text,\n"
    "  error text,\n"
    "  restore_cmd text,\n"
    "  restore_exit bigint,\n"
    "  gate_run_id bigint REFERENCES vouch.runs (id),\n"
    "  gate_digest text,\n"
    "  restore_point text,\n"
    "  restore_point_source text CHECK (restore_point_source IN ('audit_log', 'operator')),\n"
    "  rto_ms bigint,\n"
    "  data_loss_ms bigint,\n"
    "  rto_target_ms bigint NOT NULL,\n"
    "  rto_limit_ms bigint NOT NULL,\n"
    "  rpo_ms bigint NOT NULL,\n"
    "  clock text CHECK (clock IN ('monotonic', 'realtime')),\n"
    "  vouch_version text NOT NULL,\n"
    "  host text NOT NULL,\n"
    "  pid bigint,\n"
    "  chain_pos bigint UNIQUE,\n"
    "  prev_digest text,\n"
    "  digest text,\n"
    "  drill_every text, approved_by text, smoke_cmd text, smoke_exit bigint, smoke_ms bigint,\n"
    "  smoke_digest text\n"
    ");\n"
    "CREATE UNIQUE INDEX IF NOT EXISTS drills_one_open ON vouch.drills (status)"
    " WHERE status = 'running';\n"
    "CREATE TABLE IF NOT EXISTS vouch.drill_phases (\n"
    "  drill_id bigint NOT NULL REFERENCES vouch.drills (id),\n"
    "  seq bigint NOT NULL,\n"
    "  name text NOT NULL,\n"
    "  at text NOT NULL,\n"
    "  elapsed_ms bigint NOT NULL,\n"
    "  note text,\n"
    "  PRIMARY KEY (drill_id, seq)\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS runs_drill ON vouch.runs (drill_id);\n";

/* The functions: the guards the triggers call, and the sealing functions the writer role
 * may execute (SECURITY DEFINER: they update an open row as the schema's owner, which the
 * writer itself may not). Their bodies are compared by verify (postgres_verify.c). */
const pg_function pg_functions[] = {
    {"refuse", "()", "trigger", false,
     "\nBEGIN\n"
     "  RAISE EXCEPTION 'the vouch store is append-only: %', TG_ARGV[0];\n"
     "END\n"},
    {"open_run_only", "()", "trigger", false,
     "\nBEGIN\n"
     "  IF (SELECT digest FROM vouch.runs WHERE id = NEW.run_id) IS NOT NULL THEN\n"
     "    RAISE EXCEPTION 'the vouch store is append-only: this run is sealed';\n"
     "  END IF;\n"
     "  RETURN NEW;\n"
     "END\n"},
    {"sealed_parts_stay", "()", "trigger", false,
     "\nBEGIN\n"
     "  IF (SELECT digest FROM vouch.runs WHERE id = OLD.run_id) IS NOT NULL THEN\n"
     "    RAISE EXCEPTION 'the vouch store is append-only: baselines cannot be deleted';\n"
     "  END IF;\n"
     "  RETURN OLD;\n"
     "END\n"},
    {"sealed_run_only", "()", "trigger", false,
     "\nBEGIN\n"
     "  IF (SELECT digest FROM vouch.runs WHERE id = NEW.run_id) IS NULL THEN\n"
     "    RAISE EXCEPTION 'only a sealed run can be approved';\n"
     "  END IF;\n"
     "  RETURN NEW;\n"
     "END\n"},
    {"open_drill_only", "()", "trigger", false,
     "\nBEGIN\n"
     "  IF (SELECT status FROM vouch.drills WHERE id = NEW.drill_id) IS DISTINCT FROM 'running'"
     " THEN\n"
     "    RAISE EXCEPTION 'the vouch store is append-only: this drill is over';\n"
     "  END IF;\n"
     "  RETURN NEW;\n"
     "END\n"},
    {"drill_fixed_at_start", "()", "trigger", false,
     "\nBEGIN\n"
     "  IF (OLD.id, OLD.scenario, OLD.operator, OLD.incident_at, OLD.started_at, OLD.restore_cmd,\n"
     "      OLD.rto_target_ms, OLD.rto_limit_ms, OLD.rpo_ms, OLD.vouch_version, OLD.host, OLD.pid,\n"
     "      OLD.drill_every)\n"
     "     IS DISTINCT FROM\n"
     "     (NEW.id, NEW.scenario, NEW.operator, NEW.incident_at, NEW.started_at, NEW.restore_cmd,\n"
     "      NEW.rto_target_ms, NEW.rto_limit_ms, NEW.rpo_ms, NEW.vouch_version, NEW.host, NEW.pid,\n"
     "      NEW.drill_every) THEN\n"
     "    RAISE EXCEPTION 'the vouch store is append-only: a drill keeps what it started with';\n"
     "  END IF;\n"
     "  RETURN NEW;\n"
     "END\n"},
    /* One transaction per seal: the advisory lock orders every sealer of the run chain
     * (runners on many machines), held until COMMIT, so that the next one reads this
     * run's digest as its prev_digest. */
    {"seal_run",
     "(p_id bigint, p_status text, p_finished_at text, p_target text, p_error text,"
     " p_server_version text, p_system_identifier text, p_timeline text, p_lsn text,"
     " p_snapshot_time text, p_database text, p_not_evaluated text, p_waivers text,"
     " OUT chain_pos bigint, OUT prev_digest text)",
     "record", true,
     "\nBEGIN\n"
     "  PERFORM pg_advisory_xact_lock(1987014499, 1);\n"
     "  IF p_status <> 'captured' THEN\n"
     "    DELETE FROM vouch.baseline_parts WHERE run_id = p_id;\n"
     "  END IF;\n"
     "  SELECT r.chain_pos, r.digest INTO chain_pos, prev_digest FROM vouch.runs r\n"
     "    WHERE r.chain_pos IS NOT NULL ORDER BY r.chain_pos DESC LIMIT 1;\n"
     "  chain_pos := coalesce(chain_pos, 0) + 1;\n"
     "  UPDATE vouch.runs r SET status = p_status, finished_at = p_finished_at,\n"
     "      target = p_target, error = p_error, server_version = p_server_version,\n"
     "      system_identifier = p_system_identifier, timeline = p_timeline, lsn = p_lsn,\n"
     "      snapshot_time = p_snapshot_time, database = p_database,\n"
     "      chain_pos = seal_run.chain_pos, prev_digest = seal_run.prev_digest,\n"
     "      not_evaluated = p_not_evaluated, waivers = p_waivers\n"
     "    WHERE r.id = p_id AND r.status = 'running' AND r.digest IS NULL\n"
     "      AND r.chain_pos IS NULL;\n"
     "  IF NOT FOUND THEN\n"
     "    RAISE EXCEPTION 'run % is not running', p_id;\n"
     "  END IF;\n"
     "END\n"},
    {"seal_run_digest", "(p_id bigint, p_digest text)", "void", true,
     "\nBEGIN\n"
     "  UPDATE vouch.runs SET digest = p_digest\n"
     "    WHERE id = p_id AND digest IS NULL AND chain_pos IS NOT NULL;\n"
     "  IF NOT FOUND THEN\n"
     "    RAISE EXCEPTION 'run % is not being sealed', p_id;\n"
     "  END IF;\n"
     "END\n"},
    {"seal_drill",
     "(p_id bigint, p_finished_at text, p_status text, p_note text, p_error text,"
     " p_restore_exit bigint, p_gate_run_id bigint, p_restore_point text,"
     " p_restore_point_source text, p_rto_ms bigint, p_data_loss_ms bigint, p_clock text,"
     " p_approved_by text, p_smoke_cmd text, p_smoke_exit bigint, p_smoke_ms bigint,"
     " p_smoke_digest text, OUT chain_pos bigint, OUT prev_digest text,"
     " OUT gate_digest text)",
     "record", true,
     "\nBEGIN\n"
     "  PERFORM pg_advisory_xact_lock(1987014499, 2);\n"
     "  SELECT d.chain_pos, d.digest INTO chain_pos, prev_digest FROM vouch.drills d\n"
     "    WHERE d.chain_pos IS NOT NULL ORDER BY d.chain_pos DESC LIMIT 1;\n"
     "  chain_pos := coalesce(chain_pos, 0) + 1;\n"
     "  SELECT r.digest INTO gate_digest FROM vouch.runs r WHERE r.id = p_gate_run_id;\n"
     "  UPDATE vouch.drills d SET finished_at = p_finished_at, status = p_status,\n"
     "      note = p_note, error = p_error, restore_exit = p_restore_exit,\n"
     "      gate_run_id = p_gate_run_id, gate_digest = seal_drill.gate_digest,\n"
     "      restore_point = p_restore_point, restore_point_source = p_restore_point_source,\n"
     "      rto_ms = p_rto_ms, data_loss_ms = p_data_loss_ms, clock = p_clock,\n"
     "      chain_pos = seal_drill.chain_pos, prev_digest = seal_drill.prev_digest,\n"
     "      approved_by = p_approved_by, smoke_cmd = p_smoke_cmd, smoke_exit = p_smoke_exit,\n"
     "      smoke_ms = p_smoke_ms, smoke_digest = p_smoke_digest\n"
     "    WHERE d.id = p_id AND d.status = 'running' AND d.digest IS NULL;\n"
     "  IF NOT FOUND THEN\n"
     "    RAISE EXCEPTION 'drill % is not open', p_id;\n"
     "  END IF;\n"
     "END\n"},
    {"seal_drill_digest", "(p_id bigint, p_digest text)", "void", true,
     "\nBEGIN\n"
     "  UPDATE vouch.drills SET digest = p_digest\n"
     "    WHERE id = p_id AND digest IS NULL AND chain_pos IS NOT NULL;\n"
     "  IF NOT FOUND THEN\n"
     "    RAISE EXCEPTION 'drill % is not being sealed', p_id;\n"
     "  END IF;\n"
     "END\n"},
    /* After 'vouch store copy' inserted rows with their ids: the next ids follow them. */
    {"sync_ids", "()", "void", true,
     "\nBEGIN\n"
     "  PERFORM setval('vouch.runs_id_seq', coalesce((SELECT max(id) FROM vouch.runs), 0) + 1,"
     " false);\n"
     "  PERFORM setval('vouch.drills_id_seq', coalesce((SELECT max(id) FROM vouch.drills), 0)"
     " + 1, false);\n"
     "END\n"},
    {NULL, NULL, NULL, false, NULL},
};

/* The triggers, as pg_get_triggerdef() shows them (verify compares them so). */
const pg_trigger pg_triggers[] = {
    {"runs", "runs_start_open",
     "CREATE TRIGGER runs_start_open BEFORE INSERT ON vouch.runs FOR EACH ROW WHEN"
     " (((new.status <> 'running'::text) OR (new.chain_pos IS NOT NULL) OR"
     " (new.prev_digest IS NOT NULL) OR (new.digest IS NOT NULL))) EXECUTE FUNCTION"
     " vouch.refuse('a run is recorded running, then sealed')"},
    {"runs", "runs_append_only_delete",
     "CREATE TRIGGER runs_append_only_delete BEFORE DELETE ON vouch.runs FOR EACH ROW"
     " EXECUTE FUNCTION vouch.refuse('runs cannot be deleted')"},
    {"runs", "runs_append_only_update",
     "CREATE TRIGGER runs_append_only_update BEFORE UPDATE ON vouch.runs FOR EACH ROW WHEN"
     " ((old.digest IS NOT NULL)) EXECUTE FUNCTION vouch.refuse('this run is sealed')"},
    {"runs", "runs_append_only_truncate",
     "CREATE TRIGGER runs_append_only_truncate BEFORE TRUNCATE ON vouch.runs FOR EACH"
     " STATEMENT EXECUTE FUNCTION vouch.refuse('runs cannot be deleted')"},
    {"results", "results_append_only_update",
     "CREATE TRIGGER results_append_only_update BEFORE UPDATE ON vouch.results FOR EACH ROW"
     " EXECUTE FUNCTION vouch.refuse('results cannot change')"},
    {"results", "results_append_only_delete",
     "CREATE TRIGGER results_append_only_delete BEFORE DELETE ON vouch.results FOR EACH ROW"
     " EXECUTE FUNCTION vouch.refuse('results cannot be deleted')"},
    {"results", "results_append_only_truncate",
     "CREATE TRIGGER results_append_only_truncate BEFORE TRUNCATE ON vouch.results FOR EACH"
     " STATEMENT EXECUTE FUNCTION vouch.refuse('results cannot be deleted')"},
    {"results", "results_open_run",
     "CREATE TRIGGER results_open_run BEFORE INSERT ON vouch.results FOR EACH ROW EXECUTE"
     " FUNCTION vouch.open_run_only()"},
    {"baselines", "baselines_append_only_update",
     "CREATE TRIGGER baselines_append_only_update BEFORE UPDATE ON vouch.baselines FOR EACH"
     " ROW EXECUTE FUNCTION vouch.refuse('baselines cannot change')"},
    {"baselines", "baselines_append_only_delete",
     "CREATE TRIGGER baselines_append_only_delete BEFORE DELETE ON vouch.baselines FOR EACH"
     " ROW EXECUTE FUNCTION vouch.refuse('baselines cannot be deleted')"},
    {"baselines", "baselines_append_only_truncate",
     "CREATE TRIGGER baselines_append_only_truncate BEFORE TRUNCATE ON vouch.baselines FOR"
     " EACH STATEMENT EXECUTE FUNCTION vouch.refuse('baselines cannot be deleted')"},
    {"baselines", "baselines_open_run",
     "CREATE TRIGGER baselines_open_run BEFORE INSERT ON vouch.baselines FOR EACH ROW"
     " EXECUTE FUNCTION vouch.open_run_only()"},
    {"baseline_parts", "baseline_parts_append_only_update",
     "CREATE TRIGGER baseline_parts_append_only_update BEFORE UPDATE ON vouch.baseline_parts"
     " FOR EACH ROW EXECUTE FUNCTION vouch.refuse('baselines cannot change')"},
    {"baseline_parts", "baseline_parts_sealed_delete",
     "CREATE TRIGGER baseline_parts_sealed_delete BEFORE DELETE ON vouch.baseline_parts FOR"
     " EACH ROW EXECUTE FUNCTION vouch.sealed_parts_stay()"},
    {"baseline_parts", "baseline_parts_append_only_truncate",
     "CREATE TRIGGER baseline_parts_append_only_truncate BEFORE TRUNCATE ON"
     " vouch.baseline_parts FOR EACH STATEMENT EXECUTE FUNCTION"
     " vouch.refuse('baselines cannot be deleted')"},
    {"baseline_parts", "baseline_parts_open_run",
     "CREATE TRIGGER baseline_parts_open_run BEFORE INSERT ON vouch.baseline_parts FOR EACH"
     " ROW EXECUTE FUNCTION vouch.open_run_only()"},
    {"drills", "drills_start_open",
     "CREATE TRIGGER drills_start_open BEFORE INSERT ON vouch.drills FOR EACH ROW WHEN"
     " (((new.status <> 'running'::text) OR (new.chain_pos IS NOT NULL) OR"
     " (new.prev_digest IS NOT NULL) OR (new.digest IS NOT NULL))) EXECUTE FUNCTION"
     " vouch.refuse('a drill is recorded running, then sealed')"},
    {"drills", "drills_append_only_delete",
     "CREATE TRIGGER drills_append_only_delete BEFORE DELETE ON vouch.drills FOR EACH ROW"
     " EXECUTE FUNCTION vouch.refuse('drills cannot be deleted')"},
    {"drills", "drills_append_only_update",
     "CREATE TRIGGER drills_append_only_update BEFORE UPDATE ON vouch.drills FOR EACH ROW"
     " WHEN ((old.digest IS NOT NULL)) EXECUTE FUNCTION vouch.refuse('this drill is sealed')"},
    {"drills", "drills_append_only_truncate",
     "CREATE TRIGGER drills_append_only_truncate BEFORE TRUNCATE ON vouch.drills FOR EACH"
     " STATEMENT EXECUTE FUNCTION vouch.refuse('drills cannot be deleted')"},
    {"drills", "drills_fixed_at_start",
     "CREATE TRIGGER drills_fixed_at_start BEFORE UPDATE ON vouch.drills FOR EACH ROW EXECUTE"
     " FUNCTION vouch.drill_fixed_at_start()"},
    {"drill_phases", "drill_phases_append_only_update",
     "CREATE TRIGGER drill_phases_append_only_update BEFORE UPDATE ON vouch.drill_phases FOR"
     " EACH ROW EXECUTE FUNCTION vouch.refuse('drill phases cannot change')"},
    {"drill_phases", "drill_phases_append_only_delete",
     "CREATE TRIGGER drill_phases_append_only_delete BEFORE DELETE ON vouch.drill_phases FOR"
     " EACH ROW EXECUTE FUNCTION vouch.refuse('drill phases cannot be deleted')"},
    {"drill_phases", "drill_phases_append_only_truncate",
     "CREATE TRIGGER drill_phases_append_only_truncate BEFORE TRUNCATE ON vouch.drill_phases"
     " FOR EACH STATEMENT EXECUTE FUNCTION vouch.refuse('drill phases cannot be deleted')"},
    {"drill_phases", "drill_phases_open_drill",
     "CREATE TRIGGER drill_phases_open_drill BEFORE INSERT ON vouch.drill_phases FOR EACH ROW"
     " EXECUTE FUNCTION vouch.open_drill_only()"},
    {"approvals", "approvals_append_only_update",
     "CREATE TRIGGER approvals_append_only_update BEFORE UPDATE ON vouch.approvals FOR EACH ROW"
     " EXECUTE FUNCTION vouch.refuse('approvals cannot change')"},
    {"approvals", "approvals_append_only_delete",
     "CREATE TRIGGER approvals_append_only_delete BEFORE DELETE ON vouch.approvals FOR EACH ROW"
     " EXECUTE FUNCTION vouch.refuse('approvals cannot be deleted')"},
    {"approvals", "approvals_append_only_truncate",
     "CREATE TRIGGER approvals_append_only_truncate BEFORE TRUNCATE ON vouch.approvals FOR EACH"
     " STATEMENT EXECUTE FUNCTION vouch.refuse('approvals cannot be deleted')"},
    {"approvals", "approvals_sealed_run",
     "CREATE TRIGGER approvals_sealed_run BEFORE INSERT ON vouch.approvals FOR EACH ROW EXECUTE"
     " FUNCTION vouch.sealed_run_only()"},
    {NULL, NULL, NULL},
};

const char *const pg_tables[] = {"meta",   "runs",         "results",   "baselines", "baseline_parts",
                                 "drills", "drill_phases", "approvals", NULL};

/* The migrations after schema 6, each the PostgreSQL twin of SQLite's of the same number
 * (evidence/store/sqlite.c), written so that running it again does nothing (ADD COLUMN IF
 * NOT EXISTS, CREATE ... IF NOT EXISTS): store init runs them all, then records the version.
 * A table one adds needs its triggers in pg_triggers and its grants below. */
static const char *const later[] = {
    /* 7 (SQLite's SCHEMA_APPROVALS): signed approvals of sealed gate runs (docs/approvals.md),
     * each sealed as it is inserted into the approval chain, never changed or removed. */
    "CREATE TABLE IF NOT EXISTS vouch.approvals (\n"
    "  id bigint PRIMARY KEY,\n"
    "  run_id bigint NOT NULL REFERENCES vouch.runs (id),\n"
    "  statement text NOT NULL,\n"
    "  signature bytea NOT NULL,\n"
    "  tsr bytea,\n"
    "  signer text NOT NULL,\n"
    "  fingerprint text NOT NULL,\n"
    "  approved_at text NOT NULL,\n"
    "  note text NOT NULL,\n"
    "  chain_pos bigint NOT NULL UNIQUE,\n"
    "  prev_digest text,\n"
    "  digest text NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS approvals_run ON vouch.approvals (run_id);",
    /* 8 (SQLite's SCHEMA_TARGET_NAMES): the named target a run ran against ([target "NAME"],
     * docs/fleet.md); NULL for the bare [target] and every run before, whose digests stay. */
    "ALTER TABLE vouch.runs ADD COLUMN IF NOT EXISTS target_name text;\n"
    "CREATE INDEX IF NOT EXISTS runs_by_target_name ON vouch.runs (target_name, kind, id);",
    NULL,
};
_Static_assert(sizeof later / sizeof *later - 1 == PG_SCHEMA_VERSION - 6,
               "PG_SCHEMA_VERSION is 6 plus the migrations in later[]");

/* The roles (cluster-wide, made once) and what each may do in this database. */
static const char grants[] =
    "DO $roles$ BEGIN\n"
    "  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vouch_writer') THEN\n"
    "    CREATE ROLE vouch_writer NOLOGIN;\n"
    "  END IF;\n"
    "  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vouch_reader') THEN\n"
    "    CREATE ROLE vouch_reader NOLOGIN;\n"
    "  END IF;\n"
    "END $roles$;\n"
    "REVOKE ALL ON ALL TABLES IN SCHEMA vouch FROM PUBLIC, vouch_writer, vouch_reader;\n"
    "REVOKE ALL ON ALL SEQUENCES IN SCHEMA vouch FROM PUBLIC, vouch_writer, vouch_reader;\n"
    "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA vouch FROM PUBLIC, vouch_writer, vouch_reader;\n"
    "GRANT USAGE ON SCHEMA vouch TO vouch_writer, vouch_reader;\n"
    "-- The writer (every runner): read, and add rows; never UPDATE, DELETE or TRUNCATE.\n"
    "-- A run or drill is sealed only through the sealing functions below.\n"
    "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA vouch TO vouch_writer;\n"
    "REVOKE INSERT ON vouch.meta FROM vouch_writer;\n"
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA vouch TO vouch_writer;\n"
    "GRANT EXECUTE ON FUNCTION vouch.seal_run(bigint, text, text, text, text, text, text,"
    " text, text, text, text, text, text), vouch.seal_run_digest(bigint, text),"
    " vouch.seal_drill(bigint, text, text, text, text, bigint, bigint, text, text, bigint,"
    " bigint, text, text, text, bigint, bigint, text), vouch.seal_drill_digest(bigint, text),"
    " vouch.sync_ids() TO vouch_writer;\n"
    "-- The reader (reports, packs, verify, metrics): SELECT only.\n"
    "GRANT SELECT ON ALL TABLES IN SCHEMA vouch TO vouch_reader;\n";

char *pg_schema_script(void)
{
    textbuf t = {0};
    textbuf_add(&t, "-- The vouch evidence store on PostgreSQL (docs/store.md), schema %d.\n"
                    "-- Run as the role that is to own it (not a runner's): psql -v"
                    " ON_ERROR_STOP=1 -1 -f FILE\n"
                    "-- Then: GRANT vouch_writer TO <each runner's login>;"
                    " GRANT vouch_reader TO <each reader's login>;\n",
                PG_SCHEMA_VERSION);
    textbuf_add(&t, "%s", tables);
    for (size_t i = 0; later[i]; i++)
        textbuf_add(&t, "-- migration %zu\n%s\n", i + 7, later[i]);
    for (const pg_function *f = pg_functions; f->name; f++)
        textbuf_add(&t, "CREATE OR REPLACE FUNCTION vouch.%s%s RETURNS %s LANGUAGE plpgsql%s"
                        " AS $body$%s$body$;\n",
                    f->name, f->args, f->returns,
                    f->definer ? " SECURITY DEFINER SET search_path = pg_catalog, pg_temp" : "",
                    f->body);
    for (const pg_trigger *g = pg_triggers; g->name; g++)
        textbuf_add(&t, "DROP TRIGGER IF EXISTS %s ON vouch.%s;\n%s;\n", g->name, g->table,
                    g->def);
    textbuf_add(&t, "INSERT INTO vouch.meta (version) VALUES (%d)"
                    " ON CONFLICT (one) DO UPDATE SET version = greatest(vouch.meta.version,"
                    " EXCLUDED.version);\n",
                PG_SCHEMA_VERSION);
    textbuf_add(&t, "%s", grants);
    return t.p;
}
