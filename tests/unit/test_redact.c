/* src/redact: no password leaves vouch, whatever form it was written in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "src/redact.h"
#include "src/shell_cmd.h"

static int forget(void **state)
{
    (void)state;
    redact_forget_all();
    return 0;
}

static void expect_command(const char *in, const char *want)
{
    char *got = redact_command(in);
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\": got \"%s\", want \"%s\"", in, got, want);
    free(got);
}

static void test_split(void **state)
{
    (void)state;
    shell_words w;
    const char *cmd = "PGPASSWORD='S3cret PW' pg_restore -d \"a \\\"b\\\"\" x\\ y&&z # c";
    assert_true(shell_split(cmd, &w));
    assert_int_equal(w.n, 7);
    assert_string_equal(w.v[0].value, "PGPASSWORD=S3cret PW");
    assert_int_equal(w.v[0].start, 0);
    assert_int_equal(w.v[0].end, strlen("PGPASSWORD='S3cret PW'"));
    assert_string_equal(w.v[1].value, "pg_restore");
    assert_string_equal(w.v[3].value, "a \"b\"");
    assert_string_equal(w.v[4].value, "x y");
    assert_string_equal(w.v[5].value, "&&");
    assert_true(w.v[5].op);
    assert_string_equal(w.v[6].value, "z");
    shell_words_release(&w);
    assert_true(shell_split("PGPASSWORD=$(cat '/run/a b') x `pw (1)`y", &w));
    assert_int_equal(w.n, 3);
    assert_string_equal(w.v[0].value, "PGPASSWORD=$(cat '/run/a b')");
    assert_string_equal(w.v[2].value, "`pw (1)`y");
    shell_words_release(&w);
    assert_false(shell_split("echo $(open", &w));
    assert_false(shell_split("echo 'open", &w));
    assert_int_equal(w.n, 0);
    assert_false(shell_split("echo \"open", &w));
    assert_false(shell_split("echo \\", &w));
    assert_true(shell_split("", &w));
    assert_int_equal(w.n, 0);
    shell_words_release(&w);
}

static void test_command_environment(void **state)
{
    (void)state;
    expect_command("pg_restore -d portal dump", "pg_restore -d portal dump");
    expect_command("", "");
    expect_command("PGPASSWORD=s3cret pg_restore -d portal dump",
                   "PGPASSWORD=*** pg_restore -d portal dump");
    expect_command("PGPASSWORD='S3cret PW' pg_restore -d portal dump",
                   "PGPASSWORD=*** pg_restore -d portal dump");
    expect_command("export PGPASSWORD=\"S3cret PW\"; pg_restore x",
                   "export PGPASSWORD=***; pg_restore x");
    expect_command("env DB_PASS=S3cr\\ et sh restore.sh", "env DB_PASS=*** sh restore.sh");
    expect_command("PGPASSWORD=$(cat /run/secrets/pg) pg_restore x", "PGPASSWORD=*** pg_restore x");
    expect_command("PGPASSFILE=/etc/vouch/pgpass pg_restore x",
                   "PGPASSFILE=/etc/vouch/pgpass pg_restore x");
    expect_command("echo Password=", "echo Password=");
    expect_command("pg_restore --password -d p x", "pg_restore --password -d p x");
    /* what was found is remembered: a later message quoting it is masked */
    char *later = redact_text("pg_restore: S3cret PW and s3cret");
    assert_string_equal(later, "pg_restore: *** and ***");
    free(later);
}

static void test_command_conninfo(void **state)
{
    (void)state;
    expect_command("pg_restore -d 'host=db password=s3cret dbname=p' x",
                   "pg_restore -d 'password=*** dbname=p host=db' x");
    expect_command("pg_restore -d \"host=db password='x y' dbname=p\" x",
                   "pg_restore -d 'password=*** dbname=p host=db' x");
    expect_command("pg_restore -d \"dbname=p password = x\" dump",
                   "pg_restore -d 'password=*** dbname=p' dump");
    expect_command("pg_restore -d \"postgresql://alice:s3cret@db:5432/p?sslmode=require\" x",
                   "pg_restore -d 'user=alice password=*** dbname=p host=db port=5432 "
                   "sslmode=require' x");
    expect_command("pg_restore --dbname=postgresql://alice:s3cret@db/p x",
                   "pg_restore '--dbname=user=alice password=*** dbname=p host=db' x");
    expect_command("psql postgresql://db/p?password=s3cret&sslmode=require",
                   "psql 'password=*** dbname=p host=db'&sslmode=require");
    expect_command("DATABASE_URL=postgres://u:hunter22@h/d ./restore",
                   "'DATABASE_URL=user=u password=*** dbname=d host=h' ./restore");
    expect_command("pg_restore -d 'host=db dbname=p' x", "pg_restore -d 'host=db dbname=p' x");
    expect_command("curl https://example.com/a:b@c", "curl https://example.com/a:b@c");
}

static void test_command_other_mentions(void **state)
{
    (void)state;
    /* libpq cannot parse these: the whole word goes */
    expect_command("psql -c \"ALTER ROLE app PASSWORD 'hunter22'\" p", "psql -c *** p");
    expect_command("pg_restore -d 'postgresql://u:S3cret%zzPW@h/d' x", "pg_restore -d *** x");
    expect_command("pg_restore -d 'dbname=p password=' x", "pg_restore -d 'dbname=p password=' x");
    expect_command("echo 'open PGPASSWORD=x", "(not shown: sh cannot split it, a quote is not closed)");
    assert_null(redact_command(NULL));
}

/* Credentials that are not Postgres passwords: API keys, bearer tokens, basic auth. */
static void test_command_other_credentials(void **state)
{
    (void)state;
    expect_command("curl -H 'Authorization: Bearer S3cretPW3' https://api/restore",
                   "curl -H 'Authorization: ***' https://api/restore");
    expect_command("curl --header='Cookie: sid=S3cretC' https://api",
                   "curl '--header=Cookie: ***' https://api");
    expect_command("neonctl branches create --api-key S3cretPW4 --project-id p",
                   "neonctl branches create --api-key *** --project-id p");
    expect_command("neonctl --api-key=S3cretPW4 x", "neonctl --api-key=*** x");
    expect_command("tool --token=Tk5abc --client-secret Cs6abc --credentials Cr7abc y",
                   "tool --token=*** --client-secret *** --credentials *** y");
    expect_command("curl -u admin:S3cretU1 https://api", "curl -u admin:*** https://api");
    expect_command("curl -uadmin:S3cretU1 https://api", "curl -uadmin:*** https://api");
    expect_command("curl --user admin:S3cretU1 x", "curl --user admin:*** x");
    expect_command("sudo -u postgres pg_restore x", "sudo -u postgres pg_restore x");
    expect_command("sshpass -p S3cretSsh ssh db restore", "sshpass -p *** ssh db restore");
    expect_command("sshpass -pS3cretSsh ssh db", "sshpass -p*** ssh db");
    expect_command("ssh -p 2222 db", "ssh -p 2222 db");
    expect_command("printf -v PGPASSWORD '%s' S3cretPf; pg_restore x",
                   "printf -v PGPASSWORD *** ***; pg_restore x");
    expect_command("printf -v name '%s' x", "printf -v name '%s' x");
    expect_command("NEON_API_KEY=S3cretK1 AWS_SESSION_TOKEN=S3cretT1 DB_PASS=S3cretP1 ./restore",
                   "NEON_API_KEY=*** AWS_SESSION_TOKEN=*** DB_PASS=*** ./restore");
    expect_command("GOOGLE_APPLICATION_CREDENTIALS_FILE=/run/k ./r",
                   "GOOGLE_APPLICATION_CREDENTIALS_FILE=/run/k ./r");
    expect_command("pg_restore --no-password -d p x", "pg_restore --no-password -d p x");
    /* each is remembered: it is masked wherever else it turns up */
    char *got = redact_text("echo S3cretPW3 S3cretPW4 S3cretU1 S3cretSsh S3cretPf");
    assert_string_equal(got, "echo *** *** *** *** ***");
    free(got);
}

static void test_dsn(void **state)
{
    (void)state;
    char *got = redact_dsn("host=db password='S3cret PW' dbname=p");
    assert_string_equal(got, "password=*** dbname=p host=db");
    free(got);
    got = redact_dsn("postgresql://u:p%40ssw0rd@h/d");
    assert_null(strstr(got, "p@ssw0rd"));
    assert_non_null(strstr(got, "password=***"));
    free(got);
    got = redact_dsn("dbname=p");
    assert_string_equal(got, "dbname=p");
    free(got);
    assert_null(redact_dsn("postgresql://u:S3cret%zzPW@h/d"));
    assert_true(redact_remember_dsn("host=db sslpassword=K3ypass password=D5npass"));
    got = redact_text("K3ypass D5npass");
    assert_string_equal(got, "*** ***");
    free(got);
    assert_false(redact_remember_dsn("password"));
}

/* libpq's own messages about connection strings it cannot parse. */
static void expect_libpq_message(const char *dsn, const char *secret, const char *kept)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn, &msg);
    assert_null(opts);
    assert_non_null(msg);
    char *got = redact_conninfo_error(msg, dsn);
    if (strstr(got, secret))
        fail_msg("\"%s\" shows \"%s\"", got, secret);
    if (kept && !strstr(got, kept))
        fail_msg("\"%s\" lost \"%s\"", got, kept);
    PQfreemem(msg);
    free(got);
}

static void test_libpq_messages(void **state)
{
    (void)state;
    expect_libpq_message("postgresql://u:S3cret%zzPW@h/d", "S3cret", "invalid percent-encoded");
    expect_libpq_message("postgresql://u:S3cretPW@[::1/d", "S3cretPW", "IPv6");
    expect_libpq_message("host=h password=abc defgh", "defgh", "\"=\"");
    expect_libpq_message("host=h passwrd=S3cretPW", "S3cretPW", "\"passwrd\"");
    expect_libpq_message("host=h password='S3cret PW", "S3cret", NULL);
    expect_libpq_message("postgresql://u:S3cretPW@h/d?x=y", "S3cretPW", NULL);
    char *got = redact_conninfo_error("plain", NULL);
    assert_string_equal(got, "plain");
    free(got);
}

static void test_clean(void **state)
{
    (void)state;
    assert_null(redact_clean(NULL));
    redact_remember("Hunter22");
    redact_remember("abc"); /* too short to mask everywhere */
    char *got = redact_clean("auth Hunter22 for caf\xe9, abc");
    assert_string_equal(got, "auth *** for caf\\xE9, abc");
    free(got);
}

static void test_argv(void **state)
{
    (void)state;
    char arg[] = "host=db password=S3cretPW dbname=p";
    redact_argv(arg, "password=*** dbname=p host=db");
    assert_string_equal(arg, "password=*** dbname=p host=db");
    char shortarg[] = "password=S3cret";
    redact_argv(shortarg, "password=*** dbname=p host=db");
    assert_string_equal(shortarg, "password=*** db");
    for (size_t i = 0; i + 6 <= sizeof shortarg; i++)
        assert_false(memcmp(shortarg + i, "S3cret", 6) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test_teardown(test_command_environment, forget),
        cmocka_unit_test_teardown(test_command_conninfo, forget),
        cmocka_unit_test_teardown(test_command_other_mentions, forget),
        cmocka_unit_test_teardown(test_command_other_credentials, forget),
        cmocka_unit_test_teardown(test_dsn, forget),
        cmocka_unit_test_teardown(test_libpq_messages, forget),
        cmocka_unit_test_teardown(test_clean, forget),
        cmocka_unit_test(test_argv),
    };
    return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
