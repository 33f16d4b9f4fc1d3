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
        return -1;
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

/* Merges runs a and b into out (which it allocates). */
static int merge_runs(int counted, const tk_kc_run *a, const tk_kc_run *b, tk_kc_run *out)
{
    const uint8_t *pa = a->data, *ea = a->data + a->len;
    const uint8_t *pb = b->data, *eb = b->data + b->len;
    uint64_t ka = 0, kb = 0, ca = 1, cb = 1, d, prev = 0;
    int ha = 0, hb = 0;
    uint8_t *o, *p;

    /* merged deltas are no longer than the inputs', and equal keys fold */
    o = malloc(a->len + b->len + 20);
    if (!o)
        return -1;
    p = o;
    out->nkeys = 0;
#define NEXT(P, E, K, C, H)                 \
    do {                                    \
        if ((P) < (E)) {                    \
            P = get_varint(P, &d);          \
            K += d;                         \
            if (counted)                    \
                P = get_varint(P, &(C));    \
            H = 1;                          \
        } else                              \
            H = 0;                          \
    } while (0)
    NEXT(pa, ea, ka, ca, ha);
    NEXT(pb, eb, kb, cb, hb);
    while (ha || hb) {
        uint64_t key, cnt;
        if (ha && (!hb || ka < kb)) {
            key = ka, cnt = ca;
            NEXT(pa, ea, ka, ca, ha);
        } else if (hb && (!ha || kb < ka)) {
            key = kb, cnt = cb;
            NEXT(pb, eb, kb, cb, hb);
        } else {
            key = ka, cnt = ca + cb;
            NEXT(pa, ea, ka, ca, ha);
            NEXT(pb, eb, kb, cb, hb);
        }
        p = put_varint(p, key - prev);
        prev = key;
        if (counted)
            p = put_varint(p, cnt);
        out->nkeys++;
    }
#undef NEXT
    out->data = o;
    out->len = (size_t)(p - o);
    {
        uint8_t *shrunk = realloc(o, out->len ? out->len : 1);
        if (shrunk)
            out->data = shrunk;
    }
    return 0;
}

static int merge_last_two(tk_keycount *k)
{
    tk_kc_run m;
    tk_kc_run *a = &k->runs[k->nruns - 2], *b = &k->runs[k->nruns - 1];

    if (merge_runs(k->counted, a, b, &m) != 0)
        return -1;
    free(a->data);
    free(b->data);
    *a = m;
    k->nruns--;
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
        return -1;
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
    r.data = realloc(o, r.len ? r.len : 1);
    if (!r.data)
        r.data = o;
    k->nbatch = 0;
    if (k->nruns == k->runs_cap) {
        size_t cap = k->runs_cap ? k->runs_cap * 2 : 16;
        tk_kc_run *runs = realloc(k->runs, cap * sizeof(*runs));
        if (!runs) {
            free(r.data);
            return -1;
        }
        k->runs = runs;
        k->runs_cap = cap;
    }
    k->runs[k->nruns++] = r;
    /* keep sizes geometric: merge while the newer run is at least half as big */
    while (k->nruns >= 2 && k->runs[k->nruns - 2].len <= 2 * k->runs[k->nruns - 1].len)
        if (merge_last_two(k) != 0)
            return -1;
    return 0;
}

int tk_kc_finish(tk_keycount *k)
{
    if (tk_kc_flush(k) != 0)
        return -1;
    while (k->nruns >= 2)
        if (merge_last_two(k) != 0)
            return -1;
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

size_t tk_kc_bytes(const tk_keycount *k)
{
    size_t i, b = (k->batch_cap * 2) * sizeof(uint64_t);

    for (i = 0; i < k->nruns; i++)
        b += k->runs[i].len;
    return b;
}
