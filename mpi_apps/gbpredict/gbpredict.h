/* gbpredict.h -- predictions of an XGBoost-compatible JSON model for every
 * row of a table, computed by the ranks in parallel, each on its own slice.
 *
 * Data flow, one file per stage:
 *   gbp_options.c   command line -> gbp_config
 *   gbp_read.c      the model (every rank), DATA's feature and --keep columns
 *                   (each rank its slice, via tk_table)
 *   gbp_predict.c   feature rows -> margins or predictions
 *   gbp_contribs.c  feature rows -> SHAP values (--contribs, tk_shap), their
 *                   mean |SHAP| per feature (--contribs-summary), its file
 *   gbp_write.c     slices -> OUT (.csv with MPI-IO, .h5 with parallel HDF5),
 *                   built in a temporary sibling and renamed into place
 *   gbpredict.c     gbp_run: the stages in order, errors agreed collectively
 */
#ifndef GBPREDICT_H
#define GBPREDICT_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "tk_job.h"
#include "tk_model.h"
#include "tk_shap.h"
#include "tk_status.h"
#include "tk_table.h"

#define GBP_VERSION "1.0.0"
#define GBP_NAME "gbpredict"

typedef enum { GBP_OUT_CSV, GBP_OUT_H5 } gbp_format;

/* ---- configuration (gbp_options.c) ---- */

typedef struct gbp_config {
    const char *model, *data, *out;
    gbp_format format;   /* from OUT's extension */
    const char *group;   /* HDF5 group of DATA's columns */
    const char *keep;    /* comma list of columns copied in front, or NULL */
    char **keep_names;   /* owned: the split --keep list */
    size_t nkeep;
    int margin;          /* raw margins instead of predictions */
    int overwrite;
    int contribs;        /* SHAP values instead of predictions */
    const char *summary; /* --contribs-summary FILE (.csv), or NULL */
    int64_t tables;      /* --contribs-tables: bytes of Fast TreeSHAP tables per rank */
} gbp_config;

/* Local. Parses the command line into cfg (release with gbp_config_free).
 * Prints --help/--version/usage on rank 0 only. Returns TK_OK, TK_OPT_HELP
 * or TK_OPT_VERSION (printed; exit 0), TK_EUSAGE (printed; exit 64) or
 * TK_ESOFTWARE (out of memory; not printed). */
int gbp_options_parse(gbp_config *cfg, int argc, char **argv, int rank, FILE *out, FILE *err,
                      tk_err *e);

/* Local. */
void gbp_config_free(gbp_config *cfg);

/* ---- the job context ---- */

typedef struct gbp_ctx {
    tk_job job;           /* comm, rank, size, clock, log, error, OUT's temporary */
    gbp_config cfg;
    tk_model model;
    char **feature_names; /* owned: the model's names, or f0, f1, ... when unnamed */
    tk_table feats;       /* the features, float32, this rank's rows */
    tk_table keep;        /* the --keep columns, TK_COL_EXACT: float64, integer columns
                           * also exact in keep.icols (empty without --keep) */
    int nout;             /* outputs per row: predictions, or with --contribs
                           * K * (features + 1) SHAP values (class-major) */
    float *pred;          /* this rank's nrows * nout outputs, row-major */
    uint64_t nrows, row0, total;
    size_t shap_fast, shap_bytes; /* trees with Fast TreeSHAP tables, their bytes */
    int64_t *limbs;       /* --contribs-summary: exact fixed-point sums of |SHAP|,
                           * GBP_LIMBS per value of a row (owned) */
    char sum_tmp[TK_PATH_MAX + 64]; /* rank 0: the summary's temporary ("": none) */
    char sum_parents[TK_PATH_MAX];  /* rank 0: folders made for the summary ("": none) */
} gbp_ctx;

/* An exact sum of float32 magnitudes: 9 limbs of 32 bits (in int64, to carry)
 * from 2^-149 (the least subnormal) up, the largest float's top bit 2^127
 * being bit 276, then a count of non-finite values. */
#define GBP_LIMBS 10

/* Collective. Runs the whole job on comm, printing on out/err from rank 0.
 * Returns the exit status, the same on every rank. */
int gbp_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err);

/* Collective. Loads the model on every rank and reads DATA's feature columns
 * (and the --keep columns) into c->feats and c->keep. A feature DATA lacks
 * is TK_EDATA naming it and listing DATA's columns. */
int gbp_read(gbp_ctx *c);

/* Local. Fills c->pred from c->feats (margins with --margin). */
int gbp_predict(gbp_ctx *c);

/* Local. The SHAP values of this rank's rows (tk_shap, the budget of
 * --contribs-tables): into c->pred with --contribs (c->nout of them per
 * row, as float32), and with --contribs-summary the exact sums of their
 * magnitudes into c->limbs (owned by c). TK_EDATA for a model whose covers
 * do not allow SHAP values, naming it. */
int gbp_contribs(gbp_ctx *c);

/* Local. The name of output value j of a --contribs row (j < c->nout):
 * FEATURE or bias, for multi:softprob class_K:FEATURE, class_K:bias; into
 * buf (len bytes, cut to fit). Returns buf. */
const char *gbp_contrib_name(const gbp_ctx *c, size_t j, char *buf, size_t len);

/* Collective. Checks --contribs-summary before any work (rank 0: not OUT or
 * an input, not existing without --overwrite, not a folder; its folder made).
 * Returns the same status on every rank. */
int gbp_summary_prepare(gbp_ctx *c);

/* Collective. Sums c->limbs over the ranks (one MPI_Allreduce: exact, the
 * same for any number of ranks) and rank 0 writes the summary to its
 * temporary sibling (c->sum_tmp). */
int gbp_summary_write(gbp_ctx *c);

/* Collective. Rank 0 renames the summary's temporary into place. */
int gbp_summary_publish(gbp_ctx *c);

/* Local. After a failure: rank 0 removes the summary's temporary and the
 * folders made for it. */
void gbp_summary_discard(gbp_ctx *c);

/* Local; allocates nothing. Appends name to p, quoted (RFC 4180) when it
 * holds a delimiter, a quote or a line break. Returns the length written (at
 * most 2 * strlen + 2). */
size_t gbp_put_name(char *p, const char *name);

/* Collective. Writes c->pred (and the kept columns) to OUT's temporary
 * sibling (tk_job_publish renames it into place). On failure nothing is left. */
int gbp_write(gbp_ctx *c);

#endif
