/* The INI configuration (vouch.conf), read with libinih.
 *
 * Loading keeps every key with its line; each part of vouch then validates its
 * own section against a table of conf_key, so an unknown key, a repeated key or
 * a missing one is reported as "FILE:LINE: [section] key: what is wrong". */
#ifndef VOUCH_CONFIG_H
#define VOUCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/ident.h"
#include "src/verr.h"

typedef struct conf_entry {
    char *section;
    char *key;
    char *value;
    int line;
    char *shown;   /* in a target's view: the header it was written under when that is not
                    * section ('portal-au:rowcount'), for messages; NULL otherwise */
} conf_entry;

/* A section as its header reads: [name], or a named instance [base "instance"], whose
 * name is the header's text ('share_tokens "invitations"'). */
typedef struct conf_section {
    char *name;
    int line;
    char *base;      /* the part before the instance: "share_tokens" */
    char *instance;  /* "invitations", or NULL for a bare [share_tokens] */
} conf_section;

typedef struct conf {
    char *path;                 /* as given, for messages */
    conf_entry *entries;
    size_t n_entries, cap_entries;
    conf_section *sections;
    size_t n_sections, cap_sections;
    /* In a view of one instance (conf_instance_view): its section is named view_name
     * ("share_tokens") but messages show view_header ('share_tokens "invitations"'). */
    char *view_name, *view_header;
} conf;

enum {
    CONF_REQUIRED = 1 << 0,
    CONF_REPEATABLE = 1 << 1,
};

/* One documented key of a section; tables end with {NULL}. */
typedef struct conf_key {
    const char *name;
    unsigned flags;
    const char *value;  /* what the value looks like, for docs and --help */
    const char *doc;    /* one sentence */
} conf_key;

/* Load a file. On success *out is owned by the caller (conf_free). */
vexit conf_load_file(conf **out, const char *path, verr *e);
/* Same from memory; name is used in messages. */
vexit conf_load_string(conf **out, const char *name, const char *text, verr *e);
/* Same from len bytes that may hold anything (a NUL byte is an error, not an end). */
vexit conf_load_mem(conf **out, const char *name, const char *data, size_t len, verr *e);
/* An empty configuration (no file): every lookup finds nothing. */
conf *conf_new_empty(void);
void conf_free(conf *c);

/* A copy of c as one instance sees it: section s (a named instance) appears under its bare
 * name s->base and every other section of that base is left out, so a checker reads its
 * instance with conf_get(view, base, key); entries keep their lines and messages made with
 * conf_error show the real header. The caller frees it (conf_free). */
conf *conf_instance_view(const conf *c, const conf_section *s);
/* The header of section as the file wrote it, without brackets: in a view, the
 * instance's own ('share_tokens "invitations"'), else section itself. */
const char *conf_header(const conf *c, const char *section);
/* Whether name is a valid instance name: 1 to 63 letters, digits, '_', '-' or '.'. */
bool conf_instance_name_ok(const char *name);

/* Named targets (docs/fleet.md): [target "NAME"] sections, each with its dsn, and
 * [NAME:SECTION] sections ([portal-au:rowcount], [portal-au:share_tokens "invitations"])
 * that override a check's section for that target only. */

/* The target an override section's header names ("portal-au" of 'portal-au:rowcount'),
 * its length into *len, or NULL when s is no override section. */
const char *conf_override_target(const conf_section *s, size_t *len);
/* How many [target "NAME"] sections c has; with names, their names (borrowed) in file
 * order into names[0..max). */
size_t conf_targets(const conf *c, const char **names, size_t max);
#define CONF_MAX_TARGETS 256  /* more named targets are refused (settings_read) */
/* A copy of c as target NAME sees it: its [target "NAME"] is [target], each key it gives
 * replacing that key of the bare [target]; each [NAME:SECTION] is SECTION, each key it gives
 * replacing every line of that key in the shared SECTION (a section only the override has
 * is added); other targets' sections are left out. Entries keep their lines and messages
 * show the header they were written under. The caller frees it (conf_free). */
conf *conf_target_view(const conf *c, const char *name);

bool conf_has_section(const conf *c, const char *section);
const conf_section *conf_find_section(const conf *c, const char *section);
/* The entry for a key that may appear once, or NULL. */
const conf_entry *conf_get(const conf *c, const char *section, const char *key);
/* Iterate every entry of section/key in file order: pass NULL first, then the previous result. */
const conf_entry *conf_next(const conf *c, const char *section, const char *key,
                            const conf_entry *prev);

/* Check a section against its key table: unknown keys, repeats, missing required keys. */
vexit conf_check_section(const conf *c, const char *section, const conf_key *keys, verr *e);

/* Format an error about an entry: "FILE:LINE: [section] key: ..." with code VOUCH_USAGE. */
vexit conf_error(verr *e, const conf *c, const conf_entry *ent, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Typed readers: on a bad value they set e naming file, line and key. */
vexit conf_bool(const conf *c, const conf_entry *ent, bool *out, verr *e);
vexit conf_int(const conf *c, const conf_entry *ent, int64_t min, int64_t max, int64_t *out,
               verr *e);
/* A duration: "250ms", "30s", "5min", "1h", or a bare number of milliseconds. */
vexit conf_duration_ms(const conf *c, const conf_entry *ent, int64_t *out, verr *e);

/* ent's value as exactly one name (a column, a schema, a role), quoted or folded as SQL
 * does, into *out (the caller frees). */
vexit conf_ident(const conf *c, const conf_entry *ent, char **out, verr *e);
/* The optional one-name key of section into *out: def (copied; may be NULL) when absent. */
vexit conf_ident_key(const conf *c, const char *section, const char *key, const char *def,
                     char **out, verr *e);
/* ent's value as SCHEMA.NAME and nothing after it (an unqualified name is public.NAME),
 * into *out (qname_release). what names the object in the error: "table", "function". */
vexit conf_qname(const conf *c, const conf_entry *ent, const char *what, qname *out, verr *e);

/* The values of one repeatable key read so far, to refuse one given twice: the same
 * table with two rules would otherwise silently take the first. Zero-initialise it. */
typedef struct conf_seen {
    struct conf_seen_item {
        char *name;
        int line;
    } *v;
    size_t n, cap;
} conf_seen;

/* Remember name (what ent means, normalised: folded, qualified) read from ent; if it was
 * read before, "FILE:LINE: [section] key: NAME given twice (first on line N)". */
vexit conf_seen_add(conf_seen *s, const conf *c, const conf_entry *ent, const char *name,
                    verr *e);
void conf_seen_release(conf_seen *s);

/* conf_qname, then conf_seen_add of the name: one SCHEMA.NAME of a repeatable key, refused
 * when given twice. On failure nothing is left in *out to release. */
vexit conf_qname_once(const conf *c, const conf_entry *ent, const char *what, conf_seen *seen,
                      qname *out, verr *e);

#endif
