#include "src/config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/util.h"

/* State shared by the line reader and the inih handler. The reader counts
 * lines, so the handler (called while its line is being parsed) knows where it is. */
typedef struct parse_state {
    conf *c;
    /* input: a FILE or a string cursor */
    FILE *fp;
    const char *cursor, *end;
    int line;
    char *buf;
    size_t bufcap;
    /* first error found by us (inih reports its own by line number) */
    int err_line;
    char err[512];
    const char *hint;   /* static text or NULL */
} parse_state;

/* Remember the first error; hint (static text, may be NULL) goes with it. */
static void note_error(parse_state *ps, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note_error(parse_state *ps, const char *hint, const char *fmt, ...)
{
    if (ps->err_line)
        return;
    ps->hint = hint;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, sizeof ps->err, fmt, ap);
    va_end(ap);
    ps->err_line = ps->line;
}

bool conf_instance_name_ok(const char *name)
{
    size_t n = 0;
    for (const char *p = name; *p; p++, n++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return false;
    return n >= 1 && n <= 63;
}

/* A header's text: NAME, or NAME "INSTANCE" as git config writes a subsection, exactly
 * (one blank, double quotes), so that one instance has one spelling and a repeated one is
 * found. On success *base and *instance (NULL when bare) are the caller's. */
static bool split_header(parse_state *ps, const char *name, char **base, char **instance)
{
    const char *blank = strpbrk(name, " \t\"");
    if (!blank) {
        *base = xstrdup(name);
        *instance = NULL;
        return true;
    }
    const char *open = blank + 1, *close = strrchr(name, '"');
    if (*blank != ' ' || blank == name || *open != '"' || close <= open || close[1]) {
        note_error(ps, "Name an instance as git config names a subsection, e.g. "
                       "[share_tokens \"invitations\"].",
                   "cannot read section header [%s]: write [NAME] or [NAME \"INSTANCE\"]", name);
        return false;
    }
    char *inst = xstrndup(open + 1, (size_t)(close - open - 1));
    if (!conf_instance_name_ok(inst)) {
        note_error(ps, "An instance name is 1 to 63 letters, digits, '_', '-' or '.'.",
                   "section [%s]: \"%s\" is not a valid instance name", name, inst);
        free(inst);
        return false;
    }
    *base = xstrndup(name, (size_t)(blank - name));
    *instance = inst;
    return true;
}

/* Sections are recorded here, where their line is known. Forms that inih would read
 * differently from how they look are refused rather than guessed at. */
static void remember_section(parse_state *ps, const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '[')
        return;
    if (p != line) {
        note_error(ps, NULL, "a [section] header must start at the beginning of its line");
        return;
    }
    const char *end = strchr(p, ']');
    if (!end)
        return; /* inih reports the missing ']' */
    char *name = xstrndup(p + 1, (size_t)(end - p - 1));
    char *trimmed = trim(xstrdup(name));
    bool spaced = strcmp(trimmed, name) != 0 || !*trimmed;
    if (spaced)
        note_error(ps, NULL, "write the section name without spaces, as [%s]", trimmed);
    free(trimmed);
    if (spaced) {
        free(name);
        return;
    }
    char *base = NULL, *instance = NULL;
    if (!split_header(ps, name, &base, &instance)) {
        free(name);
        return;
    }
    conf *c = ps->c;
    /* inih would merge a repeated section into the first; a second [rowcount] is
     * far more likely a paste than a wish, so it is refused. */
    const conf_section *first = conf_find_section(c, name);
    if (first) {
        note_error(ps, "Put every key of a section under one header.",
                   "section [%s] given twice (first on line %d)", name, first->line);
        free(name);
        free(base);
        free(instance);
        return;
    }
    grow((void **)&c->sections, &c->cap_sections, c->n_sections + 1, sizeof *c->sections);
    c->sections[c->n_sections++] = (conf_section){name, ps->line, base, instance};
}

/* inih's reader: hands over one line at a time (at most num-1 bytes). A longer
 * line would be split silently by inih, so it is reported instead. */
static char *read_line(char *str, int num, void *stream)
{
    parse_state *ps = stream;
    const char *src;
    size_t len;
    if (ps->fp) {
        ssize_t n = getline(&ps->buf, &ps->bufcap, ps->fp);
        if (n < 0)
            return NULL;
        src = ps->buf;
        len = (size_t)n;
    } else {
        if (ps->cursor == ps->end)
            return NULL;
        const char *nl = memchr(ps->cursor, '\n', (size_t)(ps->end - ps->cursor));
        len = nl ? (size_t)(nl - ps->cursor + 1) : (size_t)(ps->end - ps->cursor);
        src = ps->cursor;
        ps->cursor += len;
    }
    ps->line++;
    /* inih sees a C string: a NUL byte would end the line there without a word. */
    if (memchr(src, '\0', len)) {
        note_error(ps, "Save the configuration as UTF-8 text, not UTF-16 or a binary file.",
                   "line contains a NUL byte");
        len = 0;
    }
    /* A UTF-8 byte-order mark is skipped (inih would skip it too, after us). */
    if (ps->line == 1 && len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) {
        src += 3;
        len -= 3;
    }
    /* Line endings are normalised to "\n", so the limit is the same for every file. */
    while (len && (src[len - 1] == '\n' || src[len - 1] == '\r'))
        len--;
    if (len > (size_t)num - 2) {
        note_error(ps, NULL, "line is longer than %d characters", num - 2);
        len = 0;
    }
    memcpy(str, src, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    remember_section(ps, str);
    return str;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    parse_state *ps = user;
    conf *c = ps->c;
    if (!*section) {
        note_error(ps, NULL, "key '%s' is outside any [section]", name);
        return 0;
    }
    grow((void **)&c->entries, &c->cap_entries, c->n_entries + 1, sizeof *c->entries);
    c->entries[c->n_entries++] = (conf_entry){
        xstrdup(section), xstrdup(name), xstrdup(value), ps->line, NULL};
    return 1;
}

static vexit parse(conf **out, const char *name, FILE *fp, const char *text, size_t len, verr *e)
{
    conf *c = conf_new_empty();
    free(c->path);
    c->path = xstrdup(name);
    parse_state ps = {.c = c, .fp = fp, .cursor = text, .end = text ? text + len : NULL};
    int rc = ini_parse_stream(read_line, &ps, on_entry, &ps);
    free(ps.buf);
    if (rc != 0 || ps.err_line) {
        if (ps.err_line && (rc <= 0 || ps.err_line <= rc)) {
            verr_set(e, VOUCH_USAGE, "%s:%d: %s", name, ps.err_line, ps.err);
            if (ps.hint)
                verr_hint(e, "%s", ps.hint);
        } else if (rc > 0)
            verr_set(e, VOUCH_USAGE, "%s:%d: cannot parse line: expected '[section]' or 'key = value'",
                     name, rc);
        else
            verr_set(e, VOUCH_USAGE, "%s: could not read configuration", name);
        conf_free(c);
        return e->code;
    }
    *out = c;
    return VOUCH_OK;
}

vexit conf_load_file(conf **out, const char *path, verr *e)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return verr_set(e, VOUCH_USAGE, "could not open configuration \"%s\": %s", path,
                        strerror(errno));
    vexit rc = parse(out, path, fp, NULL, 0, e);
    fclose(fp);
    return rc;
}

vexit conf_load_string(conf **out, const char *name, const char *text, verr *e)
{
    return parse(out, name, NULL, text, strlen(text), e);
}

vexit conf_load_mem(conf **out, const char *name, const char *data, size_t len, verr *e)
{
    return parse(out, name, NULL, data ? data : "", data ? len : 0, e);
}

conf *conf_new_empty(void)
{
    conf *c = xcalloc(1, sizeof *c);
    c->path = xstrdup("(no configuration)");
    return c;
}

void conf_free(conf *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_entries; i++) {
        free(c->entries[i].section);
        free(c->entries[i].key);
        free(c->entries[i].value);
        free(c->entries[i].shown);
    }
    for (size_t i = 0; i < c->n_sections; i++) {
        free(c->sections[i].name);
        free(c->sections[i].base);
        free(c->sections[i].instance);
    }
    free(c->entries);
    free(c->sections);
    free(c->path);
    free(c->view_name);
    free(c->view_header);
    free(c);
}

const conf_section *conf_find_section(const conf *c, const char *section)
{
    for (size_t i = 0; i < c->n_sections; i++)
        if (strcmp(c->sections[i].name, section) == 0)
            return &c->sections[i];
    return NULL;
}

/* The base of the section an entry belongs to (every entry's section is recorded). */
static const char *base_of(const conf *c, const char *section)
{
    const conf_section *s = conf_find_section(c, section);
    return s && s->base ? s->base : section;
}

conf *conf_instance_view(const conf *c, const conf_section *s)
{
    conf *v = conf_new_empty();
    free(v->path);
    v->path = xstrdup(c->path);
    v->view_name = xstrdup(s->base);
    v->view_header = xstrdup(s->name);
    for (size_t i = 0; i < c->n_sections; i++) {
        const conf_section *x = &c->sections[i];
        bool mine = x == s;
        if (!mine && strcmp(x->base ? x->base : x->name, s->base) == 0)
            continue;
        grow((void **)&v->sections, &v->cap_sections, v->n_sections + 1, sizeof *v->sections);
        v->sections[v->n_sections++] = (conf_section){
            xstrdup(mine ? s->base : x->name), x->line, xstrdup(x->base ? x->base : x->name),
            !mine && x->instance ? xstrdup(x->instance) : NULL};
    }
    for (size_t i = 0; i < c->n_entries; i++) {
        const conf_entry *x = &c->entries[i];
        bool mine = strcmp(x->section, s->name) == 0;
        if (!mine && strcmp(base_of(c, x->section), s->base) == 0)
            continue;
        grow((void **)&v->entries, &v->cap_entries, v->n_entries + 1, sizeof *v->entries);
        v->entries[v->n_entries++] = (conf_entry){xstrdup(mine ? s->base : x->section),
                                                  xstrdup(x->key), xstrdup(x->value), x->line,
                                                  x->shown ? xstrdup(x->shown) : NULL};
    }
    return v;
}

const char *conf_override_target(const conf_section *s, size_t *len)
{
    const char *colon = strchr(s->base, ':');
    if (!colon)
        return NULL;
    *len = (size_t)(colon - s->base);
    return s->base;
}

size_t conf_targets(const conf *c, const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_sections; i++)
        if (strcmp(c->sections[i].base, "target") == 0 && c->sections[i].instance) {
            if (names && n < max)
                names[n] = c->sections[i].instance;
            n++;
        }
    return n;
}

/* Where section s of c goes in the view of target name: the section's name there (s->name,
 * or an override's name without its "NAME:"), or NULL when the view leaves it out. */
static const char *view_name_of(const conf_section *s, const char *name)
{
    size_t len;
    const char *t = conf_override_target(s, &len);
    if (t)
        return strlen(name) == len && strncmp(t, name, len) == 0 ? s->name + len + 1 : NULL;
    if (strcmp(s->base, "target") == 0)
        return !s->instance || strcmp(s->instance, name) == 0 ? "target" : NULL;
    return s->name;
}

static void view_add_entry(conf *v, const conf_entry *x, const char *section, const char *shown)
{
    grow((void **)&v->entries, &v->cap_entries, v->n_entries + 1, sizeof *v->entries);
    v->entries[v->n_entries++] = (conf_entry){xstrdup(section), xstrdup(x->key), xstrdup(x->value),
                                              x->line, shown ? xstrdup(shown) : NULL};
}

conf *conf_target_view(const conf *c, const char *name)
{
    conf *v = conf_new_empty();
    free(v->path);
    v->path = xstrdup(c->path);
    for (size_t i = 0; i < c->n_sections; i++) {
        const conf_section *x = &c->sections[i];
        const char *as = view_name_of(x, name);
        if (!as || conf_find_section(v, as))
            continue;
        /* an override's section or the named [target] stands where it is written */
        const conf_section *first = x;
        size_t len;
        for (size_t j = i + 1; j < c->n_sections; j++) {
            const char *other = view_name_of(&c->sections[j], name);
            if (other && strcmp(other, as) == 0 &&
                (conf_override_target(&c->sections[j], &len) || c->sections[j].instance))
                first = &c->sections[j];
        }
        const char *blank = strchr(as, ' ');
        char *base = blank ? xstrndup(as, (size_t)(blank - as)) : xstrdup(as);
        grow((void **)&v->sections, &v->cap_sections, v->n_sections + 1, sizeof *v->sections);
        v->sections[v->n_sections++] = (conf_section){
            xstrdup(as), first->line, base,
            strcmp(as, "target") != 0 && first->instance ? xstrdup(first->instance) : NULL};
    }
    for (size_t i = 0; i < c->n_entries; i++) {
        const conf_entry *x = &c->entries[i];
        const conf_section *s = conf_find_section(c, x->section);
        const char *as = s ? view_name_of(s, name) : NULL;
        if (!as)
            continue;
        size_t len;
        bool special = conf_override_target(s, &len) || (strcmp(as, "target") == 0 && s->instance);
        if (special) { /* the target's own line */
            view_add_entry(v, x, as, x->section);
            continue;
        }
        /* a shared line the target gives again is replaced by its own */
        char *own = strcmp(as, "target") == 0 ? xasprintf("target \"%s\"", name)
                                               : xasprintf("%s:%s", name, x->section);
        bool replaced = conf_get(c, own, x->key) != NULL;
        free(own);
        if (!replaced)
            view_add_entry(v, x, as, NULL);
    }
    return v;
}

const char *conf_header(const conf *c, const char *section)
{
    if (c->view_name && strcmp(section, c->view_name) == 0)
        return c->view_header;
    return section;
}

bool conf_has_section(const conf *c, const char *section)
{
    return conf_find_section(c, section) != NULL;
}

const conf_entry *conf_next(const conf *c, const char *section, const char *key,
                            const conf_entry *prev)
{
    size_t i = prev ? (size_t)(prev - c->entries) + 1 : 0;
    for (; i < c->n_entries; i++)
        if (strcmp(c->entries[i].section, section) == 0 && strcmp(c->entries[i].key, key) == 0)
            return &c->entries[i];
    return NULL;
}

const conf_entry *conf_get(const conf *c, const char *section, const char *key)
{
    return conf_next(c, section, key, NULL);
}

vexit conf_error(verr *e, const conf *c, const conf_entry *ent, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return verr_set(e, VOUCH_USAGE, "%s:%d: [%s] %s: %s", c->path, ent->line,
                    ent->shown ? ent->shown : conf_header(c, ent->section), ent->key, what);
}

static const conf_key *find_key(const conf_key *keys, const char *name)
{
    for (const conf_key *k = keys; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

vexit conf_check_section(const conf *c, const char *section, const conf_key *keys, verr *e)
{
    for (size_t i = 0; i < c->n_entries; i++) {
        const conf_entry *ent = &c->entries[i];
        if (strcmp(ent->section, section) != 0)
            continue;
        const conf_key *k = find_key(keys, ent->key);
        if (!k) {
            conf_error(e, c, ent, "unknown key");
            char known[256] = "";
            size_t used = 0;
            for (const conf_key *q = keys; q->name && used < sizeof known; q++)
                used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                         used ? ", " : "", q->name);
            verr_hint(e, "Keys of [%s] are: %s.", conf_header(c, section), known);
            return e->code;
        }
        if (!(k->flags & CONF_REPEATABLE)) {
            const conf_entry *first = conf_get(c, section, ent->key);
            if (first != ent)
                return conf_error(e, c, ent, "given twice (first on line %d)", first->line);
        }
        if (!*ent->value)
            return conf_error(e, c, ent, "empty value");
    }
    /* A section that is absent is not configured: nothing of it is required. */
    const conf_section *s = conf_find_section(c, section);
    for (const conf_key *k = keys; s && k->name; k++)
        if ((k->flags & CONF_REQUIRED) && !conf_get(c, section, k->name))
            return verr_set(e, VOUCH_USAGE, "%s:%d: [%s] is missing required key '%s'", c->path,
                            s->line, conf_header(c, section), k->name);
    return VOUCH_OK;
}

vexit conf_bool(const conf *c, const conf_entry *ent, bool *out, verr *e)
{
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(ent->value, yes[i]) == 0) {
            *out = true;
            return VOUCH_OK;
        }
        if (strcasecmp(ent->value, no[i]) == 0) {
            *out = false;
            return VOUCH_OK;
        }
    }
    return conf_error(e, c, ent, "expected true or false, not \"%s\"", ent->value);
}

vexit conf_int(const conf *c, const conf_entry *ent, int64_t min, int64_t max, int64_t *out,
               verr *e)
{
    int64_t v;
    if (!parse_int64(ent->value, &v))
        return conf_error(e, c, ent, "expected a whole number, not \"%s\"", ent->value);
    if (v < min || v > max)
        return conf_error(e, c, ent, "%lld is out of range (%lld to %lld)", (long long)v,
                          (long long)min, (long long)max);
    *out = v;
    return VOUCH_OK;
}

vexit conf_duration_ms(const conf *c, const conf_entry *ent, int64_t *out, verr *e)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"", 1}, {"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}};
    const char *v = ent->value;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (end == v || errno || n < 0 || *v == '-' || *v == '+')
        goto bad;
    while (*end == ' ')
        end++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].unit) == 0) {
            if (n > INT32_MAX / units[i].ms)
                return conf_error(e, c, ent, "\"%s\" is too long", v);
            *out = n * units[i].ms;
            return VOUCH_OK;
        }
    }
bad:
    return conf_error(e, c, ent, "expected a duration such as 30s, 5min or 250ms, not \"%s\"", v);
}

vexit conf_ident(const conf *c, const conf_entry *ent, char **out, verr *e)
{
    char why[256];
    if (!ident_parse(ent->value, out, why, sizeof why))
        return conf_error(e, c, ent, "%s", why);
    return VOUCH_OK;
}

vexit conf_ident_key(const conf *c, const char *section, const char *key, const char *def,
                     char **out, verr *e)
{
    const conf_entry *ent = conf_get(c, section, key);
    if (ent)
        return conf_ident(c, ent, out, e);
    *out = def ? xstrdup(def) : NULL;
    return VOUCH_OK;
}

vexit conf_qname(const conf *c, const conf_entry *ent, const char *what, qname *out, verr *e)
{
    char why[256];
    const char *rest;
    if (!qname_parse(ent->value, "public", out, &rest, why, sizeof why))
        return conf_error(e, c, ent, "%s", why);
    if (*rest) {
        qname_release(out);
        return conf_error(e, c, ent, "unexpected \"%s\" after the %s name", rest, what);
    }
    return VOUCH_OK;
}

vexit conf_seen_add(conf_seen *s, const conf *c, const conf_entry *ent, const char *name,
                    verr *e)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name, name) == 0) {
            conf_error(e, c, ent, "%s given twice (first on line %d)", name, s->v[i].line);
            verr_hint(e, "Keep one of the two lines.");
            return e->code;
        }
    grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = (struct conf_seen_item){xstrdup(name), ent->line};
    return VOUCH_OK;
}

void conf_seen_release(conf_seen *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].name);
    free(s->v);
    *s = (conf_seen){0};
}

vexit conf_qname_once(const conf *c, const conf_entry *ent, const char *what, conf_seen *seen,
                      qname *out, verr *e)
{
    vexit rc = conf_qname(c, ent, what, out, e);
    if (rc)
        return rc;
    char *shown = qname_display(out->schema, out->name);
    rc = conf_seen_add(seen, c, ent, shown, e);
    free(shown);
    if (rc)
        qname_release(out);
    return rc;
}
