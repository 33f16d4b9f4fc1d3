/* gbt_tree.c -- one tree, grown depth-wise as XGBoost's hist method does,
 * with one MPI_Allreduce of histograms per level; and routing rows through
 * a tree by their bins.
 *
 * Gradients become 64-bit fixed point with scales every rank agrees on
 * (from the global maxima), so histogram sums are exact; the histogram of
 * the smaller child of each split is built and summed over ranks, its
 * sibling's comes by subtraction from the parent. Everything after a
 * reduction runs identically on every rank. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_mpi.h"

#define ROOT_PARENT 2147483647

typedef struct gbt_node {
    int32_t id;         /* index in the tree */
    double g, h;        /* sums over the sampled rows of all ranks */
    size_t begin, end;  /* this rank's rows: c->rows[begin..end) */
    gbt_bin_sum *hist;  /* global histogram, or NULL */
    int small;          /* left child of a split whose histogram is built */
} gbt_node;

/* Out of memory in the middle of a tree: the other ranks are inside
 * collectives already, so end the job (one message from this rank). */
static void *xalloc(gbt_ctx *c, size_t n, int zero)
{
    void *p = zero ? calloc(1, n ? n : 1) : malloc(n ? n : 1);

    if (!p) {
        fprintf(stderr, "%s: error: rank %d: out of memory growing a tree (%zu bytes)\n",
                GBT_NAME, c->rank, n);
        MPI_Abort(c->comm, TK_ESOFTWARE);
    }
    return p;
}

/* A tree being grown: the model's arrays plus each split's bin. */
typedef struct gbt_grow {
    tk_tree t;
    uint32_t *split_bin;
    int32_t cap;
} gbt_grow;

static int grow_alloc(gbt_grow *w, int32_t cap)
{
    memset(w, 0, sizeof(*w));
    w->cap = cap;
    if (tk_tree_alloc(&w->t, cap) != 0)
        return -1;
    w->t.nnodes = 0; /* grown node by node */
    w->split_bin = malloc((size_t)cap * sizeof(uint32_t));
    return w->split_bin ? 0 : -1;
}

static void grow_free(gbt_grow *w)
{
    tk_tree_free(&w->t);
    free(w->split_bin);
    memset(w, 0, sizeof(*w));
}

/* Appends a leaf with sums (g, h) under parent; returns its index. */
static int32_t add_leaf(gbt_grow *w, const gbt_config *cfg, int32_t parent, double g, double h)
{
    tk_tree *t = &w->t;
    int32_t id = t->nnodes++;
    double wgt = gbt_weight(cfg, g, h);

    t->left[id] = t->right[id] = -1;
    t->parent[id] = parent;
    t->split_index[id] = 0;
    t->split_cond[id] = (float)(wgt * cfg->eta);
    t->default_left[id] = 0;
    t->loss_chg[id] = 0.0f;
    t->sum_hess[id] = (float)h;
    t->base_weight[id] = (float)(wgt * cfg->eta); /* a leaf's, as XGBoost writes it */
    w->split_bin[id] = 0;
    return id;
}

/* Whether a row with these bins goes left at split node id. */
static inline int goes_left(const tk_tree *t, const uint32_t *split_bin, const gbt_cuts *c,
                            int32_t id, const uint16_t *bins)
{
    uint32_t f = (uint32_t)t->split_index[id], b = bins[f];

    if (b == c->nbins[f]) /* missing */
        return t->default_left[id];
    return b <= split_bin[id];
}

/* Scale turning values up to max (over n rows) into int64 without overflow
 * of any sum: a power of two. */
static double fixed_scale(double max, uint64_t n)
{
    int exp2;

    if (max <= 0.0 || n == 0)
        return 1.0;
    frexp(max * (double)n, &exp2); /* max * n < 2^exp2 */
    return ldexp(1.0, 62 - exp2);
}

/* Sums of one feature's slots: every sampled row is counted once. */
static void hist_totals(const gbt_cuts *c, const gbt_bin_sum *hist, int64_t *g, int64_t *h)
{
    size_t s;

    *g = *h = 0;
    for (s = c->offset[0]; s < c->offset[1]; s++) {
        *g += hist[s].g;
        *h += hist[s].h;
    }
}

int gbt_tree_grow(gbt_ctx *c, int64_t round, int k, const float *g, const float *h)
{
    const gbt_config *cfg = &c->cfg;
    gbt_data *d = &c->train;
    const gbt_cuts *cuts = &c->cuts;
    size_t nslots = cuts->nslots, nf = d->nf, nlevel = 0, nnext = 0, i, nleaves = 0;
    int32_t cap = (int32_t)((2u << cfg->max_depth) - 1);
    size_t hbytes = nslots * sizeof(gbt_bin_sum);
    uint32_t *all = xalloc(c, nf * sizeof(*all), 0), *tree_f = xalloc(c, nf * sizeof(*tree_f), 0);
    uint32_t *level_f = xalloc(c, nf * sizeof(*level_f), 0);
    uint32_t *node_f = xalloc(c, nf * sizeof(*node_f), 0);
    gbt_node *level = xalloc(c, (size_t)(cap + 1) * sizeof(*level), 0);
    gbt_node *next = xalloc(c, (size_t)(cap + 1) * sizeof(*next), 0);
    gbt_node *leaves = xalloc(c, (size_t)(cap + 1) * sizeof(*leaves), 0);
    gbt_grow w;
    double mx[2] = { 0, 0 }, gscale, hscale;
    size_t ntree_f, nrows = 0;
    int depth;

    if (grow_alloc(&w, cap) != 0)
        xalloc(c, (size_t)-1 / 2, 0); /* reports and aborts */

    /* the round's row sample (the rest kept at the end of rows_tmp), and
     * fixed-point gradients with scales from the global maxima: every sum
     * of up to d->total rows fits in 63 bits */
    for (i = 0; i < d->n; i++)
        if (gbt_sample_row(cfg, round, k, d->row0 + i)) {
            c->rows[nrows++] = (uint32_t)i;
            if (fabs(g[i]) > mx[0])
                mx[0] = fabs(g[i]);
            if (h[i] > mx[1])
                mx[1] = h[i];
        }
    MPI_Allreduce(MPI_IN_PLACE, mx, 2, MPI_DOUBLE, MPI_MAX, c->comm);
    gscale = fixed_scale(mx[0], d->total);
    hscale = fixed_scale(mx[1], d->total);
    for (i = 0; i < nrows; i++) {
        uint32_t r = c->rows[i];
        c->gh[r].g = llrint((double)g[r] * gscale);
        c->gh[r].h = llrint((double)h[r] * hscale);
    }

    /* features of this tree */
    for (i = 0; i < nf; i++)
        all[i] = (uint32_t)i;
    ntree_f = gbt_sample_features(cfg, round, k, 0, 0, cfg->colsample_bytree, all, nf, tree_f);

    /* the root */
    level[0].hist = xalloc(c, hbytes, 1);
    gbt_hist_build(cuts, d, c->rows, nrows, c->gh, level[0].hist);
    MPI_Allreduce(MPI_IN_PLACE, level[0].hist, (int)(2 * nslots), MPI_INT64_T, MPI_SUM, c->comm);
    {
        int64_t tg, th;
        hist_totals(cuts, level[0].hist, &tg, &th);
        level[0].g = (double)tg / gscale;
        level[0].h = (double)th / hscale;
    }
    level[0].begin = 0;
    level[0].end = nrows;
    level[0].id = add_leaf(&w, cfg, ROOT_PARENT, level[0].g, level[0].h);
    nlevel = 1;

    for (depth = 0; depth < cfg->max_depth && nlevel > 0; depth++) {
        size_t nlevel_f = gbt_sample_features(cfg, round, k, depth, 1, cfg->colsample_bylevel,
                                              tree_f, ntree_f, level_f);
        int last = depth + 1 >= cfg->max_depth; /* children cannot split */
        size_t nbuild, b;
        gbt_bin_sum *sendbuf;
        nnext = 0;
        for (i = 0; i < nlevel; i++) {
            gbt_node *nd = &level[i];
            size_t nnode_f = gbt_sample_features(cfg, round, k, nd->id, 2, cfg->colsample_bynode,
                                                 level_f, nlevel_f, node_f);
            gbt_split s = gbt_split_best(cfg, cuts, nd->hist, nd->g, nd->h, gscale, hscale,
                                         node_f, nnode_f);
            tk_tree *t = &w.t;
            int32_t id = nd->id, l, r;
            size_t lo, hi, j;
            if (!(s.gain > GBT_RT_EPS) || s.gain < cfg->gamma) {
                leaves[nleaves++] = *nd; /* stays a leaf */
                continue;
            }
            l = add_leaf(&w, cfg, id, s.gl, s.hl);
            r = add_leaf(&w, cfg, id, s.gr, s.hr);
            t->left[id] = l;
            t->right[id] = r;
            t->split_index[id] = (int32_t)s.feature;
            t->split_cond[id] = cuts->cut[s.feature][s.bin];
            t->default_left[id] = (uint8_t)s.default_left;
            t->loss_chg[id] = (float)s.gain;
            t->base_weight[id] = (float)gbt_weight(cfg, nd->g, nd->h); /* a split's: before eta */
            w.split_bin[id] = s.bin;
            /* this rank's rows: left ones first, both sides kept ascending */
            lo = nd->begin;
            hi = 0;
            {
                /* one feature's column: ascending rows, dense reads */
                const uint16_t *col = d->bins_col + (size_t)s.feature * d->n;
                uint32_t miss = cuts->nbins[s.feature], sb = s.bin;
                int dl = s.default_left;
                for (j = nd->begin; j < nd->end; j++) {
                    uint32_t row = c->rows[j], bin;
                    int left;
                    if (j + 32 < nd->end)
                        __builtin_prefetch(&col[c->rows[j + 32]]);
                    bin = col[row];
                    /* branchless: the side is a coin flip to the predictor */
                    left = (bin == miss) ? dl : (bin <= sb);
                    c->rows[lo] = row; /* lo <= j: nothing unread is overwritten */
                    c->rows_tmp[hi] = row;
                    lo += (size_t)left;
                    hi += (size_t)!left;
                }
            }
            memcpy(c->rows + lo, c->rows_tmp, hi * sizeof(uint32_t));
            next[nnext].id = l;
            next[nnext].g = s.gl;
            next[nnext].h = s.hl;
            next[nnext].begin = nd->begin;
            next[nnext].end = lo;
            next[nnext].hist = NULL;
            next[nnext + 1].id = r;
            next[nnext + 1].g = s.gr;
            next[nnext + 1].h = s.hr;
            next[nnext + 1].begin = lo;
            next[nnext + 1].end = nd->end;
            next[nnext + 1].hist = nd->hist; /* parent's, until the sibling is derived */
            nd->hist = NULL;
            nnext += 2;
        }
        for (i = 0; i < nlevel; i++) {
            free(level[i].hist);
            level[i].hist = NULL;
        }
        if (last || nnext == 0) {
            for (i = 0; i < nnext; i++) {
                free(next[i].hist);
                next[i].hist = NULL;
                leaves[nleaves++] = next[i];
            }
            nlevel = 0;
            break;
        }
        /* the child of each split with fewer rows over all ranks (ties: left)
         * is built and summed in one Allreduce; siblings by subtraction */
        nbuild = nnext / 2;
        sendbuf = xalloc(c, nbuild * hbytes, 1);
        {
            uint64_t *cnt = xalloc(c, (nbuild + 1) * sizeof(uint64_t), 0);
            for (b = 0; b < nbuild; b++) /* left rows minus right rows, as a two's complement sum */
                cnt[b] = (uint64_t)(next[2 * b].end - next[2 * b].begin) -
                         (uint64_t)(next[2 * b + 1].end - next[2 * b + 1].begin);
            MPI_Allreduce(MPI_IN_PLACE, cnt, (int)nbuild, MPI_UINT64_T, MPI_SUM, c->comm);
            for (b = 0; b < nbuild; b++)
                next[2 * b].small = (int64_t)cnt[b] <= 0; /* the left one is built */
            free(cnt);
        }
        for (b = 0; b < nbuild; b++) {
            gbt_node *ln = &next[2 * b], *rn = &next[2 * b + 1];
            gbt_node *small = ln->small ? ln : rn;
            gbt_hist_build(cuts, d, c->rows + small->begin, small->end - small->begin, c->gh,
                           sendbuf + b * nslots);
        }
        MPI_Allreduce(MPI_IN_PLACE, sendbuf, (int)(2 * nbuild * nslots), MPI_INT64_T, MPI_SUM,
                      c->comm);
        for (b = 0; b < nbuild; b++) {
            gbt_node *ln = &next[2 * b], *rn = &next[2 * b + 1];
            gbt_bin_sum *parent = rn->hist, *built = sendbuf + b * nslots;
            gbt_bin_sum *mine = xalloc(c, hbytes, 0);
            /* the parent's buffer becomes the sibling's */
            memcpy(mine, built, hbytes);
            gbt_hist_subtract(nslots, parent, built, parent);
            if (ln->small) {
                ln->hist = mine;
                rn->hist = parent;
            } else {
                rn->hist = mine;
                ln->hist = parent;
            }
        }
        free(sendbuf);
        {
            gbt_node *tmp = level;
            level = next;
            next = tmp;
            nlevel = nnext;
        }
    }
    for (i = 0; i < nlevel; i++) {
        free(level[i].hist);
        leaves[nleaves++] = level[i];
    }

    /* training margins: the sampled rows from the leaves' row ranges, the
     * others routed through the tree */
    {
        int nout = c->nout;
        for (i = 0; i < nleaves; i++) {
            float v = w.t.split_cond[leaves[i].id];
            size_t j;
            for (j = leaves[i].begin; j < leaves[i].end; j++) {
                if (j + 32 < leaves[i].end)
                    __builtin_prefetch(&d->margin[(size_t)c->rows[j + 32] * (size_t)nout], 1);
                d->margin[(size_t)c->rows[j] * (size_t)nout + (size_t)k] += v;
            }
        }
        if (nrows < d->n) {
            /* rows is a permutation of the sample: mark them to find the rest */
            memset(c->rows_tmp, 0, d->n * sizeof(uint32_t));
            for (i = 0; i < nrows; i++)
                c->rows_tmp[c->rows[i]] = 1;
            for (i = 0; i < d->n; i++) {
                int32_t node = 0;
                const uint16_t *bins = d->bins + i * nf;
                if (c->rows_tmp[i])
                    continue;
                while (w.t.left[node] >= 0)
                    node = goes_left(&w.t, w.split_bin, cuts, node, bins) ? w.t.left[node]
                                                                         : w.t.right[node];
                d->margin[i * (size_t)nout + (size_t)k] += w.t.split_cond[node];
            }
        }
    }
    w.t.group = k;
    tk_model_add_tree(&c->model, &w.t, &c->err);
    free(all);
    free(tree_f);
    free(level_f);
    free(node_f);
    free(level);
    free(next);
    free(leaves);
    grow_free(&w);
    return c->err.status;
}

int gbt_tree_apply(const gbt_cuts *c, const tk_tree *t, gbt_data *d, int k, int nout,
                   tk_err *e)
{
    uint32_t *split_bin = malloc(((size_t)t->nnodes + 1) * sizeof(*split_bin));
    int32_t id;
    uint64_t i;

    if (!split_bin)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    /* a threshold is one of the cuts: x < cut[j] exactly when bin(x) <= j */
    for (id = 0; id < t->nnodes; id++) {
        uint32_t f = (uint32_t)t->split_index[id], j;
        split_bin[id] = 0;
        if (t->left[id] < 0)
            continue;
        if (f >= c->nf) {
            free(split_bin);
            return tk_err_set(e, TK_EDATA, "a tree splits on feature %u of %zu", f, c->nf);
        }
        j = gbt_cuts_bin(c, f, t->split_cond[id]);
        if (j == 0 || c->cut[f][j - 1] != t->split_cond[id]) {
            free(split_bin);
            return tk_err_set(e, TK_EDATA,
                              "threshold %.9g of feature %u is not one of this data's bin cuts "
                              "(another TRAIN or --max-bin?)",
                              (double)t->split_cond[id], f);
        }
        split_bin[id] = j - 1;
    }
    for (i = 0; i < d->n; i++) {
        const uint16_t *bins = d->bins + i * d->nf;
        int32_t node = 0;
        while (t->left[node] >= 0)
            node = goes_left(t, split_bin, c, node, bins) ? t->left[node] : t->right[node];
        d->margin[i * (uint64_t)nout + (uint64_t)k] += t->split_cond[node];
    }
    free(split_bin);
    return TK_OK;
}
