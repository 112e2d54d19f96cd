/* The negative control's perturbations: one per checker, applied to a copy of its baseline
 * held in memory (never to the store), each the kind of damage the check exists to find,
 * so that a check which still passes against it is shown unable to fail
 * (docs/negative-control.md). Pure logic on the baseline's JSON. */
#ifndef VOUCH_PERTURB_H
#define VOUCH_PERTURB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum perturb_result {
    PERTURB_DONE,           /* doc was changed; what says how */
    PERTURB_NOT_APPLICABLE, /* by design nothing of the baseline decides the check (what: why) */
    PERTURB_NOTHING,        /* the baseline holds nothing the perturbation can change */
} perturb_result;

typedef struct perturb {
    char what[256];   /* "the count of public.tasks raised from 2000 to 21000", one phrase */
    /* share_tokens, baseline version 2: the range whose first token's hash is changed in
     * the baseline's parts as they are read (perturb_part); -1: none */
    int64_t part_b;
    bool part_done;
    bool noop;        /* test builds only: the perturbation is shown, never applied */
} perturb;

/* Perturb doc, the baseline document of checker (the checker's name, not the instance's:
 * "share_tokens", not "share_tokens/invitations"), in place; p is filled in. A checker
 * without a perturbation here gives PERTURB_NOTHING, so that a new checker must add one. */
perturb_result perturb_baseline(const char *checker, json_t *doc, perturb *p);

/* Apply p to one part of the baseline (check_baseline_part_next), in place. */
void perturb_part(perturb *p, json_t *part);

/* One token of text changed: its last character becomes another hex or decimal digit
 * ('0' becomes '1', anything else '0'), so a digest, a hash or a decimal sum stays well
 * formed and differs. Caller frees; NULL for NULL or "". */
char *perturb_flip_last(const char *text);

#endif
