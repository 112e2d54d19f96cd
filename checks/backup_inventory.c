#include "checks/backup_inventory.h"

#include <csv.h>
#include <jansson.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/util.h"

enum column {
    COL_IGNORED,
    COL_TAKEN_AT,
    COL_KIND,
    COL_REGION,
    COL_ENCRYPTED,
    COL_SIZE,
    COL_EXPIRES,
    COL_LABEL,
};

static const struct {
    const char *name;
    enum column col;
} column_names[] = {
    {"taken_at", COL_TAKEN_AT}, {"kind", COL_KIND},       {"region", COL_REGION},
    {"encrypted", COL_ENCRYPTED}, {"size_bytes", COL_SIZE}, {"expires_at", COL_EXPIRES},
    {"retained_until", COL_EXPIRES}, {"id", COL_LABEL},     {"label", COL_LABEL},
};

static const enum column required[] = {COL_TAKEN_AT, COL_KIND, COL_REGION, COL_ENCRYPTED};

static const char *column_label(enum column c)
{
    for (size_t i = 0; i < sizeof column_names / sizeof column_names[0]; i++)
        if (column_names[i].col == c)
            return column_names[i].name;
    return "?";
}

typedef struct reader {
    const char *name;
    inventory *inv;
    verr *e;
    bool failed;
    int line;          /* the line being fed to the parser */
    int record_line;   /* the line the current record started on */
    bool have_header;
    int header_line;
    enum column *cols; /* one per header field */
    size_t n_cols, cap_cols;
    char **fields;     /* the current record's fields */
    size_t n_fields, cap_fields;
} reader;

static void fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(reader *r, const char *fmt, ...)
{
    if (r->failed)
        return;
    char what[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    r->failed = true;
    verr_set(r->e, VOUCH_FAILED, "%s:%d: %s", r->name, r->record_line, what);
}

static void on_field(void *data, size_t len, void *user)
{
    reader *r = user;
    grow((void **)&r->fields, &r->cap_fields, r->n_fields + 1, sizeof *r->fields);
    r->fields[r->n_fields++] = xstrndup(data ? data : "", len);
}

static void clear_fields(reader *r)
{
    for (size_t i = 0; i < r->n_fields; i++)
        free(r->fields[i]);
    r->n_fields = 0;
}

static void read_header(reader *r)
{
    r->have_header = true;
    r->header_line = r->record_line;
    for (size_t i = 0; i < r->n_fields; i++) {
        enum column c = COL_IGNORED;
        char *name = trim(r->fields[i]);
        for (size_t k = 0; k < sizeof column_names / sizeof column_names[0]; k++)
            if (strcasecmp(name, column_names[k].name) == 0)
                c = column_names[k].col;
        for (size_t j = 0; c != COL_IGNORED && j < r->n_cols; j++)
            if (r->cols[j] == c)
                fail(r, "column %s appears twice in the header", column_label(c));
        grow((void **)&r->cols, &r->cap_cols, r->n_cols + 1, sizeof *r->cols);
        r->cols[r->n_cols++] = c;
    }
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++) {
        bool found = false;
        for (size_t j = 0; j < r->n_cols; j++)
            found |= r->cols[j] == required[k];
        if (!found)
            fail(r, "the header has no %s column (a header row naming taken_at, kind, region"
                    " and encrypted is required)", column_label(required[k]));
    }
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "1", "t"}, *const no[] = {"false", "no", "0", "f"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return (*out = true);
        if (strcasecmp(s, no[i]) == 0)
            return !(*out = false);
    }
    return false;
}

static void read_row(reader *r)
{
    if (r->n_fields != r->n_cols) {
        fail(r, "%zu fields, the header on line %d has %zu", r->n_fields, r->header_line, r->n_cols);
        return;
    }
    backup_row b = {0};
    b.line = r->record_line;
    for (size_t i = 0; i < r->n_cols && !r->failed; i++) {
        char *v = trim(r->fields[i]);
        const char *col = column_label(r->cols[i]);
        switch (r->cols[i]) {
        case COL_IGNORED:
            break;
        case COL_TAKEN_AT:
            if (!time_parse_iso(v, &b.taken_at))
                fail(r, "taken_at \"%s\" is not an ISO 8601 time with an offset"
                        " (2026-09-28T02:00:00+10:00)", v);
            break;
        case COL_EXPIRES:
            if (*v && !time_parse_iso(v, &b.expires_at))
                fail(r, "%s \"%s\" is not an ISO 8601 time with an offset", col, v);
            b.has_expiry = *v != '\0';
            break;
        case COL_KIND:
        case COL_REGION:
            if (!*v)
                fail(r, "%s is empty", col);
            else if (r->cols[i] == COL_KIND)
                b.kind = xstrdup(v);
            else
                b.region = xstrdup(v);
            break;
        case COL_ENCRYPTED:
            if (!parse_bool(v, &b.encrypted))
                fail(r, "encrypted \"%s\" is neither true nor false", v);
            break;
        case COL_SIZE:
            if (*v && (!parse_int64(v, &b.size_bytes) || b.size_bytes < 0))
                fail(r, "size_bytes \"%s\" is not a whole number of bytes", v);
            b.has_size = *v != '\0';
            break;
        case COL_LABEL:
            if (*v)
                b.label = xstrdup(v);
            break;
        }
    }
    if (r->failed) {
        free(b.kind);
        free(b.region);
        free(b.label);
        return;
    }
    grow((void **)&r->inv->v, &r->inv->cap, r->inv->n + 1, sizeof *r->inv->v);
    r->inv->v[r->inv->n++] = b;
}

static void on_record(int term, void *user)
{
    (void)term;
    reader *r = user;
    if (!r->failed) {
        if (!r->have_header)
            read_header(r);
        else
            read_row(r);
    }
    clear_fields(r);
}

vexit inventory_read_csv_stream(FILE *f, const char *name, inventory *inv, verr *e)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return verr_set(e, VOUCH_FAILED, "%s: could not start the CSV parser", name);
    reader r = {.name = name, .inv = inv, .e = e};
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    while (!r.failed && (len = getline(&buf, &cap, f)) > 0) {
        r.line++;
        /* a UTF-8 byte-order mark, as spreadsheets write, is not part of the header */
        if (r.line == 1 && len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
            memmove(buf, buf + 3, (size_t)len - 2);
            len -= 3;
        }
        if (r.n_fields == 0)
            r.record_line = r.line;
        if (csv_parse(&p, buf, (size_t)len, on_field, on_record, &r) != (size_t)len) {
            r.record_line = r.line;
            fail(&r, "malformed CSV: %s", csv_strerror(csv_error(&p)));
        }
    }
    if (!r.failed && ferror(f))
        verr_set(e, VOUCH_FAILED, "%s: could not read: %s", name, strerror(errno)), r.failed = true;
    if (!r.failed && csv_fini(&p, on_field, on_record, &r) != 0) {
        r.record_line = r.line;
        fail(&r, "malformed CSV: %s", csv_strerror(csv_error(&p)));
    }
    if (!r.failed && !r.have_header)
        verr_set(e, VOUCH_FAILED, "%s: empty file: a header row naming taken_at, kind, region"
                                  " and encrypted is required", name), r.failed = true;
    csv_free(&p);
    free(buf);
    clear_fields(&r);
    free(r.fields);
    free(r.cols);
    return r.failed ? VOUCH_FAILED : VOUCH_OK;
}

vexit inventory_read_csv(const char *path, inventory *inv, verr *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return verr_set(e, VOUCH_FAILED, "could not open backup inventory %s: %s", path,
                        strerror(errno));
    vexit rc = inventory_read_csv_stream(f, path, inv, e);
    fclose(f);
    return rc;
}

void inventory_release(inventory *inv)
{
    for (size_t i = 0; i < inv->n; i++) {
        free(inv->v[i].kind);
        free(inv->v[i].region);
        free(inv->v[i].label);
    }
    free(inv->v);
    *inv = (inventory){0};
}

/* The cipher of the repository a pgBackRest backup lives in: its repo's entry in the
 * stanza's "repo" list, else the stanza's own "cipher" (older versions, one repo). */
static const char *backup_cipher(const json_t *stanza, const json_t *backup)
{
    json_int_t key = json_integer_value(json_object_get(json_object_get(backup, "database"),
                                                        "repo-key"));
    size_t i;
    const json_t *repo;
    json_array_foreach(json_object_get(stanza, "repo"), i, repo) {
        if (json_integer_value(json_object_get(repo, "key")) == key &&
            json_is_string(json_object_get(repo, "cipher")))
            return json_string_value(json_object_get(repo, "cipher"));
    }
    return json_string_value(json_object_get(stanza, "cipher"));
}

vexit inventory_read_pgbackrest(const char *path, const char *region, inventory *inv, verr *e)
{
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        if (je.line <= 0)
            return verr_set(e, VOUCH_FAILED, "could not read pgBackRest info %s: %s", path, je.text);
        return verr_set(e, VOUCH_FAILED, "%s:%d: not pgBackRest info JSON: %s", path, je.line,
                        je.text);
    }
    vexit rc = VOUCH_OK;
    if (!json_is_array(doc))
        rc = verr_set(e, VOUCH_FAILED, "%s: not pgBackRest info JSON: expected a list of stanzas"
                                       " (pgbackrest info --output=json)", path);
    size_t i, j;
    const json_t *stanza, *b;
    json_array_foreach(doc, i, stanza) {
        if (rc)
            break;
        const char *stanza_name = json_string_value(json_object_get(stanza, "name"));
        const json_t *backups = json_object_get(stanza, "backup");
        if (!stanza_name || (backups && !json_is_array(backups))) {
            rc = verr_set(e, VOUCH_FAILED, "%s: stanza %zu has no name or a malformed backup list",
                          path, i + 1);
            break;
        }
        json_array_foreach(backups, j, b) {
            const char *label = json_string_value(json_object_get(b, "label"));
            const char *type = json_string_value(json_object_get(b, "type"));
            const json_t *stop = json_object_get(json_object_get(b, "timestamp"), "stop");
            if (!label || !type || !json_is_integer(stop)) {
                rc = verr_set(e, VOUCH_FAILED, "%s: stanza %s, backup %zu: no label, type or"
                                               " timestamp.stop", path, stanza_name, j + 1);
                break;
            }
            const char *cipher = backup_cipher(stanza, b);
            const json_t *size = json_object_get(json_object_get(json_object_get(b, "info"),
                                                                 "repository"), "size");
            backup_row row = {
                .taken_at = (int64_t)json_integer_value(stop) * 1000,
                .kind = xstrdup(type),
                .region = xstrdup(region),
                .label = xasprintf("%s/%s", stanza_name, label),
                .encrypted = cipher && strcmp(cipher, "none") != 0,
                .has_size = json_is_integer(size),
                .size_bytes = json_is_integer(size) ? (int64_t)json_integer_value(size) : 0,
            };
            grow((void **)&inv->v, &inv->cap, inv->n + 1, sizeof *inv->v);
            inv->v[inv->n++] = row;
        }
    }
    json_decref(doc);
    return rc;
}
