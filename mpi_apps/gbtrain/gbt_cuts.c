/* gbt_cuts.c -- exact quantile cuts over all ranks, and binning.
 *
 * Values become ordered 32-bit keys (a float's bits, flipped so that unsigned
 * order is numeric order; -0 counts as +0). Each rank sorts its keys per
 * feature. A feature with at most max_bin distinct values gets one bin per
 * value, found by gathering the (few) distinct keys. Otherwise the values at
 * global ranks k*n/max_bin are found exactly by a binary search over the key
 * space run for every (feature, k) at once: 32 steps, each one Allreduce of
 * the counts of keys <= the probes. Only global order statistics are used,
 * so the cuts do not depend on the number of ranks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_keycount.h"
#include "tk_mpi.h"

/* Keys <= probe in sorted[0..n). */
static uint64_t count_le(const uint64_t *sorted, uint64_t n, uint64_t probe)
{
    uint64_t lo = 0, hi = n;

    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] <= probe)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void gbt_cuts_free(gbt_cuts *c)
{
    size_t f;

    if (c->cut)
        for (f = 0; f < c->nf; f++)
            free(c->cut[f]);
    if (c->top)
        for (f = 0; f < c->nf; f++)
            free(c->top[f]);
    free(c->top);
    free(c->cut);
    free(c->nbins);
    free(c->offset);
    memset(c, 0, sizeof(*c));
}

/* Sets feature f's cuts from ascending distinct keys[0..n), dropping those
 * at or below the minimum min_key (a bin below the minimum would be empty). */
static int set_cuts(gbt_cuts *c, size_t f, const uint32_t *keys, size_t n, uint32_t min_key)
{
    size_t i, k = 0;

    c->cut[f] = malloc((n + 1) * sizeof(float));
    if (!c->cut[f])
        return -1;
    for (i = 0; i < n; i++)
        if (keys[i] > min_key && (k == 0 || tk_float_key(c->cut[f][k - 1]) < keys[i]))
            c->cut[f][k++] = tk_key_float(keys[i]);
    c->nbins[f] = (uint32_t)k + 1;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

int gbt_cuts_build(MPI_Comm comm, const gbt_data *d, int64_t max_bin, gbt_cuts *c, tk_err *e)
{
    size_t nf = d->nf, f, t, nt = (size_t)max_bin; /* targets 0..max_bin-1 */
    uint64_t **sorted = calloc(nf, sizeof(*sorted));
    uint64_t *nloc = calloc(nf, sizeof(*nloc)), *nglob = calloc(nf, sizeof(*nglob));
    uint64_t *tmp = malloc((d->n + 1) * sizeof(*tmp));
    uint32_t *ndist = calloc(nf, sizeof(*ndist)), *over = calloc(nf, sizeof(*over));
    uint64_t *lo = NULL, *hi = NULL, *target = NULL, *cnt = NULL;
    uint32_t *dist = NULL, *alld = NULL, *keys = NULL;
    int *counts = NULL, *displs = NULL, size, step, fail;

    MPI_Comm_size(comm, &size);
    memset(c, 0, sizeof(*c));
    c->nf = nf;
    c->nbins = calloc(nf, sizeof(*c->nbins));
    c->cut = calloc(nf, sizeof(*c->cut));
    c->offset = calloc(nf + 1, sizeof(*c->offset));
    lo = malloc(nf * nt * sizeof(*lo));
    hi = malloc(nf * nt * sizeof(*hi));
    target = malloc(nf * nt * sizeof(*target));
    cnt = malloc(nf * nt * sizeof(*cnt));
    dist = malloc(nf * ((size_t)max_bin + 1) * sizeof(*dist));
    keys = malloc(nt * sizeof(*keys));
    counts = malloc(2 * (size_t)size * sizeof(*counts));
    fail = !sorted || !nloc || !nglob || !tmp || !ndist || !over || !c->nbins || !c->cut ||
           !c->offset || !lo || !hi || !target || !cnt || !dist || !keys || !counts;
    /* 1. each rank's sorted keys per feature, and up to max_bin+1 distinct ones */
    for (f = 0; f < nf && !fail; f++) {
        uint64_t i, n = 0;
        sorted[f] = malloc((d->n + 1) * sizeof(uint64_t));
        if (!sorted[f]) {
            fail = 1;
            break;
        }
        for (i = 0; i < d->n; i++)
            if (!isnan(d->xcol[f][i]))
                sorted[f][n++] = tk_float_key(d->xcol[f][i]);
        tk_radix_sort_u64(sorted[f], tmp, n);
        nloc[f] = n;
        for (i = 0; i < n; i++)
            if (i == 0 || sorted[f][i] != sorted[f][i - 1]) {
                if (ndist[f] == (uint32_t)max_bin + 1) {
                    over[f] = 1; /* more distinct values than bins on this rank */
                    break;
                }
                dist[f * ((size_t)max_bin + 1) + ndist[f]++] = (uint32_t)sorted[f][i];
            }
    }
    free(tmp);
    tmp = NULL;
    MPI_Allreduce(MPI_IN_PLACE, &fail, 1, MPI_INT, MPI_MAX, comm);
    if (fail)
        goto nomem;
    MPI_Allreduce(nloc, nglob, (int)nf, MPI_UINT64_T, MPI_SUM, comm);
    MPI_Allreduce(MPI_IN_PLACE, over, (int)nf, MPI_UINT32_T, MPI_MAX, comm);
    displs = counts + size;

    /* 2. few distinct values: gather them, one bin each */
    for (f = 0; f < nf; f++) {
        int mine = over[f] ? 0 : (int)ndist[f], total = 0, p;
        size_t i, k = 0;
        if (over[f])
            continue;
        MPI_Allgather(&mine, 1, MPI_INT, counts, 1, MPI_INT, comm);
        for (p = 0; p < size; p++) {
            displs[p] = total;
            total += counts[p];
        }
        alld = malloc(((size_t)total + 1) * sizeof(*alld));
        fail = !alld;
        MPI_Allreduce(MPI_IN_PLACE, &fail, 1, MPI_INT, MPI_MAX, comm);
        if (fail)
            goto nomem;
        MPI_Allgatherv(dist + f * ((size_t)max_bin + 1), mine, MPI_UINT32_T, alld, counts,
                       displs, MPI_UINT32_T, comm);
        qsort(alld, (size_t)total, sizeof(*alld), cmp_u32);
        for (i = 0; i < (size_t)total; i++)
            if (k == 0 || alld[i] != alld[k - 1])
                alld[k++] = alld[i];
        if (k <= (size_t)max_bin) {
            if (set_cuts(c, f, alld, k, k ? alld[0] : 0) != 0)
                fail = 1;
            over[f] = 2; /* done */
        } else {
            over[f] = 1; /* few per rank, too many in all: quantiles */
        }
        free(alld);
        alld = NULL;
        if (fail)
            break;
    }
    MPI_Allreduce(MPI_IN_PLACE, &fail, 1, MPI_INT, MPI_MAX, comm);
    if (fail)
        goto nomem;

    /* 3. many distinct values: the keys at global ranks k*n/max_bin, k = 0 the
     * minimum; all (feature, k) searched together */
    for (f = 0; f < nf; f++)
        for (t = 0; t < nt; t++) {
            size_t j = f * nt + t;
            lo[j] = 0;
            hi[j] = over[f] == 1 ? UINT32_MAX : 0;
            target[j] = (uint64_t)((unsigned __int128)t * nglob[f] / (uint64_t)max_bin);
        }
    for (step = 0; step < 33; step++) {
        size_t j;
        for (j = 0; j < nf * nt; j++) {
            uint64_t mid = lo[j] + (hi[j] - lo[j]) / 2;
            cnt[j] = lo[j] < hi[j] ? count_le(sorted[j / nt], nloc[j / nt], mid) : 0;
        }
        MPI_Allreduce(MPI_IN_PLACE, cnt, (int)(nf * nt), MPI_UINT64_T, MPI_SUM, comm);
        for (j = 0; j < nf * nt; j++) {
            uint64_t mid = lo[j] + (hi[j] - lo[j]) / 2;
            if (lo[j] >= hi[j])
                continue;
            if (cnt[j] > target[j]) /* the target's key is <= mid */
                hi[j] = mid;
            else
                lo[j] = mid + 1;
        }
    }
    for (f = 0; f < nf; f++) {
        if (over[f] != 1)
            continue;
        for (t = 0; t < nt; t++)
            keys[t] = (uint32_t)lo[f * nt + t];
        if (set_cuts(c, f, keys + 1, nt - 1, keys[0]) != 0) {
            fail = 1;
            break;
        }
    }
    MPI_Allreduce(MPI_IN_PLACE, &fail, 1, MPI_INT, MPI_MAX, comm);
    if (fail)
        goto nomem;
    for (f = 0; f < nf; f++) {
        if (!c->cut[f]) { /* no values at all: one bin */
            c->cut[f] = malloc(sizeof(float));
            c->nbins[f] = 1;
            if (!c->cut[f])
                fail = 1;
        }
        c->offset[f + 1] = c->offset[f] + c->nbins[f] + 1;
    }
    MPI_Allreduce(MPI_IN_PLACE, &fail, 1, MPI_INT, MPI_MAX, comm);
    if (fail)
        goto nomem;
    c->nslots = c->offset[nf];
    /* prefix tables: top[f][p] = cuts whose key is below p << 16 */
    c->top = calloc(nf, sizeof(*c->top));
    fail = c->top == NULL;
    for (f = 0; f < nf && !fail; f++) {
        uint32_t p, j = 0, ncuts = c->nbins[f] - 1;
        c->top[f] = malloc(65536 * sizeof(uint16_t));
        if (!c->top[f]) {
            fail = 1;
            break;
        }
        for (p = 0; p < 65536; p++) {
            while (j < ncuts && tk_float_key(c->cut[f][j]) < (p << 16))
                j++;
            c->top[f][p] = (uint16_t)j;
        }
    }
    MPI_Allreduce(MPI_IN_PLACE, &fail, 1, MPI_INT, MPI_MAX, comm);
    if (fail)
        goto nomem;
    goto out;
nomem:
    tk_err_set(e, TK_ESOFTWARE, "out of memory computing bin cuts");
    gbt_cuts_free(c);
out:
    if (sorted)
        for (f = 0; f < nf; f++)
            free(sorted[f]);
    free(sorted);
    free(nloc);
    free(nglob);
    free(tmp);
    free(ndist);
    free(over);
    free(lo);
    free(hi);
    free(target);
    free(cnt);
    free(dist);
    free(alld);
    free(keys);
    free(counts);
    return e->status;
}

uint32_t gbt_cuts_bin(const gbt_cuts *c, size_t f, float v)
{
    const float *cut = c->cut[f];
    uint32_t lo = 0, hi = c->nbins[f] - 1; /* cuts */

    uint32_t n = hi;

    (void)lo;
    if (isnan(v))
        return c->nbins[f];
    /* the number of cuts <= v: a branchless binary search */
    {
        const float *base = cut;
        while (n > 1) {
            uint32_t half = n / 2;
            base = base[half - 1] <= v ? base + half : base;
            n -= half;
        }
        return (uint32_t)(base - cut) + (n == 1 && base[0] <= v);
    }
}

uint32_t gbt_cuts_bin_fast(const gbt_cuts *c, size_t f, float v)
{
    uint32_t k, j, ncuts = c->nbins[f] - 1;
    const float *cut = c->cut[f];

    if (isnan(v))
        return c->nbins[f];
    k = tk_float_key(v);
    /* the cuts below this prefix, then those sharing it (searched when many) */
    j = c->top[f][k >> 16];
    {
        uint32_t hi = (k >> 16) < 65535 ? c->top[f][(k >> 16) + 1] : ncuts;
        while (hi - j > 8) {
            uint32_t mid = j + (hi - j) / 2;
            if (cut[mid] <= v)
                j = mid + 1;
            else
                hi = mid;
        }
        while (j < hi && cut[j] <= v)
            j++;
    }
    return j;
}

int gbt_bins_build(const gbt_cuts *c, gbt_data *d, int by_column, tk_err *e)
{
    const uint64_t block = 4096; /* rows whose bins stay in cache meanwhile */
    size_t f;
    uint64_t i0, i;

    d->bins = malloc((d->n * d->nf + 1) * sizeof(*d->bins));
    if (by_column)
        d->bins_col = malloc((d->n * d->nf + 1) * sizeof(*d->bins_col));
    if (!d->bins || (by_column && !d->bins_col))
        return tk_err_set(e, TK_ESOFTWARE, "out of memory binning %llu rows",
                          (unsigned long long)d->n);
    for (i0 = 0; i0 < d->n; i0 += block) {
        uint64_t i1 = i0 + block < d->n ? i0 + block : d->n;
        for (f = 0; f < d->nf; f++) {
            const float *x = d->xcol[f];
            uint16_t *b = d->bins + f;
            uint16_t *col = by_column ? d->bins_col + f * d->n : NULL;
            for (i = i0; i < i1; i++) {
                uint16_t v = (uint16_t)gbt_cuts_bin_fast(c, f, x[i]);
                b[i * d->nf] = v;
                if (col)
                    col[i] = v;
            }
        }
    }
    for (f = 0; f < d->nf; f++) {
        free(d->xcol[f]);
        d->xcol[f] = NULL;
    }
    return TK_OK;
}
