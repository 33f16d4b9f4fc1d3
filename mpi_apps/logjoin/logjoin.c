/* logjoin.c -- lj_run: the stages in order. Every stage ends with the ranks
 * agreeing on errors, so a failure anywhere ends all ranks with one message
 * and nothing is published under OUTDIR. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logjoin.h"
#include "tk_fs.h"
#include "tk_h5.h"
#include "tk_job.h"
#include "tk_mpi.h"

/* Sums file f's counters over ranks into c->total[f]; the LOG1 rows the
 * duplicate rule dropped move from kept to bad. */
static void sum_totals(lj_ctx *c, int f)
{
    const lj_counts *m = &c->files[f].mine;
    uint64_t dups = f == LJ_LOG1 ? c->users.dups : 0;
    uint64_t v[3] = { m->read, m->bad + dups, m->kept - dups };

    tk_mpi_sum_u64(c->job.comm, v, 3);
    c->total[f].read = v[0];
    c->total[f].bad = v[1];
    c->total[f].kept = v[2];
}

static int check_bad_rows(lj_ctx *c)
{
    uint64_t bad = c->total[0].bad + c->total[1].bad;

    if (bad > (uint64_t)c->cfg.max_bad_rows)
        return tk_err_set(&c->job.err, TK_EDATA,
                          "%s%llu bad rows exceed --max-bad-rows %lld; no output written",
                          c->stop_parsing ? "at least " : "", (unsigned long long)bad,
                          (long long)c->cfg.max_bad_rows);
    return TK_OK;
}

/* Collective. --memory-limit, or half the physical memory shared by the
 * ranks on this node. */
static uint64_t memory_limit(const lj_ctx *c)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    MPI_Comm node;
    int local = 1;

    if (MPI_Comm_split_type(c->job.comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &local);
        MPI_Comm_free(&node);
    }
    if (c->cfg.memory_limit > 0)
        return (uint64_t)c->cfg.memory_limit;
    if (pages <= 0 || page <= 0)
        return (uint64_t)1 << 30;
    return (uint64_t)pages * (uint64_t)page / 2 / (uint64_t)(local > 0 ? local : 1);
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

/* LOG1 into the owners' users (then sealed), LOG2 into their aggregates;
 * the shuffle lives only for the reading. Then the bad-row report. */
static int read_logs(lj_ctx *c)
{
    uint64_t nbad[2];
    int rc;

    rc = tk_shuffle_init(&c->shuffle, c->job.comm, LJ_REC_SIZE,
                         (size_t)c->cfg.round_kib << 10, &c->job.err);
    c->shuffle.errf = c->job.log.err; /* where an abort inside a round is told */
    if (rc == TK_OK)
        lj_users_init(&c->users, &c->bad, &c->job.err);
    if (tk_mpi_agree(c->job.comm, &c->job.err) == TK_OK &&
        lj_read_file(c, LJ_LOG1, lj_users_add, &c->users) == TK_OK) {
        sum_totals(c, LJ_LOG1);
        if (lj_users_seal(&c->users, &c->job.err) == TK_OK)
            lj_agg_init(&c->agg, c->cfg.extra_features, &c->users, c->mem_limit, c->job.tmp,
                        &c->job.err);
        if (tk_mpi_agree(c->job.comm, &c->job.err) == TK_OK &&
            lj_read_file(c, LJ_LOG2, lj_agg_plays, &c->agg) == TK_OK) {
            uint64_t sp[2] = { c->agg.spills, c->agg.spilled_bytes };
            sum_totals(c, LJ_LOG2);
            tk_mpi_sum_u64(c->job.comm, sp, 2);
            c->spills = sp[0];
            c->spilled_bytes = sp[1];
            MPI_Allreduce(&c->agg.peak_bytes, &c->peak_state, 1, MPI_UINT64_T, MPI_MAX,
                          c->job.comm);
        }
    }
    tk_shuffle_free(&c->shuffle);
    if (c->job.err.status != TK_OK) /* lj_read_file agreed on it */
        return c->job.err.status;
    nbad[0] = c->total[0].bad;
    nbad[1] = c->total[1].bad;
    lj_bad_report(c->job.comm, &c->bad, c->files, nbad, &c->job.log);
    return check_bad_rows(c);
}

/* The owners' rows of joined features, in userId order, sent to the ranks
 * that write them: each ends with its slice of the sorted output. */
static int join_rows(lj_ctx *c)
{
    int64_t *split = calloc((size_t)c->job.size, sizeof(*split));
    size_t *seg = calloc((size_t)c->job.size + 1, sizeof(*seg));
    uint64_t *seg_rows = calloc((size_t)c->job.size, sizeof(*seg_rows));
    lj_rowbuf b;

    memset(&b, 0, sizeof(b));
    if (!split || !seg || !seg_rows)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    if (tk_mpi_agree(c->job.comm, &c->job.err) == TK_OK &&
        lj_rows_splitters(c->job.comm, c->users.id, c->users.n, split, &c->job.err) == TK_OK)
        lj_agg_rows(&c->agg, split, c->job.size, &b, seg, seg_rows, &c->job.err);
    lj_agg_free(&c->agg);
    lj_users_free(&c->users);
    if (tk_mpi_agree(c->job.comm, &c->job.err) == TK_OK)
        lj_rows_exchange(c->job.comm, &b, seg, seg_rows, &c->rows, &c->job.err);
    free(b.data);
    free(split);
    free(seg);
    free(seg_rows);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

/* Collective. OUTDIR's temporary, refused when it would be, hold or lie in
 * an input: LOG1 and LOG2 as given (a folder) and every file listed. */
static int prepare_output(lj_ctx *c)
{
    size_t n = 2 + c->files[0].nsrc + c->files[1].nsrc, k = 0, s;
    const char **inputs = malloc(n * sizeof(*inputs));
    int f;

    if (!inputs)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        return c->job.err.status;
    for (f = 0; f < 2; f++) {
        inputs[k++] = c->files[f].path;
        for (s = 0; s < c->files[f].nsrc; s++)
            inputs[k++] = c->files[f].src[s].in.path;
    }
    tk_job_prepare_output(&c->job, c->cfg.outdir, TK_OUT_DIR, c->cfg.overwrite, inputs, n);
    free(inputs);
    return c->job.err.status;
}

int lj_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err)
{
    lj_ctx *c = calloc(1, sizeof(*c));
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
    c->mem_limit = memory_limit(c);
    c->files[LJ_LOG1].path = c->cfg.log1;
    c->files[LJ_LOG2].path = c->cfg.log2;

    /* the stages; each ends with the ranks agreeing on errors */
    if (lj_input_read(c) == TK_OK && prepare_output(c) == TK_OK && read_logs(c) == TK_OK && join_rows(c) == TK_OK && lj_write_outputs(c) == TK_OK &&
        publish(c) == TK_OK)
        lj_report_summary(c, tk_job_max_rss(&c->job));
    lj_agg_free(&c->agg);
    lj_users_free(&c->users);
    free(c->rows.data);
    lj_input_free(c);
    rc = tk_job_end(&c->job);
    free(c);
    return rc;
}
