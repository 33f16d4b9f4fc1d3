/* gbt_hist.c -- fixed-point gradient histograms. Integer sums are exact, so
 * they come out the same whatever rows each rank holds and in whatever order
 * the ranks' histograms are added. */
#include "gbtrain.h"

void gbt_hist_build(const gbt_cuts *c, const gbt_data *d, const uint32_t *rows, size_t nrows,
                    const int64_t *gq, const int64_t *hq, gbt_bin_sum *hist)
{
    size_t nf = d->nf, r, f;
    const size_t *off = c->offset;

    for (r = 0; r < nrows; r++) {
        uint32_t i = rows[r];
        const uint16_t *b = d->bins + (size_t)i * nf;
        int64_t g = gq[i], h = hq[i];
        for (f = 0; f < nf; f++) {
            gbt_bin_sum *s = &hist[off[f] + b[f]];
            s->g += g;
            s->h += h;
        }
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
