/* Secrets never leave vouch: the one module that masks them in every text that goes out
 * (the store, reports and packs built from it, stderr, the process's own argv).
 *
 * Secrets are found by parsing, never by grepping: connection strings with libpq's own
 * parser (PQconninfoParse), shell commands with shell_split. Each secret found is also
 * remembered for the life of the process, and redact_text masks every remembered secret
 * wherever it turns up (a libpq message, a server error, a result). */
#ifndef VOUCH_REDACT_H
#define VOUCH_REDACT_H

#include <stdbool.h>

#define REDACTED "***"

/* Secrets shorter than this are not remembered: masking them would mask ordinary words
 * (they are still masked where they are parsed: in a connection string, a command). */
#define REDACT_MIN_SECRET 4

/* Remember secret (copied) so that redact_text masks it. NULL and short ones are ignored. */
void redact_remember(const char *secret);
/* Forget every remembered secret. */
void redact_forget_all(void);

/* A copy of s with every remembered secret replaced by ***. NULL stays NULL; caller frees. */
char *redact_text(const char *s);

/* What every outgoing text passes through (the store, stderr): redact_text, then made
 * valid UTF-8 with bad bytes shown as \xHH (utf8_escape_invalid). NULL stays NULL. */
char *redact_clean(const char *s);

/* What a message on stderr shows: redact_text, then made safe to show on a terminal
 * (utf8_show: control characters and bad bytes escaped, on one line). NULL stays NULL. */
char *redact_show(const char *s);

/* Remember the secrets (password, sslpassword) a connection string holds. false when libpq
 * cannot parse it. */
bool redact_remember_dsn(const char *dsn);

/* dsn with every secret option's value replaced by ***, rebuilt as key=value pairs from
 * libpq's parse; a copy of dsn itself when it holds no secret; NULL when libpq cannot
 * parse it. Caller frees. */
char *redact_dsn(const char *dsn);

/* libpq's message about a connection string it could not parse, safe to show: libpq quotes
 * the token it stopped at, which may be the password ("invalid percent-encoded token:
 * "S3cret%zzPW"") or the whole URI. Every quoted fragment is masked unless it is one
 * punctuation mark or a word dsn uses as a key ("invalid connection option "passwrd"").
 * Caller frees. */
char *redact_conninfo_error(const char *msg, const char *dsn);

/* A shell command with its secrets masked, the rest as written:
 *   NAME=VALUE with PASS, SECRET, TOKEN, KEY, PW or CREDENTIAL in NAME (not ...FILE)
 *                                                         PGPASSWORD='S3cret PW' -> PGPASSWORD=***
 *   an Authorization:/Cookie: header's value              -H 'Authorization: ***'
 *   an option named like a credential, its value          --api-key ***, --token=***
 *   -u/--user user:pw, sshpass -p X, printf -v SECRETNAME  -u user:***, -p ***
 *   a word that libpq parses as a connection string or URI holding a password (also the
 *   value of --opt=VALUE and NAME=VALUE)                  -> rebuilt by redact_dsn
 *   any other word that mentions a password with a blank, '=' or "://" in it -> ***
 * Every secret found is remembered. A command that sh cannot split (an open quote) is not
 * shown at all. NULL stays NULL; caller frees. */
char *redact_command(const char *cmd);

/* Overwrite the bytes of arg (an argv string) with shown, cut to fit and padded with NULs,
 * so that ps and /proc/PID/cmdline no longer show what was there. */
void redact_argv(char *arg, const char *shown);

#endif
