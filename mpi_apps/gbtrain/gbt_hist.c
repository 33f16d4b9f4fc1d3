/* gbt_hist.c -- fixed-point gradient histograms. Integer sums are exact, so
 * they come out the same whatever rows each rank holds and in whatever order
 * the ranks' histograms are added. */
#include "gbtrain.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

void gbt_hist_build(const gbt_cuts *c, const gbt_data *d, const uint32_t *rows, size_t nrows,
                    const gbt_bin_sum *gh, gbt_bin_sum *hist)
{
    size_t nf = d->nf, r, f;
    const size_t *off = c->offset;
    enum { AHEAD = 16 }; /* rows of a node are ascending but sparse: prefetch */

    for (r = 0; r < nrows; r++) {
        uint32_t i = rows[r];
        const uint16_t *b = d->bins + (size_t)i * nf;
        if (r + AHEAD < nrows) {
            uint32_t ahead = rows[r + AHEAD];
            const char *pb = (const char *)(d->bins + (size_t)ahead * nf);
            __builtin_prefetch(pb);
            __builtin_prefetch(pb + nf * sizeof(uint16_t) - 1);
            __builtin_prefetch(&gh[ahead]);
        }
#ifdef __SSE2__
        /* (g, h) added as one 128-bit pair: one load, one add, one store */
        __m128i v = _mm_loadu_si128((const __m128i *)&gh[i]);
#pragma GCC unroll 4
        for (f = 0; f < nf; f++) {
            __m128i *s = (__m128i *)&hist[off[f] + b[f]];
            _mm_storeu_si128(s, _mm_add_epi64(_mm_loadu_si128(s), v));
        }
#else
        int64_t g = gh[i].g, h = gh[i].h;
        for (f = 0; f < nf; f++) {
            gbt_bin_sum *s = &hist[off[f] + b[f]];
            s->g += g;
            s->h += h;
        }
#endif
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
