/* gbt_metric.c -- evaluation metrics over all ranks' rows, the same for any
 * number of ranks: per-row losses are summed as 64-bit fixed point with a
 * scale all ranks agree on; AUC is exact, from every row's prediction sorted
 * on rank 0 (XGBoost's distributed AUC only averages per-worker AUCs). */
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
static double row_loss(const gbt_config *cfg, const gbt_data *d, uint64_t i, int K)
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
        if (cfg->metric == GBT_MERROR)
            return arg != (int)y;
        p = exp((double)m[(int)y] - mx) / sum;
        return -log(p < LOSS_EPS ? LOSS_EPS : p);
    }
    p = cfg->objective == TK_OBJ_LOGISTIC ? sigmoid(m[0]) : (double)m[0];
    switch (cfg->metric) {
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

/* Exact AUC: every (prediction, label) gathered and sorted on rank 0, tied
 * predictions sharing their average rank. */
static double auc(MPI_Comm comm, const gbt_data *d)
{
    int rank, size, p, fail = 0;
    int *counts = NULL, *displs = NULL;
    uint64_t *mine = malloc((d->n + 1) * sizeof(*mine)), *all = NULL, *tmp = NULL, total = 0;
    double result = NAN;
    uint64_t i;

    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (mine)
        for (i = 0; i < d->n; i++) /* the margin orders rows as the probability does */
            mine[i] = ((uint64_t)tk_float_key(d->margin[i]) << 1) | (d->y[i] == 1.0f);
    if (rank == 0) {
        counts = malloc(2 * (size_t)size * sizeof(int));
        if (counts)
            displs = counts + size;
    }
    fail = !mine || (rank == 0 && !counts);
    if (tk_mpi_any(comm, fail))
        goto out;
    {
        int n = (int)d->n;
        MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, comm);
    }
    if (rank == 0) {
        for (p = 0; p < size; p++) {
            displs[p] = (int)total;
            total += (uint64_t)counts[p];
        }
        all = malloc((total + 1) * sizeof(*all));
        tmp = malloc((total + 1) * sizeof(*tmp));
        fail = !all || !tmp;
    }
    MPI_Bcast(&fail, 1, MPI_INT, 0, comm);
    if (fail)
        goto out;
    MPI_Gatherv(mine, (int)d->n, MPI_UINT64_T, all, counts, displs, MPI_UINT64_T, 0, comm);
    if (rank == 0) {
        double pos = 0, neg = 0, rank_sum = 0;
        uint64_t j;
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
            result = (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
    }
out:
    MPI_Bcast(&result, 1, MPI_DOUBLE, 0, comm);
    free(mine);
    free(all);
    free(tmp);
    free(counts);
    return result;
}

double gbt_metric_eval(const tk_job *job, const gbt_config *cfg, const gbt_data *d)
{
    int K = gbt_noutputs(cfg);
    double mx = 0.0, scale, v;
    int64_t sum = 0;
    uint64_t i, n = d->n, total = d->total;
    double *loss;
    MPI_Comm comm = job->comm;

    if (cfg->metric == GBT_AUC)
        return auc(comm, d);
    loss = malloc((n + 1) * sizeof(*loss));
    if (!loss) /* a sum without this rank's rows would be wrong: end the job */
        tk_job_abort(job, "out of memory evaluating %s", gbt_metric_name(cfg->metric));
    for (i = 0; i < n; i++) {
        loss[i] = row_loss(cfg, d, i, K);
        if (loss[i] > mx)
            mx = loss[i];
    }
    MPI_Allreduce(MPI_IN_PLACE, &mx, 1, MPI_DOUBLE, MPI_MAX, comm);
    {
        int exp2;
        if (mx <= 0.0 || total == 0)
            scale = 1.0;
        else {
            frexp(mx * (double)total, &exp2);
            scale = ldexp(1.0, 62 - exp2);
        }
    }
    for (i = 0; i < n; i++)
        sum += llrint(loss[i] * scale);
    free(loss);
    MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_INT64_T, MPI_SUM, comm);
    v = total ? (double)sum / scale / (double)total : NAN;
    return cfg->metric == GBT_RMSE ? sqrt(v) : v;
}
