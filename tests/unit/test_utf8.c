/* src/utf8: text that enters the store is valid UTF-8, bad bytes shown as \xHH. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/utf8.h"

static void expect_escaped(const char *in, const char *want)
{
    char *got = utf8_escape_invalid(in);
    assert_string_equal(got, want);
    assert_true(utf8_valid(got, strlen(got)));
    /* escaping what was escaped changes nothing */
    char *again = utf8_escape_invalid(got);
    assert_string_equal(again, got);
    free(again);
    free(got);
}

static void test_valid_text_is_unchanged(void **state)
{
    (void)state;
    assert_null(utf8_escape_invalid(NULL));
    expect_escaped("", "");
    expect_escaped("public.tasks", "public.tasks");
    expect_escaped("public.\"caf\xc3\xa9\"", "public.\"caf\xc3\xa9\"");      /* é in UTF-8 */
    expect_escaped("\xe2\x82\xac 5, \xf0\x9f\x98\x80", "\xe2\x82\xac 5, \xf0\x9f\x98\x80");
    expect_escaped("a\\xE9 stays as typed", "a\\xE9 stays as typed");
}

static void test_invalid_bytes_are_shown(void **state)
{
    (void)state;
    expect_escaped("caf\xe9", "caf\\xE9");                          /* Latin-1 é */
    expect_escaped("dbname=caf\xe9 x", "dbname=caf\\xE9 x");
    expect_escaped("\xe2\x82", "\\xE2\\x82");                        /* cut-off sequence */
    expect_escaped("\xe2\x82" "a", "\\xE2\\x82a");
    expect_escaped("\xc0\xaf", "\\xC0\\xAF");                        /* overlong '/' */
    expect_escaped("\xed\xa0\x80", "\\xED\\xA0\\x80");               /* a surrogate */
    expect_escaped("\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80");      /* beyond U+10FFFF */
    expect_escaped("\xff\xfe", "\\xFF\\xFE");
    expect_escaped("\x80" "caf\xc3\xa9", "\\x80caf\xc3\xa9");        /* stray continuation */
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid("caf\xc3\xa9", 5));
    assert_false(utf8_valid("caf\xc3\xa9", 4));                     /* cut in the middle */
    assert_false(utf8_valid("caf\xe9", 4));
}

static void expect_shown(const char *in, unsigned flags, const char *want)
{
    char *got = utf8_show(in, flags);
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\": got \"%s\", want \"%s\"", in, got, want);
    free(got);
}

/* What a database name or value can do to a terminal, a CI log or an XML file: nothing. */
static void test_show(void **state)
{
    (void)state;
    assert_null(utf8_show(NULL, 0));
    expect_shown("", 0, "");
    expect_shown("public.\"caf\xc3\xa9\" \xe2\x80\xa6", 0, "public.\"caf\xc3\xa9\" \xe2\x80\xa6");
    expect_shown("\033[2J\033[HSTATUS", 0, "\\x1B[2J\\x1B[HSTATUS");   /* clear screen */
    expect_shown("a\nb\rc\td\x7f", 0, "a\\x0Ab\\x0Dc\\x09d\\x7F");
    expect_shown("a\nb\rc", UTF8_SHOW_NEWLINE, "a\nb\\x0Dc");
    expect_shown("\xc2\x9b" "2J", 0, "\\u{009B}2J");                       /* C1 CSI */
    expect_shown("x\xef\xbf\xbey\xef\xbf\xbf", 0, "x\\u{FFFE}y\\u{FFFF}");
    expect_shown("\xe2\x80\xaegate", 0, "\\u{202E}gate");                 /* RTL override */
    expect_shown("caf\xe9", 0, "caf\\xE9");                                /* not UTF-8 */
}

static void test_cut(void **state)
{
    (void)state;
    char *s = utf8_cut("abcdef", 6);
    assert_string_equal(s, "abcdef");
    free(s);
    s = utf8_cut("abcdefg", 6);
    assert_string_equal(s, "abcde\xe2\x80\xa6");
    assert_int_equal(utf8_width(s), 6);
    free(s);
    s = utf8_cut("\xc3\xa9\xc3\xa9\xc3\xa9", 2);                             /* never mid-character */
    assert_string_equal(s, "\xc3\xa9\xe2\x80\xa6");
    free(s);
}

/* utf8_wrap(s, width) joined with '|' between lines. */
static char *wrapped(const char *s, size_t width)
{
    char **lines = utf8_wrap(s, width);
    size_t len = 1;
    for (size_t i = 0; lines[i]; i++)
        len += strlen(lines[i]) + 1;
    char *out = calloc(1, len);
    for (size_t i = 0; lines[i]; i++) {
        if (i)
            strcat(out, "|");
        strcat(out, lines[i]);
    }
    utf8_lines_free(lines);
    return out;
}

static void assert_wrap(const char *s, size_t width, const char *want)
{
    char *got = wrapped(s, width);
    assert_string_equal(got, want);
    free(got);
}

static void test_wrap(void **state)
{
    (void)state;
    assert_wrap("one two three", 80, "one two three");
    assert_wrap("one two three", 7, "one two|three");
    assert_wrap("one  two   three", 8, "one two|three");           /* blanks at breaks dropped */
    assert_wrap("", 10, "");
    assert_wrap("a", 1, "a");
    /* a word wider than the column is cut after '.', '_', '-' or '/' */
    assert_wrap("see public.residency_evidence", 12, "see|public.|residency_|evidence");
    assert_wrap("ap-southeast-2", 10, "ap-|southeast-|2");
    /* and only where it has none, at the width */
    assert_wrap("abcdefghij", 4, "abcd|efgh|ij");
    /* code points, not bytes: 'é' is one column */
    assert_wrap("\xc3\xa9t\xc3\xa9 d\xc3\xa9j\xc3\xa0", 4, "\xc3\xa9t\xc3\xa9|d\xc3\xa9j\xc3\xa0");
    assert_wrap("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 2,
                "\xc3\xa9\xc3\xa9|\xc3\xa9\xc3\xa9|\xc3\xa9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_text_is_unchanged),
        cmocka_unit_test(test_invalid_bytes_are_shown),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_show),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_cut),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
