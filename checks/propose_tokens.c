/* vouch init, [share_tokens "NAME"]: one instance per table with token-like columns,
 * with the format its values show in a small sample (never a full scan). */
#include <stdlib.h>
#include <string.h>

#include "checks/propose.h"
#include "checks/propose_tokens.h"
#include "src/ident.h"

/* Token-like columns: the name says token, secret, otp, hash, nonce or digest (or code or
 * key with a unique index on it alone); text or bytea; not in an audit log. */
static const char columns_sql[] =
    "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, NULL),"
    "       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique"
    "                  AND i.indnatts = 1 AND i.indkey[0] = a.attnum),"
    "       greatest(c.reltuples, 0)::bigint::text,"
    "       (SELECT string_agg(quote_ident(k.attname), ', ' ORDER BY o.o)"
    "          FROM pg_index i, unnest(i.indkey) WITH ORDINALITY o(attnum, o), pg_attribute k"
    "         WHERE i.indrelid = c.oid AND i.indisprimary AND k.attrelid = c.oid"
    "           AND k.attnum = o.attnum),"
    "       (SELECT x.attname FROM pg_attribute x WHERE x.attrelid = c.oid AND x.attnum > 0"
    "           AND NOT x.attisdropped AND x.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype)"
    "           AND x.attname ~* '(expir|valid_until|valid_to)' ORDER BY x.attnum LIMIT 1),"
    "       (SELECT x.attname FROM pg_attribute x WHERE x.attrelid = c.oid AND x.attnum > 0"
    "           AND NOT x.attisdropped AND x.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype)"
    "           AND x.attname ~* '(created|issued|inserted)' ORDER BY x.attnum LIMIT 1),"
    "       (SELECT x.attname FROM pg_attribute x WHERE x.attrelid = c.oid AND x.attnum > 0"
    "           AND NOT x.attisdropped AND x.atttypid IN ('timestamptz'::regtype,"
    "               'timestamp'::regtype, 'boolean'::regtype)"
    "           AND x.attname ~* 'revoked' ORDER BY x.attnum LIMIT 1)"
    "  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    "  JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
    "   AND a.attnum > 0 AND NOT a.attisdropped"
    "   AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'bytea'::regtype)"
    "   AND (a.attname ~* '(token|secret|otp|hash|nonce|digest)'"
    "        OR (a.attname ~* '(^|_)(code|key)($|_)' AND EXISTS (SELECT 1 FROM pg_index i"
    "              WHERE i.indrelid = c.oid AND i.indisunique AND i.indnatts = 1"
    "                AND i.indkey[0] = a.attnum)))"
    "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
    "                      AND d.objid = c.oid AND d.deptype = 'e')"
    " ORDER BY 1, 2, a.attnum";

static bool all_of(const char *s, size_t n, const char *alphabet)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(alphabet, s[i]))
            return false;
    return true;
}

#define HEX "0123456789abcdefABCDEF"
#define B64 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
#define B64URL "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

const char *token_value_format(const char *v)
{
    size_t n = strlen(v);
    if (n == 64 && all_of(v, n, HEX))
        return "sha256-hex";
    if (n == 128 && all_of(v, n, HEX))
        return "sha512-hex";
    if (n == 60 && v[0] == '$' && v[1] == '2' && strchr("aby", v[2]) && v[3] == '$')
        return "bcrypt";
    if (strncmp(v, "$argon2id$", 10) == 0)
        return "argon2id";
    if (n == 44 && v[43] == '=' && all_of(v, 43, B64))
        return "sha256-base64";
    if (n == 43 && all_of(v, n, B64URL))
        return "sha256-base64url";
    return NULL;
}

const char *token_sample_format(const char *const *values, size_t n, size_t *non_empty)
{
    const char *seen = NULL;
    *non_empty = 0;
    for (size_t i = 0; i < n; i++) {
        if (!values[i] || !values[i][0])
            continue;
        (*non_empty)++;
        const char *f = token_value_format(values[i]);
        if (!f)
            return "plaintext";
        if (seen && strcmp(seen, f) != 0)
            return "plaintext";
        seen = f;
    }
    return seen;
}

/* The sampled values of one column (hex for bytea), and the longest sampled lifetime
 * when both times are known. At most 200 rows: a LIMIT on a small table, a block sample
 * of a large one, so no table is read whole. */
static vexit sample(propose_ctx *p, const char *schema, const char *table, const char *col,
                    bool bytea, const char *rows, const char *expires, const char *created,
                    PGresult **res, verr *e)
{
    char *t = pg_quote_ident(p->db, schema), *n = pg_quote_ident(p->db, table),
         *c = pg_quote_ident(p->db, col);
    char *life = NULL;
    if (expires && created) {
        char *x = pg_quote_ident(p->db, expires), *y = pg_quote_ident(p->db, created);
        life = xasprintf("extract(epoch FROM %s - %s)::bigint::text", x, y);
        PQfreemem(x);
        PQfreemem(y);
    }
    long long estimate = strtoll(rows, NULL, 10);
    char *from = estimate > 20000
                     ? xasprintf("%s.%s TABLESAMPLE SYSTEM (%.4f)", t, n,
                                 100.0 * 4000.0 / (double)estimate)
                     : xasprintf("%s.%s", t, n);
    char *sql = xasprintf("SELECT %s%s%s, %s FROM %s LIMIT 200", bytea ? "encode(" : "", c,
                          bytea ? ", 'hex')" : "::text", life ? life : "NULL", from);
    vexit rc = pg_query(p->db, res, sql, 0, NULL, e);
    free(sql);
    free(from);
    free(life);
    PQfreemem(t);
    PQfreemem(n);
    PQfreemem(c);
    return rc;
}

typedef struct column_seen {
    char *name;
    const char *format;     /* NULL: no value sampled */
    size_t non_empty, sampled;
    long long max_life_s;   /* -1: unknown */
} column_seen;

static vexit judge_column(propose_ctx *p, PGresult *cols, int row, column_seen *out, verr *e)
{
    const char *expires = PQgetisnull(cols, row, 7) ? NULL : PQgetvalue(cols, row, 7);
    const char *created = PQgetisnull(cols, row, 8) ? NULL : PQgetvalue(cols, row, 8);
    PGresult *r;
    vexit rc = sample(p, PQgetvalue(cols, row, 0), PQgetvalue(cols, row, 1),
                      PQgetvalue(cols, row, 2), strcmp(PQgetvalue(cols, row, 3), "bytea") == 0,
                      PQgetvalue(cols, row, 5), expires, created, &r, e);
    if (rc)
        return rc;
    size_t n = (size_t)PQntuples(r);
    const char **values = xcalloc(n ? n : 1, sizeof *values);
    out->max_life_s = -1;
    for (size_t i = 0; i < n; i++) {
        values[i] = PQgetisnull(r, (int)i, 0) ? NULL : PQgetvalue(r, (int)i, 0);
        if (!PQgetisnull(r, (int)i, 1)) {
            long long s = strtoll(PQgetvalue(r, (int)i, 1), NULL, 10);
            if (s > out->max_life_s)
                out->max_life_s = s;
        }
    }
    out->name = xstrdup(PQgetvalue(cols, row, 2));
    out->format = token_sample_format(values, n, &out->non_empty);
    out->sampled = n;
    free(values);
    PQclear(r);
    return VOUCH_OK;
}

/* One table's instance from its candidate columns cols[first..end). */
static void propose_table(propose_ctx *p, PGresult *cols, int first, column_seen *seen, int n,
                          const char *inst)
{
    const char *schema = PQgetvalue(cols, first, 0), *table = PQgetvalue(cols, first, 1);
    char *q = qname_display(schema, table);
    const char *pk = PQgetisnull(cols, first, 6) ? NULL : PQgetvalue(cols, first, 6);
    /* the hash: a column whose sample has a hash format, else one holding plaintext tokens */
    int hash = -1;
    for (int i = 0; i < n && hash < 0; i++)
        if (seen[i].format && strcmp(seen[i].format, "plaintext") != 0)
            hash = i;
    for (int i = 0; i < n && hash < 0; i++)
        if (seen[i].format)
            hash = i;
    if (hash < 0 || !pk) {
        textbuf_add(&p->out, "\n");
        propose_comment(p, "[share_tokens] %s: %s", q,
                        !pk ? "token-like columns but no primary key to name rows by: not proposed"
                            : "token-like columns, but no value in a sample of its rows to learn "
                              "the format from: not proposed");
        free(q);
        return;
    }
    char *pk_cols = xstrdup(pk);
    char *hash_col = ident_display(seen[hash].name);
    if (strcmp(pk_cols, hash_col) == 0) {
        textbuf_add(&p->out, "\n");
        propose_comment(p, "[share_tokens] %s: keyed by its token column %s: findings would "
                           "name rows by the token, so it is not proposed", q, seen[hash].name);
        free(hash_col);
        free(pk_cols);
        free(q);
        return;
    }
    char *header = xasprintf("share_tokens \"%s\"", inst);
    bool plain = strcmp(seen[hash].format, "plaintext") == 0;
    propose_section(p, header, "%s holds tokens: %s", q,
                    plain ? "WARNING: its values look like tokens in plaintext, not hashes"
                          : "stored as hashes");
    free(header);
    propose_key(p, false, "table", q, "token-like columns");
    if (strcmp(pk_cols, "id") != 0)
        propose_key(p, false, "id", pk_cols, "its primary key names rows in findings");
    propose_key(p, false, "hash", hash_col, "%zu of %zu sampled rows hold a value", seen[hash].non_empty,
                seen[hash].sampled);
    propose_key(p, !plain, "format", seen[hash].format, "%s",
                plain ? "the sampled values fit no hash format: reported as a warning until the "
                        "application stores hashes"
                      : "every sampled value has this shape");
    for (int i = 0; i < n; i++) {
        if (i == hash)
            continue;
        char *col = ident_display(seen[i].name);
        if (seen[i].non_empty == 0)
            propose_key(p, true, "plaintext", col, "empty in every sampled row: must stay empty");
        else
            propose_commented(p, "plaintext", col, "WARNING: %zu of %zu sampled rows hold a value "
                              "(%s): a token column not hashed? Uncomment once it is emptied",
                              seen[i].non_empty, seen[i].sampled,
                              seen[i].format ? seen[i].format : "?");
        free(col);
    }
    const char *expires = PQgetisnull(cols, first, 7) ? NULL : PQgetvalue(cols, first, 7);
    const char *created = PQgetisnull(cols, first, 8) ? NULL : PQgetvalue(cols, first, 8);
    const char *revoked = PQgetisnull(cols, first, 9) ? NULL : PQgetvalue(cols, first, 9);
    char *v;
    if (expires) {
        propose_key(p, false, "expires", v = ident_display(expires), "named like an expiry time");
        free(v);
    }
    if (created) {
        propose_key(p, false, "created", v = ident_display(created), "named like a creation time");
        free(v);
    }
    if (revoked) {
        propose_key(p, true, "revoked", v = ident_display(revoked), "named like a revocation mark");
        free(v);
    }
    if (expires && created && seen[hash].max_life_s > 0) {
        long long days = (seen[hash].max_life_s + 86399) / 86400;
        char *life = xasprintf("%lldd", days);
        propose_commented(p, "max_lifetime", life, "guess: the longest lifetime sampled is about "
                          "%lld days; set the longest the application allows", days);
        free(life);
    }
    free(hash_col);
    free(pk_cols);
    free(q);
}

vexit propose_share_tokens(propose_ctx *p, verr *e)
{
    PGresult *cols;
    vexit rc = propose_query(p, &cols, columns_sql, 0, NULL, e);
    if (rc)
        return rc;
    char **used = NULL;
    size_t n_used = 0, cap_used = 0;
    int found = 0;
    for (int i = 0; i < PQntuples(cols) && !rc;) {
        int end = i;
        while (end < PQntuples(cols) && strcmp(PQgetvalue(cols, end, 0), PQgetvalue(cols, i, 0)) == 0 &&
               strcmp(PQgetvalue(cols, end, 1), PQgetvalue(cols, i, 1)) == 0)
            end++;
        if (propose_is_audit(p, PQgetvalue(cols, i, 0), PQgetvalue(cols, i, 1))) {
            i = end;
            continue;
        }
        found++;
        column_seen *seen = xcalloc((size_t)(end - i), sizeof *seen);
        /* a table this role may not read (RLS, no grant) is a comment, not the end */
        verr local;
        verr_clear(&local);
        int n = 0;
        vexit trc = pg_savepoint(p->db, e);
        if (trc) {
            free(seen);
            rc = trc;
            break;
        }
        for (int k = i; k < end && !trc; k++, n++)
            trc = judge_column(p, cols, k, &seen[n], &local);
        if (trc) {
            if (pg_session_broken(p->db)) {
                *e = local;
                rc = trc;
            } else {
                char *q = qname_display(PQgetvalue(cols, i, 0), PQgetvalue(cols, i, 1));
                textbuf_add(&p->out, "\n");
                propose_comment(p, "[share_tokens] %s: could not sample its rows: %s", q, local.msg);
                free(q);
                rc = pg_rollback_savepoint(p->db, e);
            }
        } else if (!(rc = pg_release_savepoint(p->db, e))) {
            char *inst = propose_instance_name(PQgetvalue(cols, i, 1), used, n_used);
            grow((void **)&used, &cap_used, n_used + 1, sizeof *used);
            used[n_used++] = inst;
            propose_table(p, cols, i, seen, n, inst);
        }
        for (int k = 0; k < end - i; k++)
            free(seen[k].name);
        free(seen);
        i = end;
    }
    if (!found && !rc) {
        textbuf_add(&p->out, "\n");
        propose_comment(p, "[share_tokens]: no column named like a token, secret or hash");
    }
    for (size_t k = 0; k < n_used; k++)
        free(used[k]);
    free(used);
    PQclear(cols);
    return rc;
}
