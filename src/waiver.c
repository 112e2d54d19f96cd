#include "src/waiver.h"

#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/utf8.h"
#include "src/util.h"

const conf_key waiver_keys[] = {
    {"check", CONF_REQUIRED, "CHECK | CHECK/INSTANCE",
     "The check whose failures the waiver covers, as results name it (rowcount, "
     "share_tokens/invitations); a checker's name covers all its instances."},
    {"subject", CONF_REQUIRED, "SUBJECT | GLOB",
     "The subject of the failure as results show it (public.tasks), or a glob (public.*, "
     "* for every subject of the check)."},
    {"reason", CONF_REQUIRED, "TEXT",
     "Why the deviation is accepted; stored with every run it applies to and shown beside "
     "each failure it covers."},
    {"expires", CONF_REQUIRED, "YYYY-MM-DD",
     "The last day (UTC) the waiver is in force; a run that begins after it fails, naming "
     "the waiver."},
    {"approved_by", 0, "TEXT", "Who accepted the deviation, shown with the waiver."},
    {NULL, 0, NULL, NULL},
};

const char *waiver_state_name(waiver_state s)
{
    switch (s) {
    case WAIVER_IN_FORCE: return "in_force";
    case WAIVER_UNMATCHED: return "unmatched";
    case WAIVER_EXPIRED: return "expired";
    }
    return "expired";
}

bool waiver_parse_expiry(const char *s, int64_t *until_ms)
{
    /* exactly YYYY-MM-DD: ten characters, digits where digits go */
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    time_t t = timegm(&tm);
    /* timegm normalises 2026-02-30 to March: a date that moved is not a date */
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != m - 1)
        return false;
    *until_ms = ((int64_t)t + 86400) * 1000;
    return true;
}

bool waiver_names_check(const waiver *w, const char *check)
{
    if (!check)
        return false;
    if (strcmp(w->check, check) == 0)
        return true;
    size_t n = strlen(w->check);
    return !strchr(w->check, '/') && strncmp(w->check, check, n) == 0 && check[n] == '/';
}

bool waiver_covers(const waiver *w, const char *check, const char *subject)
{
    if (!waiver_names_check(w, check) || !subject)
        return false;
    return strcmp(w->subject, subject) == 0 || fnmatch(w->subject, subject, 0) == 0;
}

static void waiver_release(waiver *w)
{
    free(w->name);
    free(w->check);
    free(w->subject);
    free(w->reason);
    free(w->expires);
    free(w->approved_by);
}

void waivers_release(waiver_set *w)
{
    for (size_t i = 0; w && i < w->n; i++)
        waiver_release(&w->v[i]);
    if (w) {
        free(w->v);
        *w = (waiver_set){0};
    }
}

/* One [waiver "NAME"] section into *w; keys are already checked against waiver_keys. */
static vexit read_one(const conf *c, const conf_section *s, bool (*known)(const char *),
                      waiver *w, verr *e)
{
    *w = (waiver){.line = s->line};
    if (!s->instance) {
        verr_set(e, VOUCH_USAGE, "%s:%d: [waiver] needs a name: [waiver \"NAME\"]", c->path,
                 s->line);
        verr_hint(e, "Name each waiver, e.g. [waiver \"tasks-migration\"]; docs/waivers.md.");
        return e->code;
    }
    w->name = xstrdup(s->instance);
    const conf_entry *check = conf_get(c, s->name, "check");
    const conf_entry *subject = conf_get(c, s->name, "subject");
    const conf_entry *reason = conf_get(c, s->name, "reason");
    const conf_entry *expires = conf_get(c, s->name, "expires");
    const conf_entry *by = conf_get(c, s->name, "approved_by");
    if (!check || !subject || !reason || !expires) /* conf_check_section ran first */
        return verr_set(e, VOUCH_USAGE, "%s:%d: [%s] is incomplete", c->path, s->line, s->name);
    /* stored and signed as JSON and XML, which hold UTF-8 only: refused here, not mangled */
    const conf_entry *texts[] = {check, subject, reason, expires, by};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i] && !utf8_valid(texts[i]->value, strlen(texts[i]->value)))
            return conf_error(e, c, texts[i], "not valid UTF-8");
    const char *slash = strchr(check->value, '/');
    char *base = slash ? xstrndup(check->value, (size_t)(slash - check->value))
                       : xstrdup(check->value);
    bool ok = known(base) && (!slash || conf_instance_name_ok(slash + 1));
    free(base);
    if (!ok) {
        conf_error(e, c, check, "no check is named '%s'", check->value);
        verr_hint(e, "Name a check as results do: rowcount, rls, share_tokens/NAME, ...");
        return e->code;
    }
    if (!waiver_parse_expiry(expires->value, &w->until_ms)) {
        conf_error(e, c, expires, "'%s' is not a date written YYYY-MM-DD", expires->value);
        return e->code;
    }
    w->check = xstrdup(check->value);
    w->subject = xstrdup(subject->value);
    w->reason = xstrdup(reason->value);
    w->expires = xstrdup(expires->value);
    w->approved_by = by ? xstrdup(by->value) : NULL;
    return VOUCH_OK;
}

vexit waivers_read(const conf *c, bool (*known)(const char *check), waiver_set *out, verr *e)
{
    *out = (waiver_set){0};
    size_t cap = 0;
    for (size_t i = 0; i < c->n_sections; i++) {
        const conf_section *s = &c->sections[i];
        if (strcmp(s->base, "waiver") != 0)
            continue;
        vexit rc = conf_check_section(c, s->name, waiver_keys, e);
        grow((void **)&out->v, &cap, out->n + 1, sizeof *out->v);
        out->v[out->n] = (waiver){0};
        if (!rc)
            rc = read_one(c, s, known, &out->v[out->n], e);
        out->n++;
        if (rc) {
            waivers_release(out);
            return rc;
        }
    }
    return VOUCH_OK;
}

static bool names_a_unit(const waiver *w, const char *const *units, size_t n_units)
{
    for (size_t i = 0; i < n_units; i++)
        if (waiver_names_check(w, units[i]))
            return true;
    return false;
}

static void add_row(result_row **rows, size_t *n, size_t *cap, result_row row)
{
    grow((void **)rows, cap, *n + 1, sizeof **rows);
    (*rows)[(*n)++] = row;
}

char *waivers_apply(const waiver_set *w, const char *const *units, size_t n_units,
                    bool every_check, int64_t now_ms, result_row **rows, size_t *n, size_t *cap,
                    size_t *unmatched)
{
    *unmatched = 0;
    json_t *list = json_array();
    size_t n_found = *n; /* the checks' own rows: those added here are not waived */
    for (size_t k = 0; w && k < w->n; k++) {
        const waiver *x = &w->v[k];
        /* about a check 'vouch check NAME' did not run: not this run's business; a gate
         * runs every configured check, so one about a check not configured is unused */
        if (!every_check && !names_a_unit(x, units, n_units))
            continue;
        bool expired = now_ms >= x->until_ms;
        size_t waived = 0;
        for (size_t i = 0; i < n_found && !expired; i++) {
            result_row *r = &(*rows)[i];
            if (r->status != RESULT_FAIL || !waiver_covers(x, r->check, r->subject))
                continue;
            r->status = RESULT_WAIVED;
            r->waiver = xstrdup(x->name);
            waived++;
        }
        waiver_state state = expired ? WAIVER_EXPIRED : waived ? WAIVER_IN_FORCE
                                                                : WAIVER_UNMATCHED;
        char *subject = xasprintf("(waiver %s)", x->name);
        if (state == WAIVER_EXPIRED)
            add_row(rows, n, cap, (result_row){
                .check = xstrdup(x->check),
                .subject = subject,
                .status = RESULT_FAIL,
                .expected = xasprintf("in force (until %s)", x->expires),
                .observed = xstrdup("expired"),
                .reason = xasprintf("waiver '%s' expired on %s: it covers nothing, so what it"
                                    " covered fails again; fix it, or renew the waiver with"
                                    " a new expires",
                                    x->name, x->expires),
            });
        else if (state == WAIVER_UNMATCHED)
            add_row(rows, n, cap, (result_row){
                .check = xstrdup(x->check),
                .subject = subject,
                .status = RESULT_WARN,
                .expected = xstrdup("a failure to cover"),
                .observed = xstrdup("none"),
                .reason = xasprintf("waiver '%s' covers no failure of this run: remove it if"
                                    " the deviation is gone, or correct its check and subject",
                                    x->name),
            });
        else
            free(subject);
        *unmatched += state == WAIVER_UNMATCHED;
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "name", x->name, "check",
                              x->check, "subject", x->subject, "reason", x->reason, "expires",
                              x->expires, "state", waiver_state_name(state), "waived",
                              (json_int_t)waived);
        if (!o) /* waivers_read let in UTF-8 only: only memory can run out here */
            abort();
        if (x->approved_by)
            json_object_set_new(o, "approved_by", json_string(x->approved_by));
        json_array_append_new(list, o);
    }
    char *text = json_array_size(list)
                     ? json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)
                     : NULL;
    json_decref(list);
    return text;
}
