/* "did you mean": the nearest of a set of names to a mistyped one. */
#ifndef VOUCH_SUGGEST_H
#define VOUCH_SUGGEST_H

#include <stddef.h>

/* Edits (insert, delete, substitute, swap two neighbours) that turn a into b, counted up to
 * a cap: a result above 8 means "far". Pure. */
size_t suggest_distance(const char *a, const char *b);

/* The name of names[0..n) nearest to word, when it is near enough to be a typing slip (at
 * most 1 edit for a word of up to 4 characters, 2 up to 8, 3 beyond); NULL when none is,
 * or word is one of them. A tie goes to the first. Pure; the result points into names. */
const char *suggest_closest(const char *word, const char *const *names, size_t n);

#endif
