/* gbt_tree.c -- one tree, grown depth-wise as XGBoost's hist method does,
 * with one MPI_Reduce_scatter of histograms per level (gbt_reduce.c) and one
 * MPI_Allgather of the feature blocks' best splits; and routing rows through
 * a tree by their bins.
 *
 * Gradients become integers with scales every rank agrees on (from the
 * global maxima): 16-bit quantized ones, whose leaves are then refit from
 * exact sums, or 64-bit fixed point (--no-quantized-grad), so histogram
 * sums are exact; the histogram of the smaller child of each split is built
 * and summed over ranks, its sibling's comes by subtraction from the parent.
 * Everything after a reduction runs identically on every rank.
 *
 * Memory follows the nodes that exist, never 2^max_depth: the tree's arrays
 * and the per-level node lists grow as splits appear, so any depth up to 30
 * works as long as the nodes themselves fit. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_mpi.h"

#define ROOT_PARENT 2147483647
#define MAX_NODES (INT32_MAX - 1) /* tk_tree's int32 indices; xgboost's limit too */
#define REDUCE_CHUNK ((size_t)1 << 26) /* int64 values per MPI_Allreduce call */

typedef struct gbt_node {
    int32_t id;         /* index in the tree */
    double g, h;        /* sums over the sampled rows of all ranks */
    size_t begin, end;  /* this rank's rows: c->rows[begin..end) */
    gbt_bin_sum *hist;  /* global histogram, or NULL */
    int small;          /* left child of a split whose histogram is built */
} gbt_node;

/* A growable list of nodes (owned array). */
typedef struct node_list {
    gbt_node *v;
    size_t n, cap;
} node_list;

/* Out of memory in the middle of a tree: the other ranks are inside
 * collectives already, so end the job (one message from this rank). */
static void die_oom(gbt_ctx *c, size_t n)
{
    tk_job_abort(&c->job, "out of memory growing a tree (%zu bytes)", n);
}

/* a * b, ending the job when it does not fit in size_t */
static size_t xmul(gbt_ctx *c, size_t a, size_t b)
{
    if (b != 0 && a > SIZE_MAX / b)
        die_oom(c, SIZE_MAX);
    return a * b;
}

static void *xalloc(gbt_ctx *c, size_t n, int zero)
{
    void *p = zero ? calloc(1, n ? n : 1) : malloc(n ? n : 1);

    if (!p)
        die_oom(c, n);
    return p;
}

static void *xrealloc(gbt_ctx *c, void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (!q)
        die_oom(c, n);
    return q;
}

/* Room for want nodes in l (doubling). */
static void list_reserve(gbt_ctx *c, node_list *l, size_t want)
{
    size_t cap = l->cap ? l->cap : 16;

    if (want <= l->cap)
        return;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : 2 * cap;
    l->v = xrealloc(c, l->v, xmul(c, cap, sizeof(gbt_node)));
    l->cap = cap;
}

static void list_push(gbt_ctx *c, node_list *l, const gbt_node *nd)
{
    list_reserve(c, l, l->n + 1);
    l->v[l->n++] = *nd;
}

/* Sums count 8-byte integers over all ranks in place, in calls of at most
 * REDUCE_CHUNK values (MPI counts are ints). Collective. */
static void allreduce_sum(gbt_ctx *c, void *buf, size_t count, MPI_Datatype type)
{
    char *p = buf;

    while (count > 0) {
        size_t m = count < REDUCE_CHUNK ? count : REDUCE_CHUNK;
        MPI_Allreduce(MPI_IN_PLACE, p, (int)m, type, MPI_SUM, c->job.comm);
        p += m * 8;
        count -= m;
    }
}

/* A tree being grown: the model's arrays plus each split's bin, with room
 * for cap nodes. */
typedef struct gbt_grow {
    tk_tree t;
    uint32_t *split_bin;
    size_t cap;
} gbt_grow;

/* Room for want nodes (doubling); ends the job when out of memory or past
 * MAX_NODES. */
static void grow_reserve(gbt_ctx *c, gbt_grow *w, size_t want)
{
    tk_tree *t = &w->t;
    size_t cap = w->cap ? w->cap : 64;

    if (want <= w->cap)
        return;
    if (want > MAX_NODES)
        die_oom(c, xmul(c, want, 40));
    while (cap < want)
        cap *= 2;
    if (cap > MAX_NODES)
        cap = MAX_NODES;
    t->left = xrealloc(c, t->left, xmul(c, cap, sizeof(int32_t)));
    t->right = xrealloc(c, t->right, xmul(c, cap, sizeof(int32_t)));
    t->parent = xrealloc(c, t->parent, xmul(c, cap, sizeof(int32_t)));
    t->split_index = xrealloc(c, t->split_index, xmul(c, cap, sizeof(int32_t)));
    t->split_cond = xrealloc(c, t->split_cond, xmul(c, cap, sizeof(float)));
    t->default_left = xrealloc(c, t->default_left, cap);
    t->loss_chg = xrealloc(c, t->loss_chg, xmul(c, cap, sizeof(float)));
    t->sum_hess = xrealloc(c, t->sum_hess, xmul(c, cap, sizeof(float)));
    t->base_weight = xrealloc(c, t->base_weight, xmul(c, cap, sizeof(float)));
    t->split_type = xrealloc(c, t->split_type, cap);
    t->cat_begin = xrealloc(c, t->cat_begin, xmul(c, cap, sizeof(int32_t)));
    t->cat_size = xrealloc(c, t->cat_size, xmul(c, cap, sizeof(int32_t)));
    w->split_bin = xrealloc(c, w->split_bin, xmul(c, cap, sizeof(uint32_t)));
    w->cap = cap;
}

static void grow_free(gbt_grow *w)
{
    tk_tree_free(&w->t);
    free(w->split_bin);
    memset(w, 0, sizeof(*w));
}

/* Appends a leaf with sums (g, h) under parent (room reserved by the
 * caller); returns its index. */
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
    t->split_type[id] = 0;
    t->cat_begin[id] = t->cat_size[id] = 0;
    w->split_bin[id] = 0;
    return id;
}

/* Whether row i of d goes left at split node id. A categorical feature's
 * bin is its category; bins past the missing one (VALID's categories that
 * TRAIN never has) go left, as xgboost sends categories it does not know. */
static inline int goes_left(const tk_tree *t, const uint32_t *split_bin, const gbt_cuts *c,
                            int32_t id, const gbt_data *d, uint64_t i)
{
    uint32_t f = (uint32_t)t->split_index[id], b = gbt_bin(d, i, f);

    if (b == c->nbins[f]) /* missing */
        return t->default_left[id];
    if (t->split_type[id]) /* bin b is category b */
        return b > c->nbins[f] || !tk_tree_cat_right(t, id, (float)b);
    return b < split_bin[id] + 1u; /* UINT32_MAX: none */
}

/* The state of one tree while it grows. */
typedef struct grow_state {
    gbt_ctx *c;
    int64_t round;
    int k;
    gbt_grow w;
    int quant;                          /* cfg.quantized_grad */
    double gscale, hscale;              /* histogram units per gradient, hessian */
    double egscale, ehscale;            /* exact fixed point (quant: the leaves' refit) */
    gbt_qpair *acc;                     /* quant: packed partial sums, nslots zeroed */
    size_t nrows;                       /* this rank's sampled rows */
    int64_t tg, th;                     /* integer sums over the sampled rows of all ranks */
    gbt_split *best;                    /* per node of the level: splits of all ranks' blocks */
    uint8_t *right;                     /* categorical best splits: the bins going right */
    size_t *right_at;                   /* per node of the level: its bins in right */
    uint32_t *tree_f, *level_f, *node_f; /* sampled features */
    size_t ntree_f, nlevel_f;
    node_list level, next, leaves;
} grow_state;

/* The round's row sample into c->rows, and fixed-point gradients with
 * scales from the global maxima: every sum of up to d->total rows fits in
 * 63 bits. Quantized, the scales map the largest |g| to GBT_QG_MAX and the
 * largest h to GBT_QH_MAX, rounding to nearest. Collective. */
static void sample_rows(grow_state *s, const float *g, const float *h)
{
    gbt_ctx *c = s->c;
    const gbt_data *d = &c->train;
    double mx[2] = { 0, 0 };
    int64_t tot[2] = { 0, 0 };
    size_t i, nrows = 0;

    for (i = 0; i < d->n; i++)
        if (gbt_sample_row(&c->cfg, s->round, s->k, d->row0 + i)) {
            c->rows[nrows++] = (uint32_t)i;
            if (fabs(g[i]) > mx[0])
                mx[0] = fabs(g[i]);
            if (h[i] > mx[1])
                mx[1] = h[i];
        }
    MPI_Allreduce(MPI_IN_PLACE, mx, 2, MPI_DOUBLE, MPI_MAX, c->job.comm);
    s->egscale = gbt_fixed_scale(mx[0], d->total);
    s->ehscale = gbt_fixed_scale(mx[1], d->total);
    s->nrows = nrows;
    if (!s->quant) {
        s->gscale = s->egscale;
        s->hscale = s->ehscale;
    } else {
        s->gscale = mx[0] > 0.0 ? GBT_QG_MAX / mx[0] : 1.0;
        s->hscale = mx[1] > 0.0 ? GBT_QH_MAX / mx[1] : 1.0;
    }
    for (i = 0; i < nrows; i++) {
        uint32_t r = c->rows[i];
        int64_t qg = llrint((double)g[r] * s->gscale), qh = llrint((double)h[r] * s->hscale);
        if (!s->quant) {
            c->gh[r].g = qg;
            c->gh[r].h = qh;
        } else {
            qg = qg > GBT_QG_MAX ? GBT_QG_MAX : qg < -GBT_QG_MAX ? -GBT_QG_MAX : qg;
            qh = qh > GBT_QH_MAX ? GBT_QH_MAX : qh < 0 ? 0 : qh;
            c->ghq[r] = gbt_qpair_make(qg, qh);
        }
        tot[0] += qg;
        tot[1] += qh;
    }
    /* the root's sums: what any feature's slots of its histogram add up to */
    allreduce_sum(c, tot, 2, MPI_INT64_T);
    s->tg = tot[0];
    s->th = tot[1];
}

/* Adds the gradients of rows[0..nrows) into node j of the m in the blocks'
 * send buffer: as packed sums with packed (quantized, and no node of the
 * level has more than GBT_Q_CHUNK rows over all ranks), else as pairs. */
static void build_hist(grow_state *s, const uint32_t *rows, size_t nrows, size_t m, size_t j,
                       int packed, gbt_bin_sum *send)
{
    gbt_ctx *c = s->c;
    const size_t *dest = gbt_blocks_dest(&c->blocks, &c->cuts, m, j);

    if (packed)
        gbt_hist_build_qp(&c->cuts, &c->train, rows, nrows, c->ghq, s->acc, dest,
                          (gbt_qpair *)send);
    else if (s->quant)
        gbt_hist_build_q(&c->cuts, &c->train, rows, nrows, c->ghq, s->acc, dest, send);
    else
        gbt_hist_build(&c->cuts, &c->train, rows, nrows, c->gh, dest, send);
}

/* Collective. The local histograms of m nodes in the send buffer (packed
 * or pairs, as built), summed: a pooled buffer of pairs of this rank's
 * block for each node, into hist[j]. Packed sums cross the ranks in half
 * the bytes. */
static void reduce_hists(grow_state *s, size_t m, int packed, gbt_bin_sum **hist)
{
    gbt_ctx *c = s->c;
    gbt_blocks *b = &c->blocks;
    int64_t *sum = gbt_blocks_reduce(b, c->job.comm, m, packed ? 1 : 2);
    size_t j;

    if (!sum)
        die_oom(c, xmul(c, m, b->nmine * sizeof(gbt_bin_sum)));
    for (j = 0; j < m; j++) {
        hist[j] = gbt_blocks_get(b, 0);
        if (!hist[j])
            die_oom(c, b->nmine * sizeof(gbt_bin_sum));
        if (packed)
            gbt_hist_unpack(sum + j * b->nmine, b->nmine, hist[j]);
        else
            memcpy(hist[j], (gbt_bin_sum *)sum + j * b->nmine, b->nmine * sizeof(gbt_bin_sum));
    }
}

/* A send buffer for m nodes (zeroed for exact sums, which add into it;
 * quantized ones set it), or the end of the job. */
static gbt_bin_sum *send_buffer(gbt_ctx *c, size_t m)
{
    gbt_bin_sum *send = gbt_blocks_send(&c->blocks, m, !c->cfg.quantized_grad);

    if (!send)
        die_oom(c, xmul(c, m, c->cuts.nslots * sizeof(gbt_bin_sum)));
    return send;
}

/* The tree's features and the root: its histogram summed over ranks.
 * Collective. */
static void grow_root(grow_state *s)
{
    gbt_ctx *c = s->c;
    size_t nf = c->train.nf, i;
    uint32_t *all = xalloc(c, xmul(c, nf, sizeof(uint32_t)), 0);
    gbt_node root;
    int packed;

    s->tree_f = xalloc(c, xmul(c, nf, sizeof(uint32_t)), 0);
    s->level_f = xalloc(c, xmul(c, nf, sizeof(uint32_t)), 0);
    s->node_f = xalloc(c, xmul(c, nf, sizeof(uint32_t)), 0);
    for (i = 0; i < nf; i++)
        all[i] = (uint32_t)i;
    s->ntree_f = gbt_sample_features(&c->cfg, s->round, s->k, 0, 0, c->cfg.colsample_bytree,
                                     all, nf, s->tree_f);
    free(all);
    memset(&root, 0, sizeof(root));
    packed = s->quant && c->train.total <= GBT_Q_CHUNK;
    build_hist(s, c->rows, s->nrows, 1, 0, packed, send_buffer(c, 1));
    reduce_hists(s, 1, packed, &root.hist);
    root.g = (double)s->tg / s->gscale;
    root.h = (double)s->th / s->hscale;
    root.begin = 0;
    root.end = s->nrows;
    grow_reserve(c, &s->w, 1);
    root.id = add_leaf(&s->w, &c->cfg, ROOT_PARENT, root.g, root.h);
    list_push(c, &s->level, &root);
}

/* One row of a partition: left rows stay in place at *lo (*lo never passes
 * the row being read), right ones go to rows_tmp at *hi, branch-free (the
 * side is a coin flip to the predictor). */
static inline void keep_row(gbt_ctx *c, uint32_t row, int left, size_t *lo, size_t *hi)
{
    c->rows[*lo] = row;
    c->rows_tmp[*hi] = row;
    *lo += (size_t)left;
    *hi += (size_t)!left;
}

static inline __attribute__((always_inline)) size_t
partition_width(gbt_ctx *c, const gbt_node *nd, const gbt_split *sp, int width)
{
    const gbt_data *d = &c->train;
    /* one feature's column: ascending rows, dense reads */
    const uint8_t *c8 = (const uint8_t *)d->bins_col + (size_t)sp->feature * d->n;
    const uint16_t *c16 = (const uint16_t *)d->bins_col + (size_t)sp->feature * d->n;
    /* bins below lt go left; none when sp->bin is UINT32_MAX (wraps to 0) */
    uint32_t miss = c->cuts.nbins[sp->feature], lt = sp->bin + 1u;
    int dl = sp->default_left;
    size_t lo = nd->begin, hi = 0, j;

    for (j = nd->begin; j < nd->end; j++) {
        uint32_t row = c->rows[j], bin;
        int left;
        if (j + 32 < nd->end)
            __builtin_prefetch(width == 1 ? (const void *)&c8[c->rows[j + 32]]
                                          : (const void *)&c16[c->rows[j + 32]]);
        bin = width == 1 ? c8[row] : c16[row];
        left = (bin == miss) ? dl : (bin < lt);
        keep_row(c, row, left, &lo, &hi);
    }
    memcpy(c->rows + lo, c->rows_tmp, hi * sizeof(uint32_t));
    return lo;
}

/* partition_width for a categorical split: right[bin] says which bins go
 * right. */
static size_t partition_cat(gbt_ctx *c, const gbt_node *nd, const gbt_split *sp,
                            const uint8_t *right)
{
    const gbt_data *d = &c->train;
    uint32_t miss = c->cuts.nbins[sp->feature];
    size_t lo = nd->begin, hi = 0, j;

    for (j = nd->begin; j < nd->end; j++) {
        uint32_t row = c->rows[j], bin;
        int left;
        if (d->width == 1)
            bin = ((const uint8_t *)d->bins_col)[(size_t)sp->feature * d->n + row];
        else
            bin = ((const uint16_t *)d->bins_col)[(size_t)sp->feature * d->n + row];
        left = bin == miss ? sp->default_left : !right[bin];
        keep_row(c, row, left, &lo, &hi);
    }
    memcpy(c->rows + lo, c->rows_tmp, hi * sizeof(uint32_t));
    return lo;
}

/* This rank's rows of nd: left ones first, both sides kept ascending.
 * Returns where the right ones start. */
static size_t partition_rows(gbt_ctx *c, const gbt_node *nd, const gbt_split *sp,
                             const uint8_t *right)
{
    if (sp->kind != GBT_SPLIT_NUM)
        return partition_cat(c, nd, sp, right);
    return c->train.width == 1 ? partition_width(c, nd, sp, 1) : partition_width(c, nd, sp, 2);
}

/* Node id of the tree becomes a categorical split sending the bins with
 * right[b] set right (a bin is its category). */
static void set_categories(gbt_ctx *c, tk_tree *t, int32_t id, uint32_t nb,
                           const uint8_t *right)
{
    int32_t *cats = xalloc(c, xmul(c, nb, sizeof(int32_t)), 0), n = 0;
    uint32_t b;

    for (b = 0; b < nb; b++)
        if (right[b])
            cats[n++] = (int32_t)b;
    if (tk_tree_set_categories(t, id, cats, n) != TK_OK)
        die_oom(c, (size_t)t->ncats * sizeof(int32_t));
    free(cats);
}

/* Turns leaf nd into a split with two children, appended to s->next; the
 * right child keeps the parent's histogram until its own is derived.
 * right: a categorical split's bins going right (else unused). */
static void apply_split(grow_state *s, gbt_node *nd, const gbt_split *sp, const uint8_t *right)
{
    gbt_ctx *c = s->c;
    const gbt_config *cfg = &c->cfg;
    tk_tree *t = &s->w.t;
    int32_t id = nd->id, l, r;
    size_t lo;
    gbt_node ch;

    l = add_leaf(&s->w, cfg, id, sp->gl, sp->hl);
    r = add_leaf(&s->w, cfg, id, sp->gr, sp->hr);
    t->left[id] = l;
    t->right[id] = r;
    t->split_index[id] = (int32_t)sp->feature;
    if (sp->kind == GBT_SPLIT_NUM)
        t->split_cond[id] = sp->bin == UINT32_MAX ? c->cuts.minv[sp->feature]
                                                  : c->cuts.cut[sp->feature][sp->bin];
    else
        set_categories(c, t, id, c->cuts.nbins[sp->feature], right);
    t->default_left[id] = (uint8_t)sp->default_left;
    t->loss_chg[id] = (float)sp->gain;
    t->base_weight[id] = (float)gbt_weight(cfg, nd->g, nd->h); /* a split's: before eta */
    s->w.split_bin[id] = sp->bin;
    lo = partition_rows(c, nd, sp, right);
    memset(&ch, 0, sizeof(ch));
    ch.id = l;
    ch.g = sp->gl;
    ch.h = sp->hl;
    ch.begin = nd->begin;
    ch.end = lo;
    list_push(c, &s->next, &ch);
    ch.id = r;
    ch.g = sp->gr;
    ch.h = sp->hr;
    ch.begin = lo;
    ch.end = nd->end;
    ch.hist = nd->hist; /* parent's, until the sibling is derived */
    nd->hist = NULL;
    list_push(c, &s->next, &ch);
}

/* Split <-> 9 doubles, for the Allgather of the ranks' best splits. */
enum { SPLIT_DOUBLES = 9 };

static void split_pack(const gbt_split *sp, double *v)
{
    v[0] = sp->gain;
    v[1] = sp->feature;
    v[2] = sp->bin;
    v[3] = sp->default_left;
    v[4] = sp->gl;
    v[5] = sp->hl;
    v[6] = sp->gr;
    v[7] = sp->hr;
    v[8] = sp->kind;
}

static gbt_split split_unpack(const double *v)
{
    gbt_split sp;

    sp.gain = v[0];
    sp.feature = (uint32_t)v[1];
    sp.bin = (uint32_t)v[2];
    sp.default_left = (int)v[3];
    sp.gl = v[4];
    sp.hl = v[5];
    sp.gr = v[6];
    sp.hr = v[7];
    sp.kind = (int)v[8];
    return sp;
}

/* The best split of every node of the level into s->best: each rank
 * searches its block of each node's sampled features, one Allgather
 * brings every block's best, and the first largest gain over the blocks in
 * rank order wins, which is the split one search over all features would
 * find (blocks are ascending runs of features); owner[i]: the rank whose
 * block it is. Collective. */
static void best_splits(grow_state *s, int depth, int *owner)
{
    gbt_ctx *c = s->c;
    const gbt_config *cfg = &c->cfg;
    const gbt_blocks *b = &c->blocks;
    size_t n = s->level.n, i, p = (size_t)b->size, lo, hi;
    double *mine = xalloc(c, xmul(c, n, SPLIT_DOUBLES * sizeof(double)), 0);
    double *all = xalloc(c, xmul(c, xmul(c, n, p), SPLIT_DOUBLES * sizeof(double)), 0);

    s->nlevel_f = gbt_sample_features(cfg, s->round, s->k, depth, 1, cfg->colsample_bylevel,
                                      s->tree_f, s->ntree_f, s->level_f);
    for (i = 0; i < n; i++) {
        gbt_node *nd = &s->level.v[i];
        size_t nnode_f = gbt_sample_features(cfg, s->round, s->k, nd->id, 2,
                                             cfg->colsample_bynode, s->level_f, s->nlevel_f,
                                             s->node_f);
        gbt_split sp;
        /* this block's run of the (ascending) sampled features */
        for (lo = 0; lo < nnode_f && s->node_f[lo] < b->f0[b->rank]; lo++)
            ;
        for (hi = lo; hi < nnode_f && s->node_f[hi] < b->f0[b->rank + 1]; hi++)
            ;
        sp = gbt_split_best(cfg, &c->cuts, nd->hist, b->s0[b->rank], nd->g, nd->h, s->gscale,
                            s->hscale, s->node_f + lo, hi - lo);
        if (isnan(sp.gain))
            die_oom(c, 4 * sizeof(double) * (b->nmine + 1));
        split_pack(&sp, mine + i * SPLIT_DOUBLES);
    }
    MPI_Allgather(mine, (int)(n * SPLIT_DOUBLES), MPI_DOUBLE, all, (int)(n * SPLIT_DOUBLES),
                  MPI_DOUBLE, c->job.comm);
    for (i = 0; i < n; i++) {
        size_t r;
        s->best[i] = split_unpack(all + i * SPLIT_DOUBLES);
        owner[i] = 0;
        for (r = 1; r < p; r++) {
            gbt_split o = split_unpack(all + (r * n + i) * SPLIT_DOUBLES);
            if (o.gain > s->best[i].gain) {
                s->best[i] = o;
                owner[i] = (int)r;
            }
        }
    }
    free(mine);
    free(all);
}

/* Whether the level's best split of node i is a categorical one that will
 * be made. */
static int cat_split(const grow_state *s, size_t i)
{
    const gbt_split *sp = &s->best[i];

    return sp->kind != GBT_SPLIT_NUM && sp->gain > GBT_RT_EPS && sp->gain >= s->c->cfg.gamma;
}

/* The bins each categorical best split of the level sends right, into
 * s->right (node i's at s->right_at[i]): found by the rank whose block holds
 * the feature (owner[i]), from its histogram, and gathered to every rank
 * in one Allgatherv. Nothing is sent when no split is categorical.
 * Collective. */
static void share_categories(grow_state *s, const int *owner)
{
    gbt_ctx *c = s->c;
    const gbt_blocks *b = &c->blocks;
    size_t n = s->level.n, i, total = 0, mine = 0, at;
    int *counts = NULL, *displs, r;
    uint8_t *send;

    for (i = 0; i < n; i++)
        if (cat_split(s, i)) {
            size_t nb = c->cuts.nbins[s->best[i].feature];
            s->right_at[i] = total;
            total += nb;
            if (owner[i] == b->rank)
                mine += nb;
        }
    if (total == 0)
        return;
    if (total > INT_MAX)
        die_oom(c, total);
    s->right = xrealloc(c, s->right, total);
    send = xalloc(c, mine, 0);
    counts = xalloc(c, xmul(c, 2 * (size_t)b->size, sizeof(int)), 1);
    displs = counts + b->size;
    for (i = 0, at = 0; i < n; i++) {
        size_t nb;
        if (!cat_split(s, i))
            continue;
        nb = c->cuts.nbins[s->best[i].feature];
        counts[owner[i]] += (int)nb;
        if (owner[i] != b->rank)
            continue;
        if (gbt_split_categories(&c->cfg, &c->cuts, s->level.v[i].hist, b->s0[b->rank],
                                 s->gscale, s->hscale, &s->best[i], send + at) != 0)
            die_oom(c, nb * sizeof(double));
        at += nb;
    }
    for (r = 1; r < b->size; r++)
        displs[r] = displs[r - 1] + counts[r - 1];
    /* each rank's runs arrive in node order; lay them out by node */
    {
        uint8_t *recv = xalloc(c, total, 0);
        size_t *pos = xalloc(c, xmul(c, (size_t)b->size, sizeof(size_t)), 0);
        MPI_Allgatherv(send, (int)mine, MPI_BYTE, recv, counts, displs, MPI_BYTE, c->job.comm);
        for (r = 0; r < b->size; r++)
            pos[r] = (size_t)displs[r];
        for (i = 0; i < n; i++) {
            size_t nb;
            if (!cat_split(s, i))
                continue;
            nb = c->cuts.nbins[s->best[i].feature];
            memcpy(s->right + s->right_at[i], recv + pos[owner[i]], nb);
            pos[owner[i]] += nb;
        }
        free(pos);
        free(recv);
    }
    free(send);
    free(counts);
}

/* Finds the best split of every node of the level: a leaf stays in
 * s->leaves, a split appends its children to s->next. The level's
 * histograms go back to the pool. Collective. */
static void split_level(grow_state *s, int depth)
{
    gbt_ctx *c = s->c;
    const gbt_config *cfg = &c->cfg;
    int *owner = xalloc(c, xmul(c, s->level.n, sizeof(int)), 0);
    size_t i;

    s->best = xrealloc(c, s->best, xmul(c, s->level.n, sizeof(gbt_split)));
    s->right_at = xrealloc(c, s->right_at, xmul(c, s->level.n, sizeof(size_t)));
    best_splits(s, depth, owner);
    share_categories(s, owner);
    free(owner);
    s->next.n = 0;
    list_reserve(c, &s->next, 2 * s->level.n);
    grow_reserve(c, &s->w, (size_t)s->w.t.nnodes + 2 * s->level.n);
    for (i = 0; i < s->level.n; i++) {
        gbt_node *nd = &s->level.v[i];
        const gbt_split *sp = &s->best[i];
        if (!(sp->gain > GBT_RT_EPS) || sp->gain < cfg->gamma)
            list_push(c, &s->leaves, nd); /* stays a leaf */
        else
            apply_split(s, nd, sp, cat_split(s, i) ? s->right + s->right_at[i] : NULL);
    }
    for (i = 0; i < s->level.n; i++) {
        gbt_blocks_put(&c->blocks, s->level.v[i].hist);
        s->level.v[i].hist = NULL;
    }
}

/* The histograms of s->next: the child of each split with fewer rows over
 * all ranks (ties: left) is built and summed in one reduction; its sibling
 * by subtraction from the parent's. Collective. */
static void child_histograms(grow_state *s)
{
    gbt_ctx *c = s->c;
    size_t nbuild = s->next.n / 2, b, nmine = c->blocks.nmine;
    gbt_node *nx = s->next.v;
    uint64_t *cnt = xalloc(c, xmul(c, 2 * nbuild + 1, sizeof(uint64_t)), 0), most = 0;
    gbt_bin_sum **built = xalloc(c, xmul(c, nbuild + 1, sizeof(gbt_bin_sum *)), 0), *send;
    int packed;

    for (b = 0; b < 2 * nbuild; b++) /* rows of each child over all ranks */
        cnt[b] = (uint64_t)(nx[b].end - nx[b].begin);
    allreduce_sum(c, cnt, 2 * nbuild, MPI_UINT64_T);
    for (b = 0; b < nbuild; b++) {
        nx[2 * b].small = cnt[2 * b] <= cnt[2 * b + 1]; /* the left one is built */
        if (cnt[2 * b + !nx[2 * b].small] > most)
            most = cnt[2 * b + !nx[2 * b].small];
    }
    free(cnt);
    packed = s->quant && most <= GBT_Q_CHUNK;
    send = send_buffer(c, nbuild);
    for (b = 0; b < nbuild; b++) {
        gbt_node *small = nx[2 * b].small ? &nx[2 * b] : &nx[2 * b + 1];
        build_hist(s, c->rows + small->begin, small->end - small->begin, nbuild, b, packed,
                   send);
    }
    reduce_hists(s, nbuild, packed, built);
    for (b = 0; b < nbuild; b++) {
        gbt_node *ln = &nx[2 * b], *rn = &nx[2 * b + 1];
        gbt_bin_sum *parent = rn->hist;
        /* the parent's buffer becomes the sibling's */
        gbt_hist_subtract(nmine, parent, built[b], parent);
        ln->hist = ln->small ? built[b] : parent;
        rn->hist = ln->small ? parent : built[b];
    }
    free(built);
}

/* Quantized: the leaves' values (and every node's weight and hessian sum)
 * from the exact fixed-point sums of the full-precision gradients, one
 * reduction of two integers per leaf; the splits stay as the quantized
 * histograms chose them. A node's sums are its leaves': children come
 * after their parent in the tree. Collective. */
static void refit_leaves(grow_state *s, const float *g, const float *h)
{
    gbt_ctx *c = s->c;
    tk_tree *t = &s->w.t;
    size_t nl = s->leaves.n, nn = (size_t)t->nnodes, i, j;
    int64_t *sum = xalloc(c, xmul(c, 2 * nl + 2 * nn, sizeof(int64_t)), 1), *node = sum + 2 * nl;
    int32_t id;

    for (i = 0; i < nl; i++) {
        const gbt_node *lf = &s->leaves.v[i];
        for (j = lf->begin; j < lf->end; j++) {
            uint32_t r = c->rows[j];
            sum[2 * i] += llrint((double)g[r] * s->egscale);
            sum[2 * i + 1] += llrint((double)h[r] * s->ehscale);
        }
    }
    allreduce_sum(c, sum, 2 * nl, MPI_INT64_T);
    for (i = 0; i < nl; i++) {
        node[2 * s->leaves.v[i].id] = sum[2 * i];
        node[2 * s->leaves.v[i].id + 1] = sum[2 * i + 1];
    }
    for (id = (int32_t)nn - 1; id >= 0; id--) {
        double gs = (double)node[2 * id] / s->egscale, hs = (double)node[2 * id + 1] / s->ehscale;
        double wgt = gbt_weight(&c->cfg, gs, hs);
        if (id > 0) {
            node[2 * t->parent[id]] += node[2 * id];
            node[2 * t->parent[id] + 1] += node[2 * id + 1];
        }
        t->sum_hess[id] = (float)hs;
        if (t->left[id] >= 0) {
            t->base_weight[id] = (float)wgt;
        } else {
            t->split_cond[id] = (float)(wgt * c->cfg.eta);
            t->base_weight[id] = (float)(wgt * c->cfg.eta);
        }
    }
    free(sum);
}

/* Adds the tree's leaf values to the training margins of output k: the
 * sampled rows from the leaves' row ranges, the others routed through the
 * tree. */
static void add_margins(grow_state *s)
{
    gbt_ctx *c = s->c;
    gbt_data *d = &c->train;
    const tk_tree *t = &s->w.t;
    size_t nout = (size_t)c->nout, k = (size_t)s->k, i, j;

    for (i = 0; i < s->leaves.n; i++) {
        const gbt_node *lf = &s->leaves.v[i];
        float v = t->split_cond[lf->id];
        for (j = lf->begin; j < lf->end; j++) {
            if (j + 32 < lf->end)
                __builtin_prefetch(&d->margin[(size_t)c->rows[j + 32] * nout], 1);
            d->margin[(size_t)c->rows[j] * nout + k] += v;
        }
    }
    if (s->nrows == d->n)
        return;
    /* rows is a permutation of the sample: mark them to find the rest */
    memset(c->rows_tmp, 0, d->n * sizeof(uint32_t));
    for (i = 0; i < s->nrows; i++)
        c->rows_tmp[c->rows[i]] = 1;
    for (i = 0; i < d->n; i++) {
        int32_t node = 0;
        if (c->rows_tmp[i])
            continue;
        while (t->left[node] >= 0)
            node = goes_left(t, s->w.split_bin, &c->cuts, node, d, i) ? t->left[node]
                                                                      : t->right[node];
        d->margin[i * nout + k] += t->split_cond[node];
    }
}

int gbt_tree_grow(gbt_ctx *c, int64_t round, int k, const float *g, const float *h)
{
    grow_state s;
    size_t i;
    int depth;

    memset(&s, 0, sizeof(s));
    s.c = c;
    s.round = round;
    s.k = k;
    s.quant = c->cfg.quantized_grad;
    if (s.quant)
        s.acc = xalloc(c, xmul(c, c->cuts.nslots, sizeof(gbt_qpair)), 1);
    sample_rows(&s, g, h);
    grow_root(&s);
    for (depth = 0; depth < c->cfg.max_depth && s.level.n > 0; depth++) {
        node_list tmp;
        split_level(&s, depth);
        if (depth + 1 >= c->cfg.max_depth || s.next.n == 0) {
            /* the last level: its children cannot split */
            for (i = 0; i < s.next.n; i++) {
                gbt_blocks_put(&c->blocks, s.next.v[i].hist);
                s.next.v[i].hist = NULL;
                list_push(c, &s.leaves, &s.next.v[i]);
            }
            s.level.n = 0;
            break;
        }
        child_histograms(&s);
        tmp = s.level;
        s.level = s.next;
        s.next = tmp;
    }
    for (i = 0; i < s.level.n; i++) {
        gbt_blocks_put(&c->blocks, s.level.v[i].hist);
        list_push(c, &s.leaves, &s.level.v[i]);
    }
    if (s.quant)
        refit_leaves(&s, g, h);
    add_margins(&s);
    s.w.t.group = k;
    tk_model_add_tree(&c->model, &s.w.t, &c->job.err);
    free(s.tree_f);
    free(s.level_f);
    free(s.node_f);
    free(s.level.v);
    free(s.next.v);
    free(s.leaves.v);
    free(s.acc);
    free(s.best);
    free(s.right);
    free(s.right_at);
    grow_free(&s.w);
    return c->job.err.status;
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
        if (t->split_type[id] != (c->cat && c->cat[f])) {
            free(split_bin);
            return tk_err_set(e, TK_EDATA, "a tree splits feature %u %s, but it is %s here", f,
                              t->split_type[id] ? "by categories" : "by a threshold",
                              t->split_type[id] ? "numerical" : "categorical");
        }
        if (t->split_type[id])
            continue; /* the categories are the bins */
        j = gbt_cuts_bin(c, f, t->split_cond[id]);
        if (t->split_cond[id] == c->minv[f]) /* only missing values go left */
            j = 0;
        else if (t->split_cond[id] == c->cut[f][c->nbins[f] - 1]) /* all others do */
            j = c->nbins[f];
        else if (j == 0 || c->cut[f][j - 1] != t->split_cond[id]) {
            free(split_bin);
            return tk_err_set(e, TK_EDATA,
                              "threshold %.9g of feature %u is not one of this data's bin cuts "
                              "(another TRAIN or --max-bin?)",
                              (double)t->split_cond[id], f);
        }
        split_bin[id] = j - 1; /* j 0: UINT32_MAX */
    }
    for (i = 0; i < d->n; i++) {
        int32_t node = 0;
        while (t->left[node] >= 0)
            node = goes_left(t, split_bin, c, node, d, i) ? t->left[node] : t->right[node];
        d->margin[i * (uint64_t)nout + (uint64_t)k] += t->split_cond[node];
    }
    free(split_bin);
    return TK_OK;
}
