#include "src/redact.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/shell_cmd.h"
#include "src/utf8.h"
#include "src/util.h"

/* The remembered secrets: few (a DSN's password, PGPASSWORD, a restore command's). */
static char **secrets;
static size_t n_secrets, cap_secrets;

void redact_remember(const char *secret)
{
    if (!secret || strlen(secret) < REDACT_MIN_SECRET)
        return;
    for (size_t i = 0; i < n_secrets; i++)
        if (strcmp(secrets[i], secret) == 0)
            return;
    grow((void **)&secrets, &cap_secrets, n_secrets + 1, sizeof *secrets);
    secrets[n_secrets++] = xstrdup(secret);
}

void redact_forget_all(void)
{
    for (size_t i = 0; i < n_secrets; i++)
        free(secrets[i]);
    free(secrets);
    secrets = NULL;
    n_secrets = cap_secrets = 0;
}

/* s with every occurrence of secret replaced; s is consumed. */
static char *mask_one(char *s, const char *secret)
{
    const char *hit = strstr(s, secret);
    if (!hit)
        return s;
    size_t len = strlen(secret);
    textbuf t = {0};
    const char *p = s;
    for (; hit; p = hit + len, hit = strstr(p, secret))
        textbuf_add(&t, "%.*s%s", (int)(hit - p), p, REDACTED);
    textbuf_add(&t, "%s", p);
    free(s);
    return t.p;
}

char *redact_text(const char *s)
{
    if (!s)
        return NULL;
    char *out = xstrdup(s);
    for (size_t i = 0; i < n_secrets; i++)
        out = mask_one(out, secrets[i]);
    return out;
}

char *redact_clean(const char *s)
{
    char *masked = redact_text(s);
    char *clean = utf8_escape_invalid(masked);
    free(masked);
    return clean;
}

char *redact_show(const char *s)
{
    char *masked = redact_text(s);
    char *shown = utf8_show(masked, 0);
    free(masked);
    return shown;
}

static bool secret_option(const PQconninfoOption *o)
{
    return (o->dispchar && o->dispchar[0] == '*') || strcmp(o->keyword, "password") == 0 ||
           strcmp(o->keyword, "sslpassword") == 0;
}

/* libpq's parse of dsn, or NULL (its message freed). */
static PQconninfoOption *parse_dsn(const char *dsn)
{
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn, &errmsg);
    PQfreemem(errmsg);
    return opts;
}

bool redact_remember_dsn(const char *dsn)
{
    PQconninfoOption *opts = parse_dsn(dsn ? dsn : "");
    if (!opts)
        return false;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (o->val && secret_option(o))
            redact_remember(o->val);
    PQconninfoFree(opts);
    return true;
}

/* A conninfo value as libpq reads it back: bare, or in '...' with \ before ' and \. */
static void add_conninfo_value(textbuf *t, const char *v)
{
    if (*v && !strpbrk(v, " \t\n'\\")) {
        textbuf_add(t, "%s", v);
        return;
    }
    textbuf_add(t, "'");
    for (const char *p = v; *p; p++)
        textbuf_add(t, "%s%c", *p == '\'' || *p == '\\' ? "\\" : "", *p);
    textbuf_add(t, "'");
}

/* The parsed dsn rebuilt with secrets masked, or NULL when it holds none. */
static char *rebuild_without_secrets(const PQconninfoOption *opts)
{
    bool any = false;
    for (const PQconninfoOption *o = opts; o->keyword; o++)
        any |= o->val && *o->val && secret_option(o);
    if (!any)
        return NULL;
    textbuf t = {0};
    for (const PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        textbuf_add(&t, "%s%s=", t.len ? " " : "", o->keyword);
        if (secret_option(o) && *o->val)
            textbuf_add(&t, "%s", REDACTED);
        else
            add_conninfo_value(&t, o->val);
    }
    return t.p;
}

char *redact_dsn(const char *dsn)
{
    PQconninfoOption *opts = parse_dsn(dsn ? dsn : "");
    if (!opts)
        return NULL;
    char *out = rebuild_without_secrets(opts);
    PQconninfoFree(opts);
    return out ? out : xstrdup(dsn ? dsn : "");
}

/* True when dsn uses word as a key: at the start, after a blank, '?' or '&', and followed
 * (after blanks) by '='. */
static bool dsn_uses_key(const char *dsn, const char *word, size_t len)
{
    for (const char *p = dsn; (p = strstr(p, word)) != NULL; p++) {
        if (p != dsn && !strchr(" \t\n?&", p[-1]))
            continue;
        const char *q = p + len;
        while (*q == ' ' || *q == '\t' || *q == '\n')
            q++;
        if (*q == '=')
            return true;
    }
    return false;
}

static bool is_word(const char *s, size_t len)
{
    if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return false;
    return true;
}

char *redact_conninfo_error(const char *msg, const char *dsn)
{
    if (!msg)
        return NULL;
    textbuf t = {0};
    const char *p = msg;
    for (;;) {
        const char *open = strchr(p, '"');
        const char *close = open ? strchr(open + 1, '"') : NULL;
        if (!close)
            break;
        size_t len = (size_t)(close - open - 1);
        char *frag = xstrndup(open + 1, len);
        bool keep = (len == 1 && !isalnum((unsigned char)frag[0])) ||
                    (is_word(frag, len) && dsn && dsn_uses_key(dsn, frag, len));
        textbuf_add(&t, "%.*s\"%s\"", (int)(open - p), p, keep ? frag : REDACTED);
        free(frag);
        p = close + 1;
    }
    textbuf_add(&t, "%s", p);
    char *out = redact_text(t.p);
    free(t.p);
    return out;
}

/* A shell word as sh reads it back, for showing: bare when it is plain, else '...'. */
static void add_shell_word(textbuf *t, const char *v)
{
    bool plain = *v != '\0';
    for (const char *p = v; *p && plain; p++)
        plain = isalnum((unsigned char)*p) || strchr("_@%+=:,./*-", *p);
    if (plain) {
        textbuf_add(t, "%s", v);
        return;
    }
    textbuf_add(t, "'");
    for (const char *p = v; *p; p++) {
        if (*p == '\'')
            textbuf_add(t, "'\\''");
        else
            textbuf_add(t, "%c", *p);
    }
    textbuf_add(t, "'");
}

static bool contains_nocase(const char *s, const char *what)
{
    size_t n = strlen(what);
    for (; *s; s++)
        if (strncasecmp(s, what, n) == 0)
            return true;
    return false;
}

/* A NAME=VALUE word's NAME length (a shell variable name before '='), or 0. */
static size_t assignment_name(const char *v)
{
    const char *eq = strchr(v, '=');
    if (!eq || !is_word(v, (size_t)(eq - v)))
        return 0;
    return (size_t)(eq - v);
}

/* The prefix + connection string rebuilt, when dsn holds a secret; else NULL. */
static char *secret_conninfo(const char *prefix, size_t prefix_len, const char *dsn)
{
    if (!strchr(dsn, '='))
        if (strncmp(dsn, "postgresql://", 13) != 0 && strncmp(dsn, "postgres://", 11) != 0)
            return NULL;
    PQconninfoOption *opts = parse_dsn(dsn);
    if (!opts)
        return NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (o->val && *o->val && secret_option(o))
            redact_remember(o->val);
    char *rebuilt = rebuild_without_secrets(opts);
    PQconninfoFree(opts);
    if (!rebuilt)
        return NULL;
    char *out = xasprintf("%.*s%s", (int)prefix_len, prefix, rebuilt);
    free(rebuilt);
    return out;
}

/* True when an option or variable name names a credential: token, key, secret, password,
 * passwd, pw, credential (and, for environment variables, pass). */
static bool secret_name(const char *name, size_t len, bool env)
{
    static const char *const words[] = {"token", "key", "secret", "password", "passwd", "pw",
                                        "credential", NULL};
    char *n = xstrndup(name, len);
    bool hit = env && contains_nocase(n, "pass");
    for (size_t i = 0; words[i] && !hit; i++)
        hit = contains_nocase(n, words[i]);
    /* a file that holds the secret is not the secret: PGPASSFILE, --password-file */
    if (len >= 4 && strcasecmp(n + len - 4, "file") == 0)
        hit = false;
    /* --no-password asks for none */
    if (strncasecmp(n, "no-", 3) == 0 || strncasecmp(n, "no_", 3) == 0)
        hit = false;
    free(n);
    return hit;
}

/* prefix and *** for the rest, remembering the rest as a secret. */
static char *mask_after(const char *v, size_t keep)
{
    const char *rest = v + keep;
    redact_remember(rest);
    /* the credential itself, without a scheme word before it ("Bearer S3cret") */
    const char *last = strrchr(rest, ' ');
    if (last)
        redact_remember(last + 1);
    return xasprintf("%.*s%s", (int)keep, v, REDACTED);
}

/* An HTTP header that carries a credential (Authorization:, Proxy-Authorization:, Cookie:),
 * anywhere in the word (-H'Authorization: ...', --header=...): the value is masked. */
static char *secret_header(const char *v)
{
    static const char *const names[] = {"authorization:", "cookie:", NULL};
    for (const char *p = v; *p; p++)
        for (size_t i = 0; names[i]; i++) {
            size_t n = strlen(names[i]);
            if (strncasecmp(p, names[i], n) != 0)
                continue;
            size_t keep = (size_t)(p - v) + n;
            while (v[keep] == ' ' || v[keep] == '\t')
                keep++;
            return v[keep] ? mask_after(v, keep) : NULL;
        }
    return NULL;
}

/* What word v shows as (a new string), or NULL when it shows as written. */
static char *redact_word(const char *v)
{
    char *header = secret_header(v);
    if (header)
        return header;
    size_t name = assignment_name(v);
    if (name && secret_name(v, name, true) && v[name + 1])
        return mask_after(v, name + 1);
    /* --api-key=X, --token=X: the value */
    if (v[0] == '-' && v[1] && strchr(v, '=')) {
        const char *opt = v + strspn(v, "-");
        size_t len = (size_t)(strchr(v, '=') - opt);
        if (secret_name(opt, len, false) && opt[len + 1])
            return mask_after(v, (size_t)(opt - v) + len + 1);
    }
    char *shown = secret_conninfo("", 0, v);
    if (!shown && (name || v[0] == '-') && strchr(v, '=')) {
        size_t at = (size_t)(strchr(v, '=') - v) + 1;
        shown = secret_conninfo(v, at, v + at);
    }
    if (shown)
        return shown;
    bool mentions = contains_nocase(v, "password") || contains_nocase(v, "passwd");
    bool url_login = strstr(v, "://") && strchr(v, '@');
    if (url_login) {
        /* a postgres URI libpq cannot parse (it would have been rebuilt above): hide it */
        if (contains_nocase(v, "postgres"))
            return xstrdup(REDACTED);
    }
    bool empty_assignment = name && !v[name + 1]; /* "Password=" */
    if (mentions && !empty_assignment && (strpbrk(v, " \t\n=") || strstr(v, "://"))) {
        /* password=, a URI with one: libpq parsed neither, so nothing smaller can be shown */
        PQconninfoOption *opts = parse_dsn(v);
        bool harmless = opts != NULL; /* parsed and held no secret: "password=" */
        PQconninfoFree(opts);
        if (!harmless)
            return xstrdup(REDACTED);
    }
    return NULL;
}

/* What the words before the current one say about it, within one simple command. */
typedef struct cmd_state {
    bool at_start;   /* the next word that is not NAME=VALUE is the command's name */
    bool sshpass;    /* the command is sshpass: -p X is its password */
    bool printf_cmd; /* the command is printf: -v NAME assigns NAME */
    bool printf_v;   /* the previous word was printf's -v */
    bool mask_rest;  /* printf -v SECRETNAME: its format and arguments are the secret */
    int mask_next;   /* 1: the next word is an option's secret value; 2: after its first ':' */
} cmd_state;

/* The last part of a path: "/usr/bin/sshpass" -> "sshpass". */
static const char *base_name(const char *v)
{
    const char *slash = strrchr(v, '/');
    return slash ? slash + 1 : v;
}

/* The word v as shown given what came before it, and what it says about the next word. */
static char *redact_word_in(cmd_state *st, const char *v)
{
    int mask_next = st->mask_next;
    bool printf_v = st->printf_v;
    st->mask_next = 0;
    st->printf_v = false;
    if (st->mask_rest) {
        redact_remember(v);
        return xstrdup(REDACTED);
    }
    if (mask_next == 1 && v[0] != '-' && *v)
        return mask_after(v, 0);
    if (mask_next == 2 && strchr(v, ':'))
        return mask_after(v, (size_t)(strchr(v, ':') - v) + 1);
    if (printf_v) {
        if (is_word(v, strlen(v)) && secret_name(v, strlen(v), true))
            st->mask_rest = true;
        return NULL;
    }
    if (st->at_start) {
        if (assignment_name(v))
            return redact_word(v);
        st->at_start = false;
        const char *cmd = base_name(v);
        st->sshpass = strcmp(cmd, "sshpass") == 0;
        st->printf_cmd = strcmp(cmd, "printf") == 0;
        return redact_word(v);
    }
    if (v[0] == '-' && v[1] && v[1] != '-') {
        /* short options: sshpass -p X / -pX, curl -u user:pw / -uuser:pw */
        if (st->sshpass && v[1] == 'p') {
            if (!v[2]) {
                st->mask_next = 1;
                return NULL;
            }
            return mask_after(v, 2);
        }
        if (v[1] == 'u' || v[1] == 'U') {
            if (!v[2]) {
                st->mask_next = 2;
                return NULL;
            }
            if (strchr(v, ':'))
                return mask_after(v, (size_t)(strchr(v, ':') - v) + 1);
        }
        if (st->printf_cmd && strcmp(v, "-v") == 0) {
            st->printf_v = true;
            return NULL;
        }
    }
    if (v[0] == '-' && v[1] == '-' && v[2]) {
        const char *opt = v + 2;
        const char *eq = strchr(opt, '=');
        size_t len = eq ? (size_t)(eq - opt) : strlen(opt);
        bool user = (len == 4 && strncmp(opt, "user", 4) == 0) ||
                    (len == 10 && strncmp(opt, "proxy-user", 10) == 0);
        if (user && eq && strchr(eq, ':'))
            return mask_after(v, (size_t)(strchr(eq, ':') - v) + 1);
        if (user && !eq)
            st->mask_next = 2;
        else if (!eq && secret_name(opt, len, false))
            st->mask_next = 1; /* --api-key X */
    }
    if (v[0] == '-' && v[1] && v[1] != '-' && strlen(v) > 2 && !strchr(v, '=') &&
        secret_name(v + 1, strlen(v) - 1, false))
        st->mask_next = 1; /* -password X */
    return redact_word(v);
}

char *redact_command(const char *cmd)
{
    if (!cmd)
        return NULL;
    shell_words w;
    if (!shell_split(cmd, &w))
        return xstrdup("(not shown: sh cannot split it, a quote is not closed)");
    textbuf t = {0};
    size_t from = 0;
    cmd_state st = {.at_start = true};
    for (size_t i = 0; i < w.n; i++) {
        if (w.v[i].op) {
            st = (cmd_state){.at_start = true};
            continue;
        }
        char *shown = redact_word_in(&st, w.v[i].value);
        if (!shown)
            continue;
        textbuf_add(&t, "%.*s", (int)(w.v[i].start - from), cmd + from);
        add_shell_word(&t, shown);
        free(shown);
        from = w.v[i].end;
    }
    textbuf_add(&t, "%s", cmd + from);
    shell_words_release(&w);
    /* and whatever was remembered before, anywhere in the command */
    char *out = redact_text(t.p);
    free(t.p);
    return out;
}

void redact_argv(char *arg, const char *shown)
{
    size_t room = strlen(arg);
    memset(arg, 0, room);
    size_t n = strlen(shown);
    memcpy(arg, shown, n < room ? n : room);
}
