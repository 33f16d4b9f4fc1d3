/* tk_keycount.c -- sorted, varint-compressed runs of counted keys. */
#include "tk_keycount.h"

#include <stdlib.h>
#include <string.h>

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline const uint8_t *get_varint(const uint8_t *p, uint64_t *v)
{
    uint64_t r = 0;
    int shift = 0;

    while (*p & 0x80) {
        r |= (uint64_t)(*p++ & 0x7f) << shift;
        shift += 7;
    }
    *v = r | ((uint64_t)*p++ << shift);
    return p;
}

void tk_radix_sort_u64(uint64_t *keys, uint64_t *tmp, size_t n)
{
    size_t count[8][256];
    size_t i;
    int d;
    uint64_t *src = keys, *dst = tmp;

    memset(count, 0, sizeof(count));
    for (i = 0; i < n; i++) {
        uint64_t v = keys[i];
        for (d = 0; d < 8; d++)
            count[d][(v >> (8 * d)) & 0xff]++;
    }
    for (d = 0; d < 8; d++) {
        size_t sum = 0, c, b;
        uint64_t *t;
        if (n == 0 || count[d][(keys[0] >> (8 * d)) & 0xff] == n)
            continue; /* every key has the same digit here */
        for (b = 0; b < 256; b++) {
            c = count[d][b];
            count[d][b] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++) {
            uint64_t v = src[i];
            dst[count[d][(v >> (8 * d)) & 0xff]++] = v;
        }
        t = src;
        src = dst;
        dst = t;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof(*keys));
}

int tk_kc_init(tk_keycount *k, size_t batch_keys, int counted)
{
    memset(k, 0, sizeof(*k));
    k->counted = counted;
    k->batch_cap = batch_keys ? batch_keys : 1;
    k->batch = malloc(k->batch_cap * sizeof(*k->batch));
    k->tmp = malloc(k->batch_cap * sizeof(*k->tmp));
    if (!k->batch || !k->tmp) {
        tk_kc_free(k);
        return TK_ESOFTWARE;
    }
    return 0;
}

void tk_kc_free(tk_keycount *k)
{
    size_t i;

    for (i = 0; i < k->nruns; i++)
        free(k->runs[i].data);
    free(k->runs);
    free(k->batch);
    free(k->tmp);
    memset(k, 0, sizeof(*k));
}

/* One input of a k-way merge: a decoding position in a run. */
typedef struct kc_cursor {
    const uint8_t *p, *end;
    uint64_t key, count;
} kc_cursor;

static int cursor_next(kc_cursor *c, int counted)
{
    uint64_t d;

    if (c->p == c->end)
        return 0;
    c->p = get_varint(c->p, &d);
    c->key += d;
    if (counted)
        c->p = get_varint(c->p, &c->count);
    else
        c->count = 1;
    return 1;
}

/* Restores the min-heap of cursors (by key) below position i. */
static void heap_down(kc_cursor **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        kc_cursor *t;
        if (l < n && h[l]->key < h[m]->key)
            m = l;
        if (l + 1 < n && h[l + 1]->key < h[m]->key)
            m = l + 1;
        if (m == i)
            return;
        t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Merges runs[0..n) into out (allocated here), equal keys folded. */
static int merge_runs(int counted, const tk_kc_run *runs, size_t n, tk_kc_run *out)
{
    kc_cursor *cur = malloc(n * sizeof(*cur));
    kc_cursor **heap = malloc(n * sizeof(*heap));
    size_t i, nh = 0, total = 0;
    uint64_t prev = 0, pkey = 0, pcount = 0;
    int pending = 0;
    uint8_t *o = NULL, *p;

    for (i = 0; i < n; i++)
        total += runs[i].len;
    /* merged deltas are no longer than the inputs', and equal keys fold */
    if (cur && heap)
        o = malloc(total + 20);
    if (!o) {
        free(cur);
        free(heap);
        return TK_ESOFTWARE;
    }
    for (i = 0; i < n; i++) {
        cur[i].p = runs[i].data;
        cur[i].end = runs[i].data + runs[i].len;
        cur[i].key = 0;
        if (cursor_next(&cur[i], counted))
            heap[nh++] = &cur[i];
    }
    for (i = nh; i-- > 0;)
        heap_down(heap, nh, i);
    p = o;
    out->nkeys = 0;
    while (nh > 0) {
        kc_cursor *c = heap[0];
        if (pending && c->key == pkey) {
            pcount += c->count;
        } else {
            if (pending) {
                p = put_varint(p, pkey - prev);
                prev = pkey;
                if (counted)
                    p = put_varint(p, pcount);
                out->nkeys++;
            }
            pkey = c->key;
            pcount = c->count;
            pending = 1;
        }
        if (!cursor_next(c, counted))
            heap[0] = heap[--nh];
        heap_down(heap, nh, 0);
    }
    if (pending) {
        p = put_varint(p, pkey - prev);
        if (counted)
            p = put_varint(p, pcount);
        out->nkeys++;
    }
    free(cur);
    free(heap);
    out->data = o;
    out->len = (size_t)(p - o);
    out->level = 0;
    {
        uint8_t *shrunk = realloc(o, out->len ? out->len : 1);
        if (shrunk)
            out->data = shrunk;
    }
    return 0;
}

/* Replaces runs[first..nruns) by their merge, one level up. */
static int merge_tail(tk_keycount *k, size_t first)
{
    tk_kc_run m;
    size_t i;
    int level = 0;

    if (merge_runs(k->counted, &k->runs[first], k->nruns - first, &m) != 0)
        return TK_ESOFTWARE;
    for (i = first; i < k->nruns; i++) {
        if (k->runs[i].level > level)
            level = k->runs[i].level;
        free(k->runs[i].data);
    }
    m.level = level + 1;
    k->runs[first] = m;
    k->nruns = first + 1;
    return 0;
}

int tk_kc_flush(tk_keycount *k)
{
    size_t i, n = k->nbatch;
    uint8_t *o, *p;
    uint64_t prev = 0;
    tk_kc_run r;

    if (n == 0)
        return 0;
    tk_radix_sort_u64(k->batch, k->tmp, n);
    /* worst case 10 bytes a delta and 10 a count; the scratch holds 8n bytes,
     * so encode into a fresh buffer sized for the worst case */
    o = malloc(n * (k->counted ? 20 : 10));
    if (!o)
        return TK_ESOFTWARE;
    p = o;
    r.nkeys = 0;
    for (i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && k->batch[j] == k->batch[i])
            j++;
        p = put_varint(p, k->batch[i] - prev);
        prev = k->batch[i];
        if (k->counted)
            p = put_varint(p, (uint64_t)(j - i));
        r.nkeys++;
        i = j;
    }
    r.len = (size_t)(p - o);
    {
        /* shrink to fit; on failure keep the larger block */
        uint8_t *fit = realloc(o, r.len ? r.len : 1);
        r.data = fit ? fit : o;
    }
    k->nbatch = 0;
    if (k->nruns == k->runs_cap) {
        size_t cap = k->runs_cap ? k->runs_cap * 2 : 16;
        tk_kc_run *runs = realloc(k->runs, cap * sizeof(*runs));
        if (!runs) {
            free(r.data);
            return TK_ESOFTWARE;
        }
        k->runs = runs;
        k->runs_cap = cap;
    }
    r.level = 0;
    k->runs[k->nruns++] = r;
    /* tiers: TK_KC_FANIN runs of one level become one run of the next */
    while (k->nruns >= TK_KC_FANIN) {
        size_t first = k->nruns - TK_KC_FANIN, j;
        int same = 1;
        for (j = first + 1; j < k->nruns; j++)
            same &= k->runs[j].level == k->runs[first].level;
        if (!same || merge_tail(k, first) != 0)
            return same ? -1 : 0;
    }
    return 0;
}

int tk_kc_finish(tk_keycount *k)
{
    if (tk_kc_flush(k) != 0)
        return TK_ESOFTWARE;
    if (k->nruns >= 2 && merge_tail(k, 0) != 0)
        return TK_ESOFTWARE;
    free(k->batch);
    free(k->tmp);
    k->batch = k->tmp = NULL;
    k->batch_cap = 0;
    return 0;
}

void tk_kc_iter_init(const tk_keycount *k, tk_kc_iter *it)
{
    it->p = k->nruns ? k->runs[0].data : NULL;
    it->end = k->nruns ? k->runs[0].data + k->runs[0].len : NULL;
    it->key = 0;
    it->counted = k->counted;
}

int tk_kc_next(tk_kc_iter *it, uint64_t *key, uint64_t *count)
{
    uint64_t d;

    if (it->p == it->end)
        return 0;
    it->p = get_varint(it->p, &d);
    it->key += d;
    *key = it->key;
    if (it->counted)
        it->p = get_varint(it->p, count);
    else
        *count = 1;
    return 1;
}

uint64_t tk_kc_distinct(const tk_keycount *k)
{
    return k->nruns ? k->runs[0].nkeys : 0;
}
