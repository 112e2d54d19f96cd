/* src/origin.c: who and what started a run, from hostile environment text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/origin.h"

static const char *const ci_vars[] = {
    "GITHUB_ACTIONS",       "GITHUB_SERVER_URL",   "GITHUB_REPOSITORY", "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",   "CI_JOB_URL",          "BUILD_URL",         "CIRCLE_BUILD_URL",
    "BUILDKITE_BUILD_URL",  "TRAVIS_BUILD_WEB_URL", "DRONE_BUILD_LINK", "SYSTEM_COLLECTIONURI",
    "SYSTEM_TEAMPROJECT",   "BUILD_BUILDID",       NULL};

static int clear_ci(void **state)
{
    (void)state;
    for (size_t i = 0; ci_vars[i]; i++)
        unsetenv(ci_vars[i]);
    return 0;
}

static void expect_job(const char *want)
{
    char *got = origin_ci_job();
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void no_ci_no_job(void **state)
{
    (void)state;
    expect_job(NULL);
    setenv("CI_JOB_URL", "", 1); /* set but empty is not a job */
    expect_job(NULL);
}

static void github_run_url(void **state)
{
    (void)state;
    setenv("GITHUB_SERVER_URL", "https://github.com", 1);
    setenv("GITHUB_REPOSITORY", "acme/portal", 1);
    setenv("GITHUB_RUN_ID", "123456", 1);
    expect_job("https://github.com/acme/portal/actions/runs/123456");
    setenv("GITHUB_RUN_ATTEMPT", "2", 1);
    expect_job("https://github.com/acme/portal/actions/runs/123456/attempts/2");
    /* GitHub first, whatever else is set */
    setenv("CI_JOB_URL", "https://gitlab.example/j/1", 1);
    expect_job("https://github.com/acme/portal/actions/runs/123456/attempts/2");
}

static void other_systems(void **state)
{
    (void)state;
    setenv("BUILD_URL", "https://jenkins.example/job/app/7/", 1);
    expect_job("https://jenkins.example/job/app/7/");
    setenv("CI_JOB_URL", "https://gitlab.example/g/app/-/jobs/9", 1);
    expect_job("https://gitlab.example/g/app/-/jobs/9");
    clear_ci(NULL);
    setenv("SYSTEM_COLLECTIONURI", "https://dev.azure.com/acme/", 1);
    setenv("SYSTEM_TEAMPROJECT", "portal", 1);
    setenv("BUILD_BUILDID", "77", 1);
    expect_job("https://dev.azure.com/acme/portal/_build/results?buildId=77");
}

/* An environment variable holds anything: controls become '?', the length is capped
 * without cutting a character in two. */
static void hostile_values_are_cleaned_and_capped(void **state)
{
    (void)state;
    setenv("CI_JOB_URL", "https://x/\033[2J\r\nok\x7f", 1);
    expect_job("https://x/?[2J??ok?");
    char *long_url = malloc(ORIGIN_MAX + 64);
    memset(long_url, 'a', ORIGIN_MAX + 63);
    memcpy(long_url + ORIGIN_MAX - 1, "\xc3\xa9", 2); /* é across the cap */
    long_url[ORIGIN_MAX + 63] = '\0';
    setenv("CI_JOB_URL", long_url, 1);
    char *got = origin_ci_job();
    assert_int_equal(strlen(got), ORIGIN_MAX - 1);
    assert_int_equal(strspn(got, "a"), ORIGIN_MAX - 1);
    free(got);
    free(long_url);
}

static void links_only_for_plain_http_urls(void **state)
{
    (void)state;
    assert_true(origin_is_link("https://ci.example/group/app/-/jobs/42"));
    assert_true(origin_is_link("http://jenkins:8080/job/a%20b/7/?x=1&y=2#log"));
    const char *not_links[] = {
        NULL, "", "https://", "javascript:alert(1)", "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>", "https://x/\"><script>alert(1)</script>",
        "https://x/ onmouseover=alert(1)", "https://x/'y", "https://x/<b>", "//evil.example/x",
        "https://x/\\y", "https://x/\x01", "https://x/\xc3\xa9", "ftp://x/y", " https://x/"};
    for (size_t i = 0; i < sizeof not_links / sizeof not_links[0]; i++)
        if (origin_is_link(not_links[i]))
            fail_msg("\"%s\" was taken for a link", not_links[i] ? not_links[i] : "(null)");
}

static void user_names_the_effective_user(void **state)
{
    (void)state;
    unsetenv("SUDO_USER");
    char *u = origin_user();
    assert_non_null(u);
    assert_true(strlen(u) > 0);
    assert_null(strchr(u, ' '));
    setenv("SUDO_USER", "alice\033]0;x\a", 1);
    char *s = origin_user();
    char want[512];
    snprintf(want, sizeof want, "%s (sudo from alice?]0;x?)", u);
    assert_string_equal(s, want);
    free(s);
    free(u);
    unsetenv("SUDO_USER");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(no_ci_no_job, clear_ci),
        cmocka_unit_test_setup(github_run_url, clear_ci),
        cmocka_unit_test_setup(other_systems, clear_ci),
        cmocka_unit_test_setup(hostile_values_are_cleaned_and_capped, clear_ci),
        cmocka_unit_test(links_only_for_plain_http_urls),
        cmocka_unit_test(user_names_the_effective_user),
    };
    return cmocka_run_group_tests_name("origin", tests, NULL, NULL);
}
