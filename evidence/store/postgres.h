/* The PostgreSQL store's own commands: 'vouch store init' and 'vouch store copy'
 * (docs/store.md). The store itself is opened as any other, through store.h. */
#ifndef VOUCH_STORE_POSTGRES_H
#define VOUCH_STORE_POSTGRES_H

#include <stdio.h>

#include "evidence/store/store.h"
#include "src/verr.h"

/* The SQL that makes a PostgreSQL store, for a DBA to read and run. Caller frees. */
char *store_pg_script(void);
/* Run that script on url (postgresql://...) in one transaction; a summary line to out. */
vexit store_pg_init(const char *url, FILE *out, verr *e);
/* Copy every run, result, baseline, part, drill and phase of the store at from (any back
 * end) into the empty PostgreSQL store at to, keeping ids, chain positions and digests;
 * the source is verified first. A summary line to out. */
vexit store_copy(const char *from, const char *to, FILE *out, verr *e);

#endif
