/* tk_keycount.c -- sorted, varint-compressed runs of counted keys. */
#include "tk_keycount.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk_fs.h"

#define KC_READ_BUF ((size_t)256 << 10) /* read buffer per spilled run */
#define KC_VARINT_MAX 20                /* a key delta and a count */
#define KC_MAX_SPILLED 32               /* spilled runs merged into one above this */

/* LSD radix sort of n unsigned keys of type T (DIGITS bytes), 8-bit digits,
 * digits that every key shares skipped; defines NAME(keys, tmp, n). */
#define TK_RADIX_SORT(NAME, T, DIGITS)                                        \
    void NAME(T *keys, T *tmp, size_t n)                                      \
    {                                                                         \
        size_t count[DIGITS][256];                                            \
        size_t i;                                                             \
        int d;                                                                \
        T *src = keys, *dst = tmp;                                            \
                                                                              \
        memset(count, 0, sizeof(count));                                      \
        for (i = 0; i < n; i++) {                                             \
            T v = keys[i];                                                    \
            for (d = 0; d < (DIGITS); d++)                                    \
                count[d][(v >> (8 * d)) & 0xff]++;                            \
        }                                                                     \
        for (d = 0; d < (DIGITS); d++) {                                      \
            size_t sum = 0, c, b;                                             \
            T *t;                                                             \
            if (n == 0 || count[d][(keys[0] >> (8 * d)) & 0xff] == n)         \
                continue; /* every key has the same digit here */             \
            for (b = 0; b < 256; b++) {                                       \
                c = count[d][b];                                              \
                count[d][b] = sum;                                            \
                sum += c;                                                     \
            }                                                                 \
            for (i = 0; i < n; i++) {                                         \
                T v = src[i];                                                 \
                dst[count[d][(v >> (8 * d)) & 0xff]++] = v;                   \
            }                                                                 \
            t = src;                                                          \
            src = dst;                                                        \
            dst = t;                                                          \
        }                                                                     \
        if (src != keys)                                                      \
            memcpy(keys, src, n * sizeof(*keys));                             \
    }

TK_RADIX_SORT(tk_radix_sort_u64, uint64_t, 8)
TK_RADIX_SORT(tk_radix_sort_u32, uint32_t, 4)

void tk_radix_sort_kv(tk_kv *a, tk_kv *tmp, size_t n)
{
    size_t count[8][256];
    size_t i;
    int d;
    tk_kv *src = a, *dst = tmp;

    memset(count, 0, sizeof(count));
    for (i = 0; i < n; i++)
        for (d = 0; d < 8; d++)
            count[d][(a[i].k >> (8 * d)) & 0xff]++;
    for (d = 0; d < 8; d++) {
        size_t sum = 0, c, b;
        tk_kv *t;
        if (n == 0 || count[d][(a[0].k >> (8 * d)) & 0xff] == n)
            continue; /* every key has the same digit here */
        for (b = 0; b < 256; b++) {
            c = count[d][b];
            count[d][b] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            dst[count[d][(src[i].k >> (8 * d)) & 0xff]++] = src[i];
        t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof(*a));
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
    for (i = 0; i < k->nspilled; i++)
        close(k->spilled[i].fd);
    free(k->spilled);
    free(k->runs);
    free(k->batch);
    free(k->tmp);
    memset(k, 0, sizeof(*k));
}

/* One input of a k-way merge, in memory (fd -1) or a spilled file: tk_kc_src. */

/* Makes sure a file source holds a whole entry (or all that is left). */
static int src_fill(tk_kc_src *s, tk_err *e)
{
    size_t keep = (size_t)(s->end - s->p), want;
    ssize_t got;

    if (s->fd < 0 || keep >= KC_VARINT_MAX || s->off == s->len)
        return 0;
    memmove(s->buf, s->p, keep);
    want = KC_READ_BUF - keep;
    if (want > s->len - s->off)
        want = (size_t)(s->len - s->off);
    do
        got = pread(s->fd, s->buf + keep, want, (off_t)s->off);
    while (got < 0 && errno == EINTR);
    if (got <= 0) {
        tk_err_set(e, TK_EIO, "cannot read a spill file back: %s",
                   got < 0 ? strerror(errno) : "it is shorter than written");
        return -1;
    }
    s->off += (uint64_t)got;
    s->p = s->buf;
    s->end = s->buf + keep + (size_t)got;
    return 0;
}

/* Decodes the source's next entry: 1, 0 at its end, -1 on a read error. */
static int src_next(tk_kc_src *s, int counted, tk_err *e)
{
    uint64_t d;

    if (src_fill(s, e) != 0)
        return -1;
    if (s->p == s->end)
        return 0;
    s->p = tk_varint_get(s->p, &d);
    s->key += d;
    if (counted)
        s->p = tk_varint_get(s->p, &s->count);
    else
        s->count = 1;
    return 1;
}

static void src_heap_down(tk_kc_src **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        tk_kc_src *t;
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
    tk_kc_src *cur = calloc(n, sizeof(*cur));
    tk_kc_src **heap = malloc(n * sizeof(*heap));
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
        cur[i].fd = -1; /* in memory: src_next cannot fail */
        if (src_next(&cur[i], counted, NULL) > 0)
            heap[nh++] = &cur[i];
    }
    for (i = nh; i-- > 0;)
        src_heap_down(heap, nh, i);
    p = o;
    out->nkeys = 0;
    while (nh > 0) {
        tk_kc_src *c = heap[0];
        if (pending && c->key == pkey) {
            pcount += c->count;
        } else {
            if (pending) {
                p = tk_varint_put(p, pkey - prev);
                prev = pkey;
                if (counted)
                    p = tk_varint_put(p, pcount);
                out->nkeys++;
            }
            pkey = c->key;
            pcount = c->count;
            pending = 1;
        }
        if (src_next(c, counted, NULL) <= 0)
            heap[0] = heap[--nh];
        src_heap_down(heap, nh, 0);
    }
    if (pending) {
        p = tk_varint_put(p, pkey - prev);
        if (counted)
            p = tk_varint_put(p, pcount);
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
        p = tk_varint_put(p, k->batch[i] - prev);
        prev = k->batch[i];
        if (k->counted)
            p = tk_varint_put(p, (uint64_t)(j - i));
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
    /* the iterator merges the runs as it goes: no copy of them all, unless
     * there are too many to read at once */
    if (k->nruns > KC_MAX_SPILLED && merge_tail(k, 0) != 0)
        return TK_ESOFTWARE;
    free(k->batch);
    free(k->tmp);
    k->batch = k->tmp = NULL;
    k->batch_cap = 0;
    return 0;
}

size_t tk_kc_bytes(const tk_keycount *k)
{
    size_t n = (k->batch ? k->batch_cap * 2 * sizeof(uint64_t) : 0) +
               k->runs_cap * sizeof(tk_kc_run), i;

    for (i = 0; i < k->nruns; i++)
        n += k->runs[i].len;
    return n;
}

size_t tk_kc_run_bytes(const tk_keycount *k)
{
    size_t n = 0, i;

    for (i = 0; i < k->nruns; i++)
        n += k->runs[i].len;
    return n;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A new unlinked file in dir, or -1 with errno. */
static int spill_file(const char *dir)
{
    char path[TK_PATH_MAX];
    int fd;

    if (snprintf(path, sizeof(path), "%s/.spill-XXXXXX", dir) >= (int)sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkstemp(path);
    if (fd >= 0 && unlink(path) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static int compact_spilled(tk_keycount *k, const char *dir, tk_err *e);

int tk_kc_spill(tk_keycount *k, const char *dir, tk_err *e)
{
    tk_kc_spilled *sp;
    tk_kc_run *r;
    int fd;

    if (tk_kc_flush(k) != 0 || (k->nruns >= 2 && merge_tail(k, 0) != 0))
        return tk_err_set(e, TK_ESOFTWARE, "out of memory merging runs to spill");
    if (k->nruns == 0)
        return TK_OK;
    sp = realloc(k->spilled, (k->nspilled + 1) * sizeof(*sp));
    if (!sp)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory spilling");
    k->spilled = sp;
    r = &k->runs[0];
    fd = spill_file(dir);
    if (fd < 0 || write_all(fd, r->data, r->len) != 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        tk_err_set(e, TK_EIO, "cannot write a spill file in %s: %s", dir,
                   saved == ENOSPC ? "no space left on device" : strerror(saved));
        return e->status;
    }
    sp[k->nspilled].fd = fd;
    sp[k->nspilled].len = r->len;
    sp[k->nspilled].nkeys = r->nkeys;
    k->nspilled++;
    k->spilled_bytes += r->len;
    free(r->data);
    k->nruns = 0;
    /* a bounded fan-in: file descriptors and read buffers */
    return k->nspilled >= KC_MAX_SPILLED ? compact_spilled(k, dir, e) : TK_OK;
}

int tk_kc_iter_init(const tk_keycount *k, tk_kc_iter *it, tk_err *e)
{
    size_t n = k->nspilled + k->nruns, i;

    memset(it, 0, sizeof(*it));
    it->counted = k->counted;
    it->e = e;
    it->src = calloc(n + 1, sizeof(*it->src));
    it->heap = malloc((n + 1) * sizeof(*it->heap));
    if (!it->src || !it->heap) {
        tk_kc_iter_free(it);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory reading counted keys");
    }
    it->nsrc = n;
    for (i = 0; i < n; i++) {
        tk_kc_src *s = &it->src[i];
        int rc;
        s->fd = -1;
        if (i < k->nspilled) {
            s->fd = k->spilled[i].fd;
            s->len = k->spilled[i].len;
            s->buf = malloc(KC_READ_BUF);
            if (!s->buf) {
                tk_kc_iter_free(it);
                return tk_err_set(e, TK_ESOFTWARE, "out of memory reading spilled keys");
            }
            s->p = s->end = s->buf;
        } else {
            s->p = k->runs[i - k->nspilled].data;
            s->end = s->p + k->runs[i - k->nspilled].len;
        }
        rc = src_next(s, k->counted, e);
        if (rc < 0) {
            tk_kc_iter_free(it);
            return e->status;
        }
        if (rc > 0)
            it->heap[it->nheap++] = s;
    }
    for (i = it->nheap; i-- > 0;)
        src_heap_down(it->heap, it->nheap, i);
    return TK_OK;
}

void tk_kc_iter_free(tk_kc_iter *it)
{
    size_t i;

    for (i = 0; i < it->nsrc; i++)
        free(it->src[i].buf);
    free(it->src);
    free(it->heap);
    memset(it, 0, sizeof(*it));
}

int tk_kc_next(tk_kc_iter *it, uint64_t *key, uint64_t *count)
{
    uint64_t kk, n = 0;

    if (it->nheap == 0)
        return 0;
    kk = it->heap[0]->key;
    /* the same key in several runs: one entry, counts summed */
    while (it->nheap > 0 && it->heap[0]->key == kk) {
        tk_kc_src *s = it->heap[0];
        int rc;
        n += s->count;
        rc = src_next(s, it->counted, it->e);
        if (rc < 0)
            return -1;
        if (rc == 0)
            it->heap[0] = it->heap[--it->nheap];
        src_heap_down(it->heap, it->nheap, 0);
    }
    *key = kk;
    *count = it->counted ? n : 1;
    return 1;
}

/* Merges every spilled run into one new spilled run. */
static int compact_spilled(tk_keycount *k, const char *dir, tk_err *e)
{
    tk_keycount view = *k; /* the spilled runs only */
    tk_kc_iter it;
    uint8_t *buf = malloc(KC_READ_BUF + KC_VARINT_MAX), *p;
    uint64_t key, count, prev = 0, len = 0, nkeys = 0;
    size_t i;
    int fd = -1, rc = 0, failed = 0;

    view.nruns = 0;
    if (!buf)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory merging spilled runs");
    if (tk_kc_iter_init(&view, &it, e) != TK_OK) {
        free(buf);
        return e->status;
    }
    fd = spill_file(dir);
    failed = fd < 0;
    p = buf;
    while (!failed && (rc = tk_kc_next(&it, &key, &count)) > 0) {
        p = tk_varint_put(p, key - prev);
        prev = key;
        if (k->counted)
            p = tk_varint_put(p, count);
        nkeys++;
        if ((size_t)(p - buf) >= KC_READ_BUF) {
            failed = write_all(fd, buf, (size_t)(p - buf)) != 0;
            len += (uint64_t)(p - buf);
            p = buf;
        }
    }
    if (!failed && rc == 0 && p > buf) {
        failed = write_all(fd, buf, (size_t)(p - buf)) != 0;
        len += (uint64_t)(p - buf);
    }
    if (failed)
        tk_err_set(e, TK_EIO, "cannot write a spill file in %s: %s", dir,
                   errno == ENOSPC ? "no space left on device" : strerror(errno));
    tk_kc_iter_free(&it);
    free(buf);
    if (failed || rc < 0) {
        if (fd >= 0)
            close(fd);
        return e->status;
    }
    for (i = 0; i < k->nspilled; i++)
        close(k->spilled[i].fd);
    k->spilled[0].fd = fd;
    k->spilled[0].len = len;
    k->spilled[0].nkeys = nkeys;
    k->nspilled = 1;
    k->spilled_bytes += len;
    return TK_OK;
}

uint64_t tk_kc_distinct(const tk_keycount *k)
{
    uint64_t n = 0;
    size_t i;

    for (i = 0; i < k->nruns; i++)
        n += k->runs[i].nkeys;
    for (i = 0; i < k->nspilled; i++)
        n += k->spilled[i].nkeys;
    return n;
}
