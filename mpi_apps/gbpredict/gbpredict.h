/* gbpredict.h -- predictions of an XGBoost-compatible JSON model for every
 * row of a table, computed by the ranks in parallel, each on its own slice.
 *
 * Data flow, one file per stage:
 *   gbp_options.c   command line -> gbp_config
 *   gbp_read.c      the model (every rank), DATA's feature and --keep columns
 *                   (each rank its slice, via tk_table)
 *   gbp_predict.c   feature rows -> margins or predictions
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
    int nout;             /* outputs per row */
    float *pred;          /* this rank's nrows * nout outputs, row-major */
    uint64_t nrows, row0, total;
} gbp_ctx;

/* Collective. Runs the whole job on comm, printing on out/err from rank 0.
 * Returns the exit status, the same on every rank. */
int gbp_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err);

/* Collective. Loads the model on every rank and reads DATA's feature columns
 * (and the --keep columns) into c->feats and c->keep. A feature DATA lacks
 * is TK_EDATA naming it and listing DATA's columns. */
int gbp_read(gbp_ctx *c);

/* Local. Fills c->pred from c->feats (margins with --margin). */
int gbp_predict(gbp_ctx *c);

/* Collective. Writes c->pred (and the kept columns) to OUT through a
 * temporary sibling; rank 0 publishes it. On failure nothing is left. */
int gbp_write(gbp_ctx *c);

#endif
