/* The pure logic of the settings check: two captures of named objects, each a set of
 * attributes ({"function public.f(text)": {"owner": "app", "set search_path": "..."}}),
 * compared into the list of what was added, lost or changed. No database, no I/O. */
#ifndef VOUCH_SETTINGS_DIFF_H
#define VOUCH_SETTINGS_DIFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum sdiff_kind {
    SDIFF_OBJECT_ADDED,  /* an object only the second capture has */
    SDIFF_OBJECT_LOST,   /* an object only the first capture has */
    SDIFF_ADDED,         /* an attribute only the second capture has */
    SDIFF_LOST,          /* an attribute only the first capture has */
    SDIFF_CHANGED        /* an attribute with another value */
} sdiff_kind;

typedef struct sdiff {
    sdiff_kind kind;
    const char *object;
    const char *attr;    /* NULL for whole objects */
    const char *before;  /* NULL where the first capture has nothing */
    const char *after;   /* NULL where the second capture has nothing */
} sdiff;

/* Compare before with after (JSON objects of objects of strings; anything else counts
 * as empty). Differences are in object then attribute order (bytewise); the strings
 * point into the documents. Returns how many; *out is the caller's (free). */
size_t sdiff_compare(const json_t *before, const json_t *after, sdiff **out);

/* Split "name=value" as pg_db_role_setting and proconfig hold it: *value points after
 * the first '=', which is cut. False when there is no '='. */
bool sdiff_split_setting(char *entry, const char **name, const char **value);

/* Privileges are captured as objects of states: for the database ACL the object is a
 * grantee as SQL writes it ("PUBLIC", "app", "\"Ops Team\"") and the attribute a privilege
 * ("CONNECT"); for default privileges the object is the scope as ALTER DEFAULT PRIVILEGES
 * writes it ("FOR ROLE owner IN SCHEMA public ON TABLES") and the attribute "PRIV TO grantee".
 * A state is "granted", "granted with grant option" or (default privileges only) "revoked",
 * a hard-wired default taken away; no state means not granted (database) or the hard-wired
 * default (default privileges). */
#define SDIFF_GRANTED "granted"
#define SDIFF_GRANTABLE "granted with grant option"
#define SDIFF_REVOKED "revoked"

/* The statement that brings a privilege from state now back to state was (either may be
 * NULL, as in sdiff), for the database named db (already quoted) or, when db is NULL, a
 * default privilege. NULL when the texts are not of the shape above or the states are
 * equal. Caller frees. */
char *sdiff_privilege_sql(const char *db, const char *object, const char *attr, const char *was,
                          const char *now);

#endif
