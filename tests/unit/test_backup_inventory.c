/* checks/backup_inventory: the CSV reader (libcsv) and its errors, which name the file
 * and line, and the pgBackRest info JSON reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "checks/backup_inventory.h"
#include "src/util.h"

static vexit read_text(const char *text, inventory *inv, verr *e)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    verr_clear(e);
    vexit rc = inventory_read_csv_stream(f, "backups.csv", inv, e);
    fclose(f);
    return rc;
}

/* The error message a text gets; fails the test when it is read fine. */
static const char *error_of(const char *text)
{
    static verr e;
    inventory inv = {0};
    vexit rc = read_text(text, &inv, &e);
    inventory_release(&inv);
    if (rc == VOUCH_OK)
        fail_msg("accepted:\n%s", text);
    assert_int_equal(rc, VOUCH_FAILED);
    return e.msg;
}

static void test_columns_in_any_order(void **state)
{
    (void)state;
    const char *text =
        "note,encrypted,Region,kind,taken_at,id,retained_until,size_bytes\n"
        "anything,true,ap-southeast-2,nightly,2026-09-28T02:07:00+10:00,n-1,2026-10-28T02:07:00+11:00,42\n"
        "\"with, comma\",no,ap-southeast-4,weekly,2026-09-27T03:12:00+10:00,,,\n";
    inventory inv = {0};
    verr e;
    assert_int_equal(read_text(text, &inv, &e), VOUCH_OK);
    assert_int_equal(inv.n, 2);
    int64_t t;
    assert_true(time_parse_iso("2026-09-27T16:07:00Z", &t));
    assert_true(inv.v[0].taken_at == t);
    assert_string_equal(inv.v[0].kind, "nightly");
    assert_string_equal(inv.v[0].label, "n-1");
    assert_true(inv.v[0].encrypted && inv.v[0].has_expiry && inv.v[0].has_size);
    assert_true(inv.v[0].size_bytes == 42);
    assert_int_equal(inv.v[0].line, 2);
    assert_false(inv.v[1].encrypted);
    assert_false(inv.v[1].has_expiry);
    assert_null(inv.v[1].label);
    assert_int_equal(inv.v[1].line, 3);
    inventory_release(&inv);
}

static void test_bom_and_crlf(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBFtaken_at,kind,region,encrypted\r\n"
                       "2026-09-28T02:07:00+10:00,nightly,ap-southeast-2,true\r\n"
                       "\r\n"
                       "2026-09-29T02:07:00+10:00,nightly,ap-southeast-2,false\r\n";
    inventory inv = {0};
    verr e;
    assert_int_equal(read_text(text, &inv, &e), VOUCH_OK);
    assert_int_equal(inv.n, 2);
    assert_int_equal(inv.v[1].line, 4);
    assert_false(inv.v[1].encrypted);
    inventory_release(&inv);
    /* and the line numbers of errors stay right */
    text = "taken_at,kind,region,encrypted\r\n"
           "2026-09-28T02:07:00+10:00,nightly,ap-southeast-2,true\r\n"
           "2026-09-29T02:07:00+10:00,nightly,ap-southeast-2,nope\r\n";
    assert_string_equal(error_of(text), "backups.csv:3: encrypted \"nope\" is neither true nor false");
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    const char *head = "taken_at,kind,region,encrypted\n";
    char text[512];
    snprintf(text, sizeof text, "%s%s%s", head, "2026-09-28T02:07:00+10:00,nightly,ap-southeast-2,true\n",
             "2026-09-31T02:07:00+10:00,nightly,ap-southeast-2,true\n");
    assert_string_equal(error_of(text), "backups.csv:3: taken_at \"2026-09-31T02:07:00+10:00\" is"
                                        " not an ISO 8601 time with an offset (2026-09-28T02:00:00+10:00)");
    snprintf(text, sizeof text, "%s%s", head, "2026-09-28T02:07:00,nightly,ap-southeast-2,true\n");
    assert_non_null(strstr(error_of(text), "backups.csv:2: taken_at"));
    snprintf(text, sizeof text, "%s%s", head, "2026-09-28T02:07:00Z,nightly,ap-southeast-2,maybe\n");
    assert_string_equal(error_of(text), "backups.csv:2: encrypted \"maybe\" is neither true nor false");
    snprintf(text, sizeof text, "%s%s", head, "2026-09-28T02:07:00Z,nightly,true\n");
    assert_string_equal(error_of(text), "backups.csv:2: 3 fields, the header on line 1 has 4");
    snprintf(text, sizeof text, "%s%s", head, "2026-09-28T02:07:00Z,,ap-southeast-2,true\n");
    assert_string_equal(error_of(text), "backups.csv:2: kind is empty");
    snprintf(text, sizeof text, "%s\n\n%s", head, "2026-09-28T02:07:00Z,nightly,ap\"southeast,true\n");
    assert_non_null(strstr(error_of(text), "backups.csv:4: malformed CSV"));
    snprintf(text, sizeof text, "%s%s", head, "2026-09-28T02:07:00Z,nightly,\"ap-southeast-2,true\n");
    assert_non_null(strstr(error_of(text), "backups.csv:2: malformed CSV"));
    snprintf(text, sizeof text, "taken_at,kind,region,encrypted,size_bytes\n%s",
             "2026-09-28T02:07:00Z,nightly,ap-southeast-2,true,-5\n");
    assert_non_null(strstr(error_of(text), "backups.csv:2: size_bytes \"-5\""));
}

static void test_header_errors(void **state)
{
    (void)state;
    assert_non_null(strstr(error_of(""), "backups.csv: empty file"));
    assert_non_null(strstr(error_of("taken_at,kind,encrypted\n"), "backups.csv:1: the header has no region column"));
    /* a file without a header: its first line is read as one, and fails as one */
    assert_non_null(strstr(error_of("2026-09-28T02:07:00Z,nightly,ap-southeast-2,true\n"),
                           "backups.csv:1: the header has no taken_at column"));
    assert_non_null(strstr(error_of("taken_at,kind,region,encrypted,id,label\n"),
                           "column id appears twice"));
}

static void test_missing_file(void **state)
{
    (void)state;
    inventory inv = {0};
    verr e;
    verr_clear(&e);
    assert_int_equal(inventory_read_csv("/nonexistent/backups.csv", &inv, &e), VOUCH_FAILED);
    assert_string_equal(e.msg, "could not open backup inventory /nonexistent/backups.csv: No such"
                               " file or directory");
}

static void test_pgbackrest_info(void **state)
{
    (void)state;
    char path[] = "/tmp/vouch-pgbr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *json =
        "[{\"name\":\"main\",\"cipher\":\"none\","
        "\"repo\":[{\"key\":1,\"cipher\":\"aes-256-cbc\",\"status\":{\"code\":0,\"message\":\"ok\"}},"
        "{\"key\":2,\"cipher\":\"none\",\"status\":{\"code\":0,\"message\":\"ok\"}}],"
        "\"backup\":["
        "{\"label\":\"20260927-030000F\",\"type\":\"full\",\"error\":false,"
        "\"timestamp\":{\"start\":1790442000,\"stop\":1790442720},"
        "\"database\":{\"id\":1,\"repo-key\":1},\"info\":{\"size\":100,\"repository\":{\"size\":40,\"delta\":40}}},"
        "{\"label\":\"20260927-030000F_20260928-020000I\",\"type\":\"incr\","
        "\"timestamp\":{\"start\":1790524800,\"stop\":1790525220},\"database\":{\"id\":1,\"repo-key\":2}}"
        "],\"status\":{\"code\":0,\"message\":\"ok\"}}]";
    assert_true(write(fd, json, strlen(json)) == (ssize_t)strlen(json));
    close(fd);
    inventory inv = {0};
    verr e;
    verr_clear(&e);
    assert_int_equal(inventory_read_pgbackrest(path, "ap-southeast-2", &inv, &e), VOUCH_OK);
    assert_int_equal(inv.n, 2);
    assert_string_equal(inv.v[0].kind, "full");
    assert_true(inv.v[0].taken_at == 1790442720000LL);
    assert_true(inv.v[0].encrypted);
    assert_true(inv.v[0].has_size && inv.v[0].size_bytes == 40);
    assert_string_equal(inv.v[0].label, "main/20260927-030000F");
    assert_string_equal(inv.v[0].region, "ap-southeast-2");
    assert_string_equal(inv.v[1].kind, "incr");
    assert_false(inv.v[1].encrypted); /* repo 2 has no cipher */
    inventory_release(&inv);

    const char *no_type = "[{\"name\":\"main\",\"backup\":[{\"label\":\"x\"}]}]";
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(write(fd, no_type, strlen(no_type)) == (ssize_t)strlen(no_type));
    close(fd);
    verr_clear(&e);
    assert_int_equal(inventory_read_pgbackrest(path, "r", &inv, &e), VOUCH_FAILED);
    assert_non_null(strstr(e.msg, "stanza main, backup 1: no label, type or timestamp.stop"));
    inventory_release(&inv);
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(write(fd, "[{\"name\":", 9) == 9);
    close(fd);
    verr_clear(&e);
    assert_int_equal(inventory_read_pgbackrest(path, "r", &inv, &e), VOUCH_FAILED);
    assert_non_null(strstr(e.msg, "not pgBackRest info JSON"));
    inventory_release(&inv);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_in_any_order),
        cmocka_unit_test(test_bom_and_crlf),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_pgbackrest_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
