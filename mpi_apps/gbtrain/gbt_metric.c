/* gbt_metric.c -- evaluation metrics over all ranks' rows, the same for any
 * number of ranks: per-row losses are summed as 64-bit fixed point with a
 * scale all ranks agree on; AUC is exact, from every row's prediction sorted
 * on rank 0 (XGBoost's distributed AUC only averages per-worker AUCs).
 * With row weights (--weight) every metric is the weighted one xgboost
 * computes: weighted losses over the sum of weights, and the area under
 * the weighted ROC curve (tied predictions joined by a straight line). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_keycount.h"
#include "tk_mpi.h"

#define LOSS_EPS 1e-16

int gbt_metric_better(gbt_metric_id m, double a, double b)
{
    if (isnan(b))
        return !isnan(a);
    return m == GBT_AUC ? a > b : a < b;
}

static double sigmoid(float x)
{
    return 1.0 / (1.0 + exp(-(double)x));
}

/* The loss of row i (before averaging). */
static double row_loss(const gbt_config *cfg, gbt_metric_id metric, const gbt_data *d,
                       uint64_t i, int K)
{
    const float *m = d->margin + i * (uint64_t)K;
    double y = d->y[i], p;

    if (cfg->objective == TK_OBJ_SOFTPROB) {
        double mx = m[0], sum = 0.0, best = m[0];
        int j, arg = 0;
        for (j = 1; j < K; j++)
            if (m[j] > mx)
                mx = m[j];
        for (j = 0; j < K; j++)
            sum += exp((double)m[j] - mx);
        for (j = 1; j < K; j++)
            if (m[j] > best) {
                best = m[j];
                arg = j;
            }
        if (metric == GBT_MERROR)
            return arg != (int)y;
        p = exp((double)m[(int)y] - mx) / sum;
        return -log(p < LOSS_EPS ? LOSS_EPS : p);
    }
    p = cfg->objective == TK_OBJ_LOGISTIC ? sigmoid(m[0]) : (double)m[0];
    switch (metric) {
    case GBT_RMSE:
        return (p - y) * (p - y);
    case GBT_MAE:
        return fabs(p - y);
    case GBT_LOGLOSS:
        if (p < LOSS_EPS)
            p = LOSS_EPS;
        if (p > 1.0 - LOSS_EPS)
            p = 1.0 - LOSS_EPS;
        return -(y * log(p) + (1.0 - y) * log(1.0 - p));
    case GBT_ERROR:
        return (p > 0.5 ? 1.0 : 0.0) != y;
    default:
        return 0.0;
    }
}

/* Weighted AUC on rank 0 from the gathered keys (prediction key << 1 |
 * label) and weights of all rows in global row order: rows sorted by key
 * (ties in row order, so the sums are the same for any number of ranks);
 * each run of tied predictions adds its positive weight times the negative
 * weight below it plus half its own negative weight. NaN when a class
 * weighs nothing. rec, tmp: scratch of total + 1 entries; total < 2^31. */
static double auc_weighted(const uint64_t *key, const float *w, uint64_t total, uint64_t *rec,
                           uint64_t *tmp)
{
    double pos = 0, neg = 0, area = 0, result = NAN;
    uint64_t i, j;

    for (i = 0; i < total; i++) /* keys are 33 bits: the row index fits below */
        rec[i] = (key[i] << 31) | i;
    tk_radix_sort_u64(rec, tmp, total);
    for (i = 0; i < total; i = j) {
        double wp = 0, wn = 0;
        for (j = i; j < total && (rec[j] >> 32) == (rec[i] >> 32); j++) {
            uint64_t r = rec[j] & 0x7fffffffu;
            if (key[r] & 1)
                wp += w[r];
            else
                wn += w[r];
        }
        area += wp * (neg + wn / 2.0);
        pos += wp;
        neg += wn;
    }
    if (pos > 0 && neg > 0)
        result = area / (pos * neg);
    return result;
}

/* Exact AUC: every (prediction, label) gathered and sorted on rank 0, tied
 * predictions sharing their average rank; weighted with d->w. */
/* Unweighted AUC on rank 0 from the gathered keys (sorted in place). */
static double auc_counts(uint64_t *all, uint64_t *tmp, uint64_t total)
{
    double pos = 0, neg = 0, rank_sum = 0;
    uint64_t i, j;

    tk_radix_sort_u64(all, tmp, total);
    for (i = 0; i < total; i = j) {
        uint64_t npos = 0;
        /* rows i..j-1 share one prediction: average rank (1-based) */
        for (j = i; j < total && (all[j] >> 1) == (all[i] >> 1); j++)
            npos += all[j] & 1;
        rank_sum += (double)npos * ((double)(i + 1) + (double)j) / 2.0;
        pos += (double)npos;
        neg += (double)(j - i - npos);
    }
    if (pos > 0 && neg > 0)
        return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
    return NAN;
}

/* What rank 0 gathers for the AUC (owned; released by auc_free). */
typedef struct auc_work {
    int *counts, *displs;   /* per rank: rows, first row */
    uint64_t *all, *tmp;    /* every row's key; scratch */
    float *w;               /* every row's weight (weighted) */
    uint64_t *rec;          /* scratch (weighted) */
    uint64_t total;
} auc_work;

static void auc_free(auc_work *a)
{
    free(a->counts);
    free(a->all);
    free(a->tmp);
    free(a->w);
    free(a->rec);
}

/* Rank 0: room for the rows of all ranks (a->counts gathered). Returns 0 or -1. */
static int auc_alloc(auc_work *a, int size, int weighted)
{
    int p;

    for (p = 0; p < size; p++) {
        a->displs[p] = (int)a->total;
        a->total += (uint64_t)a->counts[p];
    }
    a->all = malloc((a->total + 1) * sizeof(*a->all));
    a->tmp = malloc((a->total + 1) * sizeof(*a->tmp));
    if (weighted) {
        a->w = malloc((a->total + 1) * sizeof(*a->w));
        a->rec = malloc((a->total + 1) * sizeof(*a->rec));
    }
    return a->all && a->tmp && (!weighted || (a->w && a->rec)) ? 0 : -1;
}

/* Exact AUC: every (prediction, label) gathered and sorted on rank 0, tied
 * predictions sharing their average rank; weighted with d->w. */
static double auc(MPI_Comm comm, const gbt_data *d)
{
    int rank, size, fail = 0, n = (int)d->n;
    uint64_t *mine = malloc((d->n + 1) * sizeof(*mine)), i;
    double result = NAN;
    auc_work a;

    memset(&a, 0, sizeof(a));
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (mine)
        for (i = 0; i < d->n; i++) /* the margin orders rows as the probability does */
            mine[i] = ((uint64_t)tk_float_key(d->margin[i]) << 1) | (d->y[i] == 1.0f);
    if (rank == 0 && (a.counts = malloc(2 * (size_t)size * sizeof(int))))
        a.displs = a.counts + size;
    fail = !mine || (rank == 0 && !a.counts);
    if (tk_mpi_any(comm, fail))
        goto out;
    MPI_Gather(&n, 1, MPI_INT, a.counts, 1, MPI_INT, 0, comm);
    if (rank == 0)
        fail = auc_alloc(&a, size, d->w != NULL) != 0;
    MPI_Bcast(&fail, 1, MPI_INT, 0, comm);
    if (fail)
        goto out;
    MPI_Gatherv(mine, n, MPI_UINT64_T, a.all, a.counts, a.displs, MPI_UINT64_T, 0, comm);
    if (d->w)
        MPI_Gatherv(d->w, n, MPI_FLOAT, a.w, a.counts, a.displs, MPI_FLOAT, 0, comm);
    if (rank == 0)
        result = d->w ? auc_weighted(a.all, a.w, a.total, a.rec, a.tmp)
                      : auc_counts(a.all, a.tmp, a.total);
out:
    MPI_Bcast(&result, 1, MPI_DOUBLE, 0, comm);
    free(mine);
    auc_free(&a);
    return result;
}

/* Collective. The sum over all ranks of v[0..n), exact in fixed point (so
 * the same for any number of ranks). */
static double exact_sum(MPI_Comm comm, double *v, uint64_t n, uint64_t total)
{
    double mx = 0.0, scale;
    int64_t sum = 0;
    uint64_t i;

    for (i = 0; i < n; i++)
        mx = v[i] > mx ? v[i] : mx;
    MPI_Allreduce(MPI_IN_PLACE, &mx, 1, MPI_DOUBLE, MPI_MAX, comm);
    scale = gbt_fixed_scale(mx, total);
    for (i = 0; i < n; i++)
        sum += llrint(v[i] * scale);
    MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_INT64_T, MPI_SUM, comm);
    return (double)sum / scale;
}

double gbt_metric_eval(const tk_job *job, const gbt_config *cfg, gbt_metric_id m,
                       const gbt_data *d)
{
    int K = gbt_noutputs(cfg);
    double v, num, den = (double)d->total;
    uint64_t i, n = d->n;
    double *loss;
    MPI_Comm comm = job->comm;

    if (m == GBT_AUC)
        return auc(comm, d);
    loss = malloc((n + 1) * sizeof(*loss));
    if (!loss) /* a sum without this rank's rows would be wrong: end the job */
        tk_job_abort(job, "out of memory evaluating %s", gbt_metric_name(m));
    for (i = 0; i < n; i++)
        loss[i] = row_loss(cfg, m, d, i, K) * (d->w ? (double)d->w[i] : 1.0);
    num = exact_sum(comm, loss, n, d->total);
    if (d->w) {
        for (i = 0; i < n; i++)
            loss[i] = d->w[i];
        den = exact_sum(comm, loss, n, d->total);
    }
    free(loss);
    v = den > 0 ? num / den : NAN;
    return m == GBT_RMSE ? sqrt(v) : v;
}
