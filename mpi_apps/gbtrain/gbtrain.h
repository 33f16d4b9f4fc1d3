/* gbtrain.h -- distributed histogram gradient boosting (XGBoost's "hist"
 * method) whose model does not depend on the number of ranks.
 *
 * Data flow, one file per stage:
 *   gbt_options.c    command line -> gbt_config
 *   gbt_data.c       TRAIN / VALID -> this rank's rows (features, labels)
 *   gbt_cuts.c       exact distributed quantile cuts; values -> bins
 *   gbt_objective.c  margins -> gradients; the base margin
 *   gbt_sample.c     row and column sampling keyed on (seed, round, ...)
 *   gbt_hist.c       integer gradient histograms: exact fixed point, or
 *                    quantized pairs packed in 64 bits
 *   gbt_reduce.c     histograms summed over ranks by feature blocks
 *   gbt_split.c      the best split of a node, leaf weights
 *   gbt_tree.c       one tree, grown depth-wise; routing rows through trees
 *   gbt_metric.c     evaluation metrics, exact over all ranks
 *   gbt_train.c      the boosting loop: evaluation, early stopping,
 *                    checkpoints, resume
 *   gbt_importance.c feature importance
 *   gbtrain.c        gbt_run: the stages in order
 *
 * Determinism: every rank's gradients are turned into integers (16-bit
 * quantized, or 64-bit fixed point with --no-quantized-grad) with scales all
 * ranks agree on, so histogram sums are exact and independent of how rows
 * are split over ranks; everything after a reduction runs identically on
 * every rank, and the split found over feature blocks is the one a single
 * search would find. */
#ifndef GBTRAIN_H
#define GBTRAIN_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "tk_job.h"
#include "tk_model.h"
#include "tk_opt.h"
#include "tk_status.h"

#define GBT_NAME "gbtrain"
#define GBT_VERSION "1.0.0"
#define GBT_RT_EPS 1e-6 /* XGBoost's kRtEps: smaller gains are no gain */
/* The largest category: bins 0..GBT_MAX_CAT, the missing bin after them and
 * an unknown one (VALID's categories above TRAIN's largest) fit 16 bits. */
#define GBT_MAX_CAT 65533
#define GBT_CAT_LIMIT 16777216.0f /* xgboost: categories are below 2^24 */

/* ---- configuration (gbt_options.c) ---- */

typedef enum {
    GBT_RMSE, GBT_MAE, GBT_LOGLOSS, GBT_ERROR, GBT_AUC, GBT_MLOGLOSS, GBT_MERROR
} gbt_metric_id;
#define GBT_NMETRIC_IDS 7 /* metrics there are: --eval-metric names each at most once */

typedef struct gbt_config {
    const char *train, *model_out;
    const char *valid, *label, *features, *exclude, *group;
    const char *objective_name, *eval_log;
    tk_opt_list metric_args;    /* --eval-metric values (each a name or a comma list) */
    const char *categorical;    /* --categorical: a list of columns, "auto", or NULL */
    const char *weight;         /* --weight: the weight column, or NULL */
    tk_objective objective;
    gbt_metric_id metrics[GBT_NMETRIC_IDS]; /* evaluated, printed and logged, in order */
    int nmetrics;
    gbt_metric_id metric;       /* the last one: early stopping and best_score watch it */
    int64_t num_class, num_round, max_depth, max_bin, seed;
    int64_t early_stopping_rounds, checkpoint_every;
    int64_t max_cat, max_cat_to_onehot, max_cat_threshold;
    double eta, min_child_weight, lambda, alpha, gamma, max_delta_step;
    double subsample, colsample_bytree, colsample_bylevel, colsample_bynode;
    double base_score, scale_pos_weight;
    int resume;
    int overwrite;      /* replace an existing MODEL_OUT */
    int progress;
    int eval_train;     /* the training metric each round: 1, 0, or -1 (automatic) */
    int quantized_grad; /* histograms of 16-bit gradients (leaves refit exactly) */
    int64_t top_features;
    /* cross-validation (gbt_cv.c) */
    int64_t cv_folds;           /* K >= 2, or 0: no cross-validation */
    const char *fold_key;       /* folds from a hash of this column's values, or NULL */
    const char *fold_col;       /* or each row's fold 0..K-1 from this column, or NULL */
    const char *cv_grid;        /* 'name=v1,v2;name=...': every combination, or NULL */
    int cv_refit;               /* then train MODEL_OUT on all rows for the best rounds */
    const char *cv_parallel_name; /* --cv-parallel: auto, rows or combos */
    int cv_parallel;            /* its gbt_cv_parallel value */
} gbt_config;

/* How --cv-grid uses the ranks: all of them on every combination (each
 * rank its share of the rows), or groups of ranks on different
 * combinations at once (each group holding all rows), or automatic. */
typedef enum { GBT_CV_AUTO, GBT_CV_ROWS, GBT_CV_COMBOS } gbt_cv_parallel;

/* Local. Parses the command line. Prints help/version/usage on rank 0 only.
 * Returns TK_OK, TK_OPT_HELP, TK_OPT_VERSION or TK_EUSAGE (printed). */
int gbt_options_parse(gbt_config *cfg, int argc, char **argv, int rank, FILE *out, FILE *err);

/* Local. Sets the training parameter name (gbtrain's option name, or
 * xgboost's with '_', or one of xgboost's aliases learning_rate, reg_lambda,
 * reg_alpha, min_split_loss) of cfg to value, checked as on the command
 * line; --cv-grid searches these. Only parameters that shape the trees or
 * the boosting can be set: any other name is TK_EUSAGE. */
int gbt_config_set(gbt_config *cfg, const char *name, const char *value, tk_err *e);

/* Local. The option name of training parameter name (aliases resolved,
 * '_' as '-') into buf (len bytes, truncated). Returns buf. */
const char *gbt_param_name(const char *name, char *buf, size_t len);

/* Local. "MODEL_OUT" followed by suffix (".importance.csv", ".cv.csv",
 * ".grid.csv") into buf (len bytes). Returns 0, or -1 when it does not fit. */
int gbt_side_path(const gbt_config *cfg, const char *suffix, char *buf, size_t len);

/* Local (rank 0 calls it; the ranks then agree). Refuses outputs that
 * clash: any two of the files the run writes (MODEL_OUT and
 * MODEL_OUT.importance.csv unless cross-validating without --cv-refit;
 * MODEL_OUT.cv.csv, and MODEL_OUT.grid.csv with --cv-grid, when
 * cross-validating; --eval-log) that are the same file (symbolic and hard
 * links included) or one inside the other, and any of them that is TRAIN
 * or --valid (TK_EUSAGE, naming both); and an existing MODEL_OUT without
 * --resume or --overwrite, or an existing cross-validation table without
 * --overwrite (TK_ECANTCREAT). Returns TK_OK or the status recorded in e. */
int gbt_check_paths(const gbt_config *cfg, tk_err *e);

/* Local. The name of a metric, e.g. "auc". */
const char *gbt_metric_name(gbt_metric_id m);

/* ---- data (gbt_data.c) ---- */

typedef struct gbt_data {
    uint64_t n;         /* this rank's rows */
    uint64_t row0;      /* global number of the first one */
    uint64_t total;     /* rows over all ranks */
    size_t nf;          /* features */
    float **xcol;       /* nf columns of n values, NaN = missing (freed after binning) */
    float *y;           /* n labels */
    float *w;           /* n weights (--weight), or NULL: every row weighs 1 */
    int width;          /* bytes per bin below: 1 or 2 */
    void *bins;         /* n * nf feature-local bins (missing = that feature's nbins) */
    void *bins_col;     /* the same, column-major (training data: for partitioning) */
    float *margin;      /* n * K raw scores */
} gbt_data;

/* Collective. Chooses the feature columns of cfg->train (those named by
 * --features, else every column but the label and --exclude), in file order.
 * *names: owned array of owned strings (tk_table_names_free). */
int gbt_data_columns(MPI_Comm comm, const gbt_config *cfg, char ***names, size_t *n,
                     tk_err *e);

/* Collective. Reads path's columns names[0..nf), the label and the weight
 * column (--weight; with need_weight 0 only when path has it) into d, this
 * rank's slice, checking labels against the objective, weights (finite,
 * >= 0) and features for infinities. Errors name path and the first bad
 * row over all ranks. */
int gbt_data_load(MPI_Comm comm, const gbt_config *cfg, const char *path,
                  const char *const *names, size_t nf, int need_weight, gbt_data *d,
                  tk_err *e);

/* Collective. Checks that d's categorical features (cat[f] set) hold only
 * NaN or integers in [0, GBT_MAX_CAT]: else TK_EDATA naming path, the
 * column, the value and the first bad row over all ranks. */
int gbt_data_check_categories(MPI_Comm comm, const char *path, const char *const *names,
                              const uint8_t *cat, const gbt_data *d, tk_err *e);

/* Collective. The categorical flags of the nf features (owned array into
 * *cat, or NULL when none is): the columns --categorical names (a name that
 * is not a feature is TK_EUSAGE), or with "auto" every feature of d whose
 * values are integers in [0, GBT_MAX_CAT] with at most --max-cat distinct
 * ones over all ranks. */
int gbt_data_categorical(MPI_Comm comm, const gbt_config *cfg, const char *const *names,
                         size_t nf, const gbt_data *d, uint8_t **cat, tk_err *e);

/* Local. */
void gbt_data_free(gbt_data *d);

/* Local. The bin of feature f in row-major row i of d. */
static inline uint32_t gbt_bin(const gbt_data *d, uint64_t i, size_t f)
{
    size_t at = (size_t)i * d->nf + f;

    return d->width == 1 ? ((const uint8_t *)d->bins)[at] : ((const uint16_t *)d->bins)[at];
}

/* ---- cuts and bins (gbt_cuts.c) ---- */

typedef struct gbt_cuts {
    size_t nf;
    uint32_t *nbins;    /* per feature: bins for values (>= 1) */
    float **cut;        /* per feature: nbins - 1 ascending thresholds, then one
                         * above every value (xgboost's last cut: a split there
                         * sends the missing values alone to the right) */
    float *minv;        /* per feature: below every value (xgboost's min_vals:
                         * a split there sends the missing values alone left) */
    size_t *offset;     /* per feature: first histogram slot (nbins + 1 slots, the
                         * last one for missing values) */
    size_t nslots;      /* histogram slots in all */
    int narrow;         /* every bin TRAIN has, missing included, is below 256 */
    uint8_t *cat;       /* per feature: 1 when categorical (bin j = category j,
                         * nbins = the largest category + 1), or NULL */
    uint16_t **top;     /* per feature: cuts below each 16-bit key prefix (binning) */
} gbt_cuts;

/* Collective. Exact quantile cuts of d's features over all ranks, at most
 * max_bin bins per feature: with at most max_bin distinct values, one bin per
 * value; otherwise the values at global ranks k*n/max_bin, or with weights
 * (d->w) at global cumulative weights k*W/max_bin. A value goes to bin j
 * when cut[j-1] <= x < cut[j]. A categorical feature (cat[f], cat may be
 * NULL; copied into c->cat) gets bins 0..its largest category, as xgboost
 * 1.7 does. The same on every rank and for any number of ranks. */
int gbt_cuts_build(MPI_Comm comm, const gbt_data *d, int64_t max_bin, const uint8_t *cat,
                   gbt_cuts *c, tk_err *e);

/* Local. */
void gbt_cuts_free(gbt_cuts *c);

/* Local. The bin of value v of feature f (missing: nbins[f]), by a binary
 * search over the cuts. */
uint32_t gbt_cuts_bin(const gbt_cuts *c, size_t f, float v);

/* Local. The same as gbt_cuts_bin through the prefix table: one table load
 * and a short scan. */
uint32_t gbt_cuts_bin_fast(const gbt_cuts *c, size_t f, float v);

/* Local. Fills d->bins (row-major) and, with by_column, d->bins_col from
 * d->xcol, width bytes per bin (1 only when c->narrow and d is TRAIN: other
 * data may miss values TRAIN never misses), and frees the columns. */
int gbt_bins_build(const gbt_cuts *c, gbt_data *d, int width, int by_column, tk_err *e);

/* ---- objective (gbt_objective.c) ---- */

/* Local. Number of outputs per row. */
int gbt_noutputs(const gbt_config *cfg);

/* Local. Gradients and hessians of every output k and row i (weights
 * applied) into the caller's g[k * d->n + i], h[k * d->n + i]: one pass over
 * the margins, O(rows x outputs). Returns 0, or -1 when out of memory. */
int gbt_gradients(const gbt_config *cfg, const gbt_data *d, float *g, float *h);

/* ---- sampling (gbt_sample.c) ---- */

/* Local. Whether global row is in the sample of (round, k). */
int gbt_sample_row(const gbt_config *cfg, int64_t round, int k, uint64_t row);

/* Local. Chooses round(rate * n) (at least 1) of the features in[0..n) keyed
 * on (seed, round, k, level_or_node, salt), written to out sorted; returns
 * how many. */
size_t gbt_sample_features(const gbt_config *cfg, int64_t round, int k, int64_t node,
                           int salt, double rate, const uint32_t *in, size_t n,
                           uint32_t *out);

/* ---- histograms (gbt_hist.c) ---- */

typedef struct gbt_bin_sum {
    int64_t g, h;
} gbt_bin_sum;

/* Local. A power of two turning values up to max (over n rows) into int64
 * fixed point without overflow of their sum (max * n * scale < 2^62); 1 when
 * max <= 0 or n is 0. Gradients, metrics and weights use it with scales all
 * ranks agree on. */
double gbt_fixed_scale(double max, uint64_t n);

/* Local. Adds the fixed-point gradient pairs gh[row] of rows[0..nrows)
 * into hist, feature f's slots starting at hist + dest[f] (dest NULL:
 * c->offset, one contiguous histogram). */
void gbt_hist_build(const gbt_cuts *c, const gbt_data *d, const uint32_t *rows, size_t nrows,
                    const gbt_bin_sum *gh, const size_t *dest, gbt_bin_sum *hist);

/* A quantized gradient pair packed in 64 bits: g * 2^32 + h with
 * |g| <= GBT_QG_MAX and 0 <= h <= GBT_QH_MAX. Sums of up to GBT_Q_CHUNK of
 * them keep both halves apart (|sum g| < 2^31, sum h < 2^32), so one 64-bit
 * add updates both. */
typedef int64_t gbt_qpair;
#define GBT_QG_MAX 32767
#define GBT_QH_MAX 65535
#define GBT_Q_CHUNK 32768

/* Local. The pair (g, h), both within range. */
static inline gbt_qpair gbt_qpair_make(int64_t g, int64_t h)
{
    return g * ((int64_t)1 << 32) + h;
}

/* Local. Sets hist (dest as for gbt_hist_build; every feature's slots) to
 * the sums of the quantized pairs q[row] of rows[0..nrows), in chunks of
 * GBT_Q_CHUNK rows summed packed in acc (c->nslots zeroed pairs, zeroed
 * again on return) and then unpacked. */
void gbt_hist_build_q(const gbt_cuts *c, const gbt_data *d, const uint32_t *rows, size_t nrows,
                      const gbt_qpair *q, gbt_qpair *acc, const size_t *dest, gbt_bin_sum *hist);

/* Local. Writes the packed sums of rows[0..nrows) (at most GBT_Q_CHUNK
 * rows) into out, feature f's slots at out + dest[f] (dest NULL:
 * c->offset), through acc (zeroed, zeroed again on return). */
void gbt_hist_build_qp(const gbt_cuts *c, const gbt_data *d, const uint32_t *rows, size_t nrows,
                       const gbt_qpair *q, gbt_qpair *acc, const size_t *dest, gbt_qpair *out);

/* Local. Sets out[0..n) to the pairs packed in p[0..n) (sums of at most
 * GBT_Q_CHUNK pairs). */
void gbt_hist_unpack(const gbt_qpair *p, size_t n, gbt_bin_sum *out);

/* ---- histograms over ranks (gbt_reduce.c) ----
 * Each rank keeps, reduces and searches only its block of the features
 * (contiguous, about nslots / size slots each), as LightGBM's
 * data-parallel learner does: a level's local histograms are summed with
 * one MPI_Reduce_scatter, so every rank receives the sums of its own block
 * only; each finds its block's best split and one Allgather of those picks
 * the best of all. Buffers of one block's histogram are pooled across
 * levels and trees, so that growing a tree maps no fresh pages. */

typedef struct gbt_blocks {
    int rank, size;
    size_t *f0, *s0;    /* per rank + 1: first feature, first slot of each block */
    size_t nmine;       /* slots of this rank's block */
    size_t *dest;       /* scratch: nf destinations (gbt_blocks_dest) */
    gbt_bin_sum **pool; /* free buffers of nmine pairs */
    size_t npool, cappool;
    gbt_bin_sum *send, *recv; /* scratch of a level's reduction */
    size_t send_cap, recv_cap;
    int *counts;        /* per rank: MPI_Reduce_scatter's counts */
    size_t rs_max;      /* int64 values per MPI_Reduce_scatter call (MPI counts are ints) */
} gbt_blocks;

/* Local. Splits c's features into size blocks of about equal slots.
 * Returns TK_OK, or TK_ESOFTWARE (recorded in e) when out of memory. */
int gbt_blocks_init(gbt_blocks *b, const gbt_cuts *c, int rank, int size, tk_err *e);

/* Local. Frees b and its pool. */
void gbt_blocks_free(gbt_blocks *b);

/* Local. A buffer of b->nmine pairs (zeroed with zero), owned by the caller
 * until gbt_blocks_put; NULL when out of memory. */
gbt_bin_sum *gbt_blocks_get(gbt_blocks *b, int zero);

/* Local. Gives hist (from gbt_blocks_get, or NULL) back to the pool. */
void gbt_blocks_put(gbt_blocks *b, gbt_bin_sum *hist);

/* Local. Room (zeroed with zero) for the local histograms of m nodes, laid
 * out for gbt_blocks_reduce: every rank's block of node 0..m-1 in turn.
 * NULL when out of memory. Owned by b. */
gbt_bin_sum *gbt_blocks_send(gbt_blocks *b, size_t m, int zero);

/* Local. The destinations (gbt_hist_build's dest) of node j of m in the
 * send buffer. Owned by b, valid until the next call. */
const size_t *gbt_blocks_dest(gbt_blocks *b, const gbt_cuts *c, size_t m, size_t j);

/* Collective. Sums the send buffer of m nodes over all ranks, words int64
 * a slot: 2, gbt_bin_sum pairs; 1, packed gbt_qpair sums (the send buffer
 * read as gbt_qpair, slot s of it at s; exact while no node has more than
 * GBT_Q_CHUNK rows over all ranks). Returns this rank's block of each, node
 * j at j * b->nmine slots (owned by b, valid until the next call), or NULL
 * when out of memory (the same on every rank). */
int64_t *gbt_blocks_reduce(gbt_blocks *b, MPI_Comm comm, size_t m, int words);

/* Local. out = parent - child, slot by slot. */
void gbt_hist_subtract(size_t nslots, const gbt_bin_sum *parent, const gbt_bin_sum *child,
                       gbt_bin_sum *out);

/* ---- splits (gbt_split.c) ---- */

/* How a split sends rows: numerically, or one of xgboost 1.7's categorical
 * ways (evaluate_splits.h: EnumerateOneHot, EnumeratePart). */
typedef enum {
    GBT_SPLIT_NUM = 0, /* rows with bin <= bin go left */
    GBT_SPLIT_ONEHOT,  /* category bin goes right, every other one left */
    GBT_SPLIT_PART     /* the first bin categories in the order of their weights
                        * (gbt_split_categories) go right, the others left */
} gbt_split_kind;

typedef struct gbt_split {
    double gain;        /* loss change; <= 0 when there is no valid split */
    uint32_t feature;
    uint32_t bin;       /* the kind's bin (see gbt_split_kind); GBT_SPLIT_NUM:
                         * UINT32_MAX when no bin goes left (only missing values) */
    int default_left;
    int kind;           /* a gbt_split_kind */
    double gl, hl, gr, hr;
} gbt_split;

/* Local. XGBoost's node weight -G/(H+lambda) with alpha and max_delta_step
 * (0 when H < min_child_weight). */
double gbt_weight(const gbt_config *cfg, double g, double h);

/* Local. XGBoost's gain of a node with sums (g, h). */
double gbt_gain(const gbt_config *cfg, double g, double h);

/* Local. The best split of a node with sums (g, h) and histogram hist over
 * the features feats[0..nfeats), hist[0] being slot slot0 (a block's first
 * slot; 0 for a whole histogram); scale converts fixed point to real sums.
 * Ties go to the first candidate in xgboost 1.7's order: features
 * ascending; in a numerical one, missing right with bins ascending, then
 * missing left with bins descending; in a categorical one, per category
 * missing left then right (one-hot), or the forward then the backward
 * partitions. The gain is NaN when out of memory (categorical features
 * need scratch). */
gbt_split gbt_split_best(const gbt_config *cfg, const gbt_cuts *c, const gbt_bin_sum *hist,
                         size_t slot0, double g, double h, double gscale, double hscale,
                         const uint32_t *feats, size_t nfeats);

/* Local. The categories (bins) a categorical split sp found in hist (as for
 * gbt_split_best, with the same scales) sends right: right[b] = 1 for those
 * of its feature's nbins bins, 0 for the others. Returns 0, or -1 when out
 * of memory. */
int gbt_split_categories(const gbt_config *cfg, const gbt_cuts *c, const gbt_bin_sum *hist,
                         size_t slot0, double gscale, double hscale, const gbt_split *sp,
                         uint8_t *right);

/* ---- trees (gbt_tree.c) ---- */

typedef struct gbt_ctx gbt_ctx;

/* Collective. Grows the tree of output k in round from the gradients g, h
 * of the training rows (computed for every output before the round's first
 * tree, as XGBoost does), appends it to the model and adds its leaf values
 * to the training margins of output k. Out of memory ends the job. */
int gbt_tree_grow(gbt_ctx *c, int64_t round, int k, const float *g, const float *h);

/* Local. Adds tree t's leaf values to the margins of output k of d's rows,
 * routing by bins. Returns TK_OK, or TK_EDATA when a threshold is not one of
 * the cuts (a model trained on other data or another --max-bin). */
int gbt_tree_apply(const gbt_cuts *c, const tk_tree *t, gbt_data *d, int k, int nout,
                   tk_err *e);

/* ---- metrics (gbt_metric.c) ---- */

/* Collective over job's ranks. Metric m of d's margins against its labels
 * over all ranks; the same value on every rank for any number of ranks. Out
 * of memory ends the job (tk_job_abort). */
double gbt_metric_eval(const tk_job *job, const gbt_config *cfg, gbt_metric_id m,
                       const gbt_data *d);

/* Local. Whether a is better than b for the metric. */
int gbt_metric_better(gbt_metric_id m, double a, double b);

/* ---- cross-validation (gbt_folds.c, gbt_grid.c, gbt_cv.c, gbt_search.c) ---- */

/* Collective. The fold 0..K-1 (K = --cv-folds) of each of d's rows (TRAIN;
 * owned array of d->n into *fold): the --fold-col value (an integer in
 * 0..K-1, else TK_EDATA naming the row), or a hash of --seed and the
 * --fold-key value (integers by value, other numbers by their float64
 * bits; every missing value alike) or of the row's global index. The same
 * folds for any number of ranks. K above the rows, or a fold without rows,
 * is TK_EDATA. */
int gbt_folds_assign(MPI_Comm comm, const gbt_config *cfg, const gbt_data *d, uint32_t **fold,
                     tk_err *e);

/* Collective. Into dst (owned by the caller: gbt_data_free) copies of the
 * features (xcol), labels and weights of src's rows whose fold is k (in 1)
 * or is not k (in 0), in order, numbered over all ranks as the rows of a
 * file holding just them. */
int gbt_data_subset(MPI_Comm comm, const gbt_data *src, const uint32_t *fold, uint32_t k,
                    int in, gbt_data *dst, tk_err *e);

#define GBT_GRID_MAX_PARAMS 32

/* --cv-grid: parameters and their values (owned); without --cv-grid no
 * parameter and one combination. */
typedef struct gbt_grid {
    size_t np;
    char **name;     /* as written */
    char ***val;     /* per parameter, its nval values as written */
    size_t *nval;
    size_t ncombo;   /* the product of the nval */
} gbt_grid;

/* Local. Parses cfg->cv_grid into g (release with gbt_grid_free), checking
 * every name and value as gbt_config_set does: TK_EUSAGE otherwise. */
int gbt_grid_parse(const gbt_config *cfg, gbt_grid *g, tk_err *e);

/* Local. */
void gbt_grid_free(gbt_grid *g);

/* Local. base with combination combo's values (0 <= combo < ncombo; the
 * first parameter varies slowest) into out. */
int gbt_grid_config(const gbt_grid *g, size_t combo, const gbt_config *base, gbt_config *out,
                    tk_err *e);

/* Local. "name=value" of each parameter of combination combo, joined by
 * sep, into buf. Returns 0, or -1 when truncated. */
int gbt_grid_describe(const gbt_grid *g, size_t combo, const char *sep, char *buf, size_t len);

/* Local. "value," of each parameter of combination combo (a CSV row's
 * first fields) into buf. Returns 0, or -1 when truncated. */
int gbt_grid_describe_values(const gbt_grid *g, size_t combo, char *buf, size_t len);

/* One configuration's cross-validation table: round r's metric j at
 * stats[(r * nmetrics + j) * 4 ...]: train mean, train std, test mean,
 * test std (population std over the folds; train NaN-free only with the
 * training metric on). n rounds (up to the best one after early stopping);
 * best: the round of the best mean test value of the last metric. stats is
 * owned by whoever holds the result (free). */
typedef struct gbt_cv_result {
    double *stats;
    int64_t n;
    int64_t best;
} gbt_cv_result;

/* Collective. Cross-validates cfg on c's TRAIN (c->train, its features
 * kept) with the folds fold[0..c->train.n) into *res: K = cfg->cv_folds
 * fold contexts side by side on c->job.comm, each with its own rows, cuts,
 * bins and model; early stopping on the mean test value of the last
 * metric. With live, rank 0 prints each round as it ends. The same result
 * for any number of ranks. */
int gbt_cv_run(gbt_ctx *c, const gbt_config *cfg, const uint32_t *fold, int live,
               gbt_cv_result *res);

/* Rank 0 (when cfg->progress): round's line of res as xgboost.cv prints it:
 * "[r]\ttrain-M:MEAN+STD...\ttest-M:MEAN+STD...". */
void gbt_cv_print_round(const gbt_ctx *c, const gbt_config *cfg, const gbt_cv_result *res,
                        int64_t round);

/* Collective. Cross-validates every combination (one without --cv-grid):
 * K fold models trained side by side, the mean and population std of
 * every metric over the folds printed per round as xgboost.cv prints them
 * and written to MODEL_OUT.cv.csv (the best combination's; also to
 * --eval-log), early stopping on the last metric's mean test value, and
 * with --cv-grid MODEL_OUT.grid.csv; the combinations one after the other
 * on all ranks, or spread over groups of ranks (--cv-parallel). Leaves in c->cfg the configuration
 * --cv-refit trains: the best combination for its best number of rounds.
 * c->train keeps its features. */
int gbt_cv(gbt_ctx *c);

/* ---- importance (gbt_importance.c) ---- */

/* Rank 0: writes MODEL_OUT.importance.csv (feature,gain,weight,cover, by
 * total gain) and prints the top features. */
int gbt_importance_write(const gbt_ctx *c, tk_err *e);

/* ---- the job ---- */

struct gbt_ctx {
    tk_job job;         /* comm, rank, size, clock, log, error */
    gbt_config cfg;
    char **names;       /* feature names */
    size_t nf;
    uint8_t *cat;       /* per feature: categorical (owned), or NULL */
    gbt_data train, valid;
    int has_valid;
    gbt_cuts cuts;
    tk_model model;
    int nout;           /* outputs per row */
    /* per-round scratch */
    float *g, *h;       /* n * nout gradients of the round */
    gbt_bin_sum *gh;    /* fixed-point gradient pairs of the current tree (exact) */
    gbt_qpair *ghq;     /* or its quantized pairs (cfg.quantized_grad) */
    gbt_blocks blocks;  /* this rank's block of the histograms */
    uint32_t *rows;     /* row partition of the current tree: each node's rows
                         * contiguous and ascending (memory order for the histograms) */
    uint32_t *rows_tmp; /* scratch for partitioning */
    FILE *eval_log;
};

/* Collective. The boosting loop with evaluation, early stopping,
 * checkpoints and resume. */
int gbt_train(gbt_ctx *c);

/* Collective. Reads c->cfg's TRAIN (and VALID) on c->job.comm: the
 * feature columns, rows, labels, weights and categorical features. */
int gbt_ctx_load(gbt_ctx *c);

/* Collective. c->train's (and c->valid's) quantile cuts, the feature
 * blocks and the bins (the features are freed). */
int gbt_ctx_bin(gbt_ctx *c);

/* Collective. The model's header (objective, features) and the training
 * state: margins at the base margin, gradient and partition scratch. */
int gbt_ctx_setup(gbt_ctx *c);

/* Local. Frees what gbt_ctx_bin and gbt_ctx_setup made and the data sets;
 * not the names, the categorical flags or the job. */
void gbt_ctx_release(gbt_ctx *c);

/* Collective. Runs gbtrain on comm; output on rank 0. Returns the exit
 * status, the same on every rank. */
int gbt_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err);

#endif
