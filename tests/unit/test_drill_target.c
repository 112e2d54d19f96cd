/* src/cli/drill_target and shell_run_tail: the connection string a restore command prints,
 * taken from hostile output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "src/cli/drill_target.h"
#include "src/redact.h"
#include "src/shell_cmd.h"

/* The DSN taken from what cmd prints; NULL (and the message in why) when refused. */
static char *taken(const char *cmd, verr *why)
{
    shell_tail *t = calloc(1, sizeof *t);
    int status = -1;
    verr_clear(why);
    assert_int_equal(shell_run_tail(cmd, t, &status, why), VOUCH_OK);
    assert_int_equal(status, 0);
    char *dsn = NULL;
    vexit rc = drill_target_from_output(t, &dsn, why);
    assert_int_equal(rc == VOUCH_OK, dsn != NULL);
    free(t);
    return dsn;
}

static void test_last_non_empty_line(void **state)
{
    (void)state;
    verr why;
    char *dsn = taken("echo progress; echo 'dbname=a'; printf 'dbname=b user=x\\r\\n\\n \\n'", &why);
    assert_string_equal(dsn, "dbname=b user=x");
    free(dsn);
    dsn = taken("echo postgresql://u@/portal", &why);
    assert_string_equal(dsn, "postgresql://u@/portal");
    free(dsn);
}

static void test_refused_with_one_line(void **state)
{
    (void)state;
    static const struct { const char *cmd, *says; } cases[] = {
        {"true", "printed no connection string (0 bytes"},
        {"printf '\\n\\n  \\n'", "no non-empty line"},
        {"echo 'restored fine'", "is not a connection string: "},
        {"printf 'dbname=x\\033[0m\\n'", "control byte (0x1b at byte 9)"},
        {"head -c 5000 /dev/zero | tr '\\\\0' x", "longer than the 4096 bytes"},
        {"head -c 20000 /dev/zero | tr '\\\\0' x; echo", "longer than the 4096 bytes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        verr why;
        char *dsn = taken(cases[i].cmd, &why);
        assert_null(dsn);
        assert_int_equal(why.code, VOUCH_FAILED);
        if (!strstr(why.msg, cases[i].says))
            fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].cmd, why.msg, cases[i].says);
        assert_null(strchr(why.msg, '\n'));
    }
}

static void test_password_never_in_the_message(void **state)
{
    (void)state;
    verr why;
    char *dsn = taken("echo 'postgresql://u:Pw0rdLeak%zz@/x'", &why);
    assert_null(dsn);
    assert_null(strstr(why.msg, "Pw0rdLeak"));
    dsn = taken("echo 'dbname=x password=Rem3mberedPW'", &why);
    assert_non_null(dsn);
    char *shown = redact_text("connect failed for Rem3mberedPW");
    assert_null(strstr(shown, "Rem3mberedPW"));  /* remembered for masking */
    free(shown);
    free(dsn);
    redact_forget_all();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_last_non_empty_line),
        cmocka_unit_test(test_refused_with_one_line),
        cmocka_unit_test(test_password_never_in_the_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
