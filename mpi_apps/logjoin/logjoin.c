/* logjoin.c -- lj_run: the stages in order. Every stage ends with the ranks
 * agreeing on errors, so a failure anywhere ends all ranks with one message
 * and nothing is published under OUTDIR. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "logjoin.h"
#include "tk_cleanup.h"
#include "tk_fs.h"
#include "tk_h5.h"
#include "tk_mpi.h"
#include "tk_opt.h"

/* Rank 0: checks OUTDIR (never an input, nor holding or inside one) and
 * creates the temporary folder beside it. */
static int prepare_output(lj_ctx *c)
{
    if (c->rank == 0) {
        const char *in = tk_fs_overlap(c->cfg.outdir, c->cfg.log1)   ? c->cfg.log1
                         : tk_fs_overlap(c->cfg.outdir, c->cfg.log2) ? c->cfg.log2
                                                                     : NULL;
        if (in) /* --overwrite would delete the input */
            tk_err_set(&c->err, TK_EUSAGE,
                       "OUTDIR %s overlaps the input %s (is it, holds it or lies inside it)",
                       c->cfg.outdir, in);
        else if (tk_fs_exists(c->cfg.outdir) && !c->cfg.overwrite)
            tk_err_set(&c->err, TK_ECANTCREAT, "%s already exists (use --overwrite)",
                       c->cfg.outdir);
        else if (tk_fs_mkparents(c->cfg.outdir, c->parents, sizeof(c->parents)) != 0)
            tk_err_set(&c->err, TK_ECANTCREAT, "cannot create the folder of %s: %s",
                       c->cfg.outdir, strerror(errno));
        else
            tk_fs_mktmpdir(c->cfg.outdir, "tmp", c->tmpdir, sizeof(c->tmpdir), &c->err);
    }
    if (tk_mpi_agree(c->comm, &c->err) != TK_OK) {
        c->tmpdir[0] = '\0';
        return c->err.status;
    }
    MPI_Bcast(c->tmpdir, (int)sizeof(c->tmpdir), MPI_CHAR, 0, c->comm);
    tk_cleanup_add(c->tmpdir); /* every rank: a signal may reach any of them */
    return TK_OK;
}

/* Sums the per-file counters over ranks into c->totals. */
static void sum_totals(lj_ctx *c, int f)
{
    uint64_t v[3] = { c->files[f].read, c->files[f].bad, c->files[f].kept };

    if (f == LJ_LOG1) {
        v[1] += c->agg.dup_rows;
        v[2] -= c->agg.dup_rows;
    }
    tk_mpi_sum_u64(c->comm, v, 3);
    memcpy(c->totals[f], v, sizeof(v));
}

static int check_bad_rows(lj_ctx *c)
{
    uint64_t bad = c->totals[0][1] + c->totals[1][1];

    if (bad > (uint64_t)c->cfg.max_bad_rows)
        return tk_err_set(&c->err, TK_EDATA,
                          "%s%llu bad rows exceed --max-bad-rows %lld; no output written",
                          c->stop_parsing ? "at least " : "", (unsigned long long)bad,
                          (long long)c->cfg.max_bad_rows);
    return TK_OK;
}

static int publish(lj_ctx *c)
{
    char path[sizeof(c->tmpdir) + 16];

    if (c->rank == 0) {
        snprintf(path, sizeof(path), "%s/_SUCCESS", c->tmpdir);
        if (tk_fs_write_atomic(path, "", 0, &c->err) == TK_OK &&
            tk_fs_fsync_path(c->tmpdir) == 0 &&
            tk_fs_publish(c->tmpdir, c->cfg.outdir, c->cfg.overwrite, &c->err) == TK_OK)
            c->tmpdir[0] = '\0';
    }
    if (tk_mpi_agree(c->comm, &c->err) != TK_OK)
        return c->err.status;
    c->tmpdir[0] = '\0';
    tk_cleanup_forget_all();
    c->parents[0] = '\0';
    return TK_OK;
}

int lj_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err)
{
    lj_ctx *c = calloc(1, sizeof(*c));
    int rc, rank;
    uint64_t maxrss;

    MPI_Comm_rank(comm, &rank);
    if (!c) {
        fprintf(err, "%s: error: out of memory\n", LJ_NAME);
        MPI_Abort(comm, TK_ESOFTWARE);
        return TK_ESOFTWARE;
    }
    c->comm = comm;
    c->rank = rank;
    MPI_Comm_size(comm, &c->size);
    c->t_start = tk_now();
    tk_err_clear(&c->err);
    rc = lj_options_parse(&c->cfg, argc, argv, rank, out, err);
    if (rc != TK_OK) {
        free(c);
        return rc == TK_EUSAGE ? TK_EUSAGE : TK_OK;
    }
    tk_log_init(&c->log, LJ_NAME, rank, out, err, c->cfg.progress);
    tk_h5_quiet();
    c->files[LJ_LOG1].path = c->cfg.log1;
    c->files[LJ_LOG2].path = c->cfg.log2;

    if (lj_read_headers(c) != TK_OK || prepare_output(c) != TK_OK)
        goto fail;
    if (tk_shuffle_init(&c->shuffle, comm, LJ_REC_SIZE, (size_t)c->cfg.round_kib << 10,
                        &c->err) != TK_OK ||
        lj_agg_init(&c->agg, c->cfg.extra_features, &c->bad, &c->err) != TK_OK)
        c->err.status = c->err.status ? c->err.status : TK_ESOFTWARE;
    if (tk_mpi_agree(comm, &c->err) != TK_OK)
        goto fail_shuffle;

    if (lj_read_file(c, LJ_LOG1) != TK_OK)
        goto fail_shuffle;
    sum_totals(c, LJ_LOG1);
    if (lj_read_file(c, LJ_LOG2) != TK_OK)
        goto fail_shuffle;
    sum_totals(c, LJ_LOG2);
    tk_shuffle_free(&c->shuffle);
    lj_report_bad(c);
    if (check_bad_rows(c) != TK_OK)
        goto fail_agg;

    lj_agg_rows(&c->agg, &c->rows, &c->nrows, &c->err);
    lj_agg_free(&c->agg);
    if (tk_mpi_agree(comm, &c->err) != TK_OK ||
        lj_sort_rows(comm, &c->rows, &c->nrows, &c->err) != TK_OK ||
        tk_mpi_agree(comm, &c->err) != TK_OK || lj_write_outputs(c) != TK_OK ||
        publish(c) != TK_OK)
        goto fail_rows;

    maxrss = tk_peak_rss();
    MPI_Allreduce(MPI_IN_PLACE, &maxrss, 1, MPI_UINT64_T, MPI_MAX, comm);
    lj_report_summary(c, maxrss);
    free(c->rows);
    free(c);
    return TK_OK;

fail_shuffle:
    tk_shuffle_free(&c->shuffle);
fail_agg:
    lj_agg_free(&c->agg);
fail_rows:
    free(c->rows);
fail:
    tk_log_error(&c->log, &c->err);
    if (rank == 0 && c->tmpdir[0])
        tk_fs_rmtree(c->tmpdir);
    if (rank == 0 && c->parents[0]) /* the folders this run made for OUTDIR */
        tk_fs_rmparents(c->cfg.outdir, c->parents);
    tk_cleanup_forget_all();
    rc = c->err.status ? c->err.status : TK_EFAIL;
    free(c);
    return rc;
}
