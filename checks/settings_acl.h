/* The privileges part of the settings check: the database's ACL and the default
 * privileges (ALTER DEFAULT PRIVILEGES), which a restore into a new database without
 * --create, or with --no-privileges, silently loses. */
#ifndef VOUCH_SETTINGS_ACL_H
#define VOUCH_SETTINGS_ACL_H

#include <jansson.h>

#include "checks/checker.h"

/* The members these parts add to a settings capture. */
#define SETTINGS_DB_PRIVS "database_privileges"
#define SETTINGS_DEFAULT_PRIVS "default_privileges"

/* Read both parts into doc (members above; see settings_diff.h for their shape). */
vexit settings_acl_collect(pg_session *db, json_t *doc, verr *e);

/* Compare both parts of the baseline with now and report: one finding per difference with
 * the statement that puts it back (db is the database's name, quoted for SQL), one pass per
 * part when nothing differs, a warning for a part a baseline of an older vouch lacks. */
void settings_acl_check(check_ctx *ctx, const json_t *baseline, const json_t *now,
                        const char *db);

#endif
