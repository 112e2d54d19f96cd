/* checks/audit_reorder: a plain scan's rows in id order (see the header). */
#include "checks/audit_reorder.h"

#include <stdlib.h>
#include <string.h>

#include "src/util.h"

#define REORDER_MAX_FIELDS 16
/* A window slot's buffer above this size goes once its row is handed on. */
#define SLOT_KEEP_BYTES 65536

/* One row: its id, then each field as a 4-byte length (-1 for NULL) and its bytes. */
struct reorder_row {
    int64_t id;
    unsigned char *buf;
    size_t len, cap;
};

void reorder_init(reorder *r, int n_fields, size_t window, size_t parked_limit,
                  reorder_emit_fn emit, void *user)
{
    memset(r, 0, sizeof *r);
    r->n_fields = n_fields;
    r->emit = emit;
    r->user = user;
    r->window = window ? window : 1;
    r->parked_limit = parked_limit;
    r->ring = xcalloc(r->window, sizeof *r->ring);
    /* More fields than a row can be rebuilt with: nothing is taken, the log is read sorted. */
    r->stopped = n_fields < 1 || n_fields > REORDER_MAX_FIELDS;
    if (r->stopped)
        r->why = "more fields than a row can be held with";
}

/* What a parked row costs beyond its bytes: the row, its place in the array, and the
 * allocator's headers of both. */
#define PARKED_OVERHEAD (sizeof(reorder_row) + sizeof(reorder_row *) + 32)

static void row_store(reorder *r, reorder_row *w, int64_t id, const copy_field *f, int n)
{
    size_t need = 0;
    for (int i = 0; i < n; i++)
        need += sizeof(int32_t) + (f[i].len > 0 ? (size_t)f[i].len : 0);
    if (need > w->cap) {
        w->buf = xrealloc(w->buf, need);
        r->ring_cap += need - w->cap;
        w->cap = need;
    }
    unsigned char *p = w->buf;
    for (int i = 0; i < n; i++) {
        memcpy(p, &f[i].len, sizeof(int32_t));
        p += sizeof(int32_t);
        if (f[i].len > 0) {
            memcpy(p, f[i].data, (size_t)f[i].len);
            p += f[i].len;
        }
    }
    w->len = need;
    w->id = id;
}

static void row_emit(reorder *r, const reorder_row *w)
{
    copy_field f[REORDER_MAX_FIELDS];
    const unsigned char *p = w->buf;
    for (int i = 0; i < r->n_fields; i++) {
        int32_t len;
        memcpy(&len, p, sizeof len);
        p += sizeof len;
        f[i].len = len;
        f[i].data = len >= 0 ? p : NULL;
        if (len > 0)
            p += len;
    }
    r->emit(r->user, w->id, f, r->n_fields);
    r->emitted = true;
    r->last_id = w->id;
}

static bool stop(reorder *r, const char *why)
{
    if (!r->stopped)
        r->why = why;
    r->stopped = true;
    return false;
}

/* The parked rows are a binary min-heap by id: the smallest at parked[0], a row parked or
 * handed on in O(log n) whatever order they come in. */
static void parked_push(reorder *r, reorder_row *p)
{
    grow((void **)&r->parked, &r->cap_parked, r->n_parked + 1, sizeof *r->parked);
    size_t i = r->n_parked++;
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (r->parked[up]->id <= p->id)
            break;
        r->parked[i] = r->parked[up];
        i = up;
    }
    r->parked[i] = p;
}

/* Take the smallest parked row out of the heap (the caller frees it). */
static reorder_row *parked_pop(reorder *r)
{
    reorder_row *top = r->parked[0], *last = r->parked[--r->n_parked];
    size_t i = 0, n = r->n_parked;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && r->parked[c + 1]->id < r->parked[c]->id)
            c++;
        if (last->id <= r->parked[c]->id)
            break;
        r->parked[i] = r->parked[c];
        i = c;
    }
    if (n)
        r->parked[i] = last;
    return top;
}

/* Hand on the smallest parked row, unless it repeats an id or belongs before what was
 * handed on (or is w's id, when w follows it). */
static bool hand_on_parked(reorder *r, const reorder_row *w)
{
    reorder_row *p = r->parked[0];
    if ((w && p->id == w->id) || (r->emitted && p->id <= r->last_id))
        return stop(r, "an id came twice");
    row_emit(r, p);
    parked_pop(r);
    r->parked_bytes -= p->len + PARKED_OVERHEAD;
    free(p->buf);
    free(p);
    return true;
}

/* Hand on w, after the parked rows whose ids come before it. */
static bool hand_on(reorder *r, const reorder_row *w)
{
    while (r->n_parked && r->parked[0]->id <= w->id)
        if (!hand_on_parked(r, w))
            return false;
    row_emit(r, w);
    return true;
}

/* Move the window's newest row to the parked rows, its buffer with it. */
static void park_newest(reorder *r)
{
    reorder_row *slot = &r->ring[(r->head + r->count - 1) % r->window];
    reorder_row *p = xmalloc(sizeof *p);
    *p = *slot;
    slot->buf = NULL;
    slot->cap = slot->len = 0;
    r->ring_cap -= p->cap;
    r->count--;
    r->window_bytes -= p->len;
    /* A buffer kept from a wider row: parked, the row takes only its own bytes. */
    if (p->cap > p->len) {
        p->buf = xrealloc(p->buf, p->len);
        p->cap = p->len;
    }
    parked_push(r, p);
    r->parked_bytes += p->len + PARKED_OVERHEAD;
    r->rows_parked++;
}

/* Hand on the window's oldest row. */
static bool hand_on_oldest(reorder *r)
{
    reorder_row *slot = &r->ring[r->head];
    bool ok = hand_on(r, slot);
    r->window_bytes -= slot->len;
    /* Kept for the next row only while every slot's buffer, kept or holding a row, stays
     * within the bound: the ring turns through all its slots. */
    if (slot->cap > SLOT_KEEP_BYTES || r->ring_cap > r->parked_limit) {
        r->ring_cap -= slot->cap;
        free(slot->buf);
        slot->buf = NULL;
        slot->cap = 0;
    }
    r->head = (r->head + 1) % r->window;
    r->count--;
    return ok;
}

bool reorder_add(reorder *r, int64_t id, const copy_field *fields, int n)
{
    if (r->stopped || n != r->n_fields)
        return stop(r, "a row of another shape");
    if (r->emitted && id <= r->last_id)
        return stop(r, "a row came after rows with larger ids were judged");
    while (r->count && r->ring[(r->head + r->count - 1) % r->window].id > id)
        park_newest(r);
    if (r->count && r->ring[(r->head + r->count - 1) % r->window].id == id)
        return stop(r, "an id came twice");
    if (r->parked_bytes > r->parked_limit)
        return stop(r, "the rows ahead of their place outgrew the bound");
    if (r->count == r->window && !hand_on_oldest(r))
        return false;
    reorder_row *slot = &r->ring[(r->head + r->count) % r->window];
    row_store(r, slot, id, fields, n);
    r->count++;
    r->window_bytes += slot->len;
    /* Wide rows: fewer of them are held, in the same bound as the parked ones. */
    while (r->count > 1 && r->window_bytes > r->parked_limit)
        if (!hand_on_oldest(r))
            return false;
    return true;
}

bool reorder_finish(reorder *r)
{
    while (!r->stopped && r->count)
        hand_on_oldest(r);
    while (!r->stopped && r->n_parked)
        hand_on_parked(r, NULL);
    return !r->stopped;
}

void reorder_release(reorder *r)
{
    for (size_t i = 0; r->ring && i < r->window; i++)
        free(r->ring[i].buf);
    free(r->ring);
    for (size_t i = 0; i < r->n_parked; i++) {
        free(r->parked[i]->buf);
        free(r->parked[i]);
    }
    free(r->parked);
    memset(r, 0, sizeof *r);
}
