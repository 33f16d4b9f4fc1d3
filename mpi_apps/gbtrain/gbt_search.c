/* gbt_search.c -- --cv-folds over every --cv-grid combination (one
 * without --cv-grid): the combinations one after the other on all ranks,
 * or spread over groups of ranks that each hold all rows (--cv-parallel);
 * the best combination and round; MODEL_OUT.cv.csv and MODEL_OUT.grid.csv;
 * the configuration --cv-refit trains. Every combination's table is the
 * same however the ranks are used (gbt_cv_run's results do not depend on
 * the number of ranks), so the outputs are too. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_fs.h"
#include "tk_mpi.h"
#include "tk_table.h"

/* The table of one combination as CSV into *text (owned by the caller):
 * round, then per metric train-M-mean, train-M-std, test-M-mean,
 * test-M-std (xgboost.cv's column names; no train columns with
 * --no-eval-train). */
static int format_table(const gbt_config *cfg, const gbt_cv_result *res, int with_train,
                        char **text, size_t *len)
{
    size_t nm = (size_t)cfg->nmetrics, cap = 64 + (size_t)(res->n + 1) * (nm * 4 + 1) * 40, at;
    char *buf = malloc(cap);
    int64_t r;
    size_t j, q;

    if (!buf)
        return -1;
    at = (size_t)snprintf(buf, cap, "round");
    for (j = 0; j < nm; j++)
        for (q = with_train ? 0 : 2; q < 4; q++)
            at += (size_t)snprintf(buf + at, cap - at, ",%s-%s-%s", q < 2 ? "train" : "test",
                                   gbt_metric_name(cfg->metrics[j]), q % 2 ? "std" : "mean");
    buf[at++] = '\n';
    for (r = 0; r < res->n; r++) {
        at += (size_t)snprintf(buf + at, cap - at, "%lld", (long long)r);
        for (j = 0; j < nm; j++)
            for (q = with_train ? 0 : 2; q < 4; q++)
                at += (size_t)snprintf(buf + at, cap - at, ",%.9g",
                                       res->stats[((size_t)r * nm + j) * 4 + q]);
        buf[at++] = '\n';
    }
    *text = buf;
    *len = at;
    return 0;
}

/* Rank 0: MODEL_OUT.cv.csv (and --eval-log) from res, atomically. */
static int write_table(gbt_ctx *c, const gbt_config *cfg, const gbt_cv_result *res)
{
    char path[TK_PATH_MAX], *text = NULL;
    size_t len = 0;

    if (c->job.rank != 0)
        return TK_OK;
    if (format_table(cfg, res, cfg->eval_train != 0, &text, &len) != 0)
        return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    if (gbt_side_path(cfg, ".cv.csv", path, sizeof(path)) != 0)
        tk_err_set(&c->job.err, TK_EUSAGE, "MODEL_OUT %s: the path is too long", cfg->model_out);
    else if (tk_fs_write_atomic(path, text, len, &c->job.err) == TK_OK && cfg->eval_log)
        tk_fs_write_atomic(cfg->eval_log, text, len, &c->job.err);
    free(text);
    return c->job.err.status;
}

/* The best round's value of column q (0..3) of the last metric. */
static double best_value(const gbt_config *cfg, const gbt_cv_result *res, int q)
{
    size_t nm = (size_t)cfg->nmetrics;

    return res->stats[((size_t)res->best * nm + nm - 1) * 4 + (size_t)q];
}

/* The order of the grid table: the best mean test value of the last metric
 * first, ties in combination order. */
typedef struct grid_sort {
    const gbt_config *cfg;
    const gbt_cv_result *res;
} grid_sort;

static int better_combo(const grid_sort *g, size_t a, size_t b)
{
    double va = best_value(g->cfg, &g->res[a], 2), vb = best_value(g->cfg, &g->res[b], 2);

    if (gbt_metric_better(g->cfg->metric, va, vb))
        return 1;
    if (gbt_metric_better(g->cfg->metric, vb, va))
        return 0;
    return a < b;
}

/* order[0..n): the combinations best first (insertion sort: a grid is small
 * next to its training). */
static void sort_combos(const grid_sort *g, size_t *order, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        size_t x = i;
        for (j = i; j > 0 && better_combo(g, x, order[j - 1]); j--)
            order[j] = order[j - 1];
        order[j] = x;
    }
}

/* Rank 0: MODEL_OUT.grid.csv: per combination (best first) its parameter
 * values, best_round, and per metric the train and test mean and std at
 * that round. */
static int write_grid(gbt_ctx *c, const gbt_grid *g, const gbt_cv_result *res, const size_t *order)
{
    const gbt_config *cfg = &c->cfg;
    size_t nm = (size_t)cfg->nmetrics, cap = 256 + g->ncombo * (g->np * 64 + nm * 4 * 32 + 32);
    size_t at = 0, i, p, j, q, q0 = cfg->eval_train != 0 ? 0 : 2;
    char path[TK_PATH_MAX], *buf;

    if (c->job.rank != 0)
        return TK_OK;
    for (p = 0; p < g->np; p++)
        for (i = 0; i < g->nval[p]; i++)
            cap += strlen(g->val[p][i]) * g->ncombo / g->nval[p] + strlen(g->name[p]);
    if (!(buf = malloc(cap)))
        return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    for (p = 0; p < g->np; p++)
        at += (size_t)snprintf(buf + at, cap - at, "%s,", g->name[p]);
    at += (size_t)snprintf(buf + at, cap - at, "best_round");
    for (j = 0; j < nm; j++)
        for (q = q0; q < 4; q++)
            at += (size_t)snprintf(buf + at, cap - at, ",%s-%s-%s", q < 2 ? "train" : "test",
                                   gbt_metric_name(cfg->metrics[j]), q % 2 ? "std" : "mean");
    buf[at++] = '\n';
    for (i = 0; i < g->ncombo; i++) {
        const gbt_cv_result *r = &res[order[i]];
        gbt_grid_describe_values(g, order[i], buf + at, cap - at);
        at += strlen(buf + at);
        at += (size_t)snprintf(buf + at, cap - at, "%lld", (long long)r->best);
        for (j = 0; j < nm; j++)
            for (q = q0; q < 4; q++)
                at += (size_t)snprintf(buf + at, cap - at, ",%.9g",
                                       r->stats[((size_t)r->best * nm + j) * 4 + q]);
        buf[at++] = '\n';
    }
    if (gbt_side_path(cfg, ".grid.csv", path, sizeof(path)) == 0)
        tk_fs_write_atomic(path, buf, at, &c->job.err);
    free(buf);
    return c->job.err.status;
}

/* Rank 0: the combination's best round, on one line after what. */
static void log_best(gbt_ctx *c, const char *what, const gbt_grid *g, size_t combo,
                     const gbt_cv_result *res)
{
    const gbt_config *cfg = &c->cfg;
    char desc[1024];

    if (c->job.rank != 0)
        return;
    gbt_grid_describe(g, combo, ", ", desc, sizeof(desc));
    tk_log_info(&c->job.log, "%s: cv: %s%s%sbest round %lld: test-%s-mean %.6f, test-%s-std %.6f",
                GBT_NAME, what, desc, g->np ? ": " : "", (long long)res->best,
                gbt_metric_name(cfg->metric), best_value(cfg, res, 2),
                gbt_metric_name(cfg->metric), best_value(cfg, res, 3));
}

/* Rank 0: combination i's header line (with a grid), its per-round lines
 * (rounds: when they were not printed live) and its best round. */
static void report_combo(gbt_ctx *c, const gbt_grid *g, size_t i, const gbt_cv_result *res,
                         int header, int rounds)
{
    gbt_config cfg;
    char desc[1024];
    int64_t r;

    if (c->job.rank != 0 || !g->np)
        return;
    if (header && c->cfg.progress) {
        gbt_grid_describe(g, i, ", ", desc, sizeof(desc));
        tk_log_info(&c->job.log, "%s: cv: combination %zu of %zu: %s", GBT_NAME, i + 1,
                    g->ncombo, desc);
    }
    if (rounds && gbt_grid_config(g, i, &c->cfg, &cfg, &c->job.err) == TK_OK)
        for (r = 0; r < res->n; r++)
            gbt_cv_print_round(c, &cfg, res, r);
    if (res)
        log_best(c, "", g, i, res);
}

/* Collective. Every combination on all ranks, one after the other, into
 * res[0..ncombo), printed as it goes. */
static int run_rows(gbt_ctx *c, const gbt_grid *g, const uint32_t *fold, gbt_cv_result *res)
{
    size_t i;

    for (i = 0; i < g->ncombo; i++) {
        gbt_config cfg;
        if (gbt_grid_config(g, i, &c->cfg, &cfg, &c->job.err) != TK_OK)
            return c->job.err.status; /* checked when parsed: cannot differ between ranks */
        report_combo(c, g, i, NULL, 1, 0);
        if (gbt_cv_run(c, &cfg, fold, 1, &res[i]) != TK_OK)
            return c->job.err.status;
        report_combo(c, g, i, &res[i], 0, 0);
    }
    return TK_OK;
}

/* Local. How many groups of ranks cross-validate combinations at once:
 * --cv-parallel rows, one combination or one rank: 1; combos: the most
 * groups of equal size, at most one per combination; auto: the most
 * groups of equal size that also divide the combinations evenly, when a
 * group's rank holds at most GBT_SPREAD_CELLS feature values (small data,
 * where a level's reductions cost more than its histograms), else 1. */
#define GBT_SPREAD_CELLS ((uint64_t)1 << 25)
static int spread_groups(const gbt_ctx *c, size_t ncombo)
{
    int P = c->job.size, G;
    uint64_t cells = c->train.total * (uint64_t)c->nf;

    if (c->cfg.cv_parallel == GBT_CV_ROWS || ncombo < 2 || P < 2)
        return 1;
    for (G = P; G > 1; G--) {
        if (P % G != 0 || (size_t)G > ncombo)
            continue;
        if (c->cfg.cv_parallel == GBT_CV_COMBOS)
            return G;
        if (ncombo % (size_t)G == 0 && cells / (uint64_t)(P / G) <= GBT_SPREAD_CELLS)
            return G;
    }
    return 1;
}

/* Collective. Shares every combination's result from the first rank of the
 * group that computed it (group i % G). */
static int share_results(gbt_ctx *c, const gbt_grid *g, int G, gbt_cv_result *res)
{
    size_t i, nm4 = (size_t)c->cfg.nmetrics * 4;
    int per = c->job.size / G;

    for (i = 0; i < g->ncombo; i++) {
        int root = (int)(i % (size_t)G) * per, mine = root == c->job.rank;
        int64_t nb[2] = { res[i].n, res[i].best };
        MPI_Bcast(nb, 2, MPI_INT64_T, root, c->job.comm);
        if (!mine) {
            free(res[i].stats);
            res[i].n = nb[0];
            res[i].best = nb[1];
            res[i].stats = malloc(((size_t)nb[0] * nm4 + 1) * sizeof(double));
        }
        if (tk_mpi_any(c->job.comm, !res[i].stats))
            return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
        MPI_Bcast(res[i].stats, (int)((size_t)nb[0] * nm4), MPI_DOUBLE, root, c->job.comm);
    }
    return TK_OK;
}

/* Collective. G groups of ranks, each reading TRAIN over its own
 * communicator (all rows, shared among its ranks), cross-validate
 * combinations color, color + G, ...; then everyone gets every result. */
static int run_spread(gbt_ctx *c, const gbt_grid *g, int G, gbt_cv_result *res)
{
    int per = c->job.size / G, color = c->job.rank / per;
    gbt_ctx *gc = calloc(1, sizeof(*gc));
    uint32_t *fold = NULL;
    MPI_Comm comm;
    size_t i;

    MPI_Comm_split(c->job.comm, color, c->job.rank, &comm);
    if (!gc)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    if (tk_mpi_agree(c->job.comm, &c->job.err) == TK_OK) {
        gc->job = c->job;
        gc->job.comm = comm;
        MPI_Comm_rank(comm, &gc->job.rank);
        MPI_Comm_size(comm, &gc->job.size);
        gc->cfg = c->cfg;
        gc->nout = c->nout;
        if (gbt_ctx_load(gc) == TK_OK &&
            gbt_folds_assign(comm, &gc->cfg, &gc->train, &fold, &gc->job.err) == TK_OK)
            for (i = (size_t)color; i < g->ncombo; i += (size_t)G) {
                gbt_config cfg;
                if (gbt_grid_config(g, i, &c->cfg, &cfg, &gc->job.err) != TK_OK ||
                    gbt_cv_run(gc, &cfg, fold, 0, &res[i]) != TK_OK)
                    break;
            }
        c->job.err = gc->job.err;
        gbt_ctx_release(gc);
        tk_table_names_free(gc->names, gc->nf);
        free(gc->cat);
    }
    free(gc);
    free(fold);
    MPI_Comm_free(&comm);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        return c->job.err.status;
    if (share_results(c, g, G, res) != TK_OK)
        return c->job.err.status;
    if (c->job.rank == 0 && c->cfg.progress)
        tk_log_info(&c->job.log, "%s: cv: %zu combinations on %d groups of %d rank%s", GBT_NAME,
                    g->ncombo, G, per, per > 1 ? "s" : "");
    for (i = 0; i < g->ncombo; i++)
        report_combo(c, g, i, &res[i], 1, 1);
    return TK_OK;
}

int gbt_cv(gbt_ctx *c)
{
    gbt_grid g;
    uint32_t *fold = NULL;
    gbt_cv_result *res = NULL;
    size_t *order = NULL, i;
    int G;

    if (gbt_grid_parse(&c->cfg, &g, &c->job.err) == TK_OK &&
        !(res = calloc(g.ncombo, sizeof(*res))) + !(order = malloc(g.ncombo * sizeof(size_t))))
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK ||
        gbt_folds_assign(c->job.comm, &c->cfg, &c->train, &fold, &c->job.err) != TK_OK)
        goto out;
    G = spread_groups(c, g.ncombo);
    if ((G > 1 ? run_spread(c, &g, G, res) : run_rows(c, &g, fold, res)) != TK_OK)
        goto out;
    sort_combos(&(grid_sort){ &c->cfg, res }, order, g.ncombo);
    log_best(c, g.np ? "the best combination: " : "", &g, order[0], &res[order[0]]);
    if (write_table(c, &c->cfg, &res[order[0]]) == TK_OK && g.np)
        write_grid(c, &g, res, order);
    if (tk_mpi_agree(c->job.comm, &c->job.err) == TK_OK && c->cfg.cv_refit) {
        gbt_config refit;
        if (gbt_grid_config(&g, order[0], &c->cfg, &refit, &c->job.err) == TK_OK) {
            refit.num_round = res[order[0]].best + 1;
            refit.early_stopping_rounds = 0;
            refit.eval_log = NULL;
            refit.eval_train = refit.eval_train > 0;
            c->cfg = refit;
        }
    }
out:
    for (i = 0; res && i < g.ncombo; i++)
        free(res[i].stats);
    free(res);
    free(order);
    free(fold);
    gbt_grid_free(&g);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}
