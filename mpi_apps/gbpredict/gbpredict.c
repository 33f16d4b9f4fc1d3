/* gbpredict.c -- gbp_run: the stages in order. Every stage ends with the
 * ranks agreeing on errors, so a failure anywhere ends all ranks with one
 * message, the same exit status, and no OUT. */
#include <stdlib.h>
#include <unistd.h>

#include "gbpredict.h"
#include "tk_h5.h"
#include "tk_mpi.h"
#include "tk_opt.h"

static void report_summary(gbp_ctx *c)
{
    char shap[96] = "";

    if (c->job.rank != 0)
        return;
    if (c->cfg.contribs || c->cfg.summary)
        snprintf(shap, sizeof(shap), ", Fast TreeSHAP tables for %zu of %zu trees (%.1f MiB)",
                 c->shap_fast, c->model.ntrees, (double)c->shap_bytes / 1048576.0);
    fprintf(c->job.log.out, "%s: %llu rows, %d %s per row -> %s%s%s%s, %.2f s, %d ranks\n",
            GBP_NAME, (unsigned long long)c->total, c->nout,
            c->cfg.contribs ? "SHAP values" : c->cfg.margin ? "margins" : "predictions",
            c->cfg.out, c->cfg.summary ? ", summary -> " : "",
            c->cfg.summary ? c->cfg.summary : "", shap, tk_now() - c->job.t_start, c->job.size);
    fflush(c->job.log.out);
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
    free(c->limbs);
    tk_table_free(&c->keep);
    tk_table_free(&c->feats);
    tk_model_free(&c->model);
    gbp_config_free(&c->cfg);
    free(c);
}

/* gbp_predict or gbp_contribs (local; both with a summary but no
 * --contribs), then the ranks agree. */
static int predict(gbp_ctx *c)
{
    if ((c->cfg.contribs || gbp_predict(c) == TK_OK) && (c->cfg.contribs || c->cfg.summary))
        gbp_contribs(c);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

/* The outputs: the summary's temporary, OUT's, then both renamed into place
 * (the summary first; should OUT's rename fail, the summary goes again). */
static int write_outputs(gbp_ctx *c)
{
    if ((c->cfg.summary && gbp_summary_write(c) != TK_OK) || gbp_write(c) != TK_OK ||
        (c->cfg.summary && gbp_summary_publish(c) != TK_OK))
        return c->job.err.status;
    if (tk_job_publish(&c->job) != TK_OK && c->job.rank == 0 && c->cfg.summary)
        unlink(c->cfg.summary);
    return c->job.err.status;
}

int gbp_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err)
{
    gbp_ctx *c = calloc(1, sizeof(*c));
    const char *inputs[2];
    int rc;

    if (!c) {
        fprintf(err, "%s: error: out of memory\n", GBP_NAME);
        MPI_Abort(comm, TK_ESOFTWARE);
        return TK_ESOFTWARE;
    }
    tk_job_begin(&c->job, comm, GBP_NAME, out, err, 0);
    tk_model_init(&c->model);
    rc = gbp_options_parse(&c->cfg, argc, argv, c->job.rank, out, err, &c->job.err);
    if (rc == TK_OPT_HELP || rc == TK_OPT_VERSION || rc == TK_EUSAGE) {
        ctx_free(c);
        return rc == TK_EUSAGE ? TK_EUSAGE : TK_OK;
    }
    tk_h5_quiet();
    inputs[0] = c->cfg.model;
    inputs[1] = c->cfg.data;
    /* the stages; each ends with the ranks agreeing on errors */
    if (tk_mpi_agree(comm, &c->job.err) == TK_OK &&
        tk_job_prepare_output(&c->job, c->cfg.out, TK_OUT_FILE, c->cfg.overwrite, inputs, 2) ==
            TK_OK &&
        (!c->cfg.summary || gbp_summary_prepare(c) == TK_OK) && gbp_read(c) == TK_OK &&
        predict(c) == TK_OK && write_outputs(c) == TK_OK)
        report_summary(c);
    if (c->job.err.status != TK_OK)
        gbp_summary_discard(c);
    rc = tk_job_end(&c->job);
    ctx_free(c);
    return rc;
}
