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

#endif
