/* gbt_cuts.c -- exact quantile cuts over all ranks, and binning.
 *
 * Values become ordered 32-bit keys (a float's bits, flipped so that unsigned
 * order is numeric order; -0 counts as +0). Each rank sorts its keys per
 * feature. A feature with at most max_bin distinct values gets one bin per
 * value, found by gathering the (few) distinct keys. Otherwise the values at
 * global ranks k*n/max_bin are found exactly by a binary search over the key
 * space run for every (feature, k) of a batch of features at once (about 16M
 * keys in hand): 33 steps, each one Allreduce of the counts of keys <= the
 * probes. Only global order statistics are used,
 * so the cuts do not depend on the number of ranks.
 *
 * With weights (--weight) the targets are cumulative weights k*W/max_bin
 * instead of ranks, and the counts sums of weights: each weight becomes a
 * 64-bit integer with one scale for all ranks, so the sums are exact and the
 * cuts again the same for any number of ranks.
 *
 * A categorical feature gets bins 0..its largest category over all ranks,
 * one per category, as xgboost 1.7 makes them (quantile.cc AddCategories):
 * categories never seen have empty bins. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_keycount.h"
#include "tk_mem.h"
#include "tk_mpi.h"

/* Keys <= probe in sorted[0..hi), knowing that those below lo are. */
static uint64_t count_le(const uint32_t *sorted, uint64_t lo, uint64_t hi, uint64_t probe)
{
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
    free(c->cat);
    free(c->minv);
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

/* A feature's way to its cuts. After stage 1 the states are reduced with
 * MPI_MAX over the ranks: one rank with too many values makes it CUT_MANY. */
enum {
    CUT_FEW = 0,  /* at most max_bin + 1 distinct values on this rank: gather them */
    CUT_MANY = 1, /* more distinct values than bins (on a rank, or in all): quantiles */
    CUT_DONE = 2  /* one bin per distinct value, set from the gathered values */
};

#define CUTS_NOMEM "out of memory computing bin cuts"

/* What the stages of gbt_cuts_build share (owned; work_free releases it). */
typedef struct cuts_work {
    size_t nf, nt;            /* features; quantile targets per feature (max_bin) */
    uint32_t **sorted;        /* per feature: this rank's keys, ascending (in keys_all) */
    uint32_t *keys_all;       /* the batch's keys, one array (huge pages), reused */
    size_t f0, f1;            /* the batch of features in hand: [f0, f1) */
    uint64_t *nloc, *nglob;   /* per feature: keys (non-missing values) here, over all */
    uint32_t *ndist, *dist;   /* per feature: this rank's first distinct keys, up to
                               * nt + 1 of them at dist + f * (nt + 1) */
    uint32_t *state;          /* per feature: a CUT_ state (uint32_t for MPI_MAX) */
    uint32_t *ntf;            /* per feature: its bins at most (nt, or 255: narrow_bins) */
    uint64_t *lo, *hi, *target, *cnt; /* per (feature, target): the binary search */
    uint64_t *ia, *ib, *mine; /* per (feature, target): this rank's keys < lo, <= hi, <= mid */
    uint32_t *keys;           /* one feature's keys at the targets */
    int *counts, *displs;     /* per rank: MPI_Allgatherv's counts and displacements */
    const uint8_t *cat;       /* per feature: categorical, or NULL */
    uint32_t *catmax;         /* per feature: the largest category */
    /* weights (d->w), else NULL: */
    uint64_t *wq;             /* per row: its weight in fixed point */
    uint64_t **cumw;          /* per feature: weights of sorted[0..i] (in cumw_all) */
    uint64_t *cumw_all;
    uint64_t *wloc, *wglob;   /* per feature: the weight of its values here, over all */
    uint64_t *send;           /* per (feature, target): what the counts' Allreduce sums */
    uint32_t *kmin, *kmax;    /* per feature: the smallest and largest key */
} cuts_work;

static void work_free(cuts_work *w)
{
    free(w->keys_all);
    free(w->sorted);
    free(w->nloc);
    free(w->nglob);
    free(w->ndist);
    free(w->dist);
    free(w->state);
    free(w->ntf);
    free(w->lo);
    free(w->hi);
    free(w->target);
    free(w->cnt);
    free(w->ia);
    free(w->ib);
    free(w->mine);
    free(w->keys);
    free(w->counts);
    free(w->catmax);
    free(w->wq);
    free(w->cumw);
    free(w->cumw_all);
    free(w->wloc);
    free(w->wglob);
    free(w->send);
    free(w->kmin);
    free(w->kmax);
    memset(w, 0, sizeof(*w));
}

/* Local. Allocates w and c's per-feature arrays. Returns 0 or -1. */
static int work_alloc(cuts_work *w, size_t nf, int64_t max_bin, int size, gbt_cuts *c)
{
    size_t nt = (size_t)max_bin; /* targets 0..max_bin-1 */

    memset(w, 0, sizeof(*w));
    w->nf = nf;
    w->nt = nt;
    w->sorted = calloc(nf, sizeof(*w->sorted));
    w->nloc = calloc(nf, sizeof(*w->nloc));
    w->nglob = calloc(nf, sizeof(*w->nglob));
    w->ndist = calloc(nf, sizeof(*w->ndist));
    w->state = calloc(nf, sizeof(*w->state));
    w->ntf = calloc(nf, sizeof(*w->ntf));
    w->lo = malloc(nf * nt * sizeof(*w->lo));
    w->hi = malloc(nf * nt * sizeof(*w->hi));
    w->target = malloc(nf * nt * sizeof(*w->target));
    w->cnt = malloc(nf * nt * sizeof(*w->cnt));
    w->ia = malloc(nf * nt * sizeof(*w->ia));
    w->ib = malloc(nf * nt * sizeof(*w->ib));
    w->mine = malloc(nf * nt * sizeof(*w->mine));
    w->dist = malloc(nf * (nt + 1) * sizeof(*w->dist));
    w->keys = malloc(nt * sizeof(*w->keys));
    w->counts = malloc(2 * (size_t)size * sizeof(*w->counts));
    w->catmax = calloc(nf, sizeof(*w->catmax));
    w->send = malloc(nf * nt * sizeof(*w->send));
    w->kmin = malloc((nf + 1) * sizeof(*w->kmin));
    w->kmax = calloc(nf + 1, sizeof(*w->kmax));
    c->nf = nf;
    c->nbins = calloc(nf, sizeof(*c->nbins));
    c->cut = calloc(nf, sizeof(*c->cut));
    c->offset = calloc(nf + 1, sizeof(*c->offset));
    c->minv = calloc(nf + 1, sizeof(*c->minv));
    if (!w->sorted || !w->nloc || !w->nglob || !w->ndist || !w->state || !w->ntf || !w->lo || !w->hi ||
        !w->target || !w->cnt || !w->ia || !w->ib || !w->mine || !w->dist || !w->keys || !w->counts || !c->nbins || !c->cut ||
        !c->offset || !c->minv || !w->catmax || !w->send || !w->kmin || !w->kmax)
        return -1;
    w->displs = w->counts + size;
    return 0;
}

/* Local. A categorical feature's values here: how many, the largest. */
static void category_counts(cuts_work *w, const gbt_data *d, size_t f)
{
    uint64_t i, n = 0;
    float mx = 0.0f;

    for (i = 0; i < d->n; i++) {
        float v = d->xcol[f][i];
        if (!isnan(v)) {
            n++;
            mx = v > mx ? v : mx;
        }
    }
    w->nloc[f] = n;
    w->catmax[f] = (uint32_t)mx; /* checked: an integer in [0, GBT_MAX_CAT] */
    w->kmin[f] = UINT32_MAX;     /* unused */
    w->kmax[f] = 0;
    w->state[f] = CUT_DONE;
}

/* Local. Feature f's keys here, ascending, into sorted, with the running
 * sums of their fixed-point weights into w->cumw[f]; rec, tmp: scratch of
 * d->n records. Returns the count. */
static uint64_t sort_weighted(cuts_work *w, const gbt_data *d, size_t f, uint32_t *sorted,
                              uint64_t *rec, uint64_t *tmp)
{
    uint64_t i, n = 0, sum = 0;
    uint64_t *cum = w->cumw[f] = w->cumw_all + (f - w->f0) * d->n;

    for (i = 0; i < d->n; i++)
        if (!isnan(d->xcol[f][i]))
            rec[n++] = ((uint64_t)tk_float_key(d->xcol[f][i]) << 32) | i;
    tk_radix_sort_u64(rec, tmp, n);
    for (i = 0; i < n; i++) {
        sorted[i] = (uint32_t)(rec[i] >> 32);
        sum += w->wq[rec[i] & UINT32_MAX];
        cum[i] = sum;
    }
    w->wloc[f] = sum;
    return n;
}

/* Local. Stage 1: each rank's sorted keys per feature, and up to max_bin+1
 * distinct ones (a feature with more is CUT_MANY). Returns 0 or -1. */
static int local_keys(cuts_work *w, const gbt_data *d)
{
    uint32_t *tmp = NULL;
    uint64_t *rec = NULL;
    size_t f;
    int ok;

    if (w->wq)
        rec = tk_mem_big(2 * (d->n + 1) * sizeof(*rec));
    else
        tmp = tk_mem_big((d->n + 1) * sizeof(*tmp));
    for (f = w->f0; f < w->f1 && (tmp || rec); f++) {
        uint64_t i, n = 0;
        uint32_t *sorted = w->sorted[f] = w->keys_all + (f - w->f0) * d->n;
        uint32_t *dist = w->dist + f * (w->nt + 1);
        if (w->cat && w->cat[f]) {
            category_counts(w, d, f);
            continue;
        }
        if (rec) {
            n = sort_weighted(w, d, f, sorted, rec, rec + d->n + 1);
        } else {
            for (i = 0; i < d->n; i++)
                if (!isnan(d->xcol[f][i]))
                    sorted[n++] = tk_float_key(d->xcol[f][i]);
            tk_radix_sort_u32(sorted, tmp, n);
        }
        w->nloc[f] = n;
        w->kmin[f] = n ? sorted[0] : UINT32_MAX;
        w->kmax[f] = n ? sorted[n - 1] : 0;
        for (i = 0; i < n; i++)
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                if (w->ndist[f] == (uint32_t)w->nt + 1) {
                    w->state[f] = CUT_MANY; /* more distinct values than bins on this rank */
                    break;
                }
                dist[w->ndist[f]++] = sorted[i];
            }
    }
    ok = tmp || rec;
    free(tmp);
    free(rec);
    return ok ? 0 : -1;
}

/* Local. Each feature's bins at most: max_bin, except that with the
 * default 256 a feature TRAIN misses values of gets 255, so that its bins
 * and the missing one fit in a byte (gbt_data.width 1). */
static void narrow_bins(cuts_work *w, uint64_t total)
{
    size_t f;

    for (f = w->f0; f < w->f1; f++)
        w->ntf[f] = w->nt == 256 && w->nglob[f] < total ? 255 : (uint32_t)w->nt;
}

/* Collective. Stage 2: the CUT_FEW features' distinct values gathered from
 * every rank; one bin each (CUT_DONE), or CUT_MANY when too many in all. */
static int gather_few(MPI_Comm comm, cuts_work *w, gbt_cuts *c, int size, tk_err *e)
{
    size_t f;

    for (f = w->f0; f < w->f1; f++) {
        int mine = (int)w->ndist[f], total = 0, p;
        uint32_t *alld;
        size_t i, k = 0;
        if (w->state[f] != CUT_FEW)
            continue;
        MPI_Allgather(&mine, 1, MPI_INT, w->counts, 1, MPI_INT, comm);
        for (p = 0; p < size; p++) {
            w->displs[p] = total;
            total += w->counts[p];
        }
        alld = malloc(((size_t)total + 1) * sizeof(*alld));
        if (!alld)
            tk_err_set(e, TK_ESOFTWARE, CUTS_NOMEM);
        if (tk_mpi_agree(comm, e) != TK_OK) { /* also the previous feature's set_cuts */
            free(alld);
            return e->status;
        }
        MPI_Allgatherv(w->dist + f * (w->nt + 1), mine, MPI_UINT32_T, alld, w->counts,
                       w->displs, MPI_UINT32_T, comm);
        qsort(alld, (size_t)total, sizeof(*alld), cmp_u32);
        for (i = 0; i < (size_t)total; i++)
            if (k == 0 || alld[i] != alld[k - 1])
                alld[k++] = alld[i];
        if (k <= w->ntf[f]) {
            if (set_cuts(c, f, alld, k, k ? alld[0] : 0) != 0)
                tk_err_set(e, TK_ESOFTWARE, CUTS_NOMEM);
            w->state[f] = CUT_DONE;
        } else {
            w->state[f] = CUT_MANY; /* few per rank, too many in all: quantiles */
        }
        free(alld);
    }
    return tk_mpi_agree(comm, e);
}

/* Whether feature f's quantiles are by weight: with weights, unless all
 * of its values weigh 0 (then by count). */
static int by_weight(const cuts_work *w, size_t f)
{
    return w->wq && w->wglob[f] > 0;
}

/* Collective. Stage 3: for the CUT_MANY features the keys at global ranks
 * k*n/max_bin (or cumulative weights k*W/max_bin), k = 0 the minimum; all
 * (feature, k) searched together, 33 steps of one Allreduce of the counts
 * (weights) of keys <= the probes. Each rank's count is searched only among
 * its keys between the bounds so far. */
static int search_quantiles(MPI_Comm comm, cuts_work *w, gbt_cuts *c, tk_err *e)
{
    size_t nt = w->nt, f, t, j, j0 = w->f0 * nt, j1 = w->f1 * nt;
    int step;

    for (f = w->f0; f < w->f1; f++)
        for (t = 0; t < nt; t++) {
            uint64_t all = by_weight(w, f) ? w->wglob[f] : w->nglob[f];
            j = f * nt + t;
            w->lo[j] = 0;
            w->hi[j] = w->state[f] == CUT_MANY && t < w->ntf[f] ? UINT32_MAX : 0;
            w->target[j] = (uint64_t)((unsigned __int128)t * all / w->ntf[f]);
            w->ia[j] = 0;
            w->ib[j] = w->nloc[f];
        }
    for (step = 0; step < 33; step++) {
        for (j = j0; j < j1; j++) {
            uint64_t mid = w->lo[j] + (w->hi[j] - w->lo[j]) / 2;
            size_t fj = j / nt;
            w->mine[j] = w->lo[j] < w->hi[j]
                             ? count_le(w->sorted[fj], w->ia[j], w->ib[j], mid) : 0;
            if (w->wq)
                w->send[j] = !by_weight(w, fj) ? w->mine[j]
                             : w->mine[j]      ? w->cumw[fj][w->mine[j] - 1]
                                               : 0;
        }
        MPI_Allreduce(w->wq ? w->send + j0 : w->mine + j0, w->cnt + j0, (int)(j1 - j0),
                      MPI_UINT64_T, MPI_SUM, comm);
        for (j = j0; j < j1; j++) {
            uint64_t mid = w->lo[j] + (w->hi[j] - w->lo[j]) / 2;
            if (w->lo[j] >= w->hi[j])
                continue;
            if (w->cnt[j] > w->target[j]) { /* the target's key is <= mid */
                w->hi[j] = mid;
                w->ib[j] = w->mine[j];
            } else {
                w->lo[j] = mid + 1;
                w->ia[j] = w->mine[j];
            }
        }
    }
    for (f = w->f0; f < w->f1; f++) {
        if (w->state[f] != CUT_MANY)
            continue;
        for (t = 0; t < w->ntf[f]; t++)
            w->keys[t] = (uint32_t)w->lo[f * nt + t];
        if (set_cuts(c, f, w->keys + 1, w->ntf[f] - 1, w->keys[0]) != 0) {
            tk_err_set(e, TK_ESOFTWARE, CUTS_NOMEM);
            break;
        }
    }
    return tk_mpi_agree(comm, e);
}

/* Local. Feature f's cuts beyond its values, as xgboost 1.7 makes them
 * (quantile.cc MakeCuts, in float): min - |min| - 1e-5 below the smallest
 * value, max + (|max| + 1e-5) above the largest; 1e-5 for both without
 * values. */
static void outer_cuts(gbt_cuts *c, size_t f, int any, uint32_t kmin, uint32_t kmax)
{
    float mn = any ? tk_key_float(kmin) : 1e-5f, mx = any ? tk_key_float(kmax) : 1e-5f;

    c->minv[f] = any ? mn - fabsf(mn) - 1e-5f : mn;
    c->cut[f][c->nbins[f] - 1] = mx + (fabsf(mx) + 1e-5f);
}

/* Collective. Stage 4: a feature without values gets one bin; the slots'
 * offsets; whether every bin of TRAIN fits in a byte (the missing bin
 * nbins[f] only counts where TRAIN misses values of f). */
static int finish_bins(MPI_Comm comm, const cuts_work *w, uint64_t total, gbt_cuts *c,
                       tk_err *e)
{
    size_t f;

    c->narrow = 1;
    for (f = 0; f < c->nf; f++) {
        if (!c->cut[f]) { /* no values at all: one bin */
            c->cut[f] = malloc(sizeof(float));
            c->nbins[f] = 1;
            if (!c->cut[f])
                tk_err_set(e, TK_ESOFTWARE, CUTS_NOMEM);
        }
        if (c->cut[f] && !(c->cat && c->cat[f]))
            outer_cuts(c, f, w->nglob[f] > 0, w->kmin[f], w->kmax[f]);
        if (c->nbins[f] - (w->nglob[f] == total) > 255)
            c->narrow = 0;
        c->offset[f + 1] = c->offset[f] + c->nbins[f] + 1;
    }
    c->nslots = c->offset[c->nf];
    return tk_mpi_agree(comm, e);
}

/* Collective. Stage 5: prefix tables, top[f][p] = cuts whose key is below
 * p << 16 (gbt_cuts_bin_fast). */
static int prefix_tables(MPI_Comm comm, gbt_cuts *c, tk_err *e)
{
    size_t f;

    c->top = calloc(c->nf, sizeof(*c->top));
    for (f = 0; f < c->nf && c->top; f++) {
        uint32_t p, j = 0, ncuts = c->nbins[f] - 1;
        if (!(c->top[f] = malloc(65536 * sizeof(uint16_t))))
            break;
        for (p = 0; p < 65536; p++) {
            while (j < ncuts && tk_float_key(c->cut[f][j]) < (p << 16))
                j++;
            c->top[f][p] = (uint16_t)j;
        }
    }
    if (!c->top || f < c->nf)
        tk_err_set(e, TK_ESOFTWARE, CUTS_NOMEM);
    return tk_mpi_agree(comm, e);
}

/* Features per batch: about CUTS_BATCH_KEYS keys of the rank with the most
 * rows in hand at a time (the same count on every rank); a third of that
 * with weights (12 bytes a key instead of 4). */
#define CUTS_BATCH_KEYS ((uint64_t)16 << 20)

/* Local. The categorical features of the batch: bins 0..the largest
 * category (over all ranks, in w->catmax), bin j holding the values in
 * [j, j + 1). Returns 0 or -1. */
static int category_cuts(cuts_work *w, gbt_cuts *c)
{
    size_t f;
    uint32_t j;

    for (f = w->f0; f < w->f1; f++) {
        if (!w->cat || !w->cat[f])
            continue;
        c->nbins[f] = w->catmax[f] + 1;
        if (!(c->cut[f] = malloc(((size_t)c->nbins[f] + 1) * sizeof(float))))
            return -1;
        for (j = 0; j + 1 < c->nbins[f]; j++)
            c->cut[f][j] = (float)(j + 1);
    }
    return 0;
}

/* Collective. Stages 1 to 3 for the features [w->f0, w->f1). */
static int cuts_batch(MPI_Comm comm, cuts_work *w, const gbt_data *d, gbt_cuts *c, int size,
                      tk_err *e)
{
    int nb = (int)(w->f1 - w->f0);

    if (local_keys(w, d) != 0)
        tk_err_set(e, TK_ESOFTWARE, CUTS_NOMEM);
    if (tk_mpi_agree(comm, e) != TK_OK)
        return e->status;
    MPI_Allreduce(w->nloc + w->f0, w->nglob + w->f0, nb, MPI_UINT64_T, MPI_SUM, comm);
    MPI_Allreduce(MPI_IN_PLACE, w->state + w->f0, nb, MPI_UINT32_T, MPI_MAX, comm);
    MPI_Allreduce(MPI_IN_PLACE, w->kmin + w->f0, nb, MPI_UINT32_T, MPI_MIN, comm);
    MPI_Allreduce(MPI_IN_PLACE, w->kmax + w->f0, nb, MPI_UINT32_T, MPI_MAX, comm);
    if (w->wq)
        MPI_Allreduce(w->wloc + w->f0, w->wglob + w->f0, nb, MPI_UINT64_T, MPI_SUM, comm);
    if (w->cat) {
        MPI_Allreduce(MPI_IN_PLACE, w->catmax + w->f0, nb, MPI_UINT32_T, MPI_MAX, comm);
        if (category_cuts(w, c) != 0)
            tk_err_set(e, TK_ESOFTWARE, CUTS_NOMEM);
    }
    narrow_bins(w, d->total);
    if (gather_few(comm, w, c, size, e) != TK_OK)
        return e->status;
    return search_quantiles(comm, w, c, e);
}

/* Local. With weights, each row's in fixed point (w->wq) at a scale all
 * ranks agree on (maxw: the largest weight over all ranks), so that the sum
 * over all rows fits 62 bits, and the room for the running sums of a
 * batch. Returns 0 or -1. */
static int weights_setup(cuts_work *w, const gbt_data *d, double maxw, size_t batch)
{
    double scale = gbt_fixed_scale(maxw, d->total);
    uint64_t i;

    w->wq = malloc((d->n + 1) * sizeof(*w->wq));
    w->cumw = calloc(w->nf + 1, sizeof(*w->cumw));
    w->cumw_all = tk_mem_big((d->n * batch + 1) * sizeof(*w->cumw_all));
    w->wloc = calloc(w->nf + 1, sizeof(*w->wloc));
    w->wglob = calloc(w->nf + 1, sizeof(*w->wglob));
    if (!w->wq || !w->cumw || !w->cumw_all || !w->wloc || !w->wglob)
        return -1;
    for (i = 0; i < d->n; i++)
        w->wq[i] = (uint64_t)llrint((double)d->w[i] * scale);
    return 0;
}

int gbt_cuts_build(MPI_Comm comm, const gbt_data *d, int64_t max_bin, const uint8_t *cat,
                   gbt_cuts *c, tk_err *e)
{
    cuts_work w;
    uint64_t maxn = d->n, i;
    double maxw = 0.0;
    size_t batch;
    int size;

    MPI_Comm_size(comm, &size);
    MPI_Allreduce(MPI_IN_PLACE, &maxn, 1, MPI_UINT64_T, MPI_MAX, comm);
    for (i = 0; d->w && i < d->n; i++)
        maxw = d->w[i] > maxw ? d->w[i] : maxw;
    if (d->w)
        MPI_Allreduce(MPI_IN_PLACE, &maxw, 1, MPI_DOUBLE, MPI_MAX, comm);
    batch = (size_t)(CUTS_BATCH_KEYS / (d->w ? 3 : 1) / (maxn ? maxn : 1));
    batch = batch < 1 ? 1 : batch > d->nf ? d->nf : batch;
    memset(c, 0, sizeof(*c));
    if (work_alloc(&w, d->nf, max_bin, size, c) != 0 ||
        (d->nf > 0 && !(w.keys_all = tk_mem_big((d->n * batch + 1) * sizeof(uint32_t)))) ||
        (d->w && weights_setup(&w, d, maxw, batch) != 0) ||
        (cat && !(c->cat = malloc(d->nf + 1))))
        tk_err_set(e, TK_ESOFTWARE, CUTS_NOMEM);
    if (c->cat)
        memcpy(c->cat, cat, d->nf);
    w.cat = cat;
    if (tk_mpi_agree(comm, e) == TK_OK) {
        for (w.f0 = 0; w.f0 < d->nf && e->status == TK_OK; w.f0 = w.f1) {
            w.f1 = w.f0 + batch < d->nf ? w.f0 + batch : d->nf;
            cuts_batch(comm, &w, d, c, size, e);
        }
        if (e->status == TK_OK && finish_bins(comm, &w, d->total, c, e) == TK_OK)
            prefix_tables(comm, c, e);
    }
    work_free(&w);
    if (e->status != TK_OK)
        gbt_cuts_free(c);
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

/* The bin of category x (checked: NaN or an integer in [0, GBT_MAX_CAT])
 * of feature f: x itself, the missing bin, or past it for a category TRAIN
 * never has (only in VALID). */
static inline uint32_t category_bin(const gbt_cuts *c, size_t f, float x)
{
    if (isnan(x))
        return c->nbins[f];
    return x < (float)c->nbins[f] ? (uint32_t)x : c->nbins[f] + 1;
}

/* Rows i0..i1 of every feature into d's bins, width bytes each. */
static inline __attribute__((always_inline)) void
bins_rows(const gbt_cuts *c, gbt_data *d, int width, uint64_t i0, uint64_t i1)
{
    size_t f, nf = d->nf;
    uint64_t i;

    for (f = 0; f < nf; f++) {
        const float *x = d->xcol[f];
        int cat = c->cat && c->cat[f];
        for (i = i0; i < i1; i++) {
            uint32_t v = cat ? category_bin(c, f, x[i]) : gbt_cuts_bin_fast(c, f, x[i]);
            if (width == 1) {
                ((uint8_t *)d->bins)[i * nf + f] = (uint8_t)v;
                if (d->bins_col)
                    ((uint8_t *)d->bins_col)[f * d->n + i] = (uint8_t)v;
            } else {
                ((uint16_t *)d->bins)[i * nf + f] = (uint16_t)v;
                if (d->bins_col)
                    ((uint16_t *)d->bins_col)[f * d->n + i] = (uint16_t)v;
            }
        }
    }
}

int gbt_bins_build(const gbt_cuts *c, gbt_data *d, int width, int by_column, tk_err *e)
{
    /* rows whose row-major bins (about 64 KiB) stay in cache meanwhile */
    const uint64_t block = d->nf > 1024 ? 64 : 65536 / (d->nf ? d->nf : 1);
    size_t f, bytes = (d->n * d->nf + 1) * (size_t)width;
    uint64_t i0;

    d->width = width;
    d->bins = tk_mem_big(bytes);
    d->bins_col = by_column ? tk_mem_big(bytes) : NULL;
    if (!d->bins || (by_column && !d->bins_col))
        return tk_err_set(e, TK_ESOFTWARE, "out of memory binning %llu rows",
                          (unsigned long long)d->n);
    for (i0 = 0; i0 < d->n; i0 += block) {
        uint64_t i1 = i0 + block < d->n ? i0 + block : d->n;
        if (width == 1)
            bins_rows(c, d, 1, i0, i1);
        else
            bins_rows(c, d, 2, i0, i1);
    }
    for (f = 0; f < d->nf; f++) {
        free(d->xcol[f]);
        d->xcol[f] = NULL;
    }
    return TK_OK;
}
