/* tk_shap.c -- SHAP values of a tk_model: the trees' preparation (covers,
 * node means, Fast TreeSHAP tables), then per row the table lookups or the
 * recursive TreeSHAP. See tk_shap.h for the definitions. */
#include "tk_shap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows per block: each Fast TreeSHAP tree's tables are read once for them
 * (from the caches beyond L2, for a model's worth), and their masks (nodes x
 * block) fit in SHAP_MASK_BYTES: up to SHAP_BLOCK_MAX rows. */
#define SHAP_BLOCK_MAX 1024
#define SHAP_BLOCK_MIN 32
#define SHAP_MASK_BYTES ((size_t)1024 << 10)

/* An inner (split) node of a Fast TreeSHAP tree, in preorder. */
typedef struct shap_inner {
    int32_t feat;              /* split feature */
    float thr;                 /* numerical threshold */
    uint8_t defl, cat;         /* missing goes left; a categorical split */
    int32_t orig;              /* the node in the tk_tree (for its categories) */
    int32_t self, left, right; /* preorder ids of the node and its children */
    uint32_t bit;              /* 1 << the split feature's place on the node's path */
} shap_inner;

/* A leaf of a Fast TreeSHAP tree: its path's d unique features (in the order
 * they first appear from the root) at lfeat[foff..], its table (2^d x d
 * floats: for each subset P of them, as a bit mask, the leaf's SHAP value of
 * each) at tab[toff..]. */
typedef struct shap_leaf {
    int32_t self, d;
    uint32_t low; /* (1 << d) - 1 */
    size_t foff, toff;
} shap_leaf;

/* Two sibling leaves under split node `split` (of the d features of their
 * path, the split's at place k), as one table (toff) of d floats per entry:
 * when the split's feature first appears at that node (fresh), 2^d entries
 * indexed by the left leaf's mask (the right one's differs in bit k), each
 * the sum of the two leaves' values; otherwise 2^(d+1) entries indexed by the
 * node's mask and the row's direction (1: left). */
typedef struct shap_pair {
    shap_inner split; /* its left/right unused */
    int32_t d, fresh;
    uint32_t low;
    size_t foff, toff;
} shap_pair;

struct tk_shap_tree {
    const tk_tree *t; /* borrowed from the model */
    int fast;         /* 1: the tables below; 0: the recursive TreeSHAP */
    int skip;         /* its group is not an output (tk_model_margin skips it too) */
    int32_t depth;
    double root_mean; /* the tree's expectation given no feature */
    int32_t ninner, nleaves, npairs;
    shap_inner *inner;
    shap_leaf *leaf;  /* the leaves whose sibling is not a leaf */
    shap_pair *pair;  /* the others, two by two */
    int32_t *lfeat;
    float *tab;
};

/* ------------------------------------------------------------ the walk -- */

/* The child a row takes at split node n of t: prediction's rule. */
static int32_t hot_child(const tk_tree *t, int32_t n, const float *x)
{
    float v = x[t->split_index[n]];

    if (isnan(v))
        return t->default_left[n] ? t->left[n] : t->right[n];
    if (t->ncats > 0 && t->split_type && t->split_type[n] == 1)
        return t->left[n] + tk_tree_cat_right(t, n, v);
    return v < t->split_cond[n] ? t->left[n] : t->right[n];
}

/* Tree ti's depth into *depth; every split node the root reaches must have a
 * positive sum_hessian (its children's fractions divide by it), and the
 * depth be at most TK_SHAP_MAX_DEPTH. */
static int check_tree(const tk_tree *t, size_t ti, const char *name, int32_t *depth, tk_err *e)
{
    int32_t *stack = malloc(2 * ((size_t)t->nnodes + 1) * sizeof(int32_t)), top = 0, n, dd;

    if (!stack)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory preparing the SHAP values");
    *depth = 0;
    stack[top++] = 0;
    stack[top++] = 0;
    while (top > 0) {
        dd = stack[--top];
        n = stack[--top];
        *depth = dd > *depth ? dd : *depth;
        if (t->left[n] < 0)
            continue;
        if (!(t->sum_hess[n] > 0.0f)) {
            tk_err_set(e, TK_EDATA,
                       "%s: tree %zu node %ld splits with sum_hessian %g; SHAP values need "
                       "positive covers",
                       name, ti, (long)n, (double)t->sum_hess[n]);
            break;
        }
        if (dd >= TK_SHAP_MAX_DEPTH) {
            tk_err_set(e, TK_EDATA, "%s: tree %zu is deeper than %d levels, the most SHAP "
                       "values are computed for", name, ti, TK_SHAP_MAX_DEPTH);
            break;
        }
        stack[top++] = t->left[n];
        stack[top++] = dd + 1;
        stack[top++] = t->right[n];
        stack[top++] = dd + 1;
    }
    free(stack);
    return e->status;
}

/* The expectation of node n's subtree given no feature (xgboost's
 * FillNodeMeanValues, in double). Recursion depth: the tree's, checked. */
static double node_mean(const tk_tree *t, int32_t n)
{
    int32_t l = t->left[n], r = t->right[n];

    if (l < 0)
        return t->split_cond[n];
    return (node_mean(t, l) * t->sum_hess[l] + node_mean(t, r) * t->sum_hess[r]) /
           t->sum_hess[n];
}

/* ------------------------------------------------- recursive TreeSHAP -- */

/* xgboost's PathElement, in double: pweight w of the i'th element is the
 * permutation weight of the paths with i-1 ones in them. */
typedef struct shap_elem {
    int32_t f;
    double z, o, w;
} shap_elem;

static void extend_path(shap_elem *p, int d, double z, double o, int32_t f)
{
    int i;

    p[d].f = f;
    p[d].z = z;
    p[d].o = o;
    p[d].w = d == 0 ? 1.0 : 0.0;
    for (i = d - 1; i >= 0; i--) {
        p[i + 1].w += o * p[i].w * (i + 1) / (double)(d + 1);
        p[i].w = z * p[i].w * (d - i) / (double)(d + 1);
    }
}

static void unwind_path(shap_elem *p, int d, int idx)
{
    double o = p[idx].o, z = p[idx].z, next = p[d].w, tmp;
    int i;

    for (i = d - 1; i >= 0; i--) {
        if (o != 0.0) {
            tmp = p[i].w;
            p[i].w = next * (d + 1) / ((i + 1) * o);
            next = tmp - p[i].w * z * (d - i) / (double)(d + 1);
        } else {
            p[i].w = p[i].w * (d + 1) / (z * (d - i));
        }
    }
    for (i = idx; i < d; i++) {
        p[i].f = p[i + 1].f;
        p[i].z = p[i + 1].z;
        p[i].o = p[i + 1].o;
    }
}

static double unwound_sum(const shap_elem *p, int d, int idx)
{
    double o = p[idx].o, z = p[idx].z, next = p[d].w, total = 0.0, tmp;
    int i;

    for (i = d - 1; i >= 0; i--) {
        if (o != 0.0) {
            tmp = next * (d + 1) / ((i + 1) * o);
            total += tmp;
            next = p[i].w - tmp * z * ((d - i) / (double)(d + 1));
        } else if (z != 0.0) {
            total += (p[i].w / z) / ((d - i) / (double)(d + 1));
        }
    }
    return total;
}

/* xgboost's RegTree::TreeShap (unconditioned): node n's subtree, reached
 * with the path parent[0..d] extended by (pz, po, pf); adds into phi. */
static void tree_shap(const tk_tree *t, const float *x, double *phi, int32_t n, int d,
                      shap_elem *parent, double pz, double po, int32_t pf)
{
    shap_elem *p = parent + d + 1;
    int32_t f, hot, cold;
    double cover, iz = 1.0, io = 1.0;
    int i, k;

    memcpy(p, parent, (size_t)(d + 1) * sizeof(*p));
    extend_path(p, d, pz, po, pf);
    if (t->left[n] < 0) {
        for (i = 1; i <= d; i++)
            phi[p[i].f] += unwound_sum(p, d, i) * (p[i].o - p[i].z) * t->split_cond[n];
        return;
    }
    f = t->split_index[n];
    hot = hot_child(t, n, x);
    cold = hot == t->left[n] ? t->right[n] : t->left[n];
    cover = t->sum_hess[n];
    for (k = 0; k <= d && p[k].f != f; k++)
        ;
    if (k <= d) { /* split on f before: undo that, redo it merged with this split */
        iz = p[k].z;
        io = p[k].o;
        unwind_path(p, d, k);
        d--;
    }
    tree_shap(t, x, phi, hot, d + 1, p, t->sum_hess[hot] / cover * iz, io, f);
    tree_shap(t, x, phi, cold, d + 1, p, t->sum_hess[cold] / cover * iz, 0.0, f);
}

/* -------------------------------------------------- Fast TreeSHAP v2 -- */

/* A leaf's table: for every subset P (bit mask) of its path's d unique
 * features with cover fractions z[0..d) and value v, the SHAP value of each,
 *   i in P:     v (1 - z_i) s(P \ {i}) Z(U \ P)
 *   i not in P: -v s(P) Z(U \ P)         (the same for every such i)
 * with Z(A) the product of z over A and s(A) = sum over S in A of
 * |S|! (d - |S| - 1)! / d! Z(A \ S) = sum_k w_k c_k(A), c_k(A) the
 * coefficient of t^k in the product over A of (t + z_j), into tab (2^d x d
 * doubles). ws holds 2^d (d + 3) doubles. */
static void leaf_table(int d, const double *z, double v, double *tab, double *ws)
{
    size_t nm = (size_t)1 << d, P, full = nm - 1;
    double *c = ws, *s = c + nm * (size_t)(d + 1), *zin = s + nm, w[TK_SHAP_FAST_MAX_D];
    int k, i, pc;

    if (d == 0)
        return;
    w[0] = 1.0 / d;
    for (k = 1; k < d; k++)
        w[k] = w[k - 1] * k / (d - k);
    c[0] = 1.0;
    zin[0] = 1.0;
    s[0] = w[0];
    for (P = 1; P < nm; P++) {
        size_t Q = P & (P - 1);
        int b = __builtin_ctzll(P);
        const double *cq = c + Q * (size_t)(d + 1);
        double *cp = c + P * (size_t)(d + 1), acc = 0.0;
        pc = __builtin_popcountll(P);
        cp[0] = z[b] * cq[0];
        for (k = 1; k < pc; k++)
            cp[k] = cq[k - 1] + z[b] * cq[k];
        cp[pc] = cq[pc - 1];
        zin[P] = zin[Q] * z[b];
        for (k = 0; k <= pc && k < d; k++) /* s(U) is never needed */
            acc += w[k] * cp[k];
        s[P] = acc;
    }
    for (P = 0; P < nm; P++) {
        double zc = zin[full & ~P], u = -v * s[P] * zc;
        for (i = 0; i < d; i++)
            tab[P * (size_t)d + (size_t)i] =
                (P >> i & 1) ? v * (1.0 - z[i]) * s[P & ~((size_t)1 << i)] * zc : u;
    }
}

/* What a tree's Fast TreeSHAP tables need. */
typedef struct shap_scan {
    int32_t ninner, nleaves, npairs, maxd;
    size_t nfeat, entries; /* path features and table floats (paths of d <= the max) */
} shap_scan;

static void scan(const tk_tree *t, int32_t n, int32_t *pf, int d, shap_scan *st)
{
    int32_t l = t->left[n], r = t->right[n];
    int k, d2;

    if (l < 0) {
        st->nleaves++;
        st->maxd = d > st->maxd ? d : st->maxd;
        st->nfeat += (size_t)d;
        if (d <= TK_SHAP_FAST_MAX_D)
            st->entries += (size_t)d << d;
        return;
    }
    for (k = 0; k < d && pf[k] != t->split_index[n]; k++)
        ;
    pf[k] = t->split_index[n];
    d2 = d + (k == d);
    if (t->left[l] < 0 && t->left[r] < 0) { /* a pair of leaves */
        st->npairs++;
        st->maxd = d2 > st->maxd ? d2 : st->maxd;
        st->nfeat += (size_t)d2;
        if (d2 <= TK_SHAP_FAST_MAX_D)
            st->entries += (size_t)d2 << (d2 + (k < d));
        return;
    }
    st->ninner++;
    scan(t, l, pf, d2, st);
    scan(t, r, pf, d2, st);
}

typedef struct shap_build {
    tk_shap_tree *T;
    int32_t next_id, ni, nl, np;
    size_t foff, toff;
    int d;
    int32_t pf[TK_SHAP_FAST_MAX_D]; /* the path's unique features */
    double pz[TK_SHAP_FAST_MAX_D];  /* and their cover fractions */
    double *ws;                     /* leaf_table's, then two leaves' tables */
} shap_build;

/* The split fields of node n (preorder id id, its feature at place k). */
static void set_split(shap_inner *in, const tk_tree *t, int32_t n, int32_t id, int k)
{
    in->feat = t->split_index[n];
    in->thr = t->split_cond[n];
    in->defl = t->default_left[n];
    in->cat = t->ncats > 0 && t->split_type && t->split_type[n] == 1;
    in->orig = n;
    in->self = id;
    in->bit = (uint32_t)1 << k;
}

static void build_leaf(shap_build *b, int32_t n, int32_t id)
{
    tk_shap_tree *T = b->T;
    shap_leaf *L = &T->leaf[b->nl++];
    size_t i, m = (size_t)b->d << b->d;
    double *v = b->ws + ((size_t)1 << TK_SHAP_FAST_MAX_D) * (TK_SHAP_FAST_MAX_D + 3);

    L->self = id;
    L->d = b->d;
    L->low = (uint32_t)(((uint64_t)1 << b->d) - 1);
    L->foff = b->foff;
    L->toff = b->toff;
    memcpy(T->lfeat + b->foff, b->pf, (size_t)b->d * sizeof(int32_t));
    leaf_table(b->d, b->pz, T->t->split_cond[n], v, b->ws);
    for (i = 0; i < m; i++)
        T->tab[b->toff + i] = (float)v[i];
    b->foff += (size_t)b->d;
    b->toff += m;
}

/* The table of split n's two leaves (its feature at place k of the path,
 * fresh: first seen there, already pushed): see shap_pair. */
static void pair_table(shap_build *b, int32_t n, int k, int fresh, float *tab)
{
    const tk_tree *t = b->T->t;
    size_t d = (size_t)b->d, nm = (size_t)1 << d, big = (size_t)1 << TK_SHAP_FAST_MAX_D;
    size_t bk = (size_t)1 << k, P, i, ml, mr, dir;
    double *L = b->ws + big * (TK_SHAP_FAST_MAX_D + 3), *R = L + big * TK_SHAP_FAST_MAX_D;
    double save = b->pz[k];

    b->pz[k] = save * ((double)t->sum_hess[t->left[n]] / (double)t->sum_hess[n]);
    leaf_table(b->d, b->pz, t->split_cond[t->left[n]], L, b->ws);
    b->pz[k] = save * ((double)t->sum_hess[t->right[n]] / (double)t->sum_hess[n]);
    leaf_table(b->d, b->pz, t->split_cond[t->right[n]], R, b->ws);
    b->pz[k] = save;
    for (P = 0; P < nm; P++)
        for (dir = 0; dir < (fresh ? 1u : 2u); dir++) {
            ml = fresh ? P : dir ? P : P & ~bk;
            mr = fresh ? P ^ bk : dir ? P & ~bk : P;
            for (i = 0; i < d; i++)
                tab[((fresh ? P : 2 * P + dir)) * d + i] = (float)(L[ml * d + i] + R[mr * d + i]);
        }
}

/* Node n (id), both of whose children are leaves, as a pair. */
static void build_pair(shap_build *b, int32_t n, int32_t id, int k, int fresh)
{
    tk_shap_tree *T = b->T;
    shap_pair *p = &T->pair[b->np++];

    set_split(&p->split, T->t, n, id, k);
    if (fresh) {
        b->pf[b->d++] = T->t->split_index[n];
        b->pz[k] = 1.0;
    }
    p->d = b->d;
    p->fresh = fresh;
    p->low = (uint32_t)(((uint64_t)1 << b->d) - 1);
    p->foff = b->foff;
    p->toff = b->toff;
    memcpy(T->lfeat + b->foff, b->pf, (size_t)b->d * sizeof(int32_t));
    pair_table(b, n, k, fresh, T->tab + b->toff);
    b->foff += (size_t)b->d;
    b->toff += (size_t)b->d << (b->d + !fresh);
    if (fresh)
        b->d--;
}

/* Node n's subtree in preorder: ids, inner nodes, leaves, pairs and their
 * tables. */
static void build(shap_build *b, int32_t n)
{
    const tk_tree *t = b->T->t;
    int32_t id = b->next_id++, f, c;
    shap_inner *in;
    double save;
    int k, side, isnew;

    if (t->left[n] < 0) {
        build_leaf(b, n, id);
        return;
    }
    f = t->split_index[n];
    for (k = 0; k < b->d && b->pf[k] != f; k++)
        ;
    isnew = k == b->d;
    if (t->left[t->left[n]] < 0 && t->left[t->right[n]] < 0) {
        build_pair(b, n, id, k, isnew);
        return;
    }
    in = &b->T->inner[b->ni++];
    set_split(in, t, n, id, k);
    if (isnew) {
        b->pf[b->d++] = f;
        b->pz[k] = 1.0;
    }
    save = b->pz[k];
    for (side = 0; side < 2; side++) {
        c = side ? t->right[n] : t->left[n];
        *(side ? &in->right : &in->left) = b->next_id;
        b->pz[k] = save * ((double)t->sum_hess[c] / (double)t->sum_hess[n]);
        build(b, c);
    }
    b->pz[k] = save;
    if (isnew)
        b->d--;
}

/* Makes T a Fast TreeSHAP tree when its tables fit in *budget bytes (taken
 * from it); ws (leaf_table's, for TK_SHAP_FAST_MAX_D) is the caller's.
 * Returns TK_OK (fast or not), or TK_ESOFTWARE when out of memory. */
static int make_fast(tk_shap_tree *T, size_t *budget, double *ws, tk_err *e)
{
    int32_t pf[TK_SHAP_MAX_DEPTH + 1];
    shap_scan st = { 0, 0, 0, 0, 0, 0 };
    shap_build b;
    size_t bytes;

    scan(T->t, 0, pf, 0, &st);
    bytes = st.entries * sizeof(float);
    if (st.maxd > TK_SHAP_FAST_MAX_D || bytes > *budget)
        return TK_OK;
    T->inner = malloc((size_t)st.ninner * sizeof(shap_inner) + 1);
    T->leaf = malloc((size_t)st.nleaves * sizeof(shap_leaf) + 1);
    T->pair = malloc((size_t)st.npairs * sizeof(shap_pair) + 1);
    T->lfeat = malloc(st.nfeat * sizeof(int32_t) + 1);
    T->tab = malloc(bytes + 1);
    if (!T->inner || !T->leaf || !T->pair || !T->lfeat || !T->tab)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory for the SHAP tables");
    memset(&b, 0, sizeof(b));
    b.T = T;
    b.ws = ws;
    build(&b, 0);
    T->ninner = st.ninner;
    T->nleaves = st.nleaves;
    T->npairs = st.npairs;
    T->fast = 1;
    *budget -= bytes;
    return TK_OK;
}

/* The rows' directions at split in: dir[r] = 1 when row r of the block
 * (feature values xv[0..nb)) goes left. */
static void decide(const tk_shap_tree *T, const shap_inner *in, const float *xv, size_t nb,
                   uint8_t *dir)
{
    uint8_t defl = in->defl;
    float thr = in->thr;
    size_t r;

    if (in->cat) {
        for (r = 0; r < nb; r++)
            dir[r] = isnan(xv[r]) ? defl : (uint8_t)!tk_tree_cat_right(T->t, in->orig, xv[r]);
        return;
    }
    for (r = 0; r < nb; r++) /* branch-free: NaN compares false */
        dir[r] = (uint8_t)((xv[r] < thr) | (defl & (xv[r] != xv[r])));
}

/* Adds the d values tab + idx[r] * d of each of the nb rows to out (row r's
 * at out + r * W), the features f[0..d). */
static void add_rows(const float *tab, const uint32_t *idx, size_t nb, size_t d,
                     const int32_t *f, double *out, size_t W)
{
    size_t r, k;

    for (r = 0; r < nb; r++) {
        const float *tv = tab + (size_t)idx[r] * d;
        double *phi = out + r * W;
        for (k = 0; k < d; k++)
            phi[f[k]] += tv[k];
    }
}

/* Adds the values of Fast TreeSHAP tree T for the nb rows of a block to
 * out (row r's values of T's output at out + r * W); xt holds the block's
 * features column by column (xt[f * nb + r]), mask room for the tree's nodes
 * x nb, dir and idx for nb each. Node by node, then leaf by leaf and pair by
 * pair, each over the rows, so that the rows' updates do not wait on one
 * another. */
static void fast_block(const tk_shap_tree *T, const float *xt, size_t nb, uint32_t *mask,
                       uint8_t *dir, uint32_t *idx, double *out, size_t W)
{
    int32_t i;
    size_t r;

    for (r = 0; r < nb; r++)
        mask[r] = ~(uint32_t)0; /* the root: every path feature satisfied so far */
    for (i = 0; i < T->ninner; i++) {
        const shap_inner *in = &T->inner[i];
        const uint32_t *ms = mask + (size_t)in->self * nb;
        uint32_t *ml = mask + (size_t)in->left * nb, *mr = mask + (size_t)in->right * nb;
        decide(T, in, xt + (size_t)in->feat * nb, nb, dir);
        for (r = 0; r < nb; r++) {
            uint32_t m = ms[r], c = m & ~in->bit;
            ml[r] = dir[r] ? m : c;
            mr[r] = dir[r] ? c : m;
        }
    }
    for (i = 0; i < T->nleaves; i++) {
        const shap_leaf *L = &T->leaf[i];
        const uint32_t *ms = mask + (size_t)L->self * nb;
        for (r = 0; r < nb; r++)
            idx[r] = ms[r] & L->low;
        add_rows(T->tab + L->toff, idx, nb, (size_t)L->d, T->lfeat + L->foff, out, W);
    }
    for (i = 0; i < T->npairs; i++) {
        const shap_pair *p = &T->pair[i];
        const uint32_t *ms = mask + (size_t)p->split.self * nb;
        uint32_t bit = p->split.bit;
        decide(T, &p->split, xt + (size_t)p->split.feat * nb, nb, dir);
        if (p->fresh) /* the left leaf's mask */
            for (r = 0; r < nb; r++)
                idx[r] = (ms[r] & p->low & ~bit) | (dir[r] ? bit : 0);
        else /* the node's mask and the direction */
            for (r = 0; r < nb; r++)
                idx[r] = (ms[r] & p->low) << 1 | dir[r];
        add_rows(T->tab + p->toff, idx, nb, (size_t)p->d, T->lfeat + p->foff, out, W);
    }
}

/* -------------------------------------------------------------- public -- */

size_t tk_shap_width(const tk_shap *s)
{
    return (size_t)s->noutputs * (s->nfeatures + 1);
}

void tk_shap_free(tk_shap *s)
{
    size_t i;

    for (i = 0; s->trees && i < s->ntrees; i++) {
        free(s->trees[i].inner);
        free(s->trees[i].leaf);
        free(s->trees[i].pair);
        free(s->trees[i].lfeat);
        free(s->trees[i].tab);
    }
    free(s->trees);
    free(s->bias);
    memset(s, 0, sizeof(*s));
}

int tk_shap_init(tk_shap *s, const tk_model *m, size_t budget, const char *name, tk_err *e)
{
    /* leaf_table's workspace, then two leaves' tables */
    size_t i, ws_len = ((size_t)1 << TK_SHAP_FAST_MAX_D) * (3 * TK_SHAP_FAST_MAX_D + 3);
    double *ws = NULL;
    int k;

    memset(s, 0, sizeof(*s));
    s->model = m;
    s->nfeatures = m->nfeatures;
    s->noutputs = tk_model_noutputs(m);
    s->ntrees = m->ntrees;
    s->bias = calloc((size_t)s->noutputs + 1, sizeof(double));
    s->trees = calloc(m->ntrees + 1, sizeof(tk_shap_tree));
    if (!s->bias || !s->trees) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory preparing the SHAP values");
        goto fail;
    }
    for (k = 0; k < s->noutputs; k++)
        s->bias[k] = tk_model_base_margin(m);
    for (i = 0; i < m->ntrees; i++) {
        tk_shap_tree *T = &s->trees[i];
        T->t = &m->trees[i];
        T->skip = T->t->group >= s->noutputs;
        if (check_tree(T->t, i, name, &T->depth, e) != TK_OK)
            goto fail;
        s->max_depth = T->depth > s->max_depth ? T->depth : s->max_depth;
        s->max_nodes = T->t->nnodes > s->max_nodes ? T->t->nnodes : s->max_nodes;
        T->root_mean = node_mean(T->t, 0);
        if (!T->skip)
            s->bias[T->t->group] += T->root_mean;
    }
    for (i = 0; i < m->ntrees && budget > 0; i++) {
        if (!ws && !(ws = malloc(ws_len * sizeof(double)))) {
            tk_err_set(e, TK_ESOFTWARE, "out of memory preparing the SHAP tables");
            goto fail;
        }
        size_t before = budget;
        if (make_fast(&s->trees[i], &budget, ws, e) != TK_OK)
            goto fail;
        s->nfast += (size_t)s->trees[i].fast;
        s->table_bytes += before - budget;
    }
    free(ws);
    return TK_OK;
fail:
    free(ws);
    tk_shap_free(s);
    return e->status;
}

/* Rows per block for s: the largest power of two from SHAP_BLOCK_MIN to
 * SHAP_BLOCK_MAX whose masks for the largest Fast TreeSHAP tree fit in
 * SHAP_MASK_BYTES (SHAP_BLOCK_MIN when none fits). */
static size_t block_rows(const tk_shap *s, size_t *nodes)
{
    size_t i, most = 1, b = SHAP_BLOCK_MAX;

    for (i = 0; i < s->ntrees; i++)
        if (s->trees[i].fast && (size_t)s->trees[i].t->nnodes > most)
            most = (size_t)s->trees[i].t->nnodes;
    while (b > SHAP_BLOCK_MIN && most * b * sizeof(uint32_t) > SHAP_MASK_BYTES)
        b /= 2;
    *nodes = most;
    return b;
}

int tk_shap_rows(const tk_shap *s, const float *x, size_t n, double *out, tk_err *e)
{
    size_t W = tk_shap_width(s), F1 = s->nfeatures + 1, nf = s->nfeatures, r0, r, i, j;
    size_t D = (size_t)s->max_depth, npath = (D + 2) * (D + 3) / 2 + 2, nodes;
    size_t B = block_rows(s, &nodes);
    uint32_t *mask = malloc((nodes + 1) * B * sizeof(uint32_t));
    float *xt = malloc((nf + 1) * B * sizeof(float));
    uint8_t *dir = malloc(B);
    shap_elem *path = malloc(npath * sizeof(shap_elem));
    int k;

    if (!mask || !path || !xt || !dir) {
        free(mask);
        free(path);
        free(xt);
        free(dir);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory computing SHAP values");
    }
    memset(out, 0, n * W * sizeof(double));
    memset(path, 0, sizeof(shap_elem)); /* the root's call copies it before extending */
    for (r0 = 0; r0 < n; r0 += B) {
        size_t nb = n - r0 < B ? n - r0 : B;
        double *ob = out + r0 * W;
        for (r = 0; r < nb; r++) /* the block, column by column */
            for (j = 0; j < nf; j++)
                xt[j * nb + r] = x[(r0 + r) * nf + j];
        for (i = 0; i < s->ntrees; i++) {
            const tk_shap_tree *T = &s->trees[i];
            size_t off = (size_t)T->t->group * F1;
            if (T->skip)
                continue;
            if (T->fast) {
                fast_block(T, xt, nb, mask, dir, mask + nodes * B, ob + off, W);
                continue;
            }
            for (r = 0; r < nb; r++)
                tree_shap(T->t, x + (r0 + r) * nf, ob + r * W + off, 0, 0, path, 1.0, 1.0, -1);
        }
        for (r = 0; r < nb; r++)
            for (k = 0; k < s->noutputs; k++)
                ob[r * W + (size_t)k * F1 + nf] += s->bias[k];
    }
    free(mask);
    free(path);
    free(xt);
    free(dir);
    return TK_OK;
}
