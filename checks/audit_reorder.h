/* checks/audit_reorder: the rows of a plain scan of the log handed on in id order.
 *
 * A log appended in id order mostly lies in id order, but not wholly: a row narrow enough
 * for the space an earlier page had left is put there (the free space map hands it out), so
 * it arrives ahead of the rows whose ids come before it. The reorder holds the last rows in
 * a window and hands a row on only once `window` rows have come after it; a row that arrives
 * with a smaller id than rows still in the window moves those to a parked set, handed on
 * where their ids fall. Whatever it hands on ascends strictly: when a row comes that belongs
 * before a row already handed on, repeats an id, or the parked rows outgrow their bound, the
 * reorder stops (reorder_add is false) and the caller reads the log again sorted by id.
 *
 * Pure: the fields are copied in, so the caller's buffers may go once reorder_add returns. */
#ifndef VOUCH_AUDIT_REORDER_H
#define VOUCH_AUDIT_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/audit_copy.h"

/* Called with each row, in id order; fields valid only during the call. */
typedef void (*reorder_emit_fn)(void *user, int64_t id, const copy_field *fields, int n);

typedef struct reorder_row reorder_row;

typedef struct reorder {
    int n_fields;
    reorder_emit_fn emit;
    void *user;
    size_t window;       /* rows held before one is handed on */
    size_t parked_limit; /* bytes the parked rows may take, and the window's rows too */
    reorder_row *ring;   /* window slots, their buffers kept for the next rows */
    size_t head, count, window_bytes;
    size_t ring_cap;     /* bytes the slots' buffers take, kept ones too: within parked_limit */
    reorder_row **parked; /* a min-heap by id */
    size_t n_parked, cap_parked;
    size_t parked_bytes; /* the parked rows' bytes and what holding each costs */
    bool emitted;      /* a row was handed on: last_id is its id */
    int64_t last_id;
    bool stopped;      /* the rows cannot be put in id order here: read them sorted */
    const char *why;   /* ... because of this (static text), once stopped */
    int64_t rows_parked; /* how many rows were parked in all */
} reorder;

void reorder_init(reorder *r, int n_fields, size_t window, size_t parked_limit,
                  reorder_emit_fn emit, void *user);
/* Take one row (n must be the n_fields given to init). false once stopped. */
bool reorder_add(reorder *r, int64_t id, const copy_field *fields, int n);
/* Hand on every row still held, in id order. false when stopped. */
bool reorder_finish(reorder *r);
void reorder_release(reorder *r);

#endif
