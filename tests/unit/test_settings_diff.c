/* checks/settings_diff: two captures of named objects compared into what was added,
 * lost or changed, in a stable order; settings entries split as PostgreSQL stores them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/settings_diff.h"

static json_t *doc(const char *text)
{
    json_error_t je;
    json_t *d = json_loads(text, 0, &je);
    if (!d)
        fail_msg("bad test JSON: %s", je.text);
    return d;
}

static void test_equal(void **state)
{
    (void)state;
    json_t *a = doc("{\"database\": {\"owner\": \"app\", \"set search_path\": \"public\"}}");
    json_t *b = doc("{\"database\": {\"set search_path\": \"public\", \"owner\": \"app\"}}");
    sdiff *d;
    assert_int_equal(sdiff_compare(a, b, &d), 0);
    free(d);
    json_decref(a);
    json_decref(b);
}

static void test_attributes(void **state)
{
    (void)state;
    json_t *a = doc("{\"function public.f(text)\": {\"owner\": \"app\", \"security\": \"definer\","
                    " \"set search_path\": \"pg_catalog, public\"}}");
    json_t *b = doc("{\"function public.f(text)\": {\"owner\": \"postgres\", \"security\": "
                    "\"definer\", \"set work_mem\": \"1GB\"}}");
    sdiff *d;
    size_t n = sdiff_compare(a, b, &d);
    assert_int_equal(n, 3);
    /* attribute order: owner, set search_path, set work_mem */
    assert_int_equal(d[0].kind, SDIFF_CHANGED);
    assert_string_equal(d[0].attr, "owner");
    assert_string_equal(d[0].before, "app");
    assert_string_equal(d[0].after, "postgres");
    assert_int_equal(d[1].kind, SDIFF_LOST);
    assert_string_equal(d[1].attr, "set search_path");
    assert_string_equal(d[1].before, "pg_catalog, public");
    assert_null(d[1].after);
    assert_int_equal(d[2].kind, SDIFF_ADDED);
    assert_string_equal(d[2].attr, "set work_mem");
    assert_null(d[2].before);
    assert_string_equal(d[2].after, "1GB");
    assert_string_equal(d[2].object, "function public.f(text)");
    free(d);
    json_decref(a);
    json_decref(b);
}

static void test_objects(void **state)
{
    (void)state;
    json_t *a = doc("{\"extension pgcrypto\": {\"version\": \"1.3\"},"
                    " \"extension plpgsql\": {\"version\": \"1.0\"}}");
    json_t *b = doc("{\"extension plpgsql\": {\"version\": \"1.0\"},"
                    " \"extension citext\": {\"version\": \"1.6\"}}");
    sdiff *d;
    size_t n = sdiff_compare(a, b, &d);
    assert_int_equal(n, 2);
    assert_int_equal(d[0].kind, SDIFF_OBJECT_ADDED);
    assert_string_equal(d[0].object, "extension citext");
    assert_null(d[0].attr);
    assert_int_equal(d[1].kind, SDIFF_OBJECT_LOST);
    assert_string_equal(d[1].object, "extension pgcrypto");
    free(d);
    json_decref(a);
    json_decref(b);
}

static void test_empty_and_malformed(void **state)
{
    (void)state;
    json_t *a = doc("{\"role r\": {\"set role\": \"app\"}}");
    json_t *empty = json_object();
    sdiff *d;
    assert_int_equal(sdiff_compare(empty, a, &d), 1);
    assert_int_equal(d[0].kind, SDIFF_OBJECT_ADDED);
    free(d);
    /* not an object: counts as empty, never crashes */
    json_t *arr = json_array();
    assert_int_equal(sdiff_compare(a, arr, &d), 1);
    assert_int_equal(d[0].kind, SDIFF_OBJECT_LOST);
    free(d);
    assert_int_equal(sdiff_compare(NULL, NULL, &d), 0);
    free(d);
    json_decref(a);
    json_decref(empty);
    json_decref(arr);
}

static void test_split_setting(void **state)
{
    (void)state;
    char e1[] = "search_path=\"$user\", public, extensions";
    const char *name, *value;
    assert_true(sdiff_split_setting(e1, &name, &value));
    assert_string_equal(name, "search_path");
    assert_string_equal(value, "\"$user\", public, extensions");
    char e2[] = "app.note=a=b";
    assert_true(sdiff_split_setting(e2, &name, &value));
    assert_string_equal(name, "app.note");
    assert_string_equal(value, "a=b");
    char e3[] = "noequals";
    assert_false(sdiff_split_setting(e3, &name, &value));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal),   cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_objects), cmocka_unit_test(test_empty_and_malformed),
        cmocka_unit_test(test_split_setting),
    };
    return cmocka_run_group_tests_name("settings_diff", tests, NULL, NULL);
}
