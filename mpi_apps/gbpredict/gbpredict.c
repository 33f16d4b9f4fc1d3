/* gbpredict.c -- gbp_run: the stages in order. Every stage ends with the
 * ranks agreeing on errors, so a failure anywhere ends all ranks with one
 * message, the same exit status, and no OUT. */
#include <stdlib.h>

#include "gbpredict.h"
#include "tk_cleanup.h"
#include "tk_fs.h"
#include "tk_h5.h"
#include "tk_mpi.h"
#include "tk_opt.h"

static void report_summary(gbp_ctx *c)
{
    if (c->rank != 0)
        return;
    fprintf(c->log.out, "%s: %llu rows, %d %s per row -> %s, %.2f s, %d ranks\n", GBP_NAME,
            (unsigned long long)c->total, c->nout, c->cfg.margin ? "margins" : "predictions",
            c->cfg.out, tk_now() - c->t_start, c->size);
    fflush(c->log.out);
}

static void ctx_free(gbp_ctx *c)
{
    size_t j;

    if (c->feature_names) {
        for (j = 0; j <= c->model.nfeatures; j++)
            free(c->feature_names[j]);
        free(c->feature_names);
    }
    free(c->pred);
    tk_table_free(&c->keep);
    tk_table_free(&c->feats);
    tk_model_free(&c->model);
    gbp_config_free(&c->cfg);
    free(c);
}

int gbp_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err)
{
    gbp_ctx *c = calloc(1, sizeof(*c));
    int rc, rank;

    MPI_Comm_rank(comm, &rank);
    if (!c) {
        fprintf(err, "%s: error: out of memory\n", GBP_NAME);
        MPI_Abort(comm, TK_ESOFTWARE);
        return TK_ESOFTWARE;
    }
    c->comm = comm;
    c->rank = rank;
    MPI_Comm_size(comm, &c->size);
    c->t_start = tk_now();
    tk_err_clear(&c->err);
    tk_model_init(&c->model);
    tk_log_init(&c->log, GBP_NAME, rank, out, err, 0);
    rc = gbp_options_parse(&c->cfg, argc, argv, rank, out, err, &c->err);
    if (rc == TK_OPT_HELP || rc == TK_OPT_VERSION || rc == TK_EUSAGE) {
        ctx_free(c);
        return rc == TK_EUSAGE ? TK_EUSAGE : TK_OK;
    }
    tk_h5_quiet();
    if (tk_mpi_agree(comm, &c->err) != TK_OK || gbp_prepare_output(c) != TK_OK ||
        gbp_read(c) != TK_OK)
        goto fail;
    gbp_predict(c);
    if (tk_mpi_agree(comm, &c->err) != TK_OK || gbp_write(c) != TK_OK)
        goto fail;
    report_summary(c);
    ctx_free(c);
    return TK_OK;

fail:
    tk_log_error(&c->log, &c->err);
    if (rank == 0 && c->tmp[0])
        tk_fs_rmtree(c->tmp);
    if (rank == 0 && c->parents[0]) /* the folders this run made for OUT */
        tk_fs_rmparents(c->cfg.out, c->parents);
    tk_cleanup_forget_all();
    rc = c->err.status ? c->err.status : TK_EFAIL;
    ctx_free(c);
    return rc;
}
