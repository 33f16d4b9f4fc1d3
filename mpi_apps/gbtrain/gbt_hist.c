/* gbt_hist.c -- gradient histograms in integers. Integer sums are exact, so
 * they come out the same whatever rows each rank holds and in whatever order
 * the ranks' histograms are added.
 *
 * Two kinds: exact 64-bit fixed-point pairs (16 bytes a slot, one 128-bit
 * add per update), and quantized pairs packed in one 64-bit word (8 bytes a
 * slot, one 64-bit add), summed in chunks that cannot carry from one half
 * into the other and then unpacked into 64-bit pairs. Either reads bins of 1
 * or 2 bytes; each loop is compiled once per width. */
#include <math.h>
#include <string.h>

#include "gbtrain.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { AHEAD = 16 }; /* rows of a node are ascending but sparse: prefetch */

/* Prefetches the bins and gradient of the row AHEAD rows on. */
static inline void prefetch_row(const char *bins, size_t row_bytes, const void *g)
{
    __builtin_prefetch(bins);
    __builtin_prefetch(bins + row_bytes - 1);
    __builtin_prefetch(g);
}

static inline __attribute__((always_inline)) void
build_exact(const size_t *off, const void *bins, int width, size_t nf, const uint32_t *rows,
            size_t nrows, const gbt_bin_sum *gh, gbt_bin_sum *hist)
{
    size_t r, f, rb = nf * (size_t)width;

    for (r = 0; r < nrows; r++) {
        uint32_t i = rows[r];
        const uint8_t *b8 = (const uint8_t *)bins + (size_t)i * rb;
        const uint16_t *b16 = (const uint16_t *)b8;
        if (r + AHEAD < nrows)
            prefetch_row((const char *)bins + (size_t)rows[r + AHEAD] * rb, rb,
                         &gh[rows[r + AHEAD]]);
#ifdef __SSE2__
        /* (g, h) added as one 128-bit pair: one load, one add, one store */
        __m128i v = _mm_loadu_si128((const __m128i *)&gh[i]);
#pragma GCC unroll 4
        for (f = 0; f < nf; f++) {
            __m128i *s = (__m128i *)&hist[off[f] + (width == 1 ? b8[f] : b16[f])];
            _mm_storeu_si128(s, _mm_add_epi64(_mm_loadu_si128(s), v));
        }
#else
        int64_t g = gh[i].g, h = gh[i].h;
        for (f = 0; f < nf; f++) {
            gbt_bin_sum *s = &hist[off[f] + (width == 1 ? b8[f] : b16[f])];
            s->g += g;
            s->h += h;
        }
#endif
    }
}

void gbt_hist_build(const gbt_cuts *c, const gbt_data *d, const uint32_t *rows, size_t nrows,
                    const gbt_bin_sum *gh, const size_t *dest, gbt_bin_sum *hist)
{
    const size_t *off = dest ? dest : c->offset;

    if (d->width == 1)
        build_exact(off, d->bins, 1, d->nf, rows, nrows, gh, hist);
    else
        build_exact(off, d->bins, 2, d->nf, rows, nrows, gh, hist);
}

static inline __attribute__((always_inline)) void
build_packed(const size_t *off, const void *bins, int width, size_t nf, const uint32_t *rows,
             size_t nrows, const gbt_qpair *q, gbt_qpair *acc)
{
    size_t r, f, rb = nf * (size_t)width;

    for (r = 0; r < nrows; r++) {
        uint32_t i = rows[r];
        const uint8_t *b8 = (const uint8_t *)bins + (size_t)i * rb;
        const uint16_t *b16 = (const uint16_t *)b8;
        gbt_qpair v = q[i];
        if (r + AHEAD < nrows)
            prefetch_row((const char *)bins + (size_t)rows[r + AHEAD] * rb, rb,
                         &q[rows[r + AHEAD]]);
#pragma GCC unroll 4
        for (f = 0; f < nf; f++)
            acc[off[f] + (width == 1 ? b8[f] : b16[f])] += v;
    }
}

/* Unpacks the sums of acc (slots at c->offset) into hist (feature f's at
 * dest[f]), set with first, else added, and zeroes acc. */
static void unpack(const gbt_cuts *c, gbt_qpair *acc, const size_t *dest, int first,
                   gbt_bin_sum *hist)
{
    size_t f, j;

    for (f = 0; f < c->nf; f++) {
        gbt_qpair *a = acc + c->offset[f];
        gbt_bin_sum *out = hist + dest[f];
        for (j = 0; j <= c->nbins[f]; j++) {
            gbt_qpair p = a[j];
            int64_t h = (int64_t)(uint32_t)p; /* the low half: sum h < 2^32, never negative */
            int64_t g = (p - h) / ((int64_t)1 << 32);
            if (first) {
                out[j].g = g;
                out[j].h = h;
            } else if (p != 0) {
                out[j].g += g;
                out[j].h += h;
            }
            a[j] = 0;
        }
    }
}

void gbt_hist_build_q(const gbt_cuts *c, const gbt_data *d, const uint32_t *rows, size_t nrows,
                      const gbt_qpair *q, gbt_qpair *acc, const size_t *dest, gbt_bin_sum *hist)
{
    size_t done = 0;

    if (!dest)
        dest = c->offset;
    do {
        size_t m = nrows - done < GBT_Q_CHUNK ? nrows - done : GBT_Q_CHUNK;
        if (d->width == 1)
            build_packed(c->offset, d->bins, 1, d->nf, rows + done, m, q, acc);
        else
            build_packed(c->offset, d->bins, 2, d->nf, rows + done, m, q, acc);
        unpack(c, acc, dest, done == 0, hist);
        done += m;
    } while (done < nrows);
}

void gbt_hist_build_qp(const gbt_cuts *c, const gbt_data *d, const uint32_t *rows, size_t nrows,
                       const gbt_qpair *q, gbt_qpair *acc, const size_t *dest, gbt_qpair *out)
{
    size_t f;

    if (!dest)
        dest = c->offset;
    if (d->width == 1)
        build_packed(c->offset, d->bins, 1, d->nf, rows, nrows, q, acc);
    else
        build_packed(c->offset, d->bins, 2, d->nf, rows, nrows, q, acc);
    for (f = 0; f < c->nf; f++) {
        size_t n = c->nbins[f] + 1;
        memcpy(out + dest[f], acc + c->offset[f], n * sizeof(gbt_qpair));
        memset(acc + c->offset[f], 0, n * sizeof(gbt_qpair));
    }
}

void gbt_hist_unpack(const gbt_qpair *p, size_t n, gbt_bin_sum *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        int64_t h = (int64_t)(uint32_t)p[i]; /* the low half: sum h < 2^32, never negative */
        out[i].g = (p[i] - h) / ((int64_t)1 << 32);
        out[i].h = h;
    }
}

void gbt_hist_subtract(size_t nslots, const gbt_bin_sum *parent, const gbt_bin_sum *child,
                       gbt_bin_sum *out)
{
    size_t i;

    for (i = 0; i < nslots; i++) {
        out[i].g = parent[i].g - child[i].g;
        out[i].h = parent[i].h - child[i].h;
    }
}

double gbt_fixed_scale(double max, uint64_t n)
{
    int exp2;

    if (max <= 0.0 || n == 0)
        return 1.0;
    frexp(max * (double)n, &exp2); /* max * n < 2^exp2 */
    return ldexp(1.0, 62 - exp2);
}
