/* tk_keycount.h -- a counted multiset of uint64 keys: add keys in any order,
 * read them back once, sorted, each with its count.
 *
 * Keys collect in a batch; a full batch is radix-sorted, its duplicates
 * counted, and stored as a run: varint deltas between sorted keys (and
 * varint counts), a few bytes a key. Runs are tiered: when TK_KC_FANIN runs
 * of one level have gathered, one k-way merge turns them into a run of the
 * next level, so every key is rewritten O(log n / log TK_KC_FANIN) times and
 * memory grows with the number of distinct keys, not with the number added.
 * Access is sequential throughout: no hash probes.
 *
 * Spilling: tk_kc_spill merges the runs held in memory into one sorted run
 * written to an unlinked temporary file (nothing is left behind, whatever
 * ends the process); memory then holds only what is added afterwards. The
 * iterator merges the spilled runs and the one in memory, summing the counts
 * of a key found in several, so the result is the same as without spilling. */
#ifndef TK_KEYCOUNT_H
#define TK_KEYCOUNT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tk_status.h"

#define TK_KC_FANIN 8

typedef struct tk_kc_run {
    uint8_t *data;  /* owned */
    size_t len;
    uint64_t nkeys;
    int level;      /* 0 for a sorted batch, +1 per merge */
} tk_kc_run;

typedef struct tk_kc_spilled { /* one run on disk */
    int fd;         /* owned; the file is already unlinked */
    uint64_t len, nkeys;
} tk_kc_spilled;

typedef struct tk_keycount {
    uint64_t *batch;    /* owned; batch_cap keys */
    size_t nbatch, batch_cap;
    uint64_t *tmp;      /* owned scratch for the radix sort */
    tk_kc_run *runs;    /* owned; oldest (highest level) first */
    size_t nruns, runs_cap;
    int counted;        /* store counts (else every count reads as 1) */
    tk_kc_spilled *spilled; /* owned */
    size_t nspilled;
    uint64_t spilled_bytes;
} tk_keycount;

/* Local. batch_keys keys are buffered between sorts. Owns everything: release
 * with tk_kc_free. Returns TK_OK or TK_ESOFTWARE (out of memory). */
int tk_kc_init(tk_keycount *k, size_t batch_keys, int counted);

/* Local. */
void tk_kc_free(tk_keycount *k);

/* Local. Sorts the batch into a run and merges runs. Returns TK_OK or TK_ESOFTWARE. */
int tk_kc_flush(tk_keycount *k);

/* Local. Adds one key. Returns TK_OK or TK_ESOFTWARE (out of memory). */
static inline int tk_kc_add(tk_keycount *k, uint64_t key)
{
    if (k->nbatch == k->batch_cap && tk_kc_flush(k) != 0)
        return TK_ESOFTWARE;
    k->batch[k->nbatch++] = key;
    return 0;
}

/* Local. Sorts the last batch into a run and frees the batch buffers; no key
 * may be added afterwards (the iterator merges the runs). Returns TK_OK or
 * TK_ESOFTWARE. */
int tk_kc_finish(tk_keycount *k);

/* Local. Writes v as a LEB128 varint at p (at most 10 bytes); returns the
 * position after it. */
static inline uint8_t *tk_varint_put(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* Local. Reads the varint at p into *v; returns the position after it. */
static inline const uint8_t *tk_varint_get(const uint8_t *p, uint64_t *v)
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

/* Local. Bytes of memory the multiset holds now: its runs and batch buffers. */
size_t tk_kc_bytes(const tk_keycount *k);

/* Local. Bytes of its sorted runs in memory only. */
size_t tk_kc_run_bytes(const tk_keycount *k);

/* Local. Moves every key added so far to a new unlinked file in the folder
 * dir (see above). Returns TK_OK, TK_ESOFTWARE (out of memory) or TK_EIO
 * with the reason in e ("no space left on device" for a full disk). */
int tk_kc_spill(tk_keycount *k, const char *dir, tk_err *e);

/* One sorted input of the iterator: the run in memory or a spilled file. */
typedef struct tk_kc_src {
    const uint8_t *p, *end;  /* undecoded bytes */
    uint8_t *buf;            /* owned read buffer (files) */
    int fd;                  /* borrowed; -1 for the run in memory */
    uint64_t off, len;       /* file position of end, file length */
    uint64_t key, count;
} tk_kc_src;

typedef struct tk_kc_iter {
    tk_kc_src *src;          /* owned */
    size_t nsrc;
    tk_kc_src **heap;        /* owned; min-heap of live sources by key */
    size_t nheap;
    int counted;
    tk_err *e;               /* borrowed: where a read error is told */
} tk_kc_iter;

/* Local. Iterates the finished multiset in increasing key order, spilled
 * runs included (read back in buffers of 256 KiB each). Release with
 * tk_kc_iter_free. Returns TK_OK or TK_ESOFTWARE/TK_EIO (told in e). */
int tk_kc_iter_init(const tk_keycount *k, tk_kc_iter *it, tk_err *e);
void tk_kc_iter_free(tk_kc_iter *it);

/* Local. The next key and its count: returns 1, 0 at the end, or -1 when a
 * spilled run cannot be read (told in the iterator's tk_err). */
int tk_kc_next(tk_kc_iter *it, uint64_t *key, uint64_t *count);

/* Local. Keys held over all runs, in memory and spilled: the number of
 * distinct keys when there is one run, an upper bound otherwise. */
uint64_t tk_kc_distinct(const tk_keycount *k);

/* Local. A float as an unsigned key with the same order (-0 counts as +0;
 * NaN is not ordered: callers leave it out). */
static inline uint32_t tk_float_key(float v)
{
    uint32_t b;

    if (v == 0.0f)
        v = 0.0f;
    memcpy(&b, &v, sizeof(b));
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

/* Local. The float of a key made by tk_float_key. */
static inline float tk_key_float(uint32_t k)
{
    uint32_t b = (k & 0x80000000u) ? (k & 0x7fffffffu) : ~k;
    float v;

    memcpy(&v, &b, sizeof(v));
    return v;
}

/* Local. Sorts n keys in place (LSD radix, 8-bit digits, constant digits
 * skipped) using tmp (n keys) as scratch. */
void tk_radix_sort_u64(uint64_t *keys, uint64_t *tmp, size_t n);

/* Local. The same for 32-bit keys (tmp: n scratch keys). */
void tk_radix_sort_u32(uint32_t *keys, uint32_t *tmp, size_t n);

/* a key and its payload */
typedef struct tk_kv {
    uint64_t k, v;
} tk_kv;

/* Local. Sorts n pairs in place by key, stably (equal keys keep their
 * order), using tmp (n pairs) as scratch. */
void tk_radix_sort_kv(tk_kv *a, tk_kv *tmp, size_t n);

#endif
