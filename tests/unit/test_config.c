/* src/config and src/settings: reading vouch.conf, and the messages a person
 * sees when it is wrong ("FILE:LINE: [section] key: what is wrong"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/checker.h"
#include "src/config.h"
#include "src/objectives.h"
#include "src/settings.h"
#include "src/util.h"
#include "src/runner.h"

/* settings_read with the sections of every registered check, as the CLI reads them. */
static vexit read_settings(const conf *c, vouch_settings *s, verr *e)
{
    section_kind kinds[RUNNER_MAX_SECTIONS];
    size_t n = runner_sections(kinds, RUNNER_MAX_SECTIONS);
    return settings_read(c, kinds, n, s, e);
}

/* ---------------------------------------------------------------- helpers */

/* Load text named "vouch.conf"; the test fails if it does not load. */
static conf *load(const char *text)
{
    conf *c = NULL;
    verr e;
    verr_clear(&e);
    if (conf_load_string(&c, "vouch.conf", text, &e) != VOUCH_OK)
        fail_msg("conf_load_string: %s", e.msg);
    assert_non_null(c);
    return c;
}

/* Load text that must be refused with exactly this message. */
static void expect_load_error(const char *text, const char *message)
{
    conf *c = NULL;
    verr e;
    verr_clear(&e);
    vexit rc = conf_load_string(&c, "vouch.conf", text, &e);
    if (rc == VOUCH_OK) {
        conf_free(c);
        fail_msg("loaded without error; expected: %s", message);
    }
    assert_int_equal(rc, VOUCH_USAGE);
    assert_int_equal(e.code, VOUCH_USAGE);
    assert_null(c);
    assert_string_equal(e.msg, message);
}

/* A section table used where the tests need flags vouch's own sections lack. */
static const conf_key demo_keys[] = {
    {"path", CONF_REQUIRED, "FILE", "Required."},
    {"flag", 0, "BOOL", "A switch."},
    {"count", 0, "N", "A number."},
    {"wait", 0, "DURATION", "A duration."},
    {"item", CONF_REPEATABLE, "X", "Repeatable."},
    {NULL, 0, NULL, NULL},
};

static void expect_check_error(const char *text, const char *section, const conf_key *keys,
                               const char *message)
{
    conf *c = load(text);
    verr e;
    verr_clear(&e);
    vexit rc = conf_check_section(c, section, keys, &e);
    conf_free(c);
    assert_int_equal(rc, VOUCH_USAGE);
    assert_string_equal(e.msg, message);
}

static void expect_settings_error(const char *text, const char *message, const char *hint)
{
    conf *c = load(text);
    vouch_settings s;
    verr e;
    verr_clear(&e);
    vexit rc = read_settings(c, &s, &e);
    settings_release(&s);
    conf_free(c);
    assert_int_equal(rc, VOUCH_USAGE);
    assert_string_equal(e.msg, message);
    /* hint is a prefix: the list of known sections grows with every checker. */
    if (hint && strncmp(e.hint, hint, strlen(hint)) != 0)
        fail_msg("hint \"%s\" does not start with \"%s\"", e.hint, hint);
}

/* ------------------------------------------------------------ conf_load_* */

static const char good_file[] =
    "# vouch configuration for the portal\n"          /* 1 */
    "[target]\n"                                         /* 2 */
    "dsn = host=db.internal dbname=portal user=vouch\n"  /* 3 */
    "connect_timeout = 5\n"                              /* 4 */
    "statement_timeout = 30s\n"                          /* 5 */
    "\n"                                                 /* 6 */
    "[store]\n"                                          /* 7 */
    "path = evidence/vouch.db\n"                         /* 8 */
    "\n"                                                 /* 9 */
    "; the tables people work in\n"                      /* 10 */
    "[rowcount]\n"                                       /* 11 */
    "rule = tolerance 2%\n"                              /* 12 */
    "table = public.projects\n"                          /* 13 */
    "table = public.tasks at-least\n"                    /* 14 */
    "schema = audit\n"                                   /* 15 */
    "table = public.assets\n";                           /* 16 */

static void test_good_file(void **state)
{
    (void)state;
    conf *c = load(good_file);
    assert_string_equal(c->path, "vouch.conf");

    assert_int_equal(c->n_sections, 3);
    assert_string_equal(c->sections[0].name, "target");
    assert_int_equal(c->sections[0].line, 2);
    assert_string_equal(c->sections[1].name, "store");
    assert_int_equal(c->sections[1].line, 7);
    assert_string_equal(c->sections[2].name, "rowcount");
    assert_int_equal(c->sections[2].line, 11);
    assert_true(conf_has_section(c, "store"));
    assert_false(conf_has_section(c, "rls"));
    assert_int_equal(conf_find_section(c, "rowcount")->line, 11);
    assert_null(conf_find_section(c, "backups"));

    const conf_entry *ent = conf_get(c, "target", "dsn");
    assert_non_null(ent);
    assert_string_equal(ent->section, "target");
    assert_string_equal(ent->key, "dsn");
    assert_string_equal(ent->value, "host=db.internal dbname=portal user=vouch");
    assert_int_equal(ent->line, 3);
    ent = conf_get(c, "target", "statement_timeout");
    assert_string_equal(ent->value, "30s");
    assert_int_equal(ent->line, 5);
    assert_string_equal(conf_get(c, "rowcount", "rule")->value, "tolerance 2%");

    /* Lookups that find nothing. */
    assert_null(conf_get(c, "target", "password"));
    assert_null(conf_get(c, "store", "dsn"));
    assert_null(conf_get(c, "nosuch", "dsn"));

    verr e;
    verr_clear(&e);
    assert_int_equal(conf_check_section(c, "target", target_keys, &e), VOUCH_OK);
    assert_int_equal(conf_check_section(c, "store", store_keys, &e), VOUCH_OK);
    assert_int_equal(e.code, VOUCH_OK);
    assert_string_equal(e.msg, "");
    conf_free(c);
}

static void test_repeatable_keys_in_order(void **state)
{
    (void)state;
    conf *c = load(good_file);
    static const char *const tables[] = {"public.projects", "public.tasks at-least",
                                         "public.assets"};
    static const int lines[] = {13, 14, 16};
    size_t n = 0;
    for (const conf_entry *ent = NULL; (ent = conf_next(c, "rowcount", "table", ent));) {
        assert_true(n < 3);
        assert_string_equal(ent->value, tables[n]);
        assert_int_equal(ent->line, lines[n]);
        n++;
    }
    assert_int_equal(n, 3);
    /* conf_get is the first of them. */
    assert_string_equal(conf_get(c, "rowcount", "table")->value, "public.projects");
    /* A key given once iterates once. */
    const conf_entry *one = conf_next(c, "rowcount", "schema", NULL);
    assert_string_equal(one->value, "audit");
    assert_null(conf_next(c, "rowcount", "schema", one));
    assert_null(conf_next(c, "rowcount", "exclude", NULL));
    conf_free(c);
}

static void test_comments_blanks_and_line_endings(void **state)
{
    (void)state;
    conf *c = load("; a comment\r\n"
                   "# another\r\n"
                   "   \r\n"
                   "[target]   ; why this section\r\n"
                   "  dsn   =   host=db ; the restored branch\r\n"
                   "statement_timeout=5min\r\n");
    assert_int_equal(c->n_sections, 1);
    assert_int_equal(c->sections[0].line, 4);
    const conf_entry *ent = conf_get(c, "target", "dsn");
    assert_non_null(ent);
    /* Blanks around key and value go, and so does an inline comment after " ;". */
    assert_string_equal(ent->value, "host=db");
    assert_int_equal(ent->line, 5);
    assert_string_equal(conf_get(c, "target", "statement_timeout")->value, "5min");
    conf_free(c);

    /* A ';' or '#' inside a value (a password, a path) stays. */
    c = load("[target]\ndsn = password=a;b host=x#y\n");
    assert_string_equal(conf_get(c, "target", "dsn")->value, "password=a;b host=x#y");
    conf_free(c);
}

static void test_last_line_without_newline(void **state)
{
    (void)state;
    conf *c = load("[store]\npath = x.db");
    assert_string_equal(conf_get(c, "store", "path")->value, "x.db");
    assert_int_equal(conf_get(c, "store", "path")->line, 2);
    conf_free(c);

    c = load("");
    assert_int_equal(c->n_entries, 0);
    assert_int_equal(c->n_sections, 0);
    conf_free(c);
}

static void test_key_outside_any_section(void **state)
{
    (void)state;
    expect_load_error("dsn = host=db\n[target]\n", "vouch.conf:1: key 'dsn' is outside any [section]");
    expect_load_error("# header\n\nstore = x\n", "vouch.conf:3: key 'store' is outside any [section]");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_load_error("[target]\ndsn = x\nthis line has no equals sign\n",
                      "vouch.conf:3: cannot parse line: expected '[section]' or 'key = value'");
    expect_load_error("[target\ndsn = x\n",
                      "vouch.conf:1: cannot parse line: expected '[section]' or 'key = value'");
    /* The first problem is the one reported, whatever kind it is. */
    expect_load_error("[target]\nno equals\nkey outside = nothing\n[store]\nalso bad\n",
                      "vouch.conf:2: cannot parse line: expected '[section]' or 'key = value'");
}

/* "[target]\n", a "dsn = xxx..." line len characters long (without its newline),
 * then "dsn_after = y". */
static char *long_line_file(size_t len)
{
    size_t key = strlen("dsn = ");
    char *value = xmalloc(len - key + 1);
    memset(value, 'x', len - key);
    value[len - key] = '\0';
    char *text = xasprintf("[target]\ndsn = %s\ndsn_after = y\n", value);
    free(value);
    return text;
}

static void test_line_longer_than_inih_allows(void **state)
{
    (void)state;
    /* inih reads at most 199 bytes of a line, newline included: 198 characters fit. */
    char *ok = long_line_file(198);
    conf *c = load(ok);
    const conf_entry *ent = conf_get(c, "target", "dsn");
    assert_int_equal(strlen(ent->value), 198 - strlen("dsn = "));
    assert_string_equal(conf_get(c, "target", "dsn_after")->value, "y");
    assert_int_equal(conf_get(c, "target", "dsn_after")->line, 3);
    conf_free(c);
    free(ok);

    /* One more and the line would be cut in two: refused, not split. */
    char *bad = long_line_file(199);
    expect_load_error(bad, "vouch.conf:2: line is longer than 198 characters");
    free(bad);
    bad = long_line_file(5000);
    expect_load_error(bad, "vouch.conf:2: line is longer than 198 characters");
    free(bad);

    /* A long line after a syntax error: the earlier line is reported. */
    char *later = long_line_file(300);
    char *text = xasprintf("oops\n%s", later);
    expect_load_error(text, "vouch.conf:1: cannot parse line: expected '[section]' or 'key = value'");
    free(text);
    /* A syntax error after a long line: the long line is reported. */
    text = xasprintf("%sgarbage\n", later);
    expect_load_error(text, "vouch.conf:2: line is longer than 198 characters");
    free(text);
    free(later);
}

/* A folder of its own for the file tests, removed afterwards even when a test fails. */
typedef struct tmpdir {
    char dir[32];
    char *path;  /* dir/vouch.conf */
} tmpdir;

static int tmpdir_setup(void **state)
{
    tmpdir *t = xcalloc(1, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/vouch-unit-XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    t->path = xasprintf("%s/vouch.conf", t->dir);
    *state = t;
    return 0;
}

static int tmpdir_teardown(void **state)
{
    tmpdir *t = *state;
    unlink(t->path);
    int rc = rmdir(t->dir);
    free(t->path);
    free(t);
    return rc;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static void test_load_file(void **state)
{
    tmpdir *t = *state;
    conf *c = NULL;
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_load_file(&c, t->path, &e), VOUCH_USAGE);
    assert_null(c);
    char *want = xasprintf("could not open configuration \"%s\": No such file or directory",
                           t->path);
    assert_string_equal(e.msg, want);
    free(want);

    write_file(t->path, good_file);
    assert_int_equal(conf_load_file(&c, t->path, &e), VOUCH_OK);
    assert_string_equal(c->path, t->path);
    assert_int_equal(conf_get(c, "rowcount", "schema")->line, 15);
    assert_string_equal(conf_get(c, "target", "dsn")->value,
                        "host=db.internal dbname=portal user=vouch");
    conf_free(c);

    /* Messages name the file as given. */
    char *bad = long_line_file(250);
    write_file(t->path, bad);
    free(bad);
    c = NULL;
    assert_int_equal(conf_load_file(&c, t->path, &e), VOUCH_USAGE);
    assert_null(c);
    want = xasprintf("%s:2: line is longer than 198 characters", t->path);
    assert_string_equal(e.msg, want);
    free(want);

    write_file(t->path, "[target]\nno equals sign\n");
    assert_int_equal(conf_load_file(&c, t->path, &e), VOUCH_USAGE);
    want = xasprintf("%s:2: cannot parse line: expected '[section]' or 'key = value'", t->path);
    assert_string_equal(e.msg, want);
    free(want);
}

static void test_empty_configuration(void **state)
{
    (void)state;
    conf *c = conf_new_empty();
    assert_string_equal(c->path, "(no configuration)");
    assert_int_equal(c->n_entries, 0);
    assert_false(conf_has_section(c, "target"));
    assert_null(conf_get(c, "target", "dsn"));
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_check_section(c, "target", target_keys, &e), VOUCH_OK);
    conf_free(c);
    conf_free(NULL);
}

/* ----------------------------------------------------- conf_check_section */

static void test_unknown_key(void **state)
{
    (void)state;
    conf *c = load("[target]\ndsn = host=db\ntimeout = 5\n");
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_check_section(c, "target", target_keys, &e), VOUCH_USAGE);
    assert_int_equal(e.code, VOUCH_USAGE);
    assert_string_equal(e.msg, "vouch.conf:3: [target] timeout: unknown key");
    assert_string_equal(e.hint, "Keys of [target] are: dsn, connect_timeout, jobs, statement_timeout.");
    conf_free(c);

    /* Keys are case-sensitive. */
    expect_check_error("[store]\nPath = x.db\n", "store", store_keys,
                       "vouch.conf:2: [store] Path: unknown key");
    /* Only the section asked about is checked. */
    c = load("[target]\ndsn = x\n[store]\nbogus = 1\n");
    assert_int_equal(conf_check_section(c, "target", target_keys, &e), VOUCH_OK);
    assert_int_equal(conf_check_section(c, "store", store_keys, &e), VOUCH_USAGE);
    assert_string_equal(e.msg, "vouch.conf:4: [store] bogus: unknown key");
    conf_free(c);
}

static void test_key_given_twice(void **state)
{
    (void)state;
    expect_check_error("[target]\ndsn = host=a\n\ndsn = host=b\n", "target", target_keys,
                       "vouch.conf:4: [target] dsn: given twice (first on line 2)");
    /* A section opened a second time further down is refused before its keys are. */
    expect_load_error("[target]\ndsn = host=a\n[store]\npath = x.db\n[target]\ndsn = host=b\n",
                      "vouch.conf:5: section [target] given twice (first on line 1)");
}

static void test_continuation_lines(void **state)
{
    (void)state;
    /* inih reads an indented line after a key as a further value of that key:
     * for a repeatable key it is one more value, for any other a repeat. */
    conf *c = load("[demo]\npath = p\nitem = one\n    two\nitem = three\n");
    const char *want[] = {"one", "two", "three"};
    int lines[] = {3, 4, 5};
    size_t n = 0;
    for (const conf_entry *ent = NULL; (ent = conf_next(c, "demo", "item", ent)); n++) {
        assert_true(n < 3);
        assert_string_equal(ent->value, want[n]);
        assert_int_equal(ent->line, lines[n]);
    }
    assert_int_equal(n, 3);
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_check_section(c, "demo", demo_keys, &e), VOUCH_OK);
    conf_free(c);

    expect_check_error("[target]\ndsn = host=db\n  dbname=portal\n", "target", target_keys,
                       "vouch.conf:3: [target] dsn: given twice (first on line 2)");
}

static void test_empty_value(void **state)
{
    (void)state;
    expect_check_error("[target]\ndsn =\n", "target", target_keys,
                       "vouch.conf:2: [target] dsn: empty value");
    expect_check_error("[demo]\npath = p\nitem = a\nitem =   \n", "demo", demo_keys,
                       "vouch.conf:4: [demo] item: empty value");
}

static void test_missing_required_key(void **state)
{
    (void)state;
    expect_check_error("[target]\ndsn = x\n\n[demo]\nflag = on\n", "demo", demo_keys,
                       "vouch.conf:4: [demo] is missing required key 'path'");
    /* Without the section the check is not configured: nothing of it is required. */
    conf *c = load("[target]\ndsn = x\n");
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_check_section(c, "demo", demo_keys, &e), VOUCH_OK);
    conf_free(c);
    c = load("[demo]\npath = here\n");
    verr_clear(&e);
    assert_int_equal(conf_check_section(c, "demo", demo_keys, &e), VOUCH_OK);
    conf_free(c);
}

static void test_conf_error_format(void **state)
{
    (void)state;
    conf *c = load("[rowcount]\n\ntable = public.tasks sometimes\n");
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_error(&e, c, conf_get(c, "rowcount", "table"), "unknown rule \"%s\"",
                                "sometimes"),
                     VOUCH_USAGE);
    assert_string_equal(e.msg, "vouch.conf:3: [rowcount] table: unknown rule \"sometimes\"");
    conf_free(c);
}

/* ---------------------------------------------------------- typed readers */

/* The entry demo.KEY of "[demo]\nKEY = VALUE\n" (line 2). */
static conf *one_value(const char *key, const char *value)
{
    char *text = xasprintf("[demo]\n%s = %s\n", key, value);
    conf *c = load(text);
    free(text);
    return c;
}

static void test_bool(void **state)
{
    (void)state;
    static const char *const yes[] = {"true", "yes", "on", "1", "TRUE", "Yes", "ON"};
    static const char *const no[] = {"false", "no", "off", "0", "False", "NO", "Off"};
    verr e;
    verr_clear(&e);
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        conf *c = one_value("flag", yes[i]);
        bool v = false;
        assert_int_equal(conf_bool(c, conf_get(c, "demo", "flag"), &v, &e), VOUCH_OK);
        assert_true(v);
        conf_free(c);
        c = one_value("flag", no[i]);
        v = true;
        assert_int_equal(conf_bool(c, conf_get(c, "demo", "flag"), &v, &e), VOUCH_OK);
        assert_false(v);
        conf_free(c);
    }
    static const char *const bad[] = {"maybe", "2", "y", "truee", "enabled"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        conf *c = one_value("flag", bad[i]);
        bool v = true;
        assert_int_equal(conf_bool(c, conf_get(c, "demo", "flag"), &v, &e), VOUCH_USAGE);
        assert_true(v);  /* untouched */
        char *want = xasprintf("vouch.conf:2: [demo] flag: expected true or false, not \"%s\"",
                               bad[i]);
        assert_string_equal(e.msg, want);
        free(want);
        conf_free(c);
    }
}

static void expect_int(const char *value, int64_t min, int64_t max, int64_t want)
{
    conf *c = one_value("count", value);
    verr e;
    verr_clear(&e);
    int64_t v = -12345;
    if (conf_int(c, conf_get(c, "demo", "count"), min, max, &v, &e) != VOUCH_OK)
        fail_msg("\"%s\": %s", value, e.msg);
    assert_int_equal(v, want);
    conf_free(c);
}

static void expect_int_error(const char *value, int64_t min, int64_t max, const char *what)
{
    conf *c = one_value("count", value);
    verr e;
    verr_clear(&e);
    int64_t v = -12345;
    assert_int_equal(conf_int(c, conf_get(c, "demo", "count"), min, max, &v, &e), VOUCH_USAGE);
    assert_int_equal(v, -12345);
    char *want = xasprintf("vouch.conf:2: [demo] count: %s", what);
    assert_string_equal(e.msg, want);
    free(want);
    conf_free(c);
}

static void test_int(void **state)
{
    (void)state;
    expect_int("5", 1, 3600, 5);
    expect_int("1", 1, 3600, 1);
    expect_int("3600", 1, 3600, 3600);
    expect_int("-7", -10, 10, -7);
    expect_int("9223372036854775807", 0, INT64_MAX, INT64_MAX);

    expect_int_error("0", 1, 3600, "0 is out of range (1 to 3600)");
    expect_int_error("3601", 1, 3600, "3601 is out of range (1 to 3600)");
    expect_int_error("-3", 1, 3600, "-3 is out of range (1 to 3600)");
    expect_int_error("5s", 1, 3600, "expected a whole number, not \"5s\"");
    expect_int_error("ten", 1, 3600, "expected a whole number, not \"ten\"");
    expect_int_error("1.5", 1, 3600, "expected a whole number, not \"1.5\"");
    expect_int_error("0x10", 1, 3600, "expected a whole number, not \"0x10\"");
    expect_int_error("99999999999999999999", 1, 3600,
                     "expected a whole number, not \"99999999999999999999\"");
}

static void expect_duration(const char *value, int64_t want_ms)
{
    conf *c = one_value("wait", value);
    verr e;
    verr_clear(&e);
    int64_t v = -1;
    if (conf_duration_ms(c, conf_get(c, "demo", "wait"), &v, &e) != VOUCH_OK)
        fail_msg("\"%s\": %s", value, e.msg);
    assert_int_equal(v, want_ms);
    conf_free(c);
}

static void expect_duration_error(const char *value, const char *what)
{
    conf *c = one_value("wait", value);
    verr e;
    verr_clear(&e);
    int64_t v = -1;
    assert_int_equal(conf_duration_ms(c, conf_get(c, "demo", "wait"), &v, &e), VOUCH_USAGE);
    assert_int_equal(v, -1);
    char *want = xasprintf("vouch.conf:2: [demo] wait: %s", what);
    assert_string_equal(e.msg, want);
    free(want);
    conf_free(c);
}

static void test_duration(void **state)
{
    (void)state;
    expect_duration("250ms", 250);
    expect_duration("30s", 30000);
    expect_duration("5min", 300000);
    expect_duration("1h", 3600000);
    expect_duration("1500", 1500);
    expect_duration("0", 0);
    expect_duration("30 s", 30000);
    /* The longest a Postgres timeout can hold (int milliseconds). */
    expect_duration("2147483647", 2147483647);
    expect_duration("596h", INT64_C(596) * 3600000);

    static const char *const bad[] = {"1.5s", "-1s", "+1s", "-0", "5 minutes", "s", "30S",
                                      "1d", "ms", "1h30min", "thirty seconds"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *what = xasprintf("expected a duration such as 30s, 5min or 250ms, not \"%s\"", bad[i]);
        expect_duration_error(bad[i], what);
        free(what);
    }
    expect_duration_error("2147483648", "\"2147483648\" is too long");
    expect_duration_error("597h", "\"597h\" is too long");
    expect_duration_error("99999999999999999999s",
                          "expected a duration such as 30s, 5min or 250ms, not "
                          "\"99999999999999999999s\"");
}

/* ---------------------------------------------------------- settings_read */

static void test_settings_good_file(void **state)
{
    (void)state;
    conf *c = NULL;
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_load_string(&c, "/etc/vouch/vouch.conf", good_file, &e), VOUCH_OK);
    vouch_settings s;
    assert_int_equal(read_settings(c, &s, &e), VOUCH_OK);
    assert_string_equal(s.dsn, "host=db.internal dbname=portal user=vouch");
    assert_int_equal(s.connect_timeout_s, 5);
    assert_int_equal(s.statement_timeout_ms, 30000);
    assert_string_equal(s.store_path, "/etc/vouch/evidence/vouch.db");
    settings_release(&s);
    assert_null(s.store_path);
    conf_free(c);
}

static void test_settings_defaults(void **state)
{
    (void)state;
    conf *c = conf_new_empty();
    vouch_settings s;
    verr e;
    verr_clear(&e);
    assert_int_equal(read_settings(c, &s, &e), VOUCH_OK);
    assert_null(s.dsn);
    assert_int_equal(s.connect_timeout_s, 10);
    assert_int_equal(s.statement_timeout_ms, 15 * 60 * 1000);
    assert_string_equal(s.store_path, "vouch.db");
    settings_release(&s);
    conf_free(c);

    /* Without a path key the store is vouch.db in the current folder, as documented,
     * wherever the configuration file is. */
    c = NULL;
    assert_int_equal(conf_load_string(&c, "/etc/vouch/vouch.conf", "[target]\ndsn = x\n", &e),
                     VOUCH_OK);
    assert_int_equal(read_settings(c, &s, &e), VOUCH_OK);
    assert_string_equal(s.dsn, "x");
    assert_string_equal(s.store_path, "vouch.db");
    settings_release(&s);
    conf_free(c);

    /* Sections present but silent about these keys: the same defaults. */
    c = load("[target]\n[store]\n[rowcount]\ntable = t\n");
    assert_int_equal(read_settings(c, &s, &e), VOUCH_OK);
    assert_null(s.dsn);
    assert_int_equal(s.connect_timeout_s, DEFAULT_CONNECT_TIMEOUT_S);
    assert_int_equal(s.statement_timeout_ms, DEFAULT_STATEMENT_TIMEOUT_MS);
    assert_string_equal(s.store_path, "vouch.db");
    settings_release(&s);
    conf_free(c);
}

static void expect_store_path(const char *conf_name, const char *path, const char *want)
{
    char *text = xasprintf("[store]\npath = %s\n", path);
    conf *c = NULL;
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_load_string(&c, conf_name, text, &e), VOUCH_OK);
    free(text);
    vouch_settings s;
    assert_int_equal(read_settings(c, &s, &e), VOUCH_OK);
    assert_string_equal(s.store_path, want);
    settings_release(&s);
    conf_free(c);
}

static void test_settings_store_path_relative_to_config(void **state)
{
    (void)state;
    expect_store_path("conf/vouch.conf", "evidence.db", "conf/evidence.db");
    expect_store_path("/etc/vouch/vouch.conf", "data/vouch.db", "/etc/vouch/data/vouch.db");
    expect_store_path("/etc/vouch/vouch.conf", "../vouch.db", "/etc/vouch/../vouch.db");
    expect_store_path("/vouch.conf", "v.db", "/v.db");
    /* A file in the current folder: the path stays as written. */
    expect_store_path("vouch.conf", "evidence.db", "evidence.db");
    /* Absolute paths are taken as they are. */
    expect_store_path("/etc/vouch/vouch.conf", "/var/lib/vouch/vouch.db", "/var/lib/vouch/vouch.db");
}

static void test_settings_report(void **state)
{
    (void)state;
    conf *c = NULL;
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_load_string(&c, "/etc/vouch/vouch.conf",
                                      "[report]\ntemplates = house-style\norganisation = Acme & Co\n", &e),
                     VOUCH_OK);
    vouch_settings s;
    assert_int_equal(read_settings(c, &s, &e), VOUCH_OK);
    assert_string_equal(s.report_templates, "/etc/vouch/house-style");
    assert_string_equal(s.report_organisation, "Acme & Co");
    settings_release(&s);
    conf_free(c);
    expect_settings_error("[report]\ntemplate = x\n", "vouch.conf:2: [report] template: unknown key",
                          NULL);
}

static void test_settings_objectives(void **state)
{
    (void)state;
    /* Without [objectives], the runbook's: 45 min target, 1 h RTO, 24 h RPO, quarterly. */
    conf *c = load("[target]\ndsn = x\n");
    vouch_settings s;
    verr e;
    verr_clear(&e);
    assert_int_equal(read_settings(c, &s, &e), VOUCH_OK);
    assert_int_equal(s.objectives.rto_target_ms, 45 * 60000);
    assert_int_equal(s.objectives.rto_ms, 60 * 60000);
    assert_int_equal(s.objectives.rpo_ms, 24 * 3600000LL);
    assert_string_equal(s.objectives.drill_every, "quarterly");
    assert_int_equal(s.objectives.evidence_valid_ms, 0);  /* never expires unless set */
    assert_int_equal(s.negative_control, NEGCTL_NEVER);
    settings_release(&s);
    conf_free(c);

    c = load("[objectives]\nevidence_valid = 30d\n\n[gate]\nnegative_control = weekly\n");
    assert_int_equal(read_settings(c, &s, &e), VOUCH_OK);
    assert_int_equal(s.objectives.evidence_valid_ms, 30 * 86400000LL);
    assert_int_equal(s.negative_control, NEGCTL_WEEKLY);
    settings_release(&s);
    conf_free(c);
    c = load("[gate]\nnegative_control = always\n");
    assert_int_equal(read_settings(c, &s, &e), VOUCH_OK);
    assert_int_equal(s.negative_control, NEGCTL_ALWAYS);
    settings_release(&s);
    conf_free(c);

    c = load("[objectives]\nrto_target = 20min\nrto = 2h\nrpo = 15min\ndrill_every = 30d\n");
    assert_int_equal(read_settings(c, &s, &e), VOUCH_OK);
    assert_int_equal(s.objectives.rto_target_ms, 20 * 60000);
    assert_int_equal(s.objectives.rto_ms, 2 * 3600000);
    assert_int_equal(s.objectives.rpo_ms, 15 * 60000);
    assert_string_equal(s.objectives.drill_every, "30d");
    settings_release(&s);
    conf_free(c);
    int64_t ms;
    assert_true(objectives_every_ms("quarterly", &ms));
    assert_int_equal(ms, 91 * 86400000LL);
    assert_true(objectives_every_ms("13w", &ms));
    assert_int_equal(ms, 91 * 86400000LL);
    assert_false(objectives_every_ms("12h", &ms));   /* under a day is no cadence */
    assert_false(objectives_every_ms("3mo", &ms));

    expect_settings_error("[objectives]\nrto = soon\n",
                          "vouch.conf:2: [objectives] rto: expected a span such as 45min, 1h, 24h "
                          "or 7d, not \"soon\"", NULL);
    expect_settings_error("[objectives]\nrpo = 0h\n",
                          "vouch.conf:2: [objectives] rpo: expected a span such as 45min, 1h, 24h "
                          "or 7d, not \"0h\"", NULL);
    expect_settings_error("[objectives]\nrpo = -1h\n",
                          "vouch.conf:2: [objectives] rpo: expected a span such as 45min, 1h, 24h "
                          "or 7d, not \"-1h\"", NULL);
    expect_settings_error("[objectives]\nrto = 99999999999w\n",
                          "vouch.conf:2: [objectives] rto: expected a span such as 45min, 1h, 24h "
                          "or 7d, not \"99999999999w\"", NULL);
    expect_settings_error("[objectives]\nrto_target = 2h\n",
                          "vouch.conf:2: [objectives] rto_target: the drill target 2h is longer "
                          "than the RTO 1h: a drill within its target must be within the RTO",
                          "Set rto_target to at most rto.");
    expect_settings_error("[objectives]\ndrill_every = yearly\n",
                          "vouch.conf:2: [objectives] drill_every: expected quarterly or a span of "
                          "at least a day such as 13w or 30d, not \"yearly\"", NULL);
    expect_settings_error("[objectives]\nrto = 1h\nrto = 2h\n",
                          "vouch.conf:3: [objectives] rto: given twice (first on line 2)", NULL);
    expect_settings_error("[objectives]\nrtp = 1h\n",
                          "vouch.conf:2: [objectives] rtp: unknown key", NULL);
}

static void test_settings_unknown_section(void **state)
{
    (void)state;
    /* The hint lists every registered check, in registry order. */
    char *known = xstrdup("Known sections are: target, store, report, signing, objectives, gate");
    for (size_t i = 0; checkers[i]; i++) {
        char *next = xasprintf("%s, %s", known, checkers[i]->name);
        free(known);
        known = next;
    }
    /* and the waivers the runner applies */
    char *hint = xasprintf("%s, waiver.", known);
    expect_settings_error("[target]\ndsn = x\n\n[rowcont]\ntable = public.tasks\n",
                          "vouch.conf:4: unknown section [rowcont]", hint);
    free(hint);
    free(known);
    expect_settings_error("[Target]\ndsn = x\n", "vouch.conf:1: unknown section [Target]", NULL);
}

static void test_settings_checks_every_section(void **state)
{
    (void)state;
    expect_settings_error("[target]\ndsn = x\nport = 5432\n", "vouch.conf:3: [target] port: unknown key",
                          "Keys of [target] are: dsn, connect_timeout, jobs, statement_timeout.");
    expect_settings_error("[store]\npath = a.db\npath = b.db\n",
                          "vouch.conf:3: [store] path: given twice (first on line 2)", NULL);
    expect_settings_error("[rowcount]\ntables = public.tasks\n",
                          "vouch.conf:2: [rowcount] tables: unknown key",
                          "Keys of [rowcount] are: table, schema, exclude, rule.");
    expect_settings_error("[rowcount]\nrule = exact\nrule = at-least\n",
                          "vouch.conf:3: [rowcount] rule: given twice (first on line 2)", NULL);
}

static void test_settings_bad_values(void **state)
{
    (void)state;
    expect_settings_error("[target]\nconnect_timeout = 0\n",
                          "vouch.conf:2: [target] connect_timeout: 0 is out of range (1 to 3600)",
                          NULL);
    expect_settings_error("[target]\nconnect_timeout = ten\n",
                          "vouch.conf:2: [target] connect_timeout: expected a whole number, not "
                          "\"ten\"",
                          NULL);
    expect_settings_error("[target]\nstatement_timeout = 5 minutes\n",
                          "vouch.conf:2: [target] statement_timeout: expected a duration such as "
                          "30s, 5min or 250ms, not \"5 minutes\"",
                          NULL);

    expect_settings_error("[gate]\nnegative_control = sometimes\n",
                          "vouch.conf:2: [gate] negative_control: expected never, weekly or "
                          "always, not \"sometimes\"",
                          NULL);
    expect_settings_error("[gate]\nnegative_controls = weekly\n",
                          "vouch.conf:2: [gate] negative_controls: unknown key", NULL);
    expect_settings_error("[objectives]\nevidence_valid = forever\n",
                          "vouch.conf:2: [objectives] evidence_valid: expected a span such as "
                          "45min, 1h, 24h or 7d, not \"forever\"",
                          NULL);
    expect_settings_error("[objectives]\nevidence_valid = 0d\n",
                          "vouch.conf:2: [objectives] evidence_valid: expected a span such as "
                          "45min, 1h, 24h or 7d, not \"0d\"",
                          NULL);

    conf *c = load("[target]\nstatement_timeout = 0\nconnect_timeout = 3600\n");
    vouch_settings s;
    verr e;
    verr_clear(&e);
    assert_int_equal(read_settings(c, &s, &e), VOUCH_OK);
    assert_int_equal(s.statement_timeout_ms, 0);
    assert_int_equal(s.connect_timeout_s, 3600);
    settings_release(&s);
    conf_free(c);
}

/* Section headers that inih would read differently from how they look are refused. */
static void test_section_headers_that_would_mislead(void **state)
{
    (void)state;
    expect_load_error("[ target ]\ndsn = dbname=x\n",
                      "vouch.conf:1: write the section name without spaces, as [target]");
    expect_load_error("[rowcount]\ntable = a\n  [store]\npath = x.db\n",
                      "vouch.conf:3: a [section] header must start at the beginning of its line");
    expect_load_error("[]\nx = 1\n", "vouch.conf:1: write the section name without spaces, as []");
}

static void test_bom_and_crlf(void **state)
{
    (void)state;
    conf *c = load("\xEF\xBB\xBF[rowcount]\r\ntable = projects\r\n");
    assert_true(conf_has_section(c, "rowcount"));
    assert_int_equal(conf_find_section(c, "rowcount")->line, 1);
    assert_string_equal(conf_get(c, "rowcount", "table")->value, "projects");
    conf_free(c);
    /* With CRLF endings a line has the same 198-character limit as with LF. */
    char *line = xmalloc(300);
    memset(line, 'x', 198 - strlen("dsn = "));
    line[198 - strlen("dsn = ")] = '\0';
    char *text = xasprintf("[target]\r\ndsn = %s\r\n", line);
    c = load(text);
    assert_int_equal(strlen(conf_get(c, "target", "dsn")->value), 198 - strlen("dsn = "));
    conf_free(c);
    free(text);
    free(line);
}

/* libinih reads C strings: a NUL byte would end its line there, silently. */
static void test_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "[rowcount]\ntable = projects\0 at-least\ntable = tasks\n";
    conf *c = NULL;
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_load_mem(&c, "vouch.conf", text, sizeof text - 1, &e), VOUCH_USAGE);
    assert_null(c);
    assert_string_equal(e.msg, "vouch.conf:2: line contains a NUL byte");
    assert_string_equal(e.hint, "Save the configuration as UTF-8 text, not UTF-16 or a binary file.");
    /* The first error wins, with its own hint (here none). */
    static const char two[] = "[rowcount]\n[ x ]\ntable = a\0\n";
    verr_clear(&e);
    assert_int_equal(conf_load_mem(&c, "vouch.conf", two, sizeof two - 1, &e), VOUCH_USAGE);
    assert_string_equal(e.msg, "vouch.conf:2: write the section name without spaces, as [x]");
    assert_string_equal(e.hint, "");
    /* Without a NUL, conf_load_mem reads what conf_load_string reads. */
    static const char ok[] = "[rowcount]\ntable = projects";
    assert_int_equal(conf_load_mem(&c, "vouch.conf", ok, sizeof ok - 1, &e), VOUCH_OK);
    assert_string_equal(conf_get(c, "rowcount", "table")->value, "projects");
    conf_free(c);
}

/* inih merges a repeated section into the first; vouch refuses it. */
static void test_section_given_twice(void **state)
{
    (void)state;
    expect_load_error("[rowcount]\ntable = a\n\n[target]\ndsn = x\n[rowcount]\nrule = exact\n",
                      "vouch.conf:6: section [rowcount] given twice (first on line 1)");
}

static void test_seen_refuses_a_repeat(void **state)
{
    (void)state;
    conf *c = load("[rowcount]\ntable = a\ntable = b\ntable = A\n");
    conf_seen seen = {0};
    verr e;
    verr_clear(&e);
    const conf_entry *ent = conf_get(c, "rowcount", "table");
    assert_int_equal(conf_seen_add(&seen, c, ent, "public.a", &e), VOUCH_OK);
    ent = conf_next(c, "rowcount", "table", ent);
    assert_int_equal(conf_seen_add(&seen, c, ent, "public.b", &e), VOUCH_OK);
    ent = conf_next(c, "rowcount", "table", ent);
    assert_int_equal(conf_seen_add(&seen, c, ent, "public.a", &e), VOUCH_USAGE);
    assert_string_equal(e.msg, "vouch.conf:4: [rowcount] table: public.a given twice (first on line 2)");
    conf_seen_release(&seen);
    assert_int_equal(seen.n, 0);
    conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_repeatable_keys_in_order),
        cmocka_unit_test(test_comments_blanks_and_line_endings),
        cmocka_unit_test(test_last_line_without_newline),
        cmocka_unit_test(test_key_outside_any_section),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_line_longer_than_inih_allows),
        cmocka_unit_test(test_section_headers_that_would_mislead),
        cmocka_unit_test(test_bom_and_crlf),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_section_given_twice),
        cmocka_unit_test(test_seen_refuses_a_repeat),
        cmocka_unit_test_setup_teardown(test_load_file, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test(test_empty_configuration),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_key_given_twice),
        cmocka_unit_test(test_continuation_lines),
        cmocka_unit_test(test_empty_value),
        cmocka_unit_test(test_missing_required_key),
        cmocka_unit_test(test_conf_error_format),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_settings_good_file),
        cmocka_unit_test(test_settings_defaults),
        cmocka_unit_test(test_settings_store_path_relative_to_config),
        cmocka_unit_test(test_settings_report),
        cmocka_unit_test(test_settings_objectives),
        cmocka_unit_test(test_settings_unknown_section),
        cmocka_unit_test(test_settings_checks_every_section),
        cmocka_unit_test(test_settings_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
