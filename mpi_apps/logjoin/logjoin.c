/* logjoin.c -- lj_run: the stages in order. Every stage ends with the ranks
 * agreeing on errors, so a failure anywhere ends all ranks with one message
 * and nothing is published under OUTDIR. */
#include <stdlib.h>
#include <string.h>

#include "logjoin.h"
#include "tk_fs.h"
#include "tk_h5.h"
#include "tk_job.h"
#include "tk_mpi.h"

/* Sums the per-file counters over ranks into c->totals. */
static void sum_totals(lj_ctx *c, int f)
{
    uint64_t v[3] = { c->files[f].read, c->files[f].bad, c->files[f].kept };

    if (f == LJ_LOG1) {
        v[1] += c->agg.dup_rows;
        v[2] -= c->agg.dup_rows;
    }
    tk_mpi_sum_u64(c->job.comm, v, 3);
    memcpy(c->totals[f], v, sizeof(v));
}

static int check_bad_rows(lj_ctx *c)
{
    uint64_t bad = c->totals[0][1] + c->totals[1][1];

    if (bad > (uint64_t)c->cfg.max_bad_rows)
        return tk_err_set(&c->job.err, TK_EDATA,
                          "%s%llu bad rows exceed --max-bad-rows %lld; no output written",
                          c->stop_parsing ? "at least " : "", (unsigned long long)bad,
                          (long long)c->cfg.max_bad_rows);
    return TK_OK;
}

/* _SUCCESS last, then OUTDIR appears in one rename. */
static int publish(lj_ctx *c)
{
    char path[sizeof(c->job.tmp) + 16];

    if (c->job.rank == 0) {
        snprintf(path, sizeof(path), "%s/_SUCCESS", c->job.tmp);
        tk_fs_write_atomic(path, "", 0, &c->job.err);
    }
    return tk_job_publish(&c->job);
}

/* Reads both logs into the owners' aggregates (the shuffle lives only for
 * the reading) and reports the bad rows. */
static int read_logs(lj_ctx *c)
{
    int rc;

    rc = tk_shuffle_init(&c->shuffle, c->job.comm, LJ_REC_SIZE,
                         (size_t)c->cfg.round_kib << 10, &c->job.err);
    c->shuffle.errf = c->job.log.err; /* where an abort inside a round is told */
    if (rc == TK_OK)
        lj_agg_init(&c->agg, c->cfg.extra_features, &c->bad, &c->job.err);
    if (tk_mpi_agree(c->job.comm, &c->job.err) == TK_OK && lj_read_file(c, LJ_LOG1) == TK_OK) {
        sum_totals(c, LJ_LOG1);
        if (lj_read_file(c, LJ_LOG2) == TK_OK)
            sum_totals(c, LJ_LOG2);
    }
    tk_shuffle_free(&c->shuffle);
    if (c->job.err.status != TK_OK) /* lj_read_file agreed on it */
        return c->job.err.status;
    lj_report_bad(c);
    return check_bad_rows(c);
}

/* The owners' rows of joined features, then sorted by userId across ranks. */
static int join_rows(lj_ctx *c)
{
    lj_agg_rows(&c->agg, &c->rows, &c->nrows, &c->job.err);
    lj_agg_free(&c->agg);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        return c->job.err.status;
    lj_sort_rows(c->job.comm, &c->rows, &c->nrows, &c->job.err);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

int lj_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err)
{
    lj_ctx *c = calloc(1, sizeof(*c));
    const char *inputs[2];
    int rc;

    if (!c) {
        fprintf(err, "%s: error: out of memory\n", LJ_NAME);
        MPI_Abort(comm, TK_ESOFTWARE);
        return TK_ESOFTWARE;
    }
    tk_job_begin(&c->job, comm, LJ_NAME, out, err, 0);
    rc = lj_options_parse(&c->cfg, argc, argv, c->job.rank, out, err);
    if (rc != TK_OK) {
        free(c);
        return rc == TK_EUSAGE ? TK_EUSAGE : TK_OK;
    }
    tk_job_set_progress(&c->job, c->cfg.progress);
    tk_h5_quiet();
    c->files[LJ_LOG1].path = inputs[0] = c->cfg.log1;
    c->files[LJ_LOG2].path = inputs[1] = c->cfg.log2;

    /* the stages; each ends with the ranks agreeing on errors */
    if (lj_read_headers(c) == TK_OK &&
        tk_job_prepare_output(&c->job, c->cfg.outdir, TK_OUT_DIR, c->cfg.overwrite, inputs,
                              2) == TK_OK &&
        read_logs(c) == TK_OK && join_rows(c) == TK_OK && lj_write_outputs(c) == TK_OK &&
        publish(c) == TK_OK)
        lj_report_summary(c, tk_job_max_rss(&c->job));
    lj_agg_free(&c->agg);
    free(c->rows);
    rc = tk_job_end(&c->job);
    free(c);
    return rc;
}
