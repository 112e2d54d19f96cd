/* Sequences a restore left behind: for every sequence owned by (pg_depend 'a' serial,
 * 'i' identity) or defaulted from (a column default nextval('…')) a column of the counted
 * tables, the value it hands out next must be past the largest value of that column, or the
 * application's first INSERT after reopening fails on a duplicate key. A fact of the
 * database now: nothing is stored in the baseline. */
#ifndef VOUCH_ROWCOUNT_SEQUENCES_H
#define VOUCH_ROWCOUNT_SEQUENCES_H

#include <stdbool.h>
#include <stdint.h>

#include "checks/checker.h"

/* One table to look at, by its unquoted schema and name. */
typedef struct seq_table {
    const char *schema, *name;
} seq_table;

/* Check the sequences of these tables and report a fail (a warn when baseline is true: the
 * healthy database has it too) per sequence behind its column, and a warn per sequence whose
 * column has no btree index leading with it (its maximum is never read by a full scan).
 * Sequences that are ahead are not reported. An error return means the check could not
 * read the catalog, a sequence or a maximum. */
vexit rowcount_sequences(check_ctx *ctx, const seq_table *tables, size_t n, bool baseline,
                         verr *e);

/* Pure parts, for the tests. */

/* Would a sequence at last_value (is_called as PostgreSQL keeps it) stepping by increment
 * hand out a value the column already holds, whose largest (for a descending sequence:
 * smallest) value is extreme? */
bool seq_behind(int64_t last_value, bool is_called, int64_t increment, int64_t extreme);

/* "SELECT pg_catalog.setval('SEQ', VALUE)" for a sequence named as SQL writes it
 * (quote_ident'ed, schema-qualified); the name is made a literal. Caller frees. */
char *seq_setval_sql(const char *sequence, int64_t value);

#endif
