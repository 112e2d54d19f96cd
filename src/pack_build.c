/* nftw (removing a half-made pack) is an XSI function. */
#define _XOPEN_SOURCE 700
#include "src/pack_build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence/chain.h"
#include "evidence/drill_record.h"
#include "evidence/manifest.h"
#include "evidence/sign.h"
#include "evidence/store_drill.h"
#include "reports/csv_export.h"
#include "src/interrupt.h"
#include "src/util.h"

/* The folder being filled, and what has gone into it. */
typedef struct builder {
    char *tmp;
    manifest m;
    uint64_t bytes;
} builder;

static vexit write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return VOUCH_ABORTED;
        data += n;
        len -= (size_t)n;
    }
    return VOUCH_OK;
}

/* The path of rel inside the pack being built, its folders made. Caller frees.
 * A renderer that writes its own file (unsigned: the MANIFEST's signature covers it)
 * writes it there, then list_file adds it to the MANIFEST. */
static vexit path_in(builder *b, const char *rel, char **out, verr *e)
{
    *out = NULL;
    if (interrupt_requested())
        return verr_set(e, VOUCH_ABORTED, "interrupted: no pack was made");
    char *path = xasprintf("%s/%s", b->tmp, rel);
    for (char *slash = strchr(path + strlen(b->tmp) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        int r = mkdir(path, 0777);
        *slash = '/';
        if (r != 0 && errno != EEXIST) {
            verr_set(e, VOUCH_ABORTED, "could not create a folder for \"%s\": %s", path, strerror(errno));
            free(path);
            return e->code;
        }
    }
    *out = path;
    return VOUCH_OK;
}

/* List rel, as it now is on disk, in the MANIFEST. */
static vexit list_file(builder *b, const char *rel, verr *e)
{
    char *path = xasprintf("%s/%s", b->tmp, rel);
    uint64_t size;
    char hex[DIGEST_HEX_LEN + 1];
    vexit rc = file_sha256(path, &size, hex, e);
    free(path);
    if (rc) {
        e->code = VOUCH_ABORTED;   /* a file vouch just wrote cannot be read back */
        return e->code;
    }
    if (!manifest_path_ok(rel) || manifest_find(&b->m, rel))
        return verr_set(e, VOUCH_ABORTED, "pack: \"%s\" cannot be listed (a bad or repeated name)", rel);
    manifest_add(&b->m, rel, size, hex);
    b->bytes += size;
    return VOUCH_OK;
}

/* Write one file at rel; listed in the MANIFEST unless unlisted (the MANIFEST itself). */
static vexit put_file(builder *b, const char *rel, const char *data, size_t len, bool listed,
                      verr *e)
{
    char *path;
    vexit rc = path_in(b, rel, &path, e);
    if (rc)
        return rc;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 || write_all(fd, data, len) || fsync(fd) != 0)
        rc = verr_set(e, VOUCH_ABORTED, "could not write \"%s\": %s", path, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && !rc)
        rc = verr_set(e, VOUCH_ABORTED, "could not write \"%s\": %s", path, strerror(errno));
    free(path);
    return rc || !listed ? rc : list_file(b, rel, e);
}

/* JSON as the pack writes it: indented, keys sorted, a final newline. */
static vexit put_json(builder *b, const char *rel, json_t *doc, verr *e)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!text)
        return verr_set(e, VOUCH_ABORTED, "could not serialise %s", rel);
    char *line = xasprintf("%s\n", text);
    free(text);
    vexit rc = put_file(b, rel, line, strlen(line), true, e);
    free(line);
    return rc;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static bool started_in(const char *started_at, const period *p)
{
    int64_t ms;
    return started_at && utc_parse_ms(started_at, &ms) && period_contains(p, ms);
}

/* One chain entry, kept with its position to be listed in chain order. */
typedef struct chain_entry {
    int64_t pos;
    json_t *json;
} chain_entry;

typedef struct chain_list {
    chain_entry *v;
    size_t n, cap;
} chain_list;

static void chain_add(chain_list *l, int64_t pos, json_t *json)
{
    grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = (chain_entry){pos, json};
}

static int by_pos(const void *a, const void *b)
{
    int64_t x = ((const chain_entry *)a)->pos, y = ((const chain_entry *)b)->pos;
    return (x > y) - (x < y);
}

/* The entries as a JSON array in chain order; the list is emptied. */
static json_t *chain_array(chain_list *l)
{
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, by_pos);
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, l->v[i].json);
    free(l->v);
    *l = (chain_list){0};
    return a;
}

static void chain_free(chain_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        json_decref(l->v[i].json);
    free(l->v);
}

/* What the pack gathers while it walks the store. */
typedef struct gathered {
    chain_list runs, drills;
    FILE *csv;              /* results.csv, in memory */
    char *csv_bytes;
    size_t csv_len;
    json_t *gate_index;     /* [{id, kind, status, started_at, reports...}] for pack.json */
    json_t *drill_index;
    pack_summary *sum;
} gathered;

static const struct {
    const char *format, *ext;
} gate_formats[] = {{"html", "html"}, {"markdown", "md"}, {"xml", "xml"}, {"csv", "csv"}};

static vexit gate_reports(builder *b, const report_request *rq, const run_record *r, json_t *files,
                          verr *e)
{
    vexit rc = VOUCH_OK;
    for (size_t i = 0; i < sizeof gate_formats / sizeof gate_formats[0] && !rc; i++) {
        char *bytes = NULL;
        size_t len = 0;
        char *rel = xasprintf("gates/run-%" PRId64 ".%s", r->id, gate_formats[i].ext);
        if (!(rc = report_gate_bytes(rq, r->id, gate_formats[i].format, &bytes, &len, e)) &&
            !(rc = put_file(b, rel, bytes, len, true, e)))
            json_array_append_new(files, json_string(rel));
        free(bytes);
        free(rel);
    }
    return rc;
}

static vexit one_run(builder *b, const report_request *rq, const period *p, int64_t id,
                     gathered *g, verr *e)
{
    run_record *r;
    vexit rc = store_load_run(rq->st, id, &r, e);
    if (rc)
        return rc;
    /* Only sealed runs: a run still running has no verdict and no place in the chain. */
    if (!r->chain_pos || !r->digest || !started_in(r->started_at, p))
        goto out;
    char *canon = run_canonical(r);
    char *rel = xasprintf("chain/run-%" PRId64 ".json", r->id);
    rc = put_file(b, rel, canon, strlen(canon), true, e);
    free(canon);
    chain_add(&g->runs, r->chain_pos,
              json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:s, s:s}", "id", (json_int_t)r->id,
                        "chain_pos", (json_int_t)r->chain_pos, "kind", r->kind, "status", r->status,
                        "started_at", str_or_null(r->started_at), "finished_at",
                        str_or_null(r->finished_at), "prev_digest", str_or_null(r->prev_digest),
                        "digest", r->digest, "canonical", rel));
    free(rel);
    if (rc)
        goto out;
    if (strcmp(r->kind, "baseline") == 0) {
        g->sum->baselines++;
        goto out;
    }
    g->sum->gate_runs++;
    json_t *files = json_array();
    json_array_append_new(g->gate_index,
                          json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)r->id, "kind",
                                    r->kind, "status", r->status, "started_at", r->started_at,
                                    "reports", files));
    if (!(rc = gate_reports(b, rq, r, files, e)))
        rc = report_csv_rows(g->csv, r, e);
out:
    run_record_free(r);
    return rc;
}

/* A drill as JSON: its canonical fields and its digest, until its own report exists. */
static vexit drill_json(builder *b, const drill_record *d, const char *rel, verr *e)
{
    char *canon = drill_canonical(d);
    json_error_t je;
    json_t *doc = json_loads(canon, 0, &je);
    free(canon);
    if (!doc)
        return verr_set(e, VOUCH_ABORTED, "drill %" PRId64 ": could not read its canonical form",
                        d->id);
    json_object_set_new(doc, "digest", str_or_null(d->digest));
    vexit rc = put_json(b, rel, doc, e);
    json_decref(doc);
    return rc;
}

static vexit one_drill(builder *b, const report_request *rq, const period *p, int64_t id,
                       gathered *g, verr *e)
{
    drill_record *d;
    vexit rc = store_load_drill(rq->st, id, &d, e);
    if (rc)
        return rc;
    if (!started_in(d->started_at, p))
        goto out;
    g->sum->drills++;
    char *rel = xasprintf("drills/drill-%" PRId64 ".json", d->id);
    json_array_append_new(g->drill_index,
                          json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)d->id,
                                    "scenario", d->scenario ? d->scenario : "", "status", d->status,
                                    "started_at", d->started_at, "file", rel));
    rc = drill_json(b, d, rel, e);
    /* lead: add each drill's report here: for each format, path_in(b, "drills/drill-N.html",
     * &path, e), render the drill's report to path (unsigned), then list_file(b, rel, e). */
    free(rel);
    if (rc || !d->chain_pos || !d->digest)
        goto out;
    char *canon = drill_canonical(d);
    rel = xasprintf("chain/drill-%" PRId64 ".json", d->id);
    rc = put_file(b, rel, canon, strlen(canon), true, e);
    free(canon);
    chain_add(&g->drills, d->chain_pos,
              json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "id",
                        (json_int_t)d->id, "chain_pos", (json_int_t)d->chain_pos, "status",
                        d->status, "started_at", d->started_at, "finished_at",
                        str_or_null(d->finished_at), "gate_run_id",
                        d->gate_run_id ? json_integer(d->gate_run_id) : json_null(), "gate_digest",
                        str_or_null(d->gate_digest), "prev_digest", str_or_null(d->prev_digest),
                        "digest", str_or_null(d->digest), "canonical", rel, "kind", "drill"));
    free(rel);
out:
    drill_record_free(d);
    return rc;
}

/* Every run, then every drill, oldest first. */
static vexit gather(builder *b, const report_request *rq, const period *p, gathered *g, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = store_list_runs(rq->st, 0, &ids, &n, e);
    if (rc)
        return rc;
    for (size_t i = n; i > 0 && !rc; i--)
        rc = one_run(b, rq, p, ids[i - 1], g, e);
    free(ids);
    if (rc || (rc = store_list_drills(rq->st, 0, &ids, &n, e)))
        return rc;
    for (size_t i = n; i > 0 && !rc; i--)
        rc = one_drill(b, rq, p, ids[i - 1], g, e);
    free(ids);
    return rc;
}

static json_t *chain_doc(gathered *g, const period *p)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "format", "vouch-pack-chain/1",
                     "period", p->label, "run_digest",
                     "SHA-256(\"vouch-chain/1\\n\" || prev_digest || \"\\n\" || canonical)",
                     "drill_digest",
                     "SHA-256(\"vouch-drill-chain/1\\n\" || prev_digest || \"\\n\" || canonical)",
                     "runs_in", "chain order: every sealed run started in the period",
                     "drills_in", "chain order: every sealed drill started in the period",
                     "runs", chain_array(&g->runs), "drills", chain_array(&g->drills));
}

static bool nothing_recorded(const pack_summary *s)
{
    return !s->gate_runs && !s->baselines && !s->drills;
}

static json_t *info_doc(gathered *g, const period *p)
{
    char from[32], to[32];
    utc_format_ms(p->from_ms, from, sizeof from);
    utc_format_ms(p->to_ms, to, sizeof to);
    char *note = nothing_recorded(g->sum)
                     ? xasprintf("nothing was recorded in %s: no gate or check run, no baseline "
                                 "and no drill started from %s to %s (UTC)",
                                 p->label, p->first, p->last)
                     : xasprintf("%zu gate or check run%s, %zu baseline%s and %zu drill%s started "
                                 "in %s (%s to %s, UTC)",
                                 g->sum->gate_runs, g->sum->gate_runs == 1 ? "" : "s",
                                 g->sum->baselines, g->sum->baselines == 1 ? "" : "s",
                                 g->sum->drills, g->sum->drills == 1 ? "" : "s", p->label,
                                 p->first, p->last);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:I, s:o, s:o, s:s, s:s, s:s}",
        "format", "vouch-pack/1", "period", p->label, "from", from, "until", to, "first_day",
        p->first, "last_day", p->last, "recorded", !nothing_recorded(g->sum), "summary", note,
        "gate_runs", (json_int_t)g->sum->gate_runs, "baselines", (json_int_t)g->sum->baselines,
        "drills", (json_int_t)g->sum->drills, "gates", g->gate_index, "drill_files",
        g->drill_index, "results", "results.csv", "chain", "chain.json", "vouch_version",
        VOUCH_VERSION);
    g->gate_index = g->drill_index = NULL;
    free(note);
    return doc;
}

static vexit fill(builder *b, const report_request *rq, const period *p, const signer *s,
                  pack_summary *sum, verr *e)
{
    gathered g = {.sum = sum, .gate_index = json_array(), .drill_index = json_array()};
    g.csv = open_memstream(&g.csv_bytes, &g.csv_len);
    if (!g.csv) {
        json_decref(g.gate_index);
        json_decref(g.drill_index);
        return verr_set(e, VOUCH_ABORTED, "could not start the results export");
    }
    vexit rc = report_csv_header(g.csv, e);
    if (!rc)
        rc = gather(b, rq, p, &g, e);
    if (fclose(g.csv) != 0 && !rc)
        rc = verr_set(e, VOUCH_ABORTED, "could not finish the results export");
    if (!rc)
        rc = put_file(b, "results.csv", g.csv_bytes, g.csv_len, true, e);
    free(g.csv_bytes);
    if (!rc) {
        json_t *chain = chain_doc(&g, p);
        rc = put_json(b, "chain.json", chain, e);
        json_decref(chain);
    }
    /* lead: add drill and compliance reports here: the compliance report of p as
     * compliance.html and compliance.md, each by path_in, rendering to that path
     * (unsigned: the MANIFEST's signature covers it) and list_file. */
    if (!rc) {
        json_t *info = info_doc(&g, p);
        rc = put_json(b, PACK_INFO_NAME, info, e);
        json_decref(info);
    }
    chain_free(&g.runs);
    chain_free(&g.drills);
    json_decref(g.gate_index);
    json_decref(g.drill_index);
    if (rc)
        return rc;
    size_t len;
    char *text = manifest_format(&b->m, &len);
    rc = put_file(b, MANIFEST_NAME, text, len, false, e);
    free(text);
    if (!rc) {
        char *path = xasprintf("%s/%s", b->tmp, MANIFEST_NAME);
        rc = sign_file(s, path, e);
        free(path);
    }
    sum->files = b->m.n;
    sum->bytes = b->bytes;
    return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

vexit pack_check_destination(const char *dir, verr *e)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT)
            return VOUCH_OK;
        return verr_set(e, VOUCH_USAGE, "could not read \"%s\": %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return verr_set(e, VOUCH_USAGE, "\"%s\" exists and is not a folder", dir);
    DIR *d = opendir(dir);
    if (!d)
        return verr_set(e, VOUCH_USAGE, "could not read \"%s\": %s", dir, strerror(errno));
    bool empty = true;
    for (struct dirent *x; empty && (x = readdir(d));)
        empty = strcmp(x->d_name, ".") == 0 || strcmp(x->d_name, "..") == 0;
    closedir(d);
    if (!empty) {
        verr_set(e, VOUCH_USAGE, "\"%s\" exists and is not empty: a pack goes into a new or empty folder",
                 dir);
        verr_hint(e, "Choose another --out, or remove the folder first.");
        return e->code;
    }
    return VOUCH_OK;
}

vexit pack_build(const report_request *rq, const period *p, const char *dir, const signer *s,
                 pack_summary *sum, verr *e)
{
    *sum = (pack_summary){0};
    vexit rc = pack_check_destination(dir, e);
    if (rc)
        return rc;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    builder b = {.tmp = xasprintf("%.*s.tmp-XXXXXX", (int)n, dir)};
    if (!mkdtemp(b.tmp)) {
        verr_set(e, VOUCH_USAGE, "could not create a folder beside \"%s\": %s", dir, strerror(errno));
        free(b.tmp);
        return e->code;
    }
    rc = fill(&b, rq, p, s, sum, e);
    if (!rc) {
        /* mkdtemp made it 0700; a pack is for reading, as files are under the umask. */
        mode_t mask = umask(0);
        umask(mask);
        if (chmod(b.tmp, 0777 & ~mask) != 0 || rename(b.tmp, dir) != 0)
            rc = verr_set(e, VOUCH_ABORTED, "could not move the pack into \"%s\": %s", dir,
                          strerror(errno));
    }
    if (rc)
        nftw(b.tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    manifest_release(&b.m);
    free(b.tmp);
    return rc;
}
