/* checks/content_diff: the pure logic of the content check — how a range whose
 * digest differs from the baseline's is narrowed to the rows that differ, with no
 * row values kept in the baseline.
 *
 * Per range the server computes, besides the count, four sums over its rows:
 * S1 = sum(h1), G1 = sum(g * h1), S2 = sum(h2), G2 = sum(g * h2), where g is the row's
 * key (an integer key) or a 60-bit hash of its key, and h1, h2 are the two 64-bit
 * halves of the md5 of the row's digested text (the count and these sums are the
 * range's digest); and one sum per digested column, C = sum(c) with c a 64-bit hash of
 * the column's text. Sums of many rows say
 * nothing about one row's values. When one row differs in a range, the differences of
 * the sums solve for it: a row removed has g = dG / dS in both families, a row changed
 * in place keeps its g and the columns whose C moved are the ones that changed, and a
 * row added (or one added and one removed) is found by trying each row the range holds
 * now. More than one change on either side is reported as the range and its columns.
 * No database here: the checker feeds these what the server computed. */
#ifndef VOUCH_CONTENT_DIFF_H
#define VOUCH_CONTENT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTENT_SUMS 4 /* S1, G1, S2, G2 */

/* One range as the baseline holds it, or as the server computed it now. Sums are
 * decimal integers ("0" for none); cols[j] is column j's sum. Strings owned by the range.
 * The count and the four sums are the range's digest. */
typedef struct content_range {
    int64_t bucket;
    int64_t rows;
    char *sums[CONTENT_SUMS];
    char **cols;
    size_t n_cols;
} content_range;

void content_range_release(content_range *r);
/* Same count and the same four sums. */
bool content_range_same(const content_range *a, const content_range *b);

/* One row a changed range holds now: its key hash (or integer key), the two halves
 * of its digest and its per-column hashes (has_c[j] false for a NULL column). */
typedef struct content_row {
    int64_t g, h1, h2;
    int64_t *c;
    bool *has_c;
} content_row;

/* How the ranges are cut: by integer key / width (width > 0), or by g % buckets. */
typedef struct content_cut {
    int64_t width;
    int64_t buckets;
} content_cut;

/* The bucket of a key (or key hash) g under the cut. */
int64_t content_bucket(const content_cut *cut, int64_t g);

typedef struct content_explained {
    bool explained;        /* false: several rows differ; only the columns are known */
    int changed_row;       /* index of the row changed in place, or -1 */
    int added_row;         /* index of a row the baseline did not hold, or -1 */
    bool removed;          /* a row of the baseline is gone: its key (hash) is removed_g */
    int64_t removed_g;
    bool *cols_changed;    /* n_cols flags: the columns whose sum moved; caller frees */
} content_explained;

/* Explain how now differs from base (same bucket) given the rows the range holds now. */
void content_explain(const content_cut *cut, const content_range *base, const content_range *now,
                     const content_row *rows, size_t n_rows, content_explained *out);

#endif
