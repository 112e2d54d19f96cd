/* The line every command that seals prints after it: the run chain's head, for a CI log
 * or a ticket to keep ('vouch verify --head N:DIGEST' checks it later), and why the head
 * file missed the seal, if it did. */
#ifndef VOUCH_HEAD_LINE_H
#define VOUCH_HEAD_LINE_H

#include <stdio.h>

#include "evidence/store/store.h"

/* "store head N:DIGEST" to out (a human output), or as "vouch: store head ..." to
 * stderr when out is NULL (a machine format owns stdout); then any head-file warning
 * to stderr. Prints nothing while the run chain is empty. */
void head_line_print(store *st, FILE *out);

#endif
