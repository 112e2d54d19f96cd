/* Writers that render a stored run for people (human) and machines (json, tap,
 * junit). They read a run_record only: what is shown is what the store holds. */
#ifndef VOUCH_OUTPUT_H
#define VOUCH_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "evidence/run_record.h"
#include "src/verr.h"

typedef struct output_opts {
    bool color;       /* ANSI colour: only for a terminal */
    int verbosity;    /* -1 quiet (problems only), 0 normal, 1 verbose (details) */
    const run_times *times;   /* MAY be set: each check's duration (junit's time=) */
} output_opts;

typedef struct output_writer {
    const char *name;  /* MUST be set: the --format value */
    /* MUST be set: write the run to f; a write error is VOUCH_ABORTED. */
    vexit (*write)(FILE *f, const run_record *r, const output_opts *o, verr *e);
} output_writer;

const output_writer *output_find(const char *name);
/* "human, json, tap, junit" for messages. */
const char *output_names(void);

extern const output_writer output_human, output_json, output_tap, output_junit;

/* The one-line verdict shared by writers: "gate open: 6 of 6 checks passed". */
void output_verdict(const run_record *r, char *buf, size_t size);

/* The results counted by status, skips (not evaluated) included, for the human and TAP
 * summaries: "7 results: 4 passed, 1 failed, 2 skipped"; "" for a run with no results. */
void output_tally(const run_record *r, char *buf, size_t size);

/* A JSON string of text, which JSON requires to be UTF-8: a stray byte (a name in
 * another encoding, say) becomes '?' rather than losing the value. NULL gives null. */
json_t *output_json_text(const char *s);

#endif
