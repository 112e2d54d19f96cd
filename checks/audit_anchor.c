/* checks/audit_anchor: id spans, anchor comparison and narrowing (see the header). */
#include "checks/audit_anchor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

void spans_add(id_spans *s, int64_t from, int64_t to)
{
    if (s->n && s->v[s->n - 1].to != INT64_MAX && from <= s->v[s->n - 1].to + 1) {
        if (to > s->v[s->n - 1].to)
            s->v[s->n - 1].to = to;
        return;
    }
    grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = (id_span){from, to};
}

void spans_release(id_spans *s)
{
    free(s->v);
    *s = (id_spans){0};
}

int64_t spans_ids(const id_spans *s)
{
    int64_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += s->v[i].to - s->v[i].from + 1;
    return n;
}

void spans_subtract(const id_spans *a, const id_spans *b, int64_t lo, int64_t hi, id_spans *out)
{
    size_t j = 0;
    for (size_t i = 0; i < a->n; i++) {
        int64_t from = a->v[i].from < lo ? lo : a->v[i].from;
        int64_t to = a->v[i].to > hi ? hi : a->v[i].to;
        if (from > to)
            continue;
        while (j < b->n && b->v[j].to < from)
            j++;
        /* Walk the spans of b that overlap from..to, keeping what lies between them. */
        bool covered = false;
        for (size_t k = j; k < b->n && b->v[k].from <= to; k++) {
            if (b->v[k].from > from)
                spans_add(out, from, b->v[k].from - 1);
            if (b->v[k].to >= to) {
                covered = true;
                break;
            }
            from = b->v[k].to + 1; /* b->v[k].to < to: no overflow */
        }
        if (!covered)
            spans_add(out, from, to);
    }
}

char *spans_describe(const id_spans *s, size_t cap)
{
    size_t size = 64, len = 0;
    char *text = xmalloc(size);
    text[0] = '\0';
    for (size_t i = 0; i < s->n && i < cap; i++) {
        char one[64];
        if (s->v[i].from == s->v[i].to)
            snprintf(one, sizeof one, "%s%lld", i ? ", " : "", (long long)s->v[i].from);
        else
            snprintf(one, sizeof one, "%s%lld-%lld", i ? ", " : "", (long long)s->v[i].from,
                     (long long)s->v[i].to);
        grow((void **)&text, &size, len + strlen(one) + 1, 1);
        memcpy(text + len, one, strlen(one) + 1);
        len += strlen(one);
    }
    if (s->n > cap) {
        char more[64];
        snprintf(more, sizeof more, " and %zu more", s->n - cap);
        grow((void **)&text, &size, len + strlen(more) + 1, 1);
        memcpy(text + len, more, strlen(more) + 1);
    }
    return text;
}

void ids_narrow(int64_t first, int64_t last, const id_spans *baseline_gaps, const int64_t *present,
                size_t n_present, id_spans *missing, id_spans *extra)
{
    /* What the baseline held: first..last without its gaps. */
    id_spans whole = {0}, held = {0}, now = {0};
    spans_add(&whole, first, last);
    spans_subtract(&whole, baseline_gaps, first, last, &held);
    for (size_t i = 0; i < n_present; i++)
        spans_add(&now, present[i], present[i]);
    spans_subtract(&held, &now, first, last, missing);
    spans_subtract(&now, &held, INT64_MIN, INT64_MAX, extra);
    spans_release(&whole);
    spans_release(&held);
    spans_release(&now);
}

int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static range_diff judge_one(const anchor *b, const anchor *n, bool cut, int64_t head_key,
                            anchor_summary *sum)
{
    range_diff d = {RANGE_SAME, b, n};
    if (cut && b->key > head_key) {
        d.verdict = RANGE_LOST;
        sum->lost++;
        sum->lost_rows += b->rows - (n ? n->rows : 0);
    } else if (cut && b->key == head_key && (!n || n->rows < b->rows)) {
        d.verdict = RANGE_PARTIAL;
        sum->partial++;
        sum->lost_rows += b->rows - (n ? n->rows : 0);
    } else if (n && n->rows == b->rows && strcmp(n->digest, b->digest) == 0) {
        sum->same++;
    } else {
        d.verdict = RANGE_CHANGED;
        sum->changed++;
    }
    return d;
}

void anchors_compare(const anchor *base, size_t n_base, const anchor *now, size_t n_now, bool cut,
                     int64_t head_key, range_diff **out, size_t *n_out, anchor_summary *sum)
{
    *sum = (anchor_summary){0};
    range_diff *v = xcalloc(n_base + n_now + 1, sizeof *v);
    size_t n = 0, i = 0, j = 0;
    while (i < n_base || j < n_now) {
        if (j >= n_now || (i < n_base && base[i].key < now[j].key)) {
            v[n++] = judge_one(&base[i++], NULL, cut, head_key, sum);
        } else if (i >= n_base || now[j].key < base[i].key) {
            v[n++] = (range_diff){RANGE_NEW, NULL, &now[j++]};
            sum->added++;
        } else {
            v[n++] = judge_one(&base[i++], &now[j++], cut, head_key, sum);
        }
    }
    *out = v;
    *n_out = n;
}

void seq_init(seq_tracker *t, size_t max_gaps)
{
    memset(t, 0, sizeof *t);
    t->max_gaps = max_gaps;
}

void seq_step(seq_tracker *t, int64_t id, bool has_time, int64_t us)
{
    if (!t->rows)
        t->first_id = id;
    if (t->have_prev && id > t->prev_id && id - t->prev_id > 1) {
        if (t->gaps.n < t->max_gaps)
            spans_add(&t->gaps, t->prev_id + 1, id - 1);
        else
            t->gaps_truncated = true;
    }
    /* As lag() sees it: compared with the row before, when both have a time. */
    if (t->have_prev && has_time && t->prev_has_time && us < t->prev_us) {
        if (t->n_back < SEQ_BACKS_LISTED)
            t->back[t->n_back++] = (seq_back){id, us, t->prev_us};
        t->backs++;
    }
    if (has_time && (!t->have_newest || us > t->newest_us)) {
        t->newest_us = us;
        t->have_newest = true;
    }
    t->rows++;
    t->have_prev = true;
    t->prev_id = id;
    t->prev_has_time = has_time;
    t->prev_us = us;
}

void seq_release(seq_tracker *t)
{
    spans_release(&t->gaps);
}

void seq_prime(seq_tracker *t, int64_t id, bool has_time, int64_t us)
{
    t->have_prev = true;
    t->prev_id = id;
    t->prev_has_time = has_time;
    t->prev_us = us;
}

void seq_join(seq_tracker *t, const seq_tracker *next)
{
    if (!next->rows)
        return;
    if (!t->rows)
        t->first_id = next->first_id;
    for (size_t i = 0; i < next->gaps.n; i++) {
        if (t->gaps.n < t->max_gaps)
            spans_add(&t->gaps, next->gaps.v[i].from, next->gaps.v[i].to);
        else
            t->gaps_truncated = true;
    }
    if (next->gaps_truncated)
        t->gaps_truncated = true;
    for (size_t i = 0; i < next->n_back && t->n_back < SEQ_BACKS_LISTED; i++)
        t->back[t->n_back++] = next->back[i];
    t->backs += next->backs;
    if (next->have_newest && (!t->have_newest || next->newest_us > t->newest_us)) {
        t->newest_us = next->newest_us;
        t->have_newest = true;
    }
    t->rows += next->rows;
    t->have_prev = true;
    t->prev_id = next->prev_id;
    t->prev_has_time = next->prev_has_time;
    t->prev_us = next->prev_us;
}

void anchor_builder_init(anchor_builder *a, int64_t range, int64_t upto)
{
    memset(a, 0, sizeof *a);
    a->range = range;
    a->upto = upto;
    a->md = EVP_MD_CTX_new();
    a->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!a->md || !a->sha256)
        abort(); /* out of memory, as xmalloc treats it, or a library without SHA-256 */
}

static void close_range(anchor_builder *a)
{
    if (!a->open)
        return;
    a->cur.digest[0] = '\0';
    if (a->any_value) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (!EVP_DigestFinal_ex(a->md, md, &len))
            abort(); /* SHA-256 on memory does not fail short of a broken library */
        for (unsigned int i = 0; i < len && 2 * i + 2 < sizeof a->cur.digest; i++)
            snprintf(a->cur.digest + 2 * i, 3, "%02x", md[i]);
    }
    grow((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v);
    a->v[a->n++] = a->cur;
    a->open = false;
}

void anchor_builder_add(anchor_builder *a, int64_t id, const unsigned char *value, size_t len)
{
    if (id > a->upto)
        return;
    int64_t key = id / a->range; /* truncating, as SQL's integer division does */
    if (a->open && key != a->cur.key)
        close_range(a);
    if (!a->open) {
        a->cur = (anchor){key, 0, id, id, ""};
        a->open = true;
        a->any_value = false;
        if (!EVP_DigestInit_ex2(a->md, a->sha256, NULL))
            abort();
    }
    a->cur.rows++;
    a->cur.last = id;
    if (value) {
        if (!EVP_DigestUpdate(a->md, value, len))
            abort();
        a->any_value = true;
    }
}

void anchor_builder_finish(anchor_builder *a)
{
    close_range(a);
}

void anchor_builder_release(anchor_builder *a)
{
    EVP_MD_CTX_free(a->md);
    EVP_MD_free(a->sha256);
    free(a->v);
    memset(a, 0, sizeof *a);
}
