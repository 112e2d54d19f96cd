/* Named instances: [share_tokens "invitations"] in src/config (headers, views),
 * src/settings (which checks take them) and src/runner (selection, names, messages). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checker.h"
#include "src/config.h"
#include "src/runner.h"
#include "src/settings.h"
#include "src/util.h"

/* settings_read with the sections of every registered check, as the CLI reads them. */
static vexit read_settings(const conf *c, vouch_settings *s, verr *e)
{
    section_kind kinds[RUNNER_MAX_SECTIONS];
    size_t n = runner_sections(kinds, RUNNER_MAX_SECTIONS);
    return settings_read(c, kinds, n, s, e);
}

static conf *load(const char *text)
{
    conf *c = NULL;
    verr e;
    verr_clear(&e);
    if (conf_load_string(&c, "vouch.conf", text, &e) != VOUCH_OK)
        fail_msg("conf_load_string: %s", e.msg);
    return c;
}

static void expect_load_error(const char *text, const char *message)
{
    conf *c = NULL;
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_load_string(&c, "vouch.conf", text, &e), VOUCH_USAGE);
    assert_null(c);
    assert_string_equal(e.msg, message);
}

static void expect_settings_error(const char *text, const char *message)
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
}

static const char tokens[] =
    "[share_tokens]\n"                         /* 1 */
    "table = public.share_links\n"             /* 2 */
    "hash = token_hash\n"                      /* 3 */
    "[share_tokens \"invitations\"]\n"         /* 4 */
    "table = public.invitations\n"             /* 5 */
    "hash = digest\n"                          /* 6 */
    "[rowcount]\n"                             /* 7 */
    "table = projects\n"                       /* 8 */
    "[share_tokens \"api.keys-2\"]\n"          /* 9 */
    "table = auth.api_keys\n";                 /* 10 */

static void test_headers(void **state)
{
    (void)state;
    conf *c = load(tokens);
    assert_int_equal(c->n_sections, 4);
    const conf_section *s = conf_find_section(c, "share_tokens \"invitations\"");
    assert_non_null(s);
    assert_int_equal(s->line, 4);
    assert_string_equal(s->base, "share_tokens");
    assert_string_equal(s->instance, "invitations");
    assert_null(conf_find_section(c, "share_tokens")->instance);
    assert_string_equal(conf_find_section(c, "share_tokens \"api.keys-2\"")->instance,
                        "api.keys-2");
    /* the bare section does not see an instance's keys */
    assert_string_equal(conf_get(c, "share_tokens", "table")->value, "public.share_links");
    conf_free(c);
}

static void test_bad_headers(void **state)
{
    (void)state;
    expect_load_error("[share_tokens \"a b\"]\n",
                      "vouch.conf:1: section [share_tokens \"a b\"]: \"a b\" is not a valid "
                      "instance name");
    expect_load_error("[share_tokens \"\"]\n",
                      "vouch.conf:1: section [share_tokens \"\"]: \"\" is not a valid instance "
                      "name");
    expect_load_error("[x]\n[share_tokens \"a/b\"]\n",
                      "vouch.conf:2: section [share_tokens \"a/b\"]: \"a/b\" is not a valid "
                      "instance name");
    expect_load_error("[share_tokens invitations]\n",
                      "vouch.conf:1: cannot read section header [share_tokens invitations]: "
                      "write [NAME] or [NAME \"INSTANCE\"]");
    expect_load_error("[share_tokens  \"x\"]\n",
                      "vouch.conf:1: cannot read section header [share_tokens  \"x\"]: write "
                      "[NAME] or [NAME \"INSTANCE\"]");
    expect_load_error("[share_tokens\"x\"]\n",
                      "vouch.conf:1: cannot read section header [share_tokens\"x\"]: write "
                      "[NAME] or [NAME \"INSTANCE\"]");
    expect_load_error("[share_tokens \"x\" \"y\"]\n",
                      "vouch.conf:1: section [share_tokens \"x\" \"y\"]: \"x\" \"y\" is not a "
                      "valid instance name");
    /* the same instance twice is a paste, as a repeated section is */
    expect_load_error("[audit_log \"app\"]\ntable = a\n[audit_log \"app\"]\ntable = b\n",
                      "vouch.conf:3: section [audit_log \"app\"] given twice (first on line 1)");
}

static void test_view(void **state)
{
    (void)state;
    conf *c = load(tokens);
    conf *v = conf_instance_view(c, conf_find_section(c, "share_tokens \"invitations\""));
    const conf_entry *t = conf_get(v, "share_tokens", "table");
    assert_string_equal(t->value, "public.invitations");
    assert_int_equal(t->line, 5);
    assert_int_equal(conf_find_section(v, "share_tokens")->line, 4);
    /* other instances and the bare section are out of sight; other checks are not */
    assert_null(conf_next(v, "share_tokens", "table", t));
    assert_null(conf_find_section(v, "share_tokens \"api.keys-2\""));
    assert_string_equal(conf_get(v, "rowcount", "table")->value, "projects");
    assert_null(conf_find_section(v, "share_tokens")->instance);
    conf *c2 = load("[audit_log \"app\"]\ntable = a\n[share_tokens \"x\"]\ntable = b\n");
    conf *v2 = conf_instance_view(c2, conf_find_section(c2, "share_tokens \"x\""));
    const conf_section *other = conf_find_section(v2, "audit_log \"app\"");
    assert_non_null(other);
    assert_string_equal(other->base, "audit_log");
    assert_string_equal(other->instance, "app");
    assert_string_equal(conf_get(v2, "audit_log \"app\"", "table")->value, "a");
    conf_free(v2);
    conf_free(c2);
    /* messages name the file, the real line and the real header */
    verr e;
    verr_clear(&e);
    conf_error(&e, v, conf_get(v, "share_tokens", "hash"), "bad");
    assert_string_equal(e.msg, "vouch.conf:6: [share_tokens \"invitations\"] hash: bad");
    static const conf_key keys[] = {{"table", 0, "T", "t"}, {NULL, 0, NULL, NULL}};
    verr_clear(&e);
    assert_int_equal(conf_check_section(v, "share_tokens", keys, &e), VOUCH_USAGE);
    assert_string_equal(e.msg, "vouch.conf:6: [share_tokens \"invitations\"] hash: unknown key");
    assert_string_equal(e.hint, "Keys of [share_tokens \"invitations\"] are: table.");
    conf_free(v);
    conf_free(c);
}

static void test_which_checks_take_instances(void **state)
{
    (void)state;
    assert_true(checker_find("share_tokens")->flags & CHECKER_INSTANCES);
    assert_true(checker_find("audit_log")->flags & CHECKER_INSTANCES);
    assert_false(checker_find("rowcount")->flags & CHECKER_INSTANCES);
    expect_settings_error("[target]\n[rowcount \"big\"]\ntable = a\n",
                          "vouch.conf:2: section [rowcount \"big\"]: rowcount takes no named "
                          "instances");
    expect_settings_error("[store \"x\"]\npath = a.db\n",
                          "vouch.conf:1: section [store \"x\"] takes no instance name");
    expect_settings_error("[nosuch \"x\"]\n", "vouch.conf:1: unknown section [nosuch \"x\"]");
    /* an instance's keys are checked against its checker's table */
    expect_settings_error("[audit_log \"svc\"]\ntable = a\ncolour = red\n",
                          "vouch.conf:3: [audit_log \"svc\"] colour: unknown key");
}

static void select_names(const conf *c, const char *const *only, size_t n_only,
                         const char *want)
{
    check_unit *u;
    size_t n;
    verr e;
    verr_clear(&e);
    if (runner_select(c, only, n_only, &u, &n, &e))
        fail_msg("runner_select: %s", e.msg);
    char got[512] = "";
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(got);
        snprintf(got + used, sizeof got - used, "%s%s", i ? "," : "", u[i].name);
    }
    check_units_free(u, n);
    assert_string_equal(got, want);
}

static void test_select(void **state)
{
    (void)state;
    conf *c = load(tokens);
    select_names(c, NULL, 0, "rowcount,share_tokens,share_tokens/invitations,share_tokens/api.keys-2");
    const char *all[] = {"share_tokens"};
    select_names(c, all, 1, "share_tokens,share_tokens/invitations,share_tokens/api.keys-2");
    const char *one[] = {"share_tokens/invitations"};
    select_names(c, one, 1, "share_tokens/invitations");
    const char *two[] = {"share_tokens/api.keys-2", "rowcount", "share_tokens/api.keys-2"};
    select_names(c, two, 3, "rowcount,share_tokens/api.keys-2");

    check_unit *u;
    size_t n;
    verr e;
    verr_clear(&e);
    const char *missing[] = {"share_tokens/refresh"};
    assert_int_equal(runner_select(c, missing, 1, &u, &n, &e), VOUCH_USAGE);
    assert_string_equal(e.msg, "check 'share_tokens/refresh' is not configured in vouch.conf (it "
                               "has share_tokens, share_tokens/invitations, "
                               "share_tokens/api.keys-2)");
    const char *noinst[] = {"rowcount/big"};
    verr_clear(&e);
    assert_int_equal(runner_select(c, noinst, 1, &u, &n, &e), VOUCH_USAGE);
    assert_string_equal(e.msg, "check 'rowcount' takes no named instances, so 'rowcount/big' "
                               "names nothing");
    const char *unknown[] = {"nosuch/x"};
    verr_clear(&e);
    assert_int_equal(runner_select(c, unknown, 1, &u, &n, &e), VOUCH_USAGE);
    assert_string_equal(e.msg, "unknown check 'nosuch/x'");
    conf_free(c);
}

/* A checker's own "[share_tokens] ..." message names the instance's header. */
static void test_configure_names_the_instance(void **state)
{
    (void)state;
    conf *c = load("[share_tokens]\ntable = a\nhash = h\nexpires = e\ncreated = c\nformat = "
                   "sha256-hex\n[share_tokens \"inv\"]\ntable = b\n");
    check_unit *u;
    size_t n;
    verr e;
    verr_clear(&e);
    assert_int_equal(runner_select(c, NULL, 0, &u, &n, &e), VOUCH_OK);
    assert_int_equal(n, 2);
    void *settings = NULL;
    assert_int_equal(check_unit_configure(&u[0], &settings, &e), VOUCH_OK);
    u[0].ck->release(settings);
    settings = NULL;
    assert_int_equal(check_unit_configure(&u[1], &settings, &e), VOUCH_USAGE);
    assert_string_equal(e.msg, "vouch.conf:7: [share_tokens \"inv\"] is missing required key "
                               "'hash'");
    verr_clear(&e);
    assert_int_equal(runner_validate(c, &e), VOUCH_USAGE);
    assert_string_equal(e.msg, "vouch.conf:7: [share_tokens \"inv\"] is missing required key "
                               "'hash'");
    check_units_free(u, n);
    conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_view),
        cmocka_unit_test(test_which_checks_take_instances),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_configure_names_the_instance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
