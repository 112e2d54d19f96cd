#include "evidence/pack_verify.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "evidence/approval.h"
#include "evidence/chain.h"
#include "evidence/manifest.h"
#include "evidence/sign.h"
#include "evidence/pack_build.h"
#include "src/util.h"

typedef struct problems {
    FILE *out;
    size_t n;
    verr first;
} problems;

/* Record one problem: printed at once, the first kept for the error. */
static void problem(problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(problems *p, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(p->out, "FAILED  %s\n", line);
    if (!p->n++)
        verr_set(&p->first, VOUCH_FAILED, "%s", line);
}

/* A MANIFEST larger than this lists more files than any pack holds. */
#define MANIFEST_MAX (64u * 1024 * 1024)
/* chain.json and a canonical form are a few kilobytes to a few megabytes. */
#define CHAIN_FILE_MAX (256u * 1024 * 1024)

/* Every entry of the folder rel (under root), recursively: anything that is not a
 * listed file is reported. */
static void find_unlisted(const char *root, const char *rel, const manifest *m, problems *p)
{
    char *path = rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
    DIR *d = opendir(path);
    if (!d) {
        problem(p, "%s: could not read the folder: %s", rel ? rel : ".", strerror(errno));
        free(path);
        return;
    }
    /* Names are collected first so the messages come in a stable order. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *x; (x = readdir(d));) {
        if (strcmp(x->d_name, ".") == 0 || strcmp(x->d_name, "..") == 0)
            continue;
        grow((void **)&names, &cap, n + 1, sizeof *names);
        names[n++] = xstrdup(x->d_name);
    }
    closedir(d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (size_t i = 0; i < n; i++) {
        char *child = rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
        char *full = xasprintf("%s/%s", root, child);
        struct stat st;
        bool top = rel == NULL && (strcmp(child, MANIFEST_NAME) == 0 ||
                                   strcmp(child, MANIFEST_SIG_NAME) == 0 ||
                                   strcmp(child, MANIFEST_TSR_NAME) == 0);
        if (lstat(full, &st) != 0)
            problem(p, "%s: could not read: %s", child, strerror(errno));
        else if (S_ISDIR(st.st_mode))
            find_unlisted(root, child, m, p);
        else if (!top && !manifest_find(m, child))
            /* a link, a FIFO or a socket is named as what it is: never followed or opened */
            problem(p, "%s: not listed in %s (a %s was added)", child, MANIFEST_NAME,
                    file_kind(st.st_mode));
        free(full);
        free(child);
        free(names[i]);
    }
    free(names);
    free(path);
}

static void check_listed(const char *dir, const manifest *m, problems *p)
{
    for (size_t i = 0; i < m->n; i++) {
        const manifest_entry *x = &m->entries[i];
        char *path = xasprintf("%s/%s", dir, x->path);
        struct stat st;
        if (lstat(path, &st) != 0) {
            problem(p, "%s: listed in %s but missing", x->path, MANIFEST_NAME);
        } else {
            uint64_t size;
            char hex[DIGEST_HEX_LEN + 1];
            verr e;
            verr_clear(&e);
            if (file_sha256(path, &size, hex, &e))
                problem(p, "%s: %s", x->path, strstr(e.msg, ": ") ? strstr(e.msg, ": ") + 2 : e.msg);
            else if (size != x->size)
                problem(p, "%s: %" PRIu64 " bytes, %s says %" PRIu64, x->path, size, MANIFEST_NAME,
                        x->size);
            else if (strcmp(hex, x->sha256) != 0)
                problem(p, "%s: its SHA-256 is not the one in %s (the file was changed)", x->path,
                        MANIFEST_NAME);
        }
        free(path);
    }
}

/* ---- the chain file: chain.json recomputed from the canonical forms it names ---- */

/* What chain.json says of one run or drill, once its digest has been recomputed. */
typedef struct sealed {
    int64_t id;
    const char *digest;   /* borrowed from the chain.json document */
} sealed;

typedef struct sealed_list {
    sealed *v;
    size_t n, cap;
} sealed_list;

static const sealed *sealed_find(const sealed_list *l, int64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].id == id)
            return &l->v[i];
    return NULL;
}

/* SHA-256 of DOMAIN "\n" PREV "\n" CANONICAL, as the store seals (docs/store.md). */
static void link_digest(const char *domain, const char *prev, const char *canon, size_t len,
                        char out[DIGEST_HEX_LEN + 1])
{
    size_t dl = strlen(domain), pl = strlen(prev);
    char *buf = xmalloc(dl + pl + len + 2);
    memcpy(buf, domain, dl);
    buf[dl] = '\n';
    memcpy(buf + dl + 1, prev, pl);
    buf[dl + 1 + pl] = '\n';
    memcpy(buf + dl + pl + 2, canon, len);
    sha256_hex(buf, dl + pl + len + 2, out);
    free(buf);
}

/* One of chain.json's lists: every entry's canonical form is in the pack and hashes,
 * with its prev_digest, to its digest; positions rise one by one (no hole), each
 * entry's prev_digest being the digest of the one before. */
static int64_t check_links(const char *dir, const manifest *m, json_t *list, const char *what,
                           const char *domain, sealed_list *out, const char **last_digest,
                           problems *p)
{
    *last_digest = NULL;
    if (!json_is_array(list)) {
        problem(p, "chain.json: no list of %ss", what);
        return 0;
    }
    int64_t last_pos = 0;
    const char *last = NULL;
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) {
        json_t *jprev = json_object_get(x, "prev_digest");
        int64_t id = json_integer_value(json_object_get(x, "id"));
        int64_t pos = json_integer_value(json_object_get(x, "chain_pos"));
        const char *canon = json_string_value(json_object_get(x, "canonical"));
        const char *digest = json_string_value(json_object_get(x, "digest"));
        const char *prev = json_is_null(jprev) ? "" : json_string_value(jprev);
        if (id < 1 || pos < 1 || !canon || !digest || !prev) {
            problem(p, "chain.json: %s entry %zu lacks its id, chain_pos, canonical, digest or "
                    "prev_digest", what, i + 1);
            return last_pos;
        }
        if (!manifest_find(m, canon)) {
            problem(p, "chain.json: %s %" PRId64 ": its canonical form \"%s\" is not a file of the "
                    "pack", what, id, canon);
            continue;
        }
        char *path = xasprintf("%s/%s", dir, canon), *bytes;
        size_t len;
        verr e;
        verr_clear(&e);
        if (file_read_regular(path, CHAIN_FILE_MAX, &bytes, &len, &e)) {
            problem(p, "%s", e.msg);
            free(path);
            continue;
        }
        free(path);
        char got[DIGEST_HEX_LEN + 1];
        link_digest(domain, prev, bytes, len, got);
        free(bytes);
        if (strcmp(got, digest) != 0)
            problem(p, "%s: its canonical bytes do not hash to the digest chain.json gives %s %" PRId64,
                    canon, what, id);
        else if (pos == 1 && *prev)
            problem(p, "chain.json: %s %" PRId64 " is first in the store's chain but has a "
                    "prev_digest", what, id);
        else if (last && pos <= last_pos)
            problem(p, "chain.json: %s %" PRId64 " at chain position %" PRId64 " after position %"
                    PRId64 ": out of chain order", what, id, pos, last_pos);
        else if (last && pos != last_pos + 1)
            problem(p, "chain.json: %s %" PRId64 " at chain position %" PRId64 " follows position %"
                    PRId64 ": the chain has a hole", what, id, pos, last_pos);
        else if (last && strcmp(prev, last) != 0)
            problem(p, "chain.json: %s %" PRId64 " does not link to the %s before it (its "
                    "prev_digest is not that one's digest)", what, id, what);
        else if (!sealed_find(out, id)) {
            grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
            out->v[out->n++] = (sealed){id, digest};
        }
        last_pos = pos;
        last = *last_digest = digest;
    }
    return last_pos;
}

/* The id N of a report "PREFIX-N.EXT" (gates/run-3.html), or 0. */
static int64_t report_id(const char *path, const char *prefix, const char **ext)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0)
        return 0;
    const char *dot = strchr(path + n, '.');
    if (!dot || dot == path + n || strchr(dot + 1, '/'))
        return 0;
    char *digits = xstrndup(path + n, (size_t)(dot - path - n));
    int64_t id = 0;
    if (!parse_int64(digits, &id) || id < 1)
        id = 0;
    free(digits);
    *ext = dot + 1;
    return id;
}

static xmlNodePtr child_named(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name))
            return c;
    return NULL;
}

/* The digest a report's XML states for its run (gate-report/chain) or drill
 * (drill-report/drill/chain) equals the one chain.json recomputes. */
static void check_report_xml(const char *dir, const char *rel, bool drill, const sealed *s,
                             problems *p)
{
    char *path = xasprintf("%s/%s", dir, rel), *bytes;
    size_t len;
    verr e;
    verr_clear(&e);
    if (file_read_regular(path, CHAIN_FILE_MAX, &bytes, &len, &e)) {
        problem(p, "%s", e.msg);
        free(path);
        return;
    }
    free(path);
    xmlDocPtr doc = len <= INT_MAX ? xmlReadMemory(bytes, (int)len, rel, NULL,
                                                   XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                   XML_PARSE_NOWARNING) : NULL;
    free(bytes);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNodePtr chain = child_named(drill ? child_named(root, "drill") : root, "chain");
    xmlChar *digest = chain ? xmlGetProp(chain, BAD_CAST "digest") : NULL;
    if (!digest || strcmp((const char *)digest, s->digest) != 0)
        problem(p, "%s: the %s digest it states is not the one chain.json recomputes", rel,
                drill ? "drill" : "run");
    xmlFree(digest);
    xmlFreeDoc(doc);
}

/* Whether drills/drill-N.json says the drill is still open (no digest yet): an open
 * drill has reports but no place in the drill chain. */
static bool drill_open(const char *dir, int64_t id)
{
    char *path = xasprintf("%s/drills/drill-%" PRId64 ".json", dir, id), *bytes;
    size_t len;
    verr e;
    bool open = false;
    if (!file_read_regular(path, CHAIN_FILE_MAX, &bytes, &len, &e)) {
        json_error_t je;
        json_t *doc = json_loadb(bytes, len, 0, &je);
        open = doc && json_is_null(json_object_get(doc, "digest"));
        json_decref(doc);
        free(bytes);
    }
    free(path);
    return open;
}

/* pack.json's store_head, when it has one, is at or after the last run and drill of the
 * chain file, and names the same digest where it is the same position. */
static void check_head(const char *dir, int64_t run_pos, const char *run_digest,
                       int64_t drill_pos, const char *drill_digest, problems *p)
{
    char *path = xasprintf("%s/%s", dir, PACK_INFO_NAME), *text;
    size_t len;
    verr e;
    if (file_read_regular(path, CHAIN_FILE_MAX, &text, &len, &e)) {
        free(path);
        return;   /* pack.json is checked as a listed file; without one there is no head */
    }
    free(path);
    json_error_t je;
    json_t *doc = json_loadb(text, len, 0, &je);
    free(text);
    json_t *head = json_object_get(doc, "store_head");
    if (head) {
        int64_t hr = json_integer_value(json_object_get(head, "run_chain_pos"));
        int64_t hd = json_integer_value(json_object_get(head, "drill_chain_pos"));
        const char *hrd = json_string_value(json_object_get(head, "run_digest"));
        const char *hdd = json_string_value(json_object_get(head, "drill_digest"));
        if (hr < run_pos || hd < drill_pos)
            problem(p, "%s: its store_head (run %" PRId64 ", drill %" PRId64 ") is before the last "
                    "run or drill of chain.json (%" PRId64 ", %" PRId64 ")", PACK_INFO_NAME, hr, hd,
                    run_pos, drill_pos);
        else if ((run_pos && hr == run_pos && (!hrd || strcmp(hrd, run_digest) != 0)) ||
                 (drill_pos && hd == drill_pos && (!hdd || strcmp(hdd, drill_digest) != 0)))
            problem(p, "%s: its store_head names another digest than chain.json's at the same "
                    "position", PACK_INFO_NAME);
    }
    json_decref(doc);
}

/* approvals/approval-N.json: its signature (rel.p7s) over it, and its token (rel.tsr, when
 * listed) over that, as stock openssl checks them; and that it approves, byte for byte, a
 * run of chain.json whose canonical form is the pack's chain/run-ID.json. The approver is
 * not pinned: approvals are signed by people, each with their own certificate, named. */
static void check_approval(const char *dir, const manifest *m, const char *rel,
                           const sealed_list *runs, const char *tsa_ca, problems *p)
{
    char *path = xasprintf("%s/%s", dir, rel), *tsr = xasprintf("%s%s", rel, TSR_SUFFIX);
    char *sig = xasprintf("%s%s", rel, SIGN_SUFFIX);
    size_t before = p->n;
    if (!manifest_find(m, sig))
        problem(p, "%s: not signed: %s is not in the pack", rel, sig);
    sig_report r;
    memset(&r, 0, sizeof r);
    verr e;
    verr_clear(&e);
    char *text = NULL;
    size_t len = 0;
    if (p->n == before && verify_file_stamped(path, NULL, manifest_find(m, tsr) ? tsa_ca : NULL, &r, &e))
        problem(p, "%s", e.msg);
    else if (p->n == before && file_read_regular(path, CHAIN_FILE_MAX, &text, &len, &e))
        problem(p, "%s", e.msg);
    approval_claim c;
    json_t *doc = NULL;
    if (text && p->n == before) {
        const sealed *s = NULL;
        char *canon = NULL;
        const manifest_entry *ce = NULL;
        if (!approval_statement_read(text, &c, &doc) || strlen(text) != len)
            problem(p, "%s: not a %s statement", rel, APPROVAL_FORMAT);
        else if (strcmp(c.signer, r.signer) != 0 || strcmp(c.fingerprint, r.fingerprint) != 0)
            problem(p, "%s: it names %s as its signer, but %s signed it", rel, c.signer, r.signer);
        else if (!(s = sealed_find(runs, c.run_id)))
            problem(p, "%s: it approves run %" PRId64 ", which is not in chain.json", rel, c.run_id);
        else if (strcmp(s->digest, c.run_digest) != 0)
            problem(p, "%s: the digest it approves is not run %" PRId64 "'s in chain.json: it was"
                    " made over another run", rel, c.run_id);
        else if (!(ce = manifest_find(m, canon = xasprintf("chain/run-%" PRId64 ".json", c.run_id))) ||
                 strcmp(ce->sha256, c.run_canonical_sha256) != 0)
            problem(p, "%s: run %" PRId64 "'s canonical form in the pack is not the one approved",
                    rel, c.run_id);
        free(canon);
    }
    json_decref(doc);
    sig_report_release(&r);
    free(text);
    free(sig);
    free(tsr);
    free(path);
}

/* chain.json recomputed, and every gate and drill report of the pack in it. */
static void check_chain(const char *dir, const manifest *m, const char *tsa_ca, problems *p,
                        size_t *n_runs, size_t *n_drills, size_t *n_approvals)
{
    if (!manifest_find(m, "chain.json")) {
        problem(p, "chain.json: not in the pack: its runs cannot be checked against the chain");
        return;
    }
    char *path = xasprintf("%s/chain.json", dir), *text;
    size_t len;
    verr e;
    verr_clear(&e);
    vexit rc = file_read_regular(path, CHAIN_FILE_MAX, &text, &len, &e);
    free(path);
    if (rc) {
        problem(p, "%s", e.msg);
        return;
    }
    json_error_t je;
    json_t *doc = json_loadb(text, len, 0, &je);
    free(text);
    if (!json_is_object(doc)) {
        problem(p, "chain.json: not JSON (line %d: %s)", je.line, je.text);
        json_decref(doc);
        return;
    }
    sealed_list runs = {0}, drills = {0};
    const char *run_digest, *drill_digest;
    int64_t run_pos = check_links(dir, m, json_object_get(doc, "runs"), "run", "vouch-chain/1",
                                  &runs, &run_digest, p);
    int64_t drill_pos = check_links(dir, m, json_object_get(doc, "drills"), "drill",
                                    "vouch-drill-chain/1", &drills, &drill_digest, p);
    if (!p->n)
        check_head(dir, run_pos, run_digest, drill_pos, drill_digest, p);
    *n_runs = runs.n;
    *n_drills = drills.n;
    for (size_t i = 0; i < m->n; i++) {
        const char *rel = m->entries[i].path, *ext = NULL;
        int64_t id;
        if ((id = report_id(rel, "gates/run-", &ext))) {
            const sealed *s = sealed_find(&runs, id);
            if (!s)
                problem(p, "%s: run %" PRId64 " is not in chain.json (a report of a run outside "
                        "the pack's chain)", rel, id);
            else if (strcmp(ext, "xml") == 0)
                check_report_xml(dir, rel, false, s, p);
        } else if (strncmp(rel, "approvals/approval-", 19) == 0 &&
                   strlen(rel) > 5 && strcmp(rel + strlen(rel) - 5, ".json") == 0) {
            check_approval(dir, m, rel, &runs, tsa_ca, p);
            ++*n_approvals;
        } else if ((id = report_id(rel, "drills/drill-", &ext))) {
            const sealed *s = sealed_find(&drills, id);
            if (!s && !drill_open(dir, id))
                problem(p, "%s: drill %" PRId64 " is not in chain.json and is not open (a report "
                        "of a drill outside the pack's chain)", rel, id);
            else if (s && strcmp(ext, "xml") == 0)
                check_report_xml(dir, rel, true, s, p);
        }
    }
    free(runs.v);
    free(drills.v);
    json_decref(doc);
}

/* The period the pack says it covers, from its (verified) pack.json. */
static char *period_of(const char *dir)
{
    char *path = xasprintf("%s/%s", dir, PACK_INFO_NAME);
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    free(path);
    const char *label = json_string_value(json_object_get(doc, "period"));
    const char *first = json_string_value(json_object_get(doc, "first_day"));
    const char *last = json_string_value(json_object_get(doc, "last_day"));
    const char *summary = json_string_value(json_object_get(doc, "summary"));
    char *text = label && first && last
                     ? xasprintf("%s (%s to %s, UTC)%s%s", label, first, last,
                                 summary ? "\n  contents     " : "", summary ? summary : "")
                     : xstrdup("(pack.json does not say)");
    json_decref(doc);
    return text;
}

static void print_verified(FILE *out, const char *dir, const manifest *m, const sig_report *r,
                           size_t n_runs, size_t n_drills, size_t n_approvals)
{
    uint64_t total = 0;
    for (size_t i = 0; i < m->n; i++)
        total += m->entries[i].size;
    char *covers = period_of(dir);
    fprintf(out, "verified pack %s\n", dir);
    fprintf(out, "  period       %s\n", covers);
    fprintf(out, "  files        %zu listed, %" PRIu64 " bytes: every size and SHA-256 matches, "
                 "none missing, none added\n", m->n, total);
    fprintf(out, "  manifest     %s (sha256 %s), signature %s (CMS, detached)\n", MANIFEST_NAME,
            r->sha256, MANIFEST_SIG_NAME);
    fprintf(out, "  chain        %zu run%s and %zu drill%s recomputed from their canonical forms, "
                 "linked without holes; every report is of one of them\n",
            n_runs, n_runs == 1 ? "" : "s", n_drills, n_drills == 1 ? "" : "s");
    if (n_approvals)
        fprintf(out, "  approvals    %zu signed approval%s, each signature verified over its "
                     "statement and the statement over a run of the chain\n",
                n_approvals, n_approvals == 1 ? "" : "s");
    fprintf(out, "  signer       %s\n", r->signer);
    if (strcmp(r->signer, r->issuer) != 0)
        fprintf(out, "  issuer       %s\n", r->issuer);
    fprintf(out, "  fingerprint  SHA-256 %s\n", r->fingerprint);
    fprintf(out, "  signed at    %s\n", r->signing_time[0] ? r->signing_time : "(no signing time)");
    sig_report_print_stamp(out, r);
    if (r->pinned)
        fprintf(out, "  trust        pinned: the signer is, or is issued by, %s\n", r->pinned_path);
    else
        fprintf(out, "  trust        NOT PINNED: the pack is unchanged since this key signed it, but "
                     "who holds the key is not checked; give --cert FILE or set [signing] "
                     "certificate\n");
    free(covers);
}

vexit pack_verify(const char *dir_arg, const char *pinned_cert, const char *tsa_ca, FILE *out,
                  verr *e)
{
    /* "pack/" names the same pack as "pack": messages read "pack/MANIFEST", not "pack//". */
    size_t n = strlen(dir_arg);
    while (n > 1 && dir_arg[n - 1] == '/')
        n--;
    char *dir = xstrndup(dir_arg, n);
    problems p = {.out = out};
    verr_clear(&p.first);
    char *mpath = xasprintf("%s/%s", dir, MANIFEST_NAME);
    char *text = NULL;
    size_t len = 0;
    manifest m = {0};
    sig_report r;
    memset(&r, 0, sizeof r);
    vexit rc = VOUCH_OK;
    bool signed_ok = false, listed = false;   /* listed: the MANIFEST was read and parsed */
    char *spath = xasprintf("%s/%s", dir, MANIFEST_SIG_NAME);
    struct stat sst;
    verr re;
    verr_clear(&re);
    if (lstat(mpath, &sst) != 0 && errno == ENOENT) {
        problem(&p, "%s: missing or unreadable: this is not an evidence pack, or its %s was removed",
                MANIFEST_NAME, MANIFEST_NAME);
    } else if (file_read_regular(mpath, MANIFEST_MAX, &text, &len, &re)) {
        problem(&p, "%s", re.msg);
    } else if (lstat(spath, &sst) == 0 && !S_ISREG(sst.st_mode)) {
        problem(&p, "%s: a %s, not a regular file", spath, file_kind(sst.st_mode));
        verr pe;
        verr_clear(&pe);
        if (manifest_parse(text, len, &m, &pe))
            problem(&p, "%s", pe.msg);
        else
            listed = true;
    } else {
        verr se;
        verr_clear(&se);
        vexit sr = verify_file_stamped(mpath, pinned_cert, tsa_ca, &r, &se);
        if (sr == VOUCH_USAGE && pinned_cert && !strstr(se.msg, MANIFEST_NAME)) {
            /* the pinned certificate cannot be read: a usage error, not a verdict */
            *e = se;
            rc = se.code;
        } else if (sr) {
            problem(&p, "%s", se.msg);
        } else {
            signed_ok = true;
        }
        verr pe;
        verr_clear(&pe);
        if (!rc && manifest_parse(text, len, &m, &pe))
            problem(&p, "%s", pe.msg);
        else
            listed = !rc;
    }
    if (!rc) {
        /* Against a MANIFEST that cannot be read, every file would be "added": the one
         * problem is the MANIFEST. */
        if (listed) {
            check_listed(dir, &m, &p);
            find_unlisted(dir, NULL, &m, &p);
        }
        /* The chain is read only from files proven to be the signed ones. */
        size_t n_runs = 0, n_drills = 0, n_approvals = 0;
        if (!p.n && signed_ok)
            check_chain(dir, &m, tsa_ca, &p, &n_runs, &n_drills, &n_approvals);
        if (p.n) {
            *e = p.first;
            if (p.n > 1)
                verr_hint(e, "%zu problems in pack \"%s\", each listed above.", p.n, dir);
            rc = VOUCH_FAILED;
        } else if (signed_ok) {
            print_verified(out, dir, &m, &r, n_runs, n_drills, n_approvals);
        }
    }
    sig_report_release(&r);
    manifest_release(&m);
    free(text);
    free(spath);
    free(mpath);
    free(dir);
    return rc;
}
