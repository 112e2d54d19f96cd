/* checks/rls: reading the [rls] section, above all the probe's own syntax
 * (ROLE SCHEMA.TABLE COLUMN=VALUE [SETTING=VALUE ...]), and which tables the
 * configuration protects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/rls.h"

static const checker *rls(void)
{
    const checker *ck = checker_find("rls");
    assert_non_null(ck);
    return ck;
}

/* Configure from text; returns the settings (NULL on error, with e filled). */
static rls_settings *configured(const char *text, verr *e)
{
    conf *c;
    verr_clear(e);
    if (conf_load_string(&c, "vouch.conf", text, e))
        fail_msg("does not load: %s", e->msg);
    void *s = NULL;
    vexit rc = rls()->configure(c, &s, e);
    conf_free(c);
    if (rc) {
        assert_int_equal(rc, VOUCH_USAGE);
        assert_null(s);
        return NULL;
    }
    return s;
}

static void expect_error(const char *text, const char *message)
{
    verr e;
    rls_settings *s = configured(text, &e);
    if (s) {
        rls()->release(s);
        fail_msg("accepted: %s", text);
    }
    assert_string_equal(e.msg, message);
}

static void test_full_section(void **state)
{
    (void)state;
    verr e;
    rls_settings *s = configured("[rls]\n"
                                 "schema = public\n"
                                 "exclude = public.sessions\n"
                                 "table = billing.invoices\n"
                                 "force = public.share_links\n"
                                 "role = portal_app\n"
                                 "role = \"Portal Reader\"\n"
                                 "probe = portal_app public.projects agency_id=1 app.agency_id=1"
                                 " app.region=au\n",
                                 &e);
    assert_non_null(s);
    assert_int_equal(s->schemas.n, 1);
    assert_int_equal(s->roles.n, 2);
    assert_string_equal(s->roles.v[1], "Portal Reader");
    assert_int_equal(s->n_probes, 1);
    const rls_probe_conf *p = &s->probes[0];
    assert_string_equal(p->role, "portal_app");
    assert_string_equal(p->table.schema, "public");
    assert_string_equal(p->table.name, "projects");
    assert_string_equal(p->column, "agency_id");
    assert_string_equal(p->value, "1");
    assert_int_equal(p->n_settings, 2);
    assert_string_equal(p->names[0], "app.agency_id");
    assert_string_equal(p->values[0], "1");
    assert_string_equal(p->names[1], "app.region");
    assert_string_equal(p->values[1], "au");

    /* What is protected: listed tables, schemas less their exclusions. */
    assert_true(rls_covered(s, "public", "projects"));
    assert_false(rls_covered(s, "public", "sessions"));
    assert_true(rls_covered(s, "billing", "invoices"));
    assert_false(rls_covered(s, "billing", "payments"));
    assert_true(rls_covered(s, "public", "share_links"));
    rls()->release(s);
}

static void test_probe_without_settings(void **state)
{
    (void)state;
    verr e;
    rls_settings *s = configured("[rls]\ntable = posts\nprobe = anon posts published=true\n", &e);
    assert_non_null(s);
    assert_string_equal(s->probes[0].table.schema, "public");
    assert_int_equal(s->probes[0].n_settings, 0);
    rls()->release(s);
}

static void test_errors_name_file_line_and_key(void **state)
{
    (void)state;
    expect_error("[rls]\nrole = portal_app\n",
                 "vouch.conf:1: [rls] protects no table: add 'table =', 'force =' or 'schema ='");
    expect_error("[rls]\nschema = public\nprobe = portal_app public.projects\n",
                 "vouch.conf:3: [rls] probe: expected the tenant COLUMN=VALUE after the table");
    expect_error("[rls]\nschema = public\nprobe = portal_app\n",
                 "vouch.conf:3: [rls] probe: expected a table after the role");
    expect_error("[rls]\nschema = public\nprobe = portal_app public.projects agency_id\n",
                 "vouch.conf:3: [rls] probe: expected NAME=VALUE, found \"agency_id\"");
    expect_error("[rls]\nschema = public\nprobe = portal_app public.projects a=1 x;drop=1\n",
                 "vouch.conf:3: [rls] probe: \"x;drop\" is not a custom setting name (such as"
                 " app.tenant_id): a probe sets no built-in setting");
    expect_error("[rls]\nschema = public\nprobe = portal_app public.projects a=1"
                 " transaction_read_only=off\n",
                 "vouch.conf:3: [rls] probe: \"transaction_read_only\" is not a custom setting"
                 " name (such as app.tenant_id): a probe sets no built-in setting");
    expect_error("[rls]\ntable = public.t extra\n",
                 "vouch.conf:2: [rls] table: unexpected \"extra\" after the table name");
    expect_error("[rls]\nschema = public\nrole = two words\n",
                 "vouch.conf:3: [rls] role: expected one name, found \"two words\"");
}

/* Values may be quoted, so that JSON claims are written as they are; a doubled quote
 * inside stands for one; a quoted name may hold blanks. */
static void test_quoted_values(void **state)
{
    (void)state;
    verr e;
    rls_settings *s = configured(
        "[rls]\ntable = profiles\n"
        "probe = authenticated public.profiles id=u1"
        " request.jwt.claims='{\"sub\": \"u1\", \"role\": \"authenticated\"}'"
        " app.note=\"it's \"\"quoted\"\"\" app.empty='' app.o='O''Brien'\n"
        "probe = \"Portal Reader\" \"Odd Schema\".\"My Table\" \"Tenant Id\"='a b'\n",
        &e);
    if (!s)
        fail_msg("refused: %s", e.msg);
    const rls_probe_conf *p = &s->probes[0];
    assert_string_equal(p->value, "u1");
    assert_int_equal(p->n_settings, 4);
    assert_string_equal(p->names[0], "request.jwt.claims");
    assert_string_equal(p->values[0], "{\"sub\": \"u1\", \"role\": \"authenticated\"}");
    assert_string_equal(p->values[1], "it's \"quoted\"");
    assert_string_equal(p->values[2], "");
    assert_string_equal(p->values[3], "O'Brien");
    p = &s->probes[1];
    assert_string_equal(p->role, "Portal Reader");
    assert_string_equal(p->table.schema, "Odd Schema");
    assert_string_equal(p->table.name, "My Table");
    assert_string_equal(p->column, "Tenant Id");
    assert_string_equal(p->value, "a b");
    rls()->release(s);
}

static void test_quote_errors(void **state)
{
    (void)state;
    expect_error("[rls]\nschema = public\nprobe = authenticated public.profiles id=u1"
                 " request.jwt.claims='{\"sub\": \"u1\"}\n",
                 "vouch.conf:3: [rls] probe: the quoted value of request.jwt.claims is not"
                 " closed: add the closing '");
    expect_error("[rls]\nschema = public\nprobe = authenticated public.profiles id=\"u1\n",
                 "vouch.conf:3: [rls] probe: the quoted value of id is not closed: add the"
                 " closing \"");
    expect_error("[rls]\nschema = public\nprobe = authenticated public.profiles id='u1'x\n",
                 "vouch.conf:3: [rls] probe: expected a blank after the quoted value of id,"
                 " found \"x\"");
    expect_error("[rls]\nschema = public\nprobe = \"Portal Reader public.profiles id=1\n",
                 "vouch.conf:3: [rls] probe: a quoted name is not closed: add the closing \"");
    expect_error("[rls]\nschema = public\nprobe = a=1 public.profiles id=1\n",
                 "vouch.conf:3: [rls] probe: expected ROLE SCHEMA.TABLE COLUMN=VALUE"
                 " [SETTING=VALUE ...]");
    expect_error("[rls]\nschema = public\nprobe = app public.profiles ='x'\n",
                 "vouch.conf:3: [rls] probe: expected NAME=VALUE, found \"=x\""
                 "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_section),
        cmocka_unit_test(test_probe_without_settings),
        cmocka_unit_test(test_errors_name_file_line_and_key),
        cmocka_unit_test(test_quoted_values),
        cmocka_unit_test(test_quote_errors),
    };
    return cmocka_run_group_tests_name("rls_config", tests, NULL, NULL);
}
