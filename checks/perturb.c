/* checks/perturb: one perturbation per checker on its baseline document, each the damage a
 * bad restore does that the check exists to find (docs/negative-control.md):
 *
 *   rowcount      every table's count raised to ten times and 1000 more (rows lost)
 *   content       a row digest sum of each table's first range changed (a row changed)
 *   rls           one policy removed (else a table's RLS flag turned around)
 *   share_tokens  the hash of one token changed (its range digest and its row)
 *   settings      one setting dropped (else the database owner changed)
 *   audit_log     the digest of the first anchored range flipped
 *   residency     the hash of one evidence row changed
 *   query         expect = baseline: the result digest changed; tolerance: the value
 *                 raised; expect = true or at-least N: not applicable (no baseline figure)
 *
 * A checker with no baseline (backups judges an inventory each run) never gets here: the
 * runner reports it as not applicable. */
#include "checks/perturb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

char *perturb_flip_last(const char *text)
{
    if (!text || !*text)
        return NULL;
    char *s = xstrdup(text);
    char *last = s + strlen(s) - 1;
    *last = *last == '0' ? '1' : '0';
    return s;
}

/* Flip the string member key of o; false when it is not a non-empty string. */
static bool flip_member(json_t *o, const char *key)
{
    char *flipped = perturb_flip_last(json_string_value(json_object_get(o, key)));
    if (!flipped)
        return false;
    json_object_set_new(o, key, json_string(flipped));
    free(flipped);
    return true;
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "?";
}

static perturb_result rowcount(json_t *doc, perturb *p)
{
    size_t i, n = 0;
    json_t *t;
    json_array_foreach(json_object_get(doc, "tables"), i, t) {
        json_t *rows = json_object_get(t, "rows");
        if (!json_is_integer(rows))
            continue;
        json_int_t was = json_integer_value(rows);
        json_int_t now = was > (INT64_MAX - 1000) / 10 ? INT64_MAX : was * 10 + 1000;
        json_object_set_new(t, "rows", json_integer(now));
        if (!n++)
            snprintf(p->what, sizeof p->what, "the baseline count of %s.%s raised from %lld to %lld",
                     str(t, "schema"), str(t, "table"), (long long)was, (long long)now);
    }
    if (n > 1) {
        size_t len = strlen(p->what);
        snprintf(p->what + len, sizeof p->what - len, ", and of %zu more tables likewise", n - 1);
    }
    return n ? PERTURB_DONE : PERTURB_NOTHING;
}

static perturb_result content(json_t *doc, perturb *p)
{
    /* The range's sums decide whether it is the same (its column digests only explain a
     * difference), so a sum is what changes. */
    size_t i, n = 0;
    json_t *t;
    json_array_foreach(json_object_get(doc, "tables"), i, t) {
        json_t *range = json_array_get(json_object_get(t, "ranges"), 0);
        json_t *sums = json_object_get(range, "sums");
        char *flipped = perturb_flip_last(json_string_value(json_array_get(sums, 0)));
        if (!flipped)
            continue;
        json_array_set_new(sums, 0, json_string(flipped));
        free(flipped);
        if (!n++)
            snprintf(p->what, sizeof p->what,
                     "the row digest sum of the first range of %s.%s changed (a row changed)",
                     str(t, "schema"), str(t, "table"));
    }
    if (n > 1) {
        size_t len = strlen(p->what);
        snprintf(p->what + len, sizeof p->what - len, ", and in %zu more tables likewise", n - 1);
    }
    return n ? PERTURB_DONE : PERTURB_NOTHING;
}

static perturb_result rls(json_t *doc, perturb *p)
{
    json_t *tables = json_object_get(doc, "tables");
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t) {
        json_t *policies = json_object_get(t, "policies");
        if (json_array_size(policies) == 0)
            continue;
        snprintf(p->what, sizeof p->what, "policy %s of %s.%s removed from the baseline",
                 str(json_array_get(policies, 0), "name"), str(t, "schema"), str(t, "table"));
        json_array_remove(policies, 0);
        return PERTURB_DONE;
    }
    /* No policy anywhere: the first table's RLS flag turned around instead. */
    t = json_array_get(tables, 0);
    json_t *flag = json_object_get(t, "rls");
    if (!json_is_boolean(flag))
        return PERTURB_NOTHING;
    bool was = json_is_true(flag);
    json_object_set_new(t, "rls", json_boolean(!was));
    snprintf(p->what, sizeof p->what, "RLS of %s.%s turned %s in the baseline (no policy to remove)",
             str(t, "schema"), str(t, "table"), was ? "off" : "on");
    return PERTURB_DONE;
}

/* In the rows text of a range ("id\texpiry\trevoked\thash\n..."), the hash of the first
 * line that has one: changed in place. */
static bool flip_token_line(char *rows)
{
    for (char *line = rows; line && *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *tab = NULL;
        for (char *c = line; c < line + len; c++)
            if (*c == '\t')
                tab = c;
        if (tab && tab + 1 < line + len) {
            char *last = line + len - 1;
            *last = *last == '0' ? '1' : '0';
            return true;
        }
        line = end ? end + 1 : NULL;
    }
    return false;
}

static bool flip_rows_member(json_t *o)
{
    const char *rows = json_string_value(json_object_get(o, "rows"));
    if (!rows)
        return false;
    char *copy = xstrdup(rows);
    bool done = flip_token_line(copy);
    if (done)
        json_object_set_new(o, "rows", json_string(copy));
    free(copy);
    return done;
}

static perturb_result share_tokens(json_t *doc, perturb *p)
{
    bool in_parts = json_integer_value(json_object_get(doc, "version")) >= 2;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "ranges"), i, r) {
        if (json_integer_value(json_object_get(r, "n")) <= 0)
            continue;
        if (!in_parts && !flip_rows_member(r))
            continue;
        if (!flip_member(r, "digest"))
            return PERTURB_NOTHING;
        if (in_parts)
            p->part_b = json_integer_value(json_object_get(r, "b"));
        snprintf(p->what, sizeof p->what,
                 "the hash of one token in range %lld of %s changed in the baseline",
                 (long long)json_integer_value(json_object_get(r, "b")), str(doc, "table"));
        return PERTURB_DONE;
    }
    return PERTURB_NOTHING;
}

static perturb_result settings(json_t *doc, perturb *p)
{
    /* A setting of the database first, then of a role. */
    static const char *const where[] = {"database", "roles"};
    for (size_t k = 0; k < 2; k++) {
        const char *object;
        json_t *o;
        json_object_foreach(json_object_get(doc, where[k]), object, o) {
            const char *attr;
            json_t *v;
            json_object_foreach(o, attr, v) {
                if (strncmp(attr, "set ", 4) != 0)
                    continue;
                snprintf(p->what, sizeof p->what, "setting %s of %s dropped from the baseline",
                         attr + 4, object);
                json_object_del(o, attr);
                return PERTURB_DONE;
            }
        }
    }
    json_t *db = json_object_get(json_object_get(doc, "database"), "database");
    const char *owner = json_string_value(json_object_get(db, "owner"));
    if (!owner)
        return PERTURB_NOTHING;
    snprintf(p->what, sizeof p->what,
             "the database owner changed from %s in the baseline (no setting to drop)", owner);
    char *other = xasprintf("%s_negative_control", owner);
    json_object_set_new(db, "owner", json_string(other));
    free(other);
    return PERTURB_DONE;
}

static perturb_result audit_log(json_t *doc, perturb *p)
{
    /* A range is [..., digest]: its last member. */
    json_t *range = json_array_get(json_object_get(doc, "ranges"), 0);
    size_t n = json_array_size(range);
    char *flipped = n ? perturb_flip_last(json_string_value(json_array_get(range, n - 1))) : NULL;
    if (!flipped)
        return PERTURB_NOTHING;
    json_array_set_new(range, n - 1, json_string(flipped));
    free(flipped);
    snprintf(p->what, sizeof p->what, "the digest of the first anchored range of %s flipped",
             str(doc, "table"));
    return PERTURB_DONE;
}

static perturb_result residency(json_t *doc, perturb *p)
{
    json_t *row = json_array_get(json_object_get(doc, "rows"), 0);
    if (!flip_member(row, "hash"))
        return PERTURB_NOTHING;
    snprintf(p->what, sizeof p->what, "the hash of the %s evidence of %s changed in the baseline",
             str(row, "region"), str(row, "period"));
    return PERTURB_DONE;
}

static perturb_result query(json_t *doc, perturb *p)
{
    if (flip_member(doc, "digest")) {
        snprintf(p->what, sizeof p->what, "the digest of the baseline's result changed");
        return PERTURB_DONE;
    }
    json_t *value = json_object_get(doc, "value");
    if (json_is_number(value)) {
        double was = json_number_value(value), now = was * 10 + 1000;
        json_object_set_new(doc, "value", json_real(now));
        snprintf(p->what, sizeof p->what, "the baseline's value raised from %.15g to %.15g", was,
                 now);
        return PERTURB_DONE;
    }
    snprintf(p->what, sizeof p->what,
             "not applicable: expect = %s judges the query's result alone, not against the"
             " baseline",
             str(doc, "expect"));
    return PERTURB_NOT_APPLICABLE;
}

static const struct {
    const char *checker;
    perturb_result (*fn)(json_t *doc, perturb *p);
} perturbations[] = {
    {"rowcount", rowcount},   {"content", content},     {"rls", rls},
    {"share_tokens", share_tokens}, {"settings", settings}, {"audit_log", audit_log},
    {"residency", residency}, {"query", query},
};

perturb_result perturb_baseline(const char *checker, json_t *doc, perturb *p)
{
    *p = (perturb){.part_b = -1};
    for (size_t i = 0; i < sizeof perturbations / sizeof *perturbations; i++)
        if (strcmp(perturbations[i].checker, checker) == 0)
            return json_is_object(doc) ? perturbations[i].fn(doc, p) : PERTURB_NOTHING;
    snprintf(p->what, sizeof p->what, "no perturbation is defined for %s", checker);
    return PERTURB_NOTHING;
}

void perturb_part(perturb *p, json_t *part)
{
    if (!p || p->noop || p->part_done || p->part_b < 0 ||
        json_integer_value(json_object_get(part, "b")) != p->part_b)
        return;
    p->part_done = flip_rows_member(part);
}
