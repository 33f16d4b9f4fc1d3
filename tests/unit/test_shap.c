/* test_shap.c -- tk_shap: Fast TreeSHAP v2 tables and the recursive
 * TreeSHAP against each other and against brute-force Shapley values of the
 * path-dependent tree expectation (every subset of the features), on random
 * trees with duplicate features on a path, missing values, categorical
 * splits and zero-cover children; the row sums against tk_model_margin; a
 * stump by hand; multi-class groups; the table budget and the path-length
 * limit; refused covers; xgboost 1.7's reference models
 * (tests/data/models, rows of cases.json). Run from the repository root;
 * SHAP_DEBUG=1 prints the worst errors of each group of models. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tk_model.h"
#include "tk_shap.h"
#include "unit.h"

#define MODELS_DIR "tests/data/models"
#define ROOT_PARENT 2147483647
#define MAXF 14 /* brute force: 2^MAXF subsets at most */

/* ---- brute force: the Shapley values of the path-dependent expectation ---- */

static int32_t child_of(const tk_tree *t, int32_t n, const float *x)
{
    float v = x[t->split_index[n]];

    if (isnan(v))
        return t->default_left[n] ? t->left[n] : t->right[n];
    if (t->split_type && t->split_type[n] == 1)
        return t->left[n] + tk_tree_cat_right(t, n, v);
    return v < t->split_cond[n] ? t->left[n] : t->right[n];
}

/* E[f(x) | the features in S known]: the row's child at a split on a known
 * feature, else both children weighted by cover. */
static double expect(const tk_tree *t, int32_t n, const float *x, unsigned S)
{
    int32_t l = t->left[n], r = t->right[n];

    if (l < 0)
        return t->split_cond[n];
    if (S >> t->split_index[n] & 1)
        return expect(t, child_of(t, n, x), x, S);
    return ((double)t->sum_hess[l] * expect(t, l, x, S) +
            (double)t->sum_hess[r] * expect(t, r, x, S)) / t->sum_hess[n];
}

static double model_expect(const tk_model *m, int k, const float *x, unsigned S)
{
    double v = tk_model_base_margin(m);
    size_t i;

    for (i = 0; i < m->ntrees; i++)
        if (m->trees[i].group == k)
            v += expect(&m->trees[i], 0, x, S);
    return v;
}

/* out: noutputs * (M + 1) values, as tk_shap_rows lays them out. */
static void brute_force(const tk_model *m, const float *x, double *out)
{
    int M = (int)m->nfeatures, K = tk_model_noutputs(m), k, i, j;
    unsigned S, nS = 1u << M;
    double w[MAXF + 1], *E = malloc(nS * sizeof(double));

    CU_ASSERT_FATAL(M <= MAXF && E != NULL);
    for (j = 0; j < M; j++) { /* |S|! (M - |S| - 1)! / M! */
        double v = 1.0;
        for (i = 1; i <= j; i++)
            v *= i;
        for (i = 1; i <= M - j - 1; i++)
            v *= i;
        for (i = 1; i <= M; i++)
            v /= i;
        w[j] = v;
    }
    for (k = 0; k < K; k++) {
        double *o = out + (size_t)k * (size_t)(M + 1);
        for (S = 0; S < nS; S++)
            E[S] = model_expect(m, k, x, S);
        for (i = 0; i < M; i++) {
            o[i] = 0.0;
            for (S = 0; S < nS; S++)
                if (!(S >> i & 1))
                    o[i] += w[__builtin_popcount(S)] * (E[S | 1u << i] - E[S]);
        }
        o[M] = E[0];
    }
    free(E);
}

/* ---- random trees ---- */

typedef struct gen {
    unsigned long long rng;
    tk_tree *t;
    int32_t used;
    int nfeat, ncat;  /* features 0..ncat-1 are categorical */
    int max_depth;
    double p_leaf, p_zero; /* chances of an early leaf and of a zero-cover child */
} gen;

static double unif(gen *g)
{
    return (double)(unit_rand(&g->rng) >> 11) / 9007199254740992.0;
}

static void make_leaf(gen *g, int32_t n)
{
    g->t->left[n] = g->t->right[n] = -1;
    g->t->split_index[n] = 0;
    g->t->split_cond[n] = (float)(2.0 * unif(g) - 1.0);
    g->t->default_left[n] = 0;
}

/* Node n (cover already set) at depth d: a leaf or a split with two new children. */
static void grow(gen *g, int32_t n, int d)
{
    tk_tree *t = g->t;
    int32_t l, r, f;
    double u;

    t->loss_chg[n] = 0.0f;
    t->base_weight[n] = 0.0f;
    if (d >= g->max_depth || t->sum_hess[n] == 0.0f || (d > 0 && unif(g) < g->p_leaf)) {
        make_leaf(g, n);
        return;
    }
    l = g->used++;
    r = g->used++;
    f = (int32_t)(unit_rand(&g->rng) % (unsigned)g->nfeat);
    t->left[n] = l;
    t->right[n] = r;
    t->parent[l] = t->parent[r] = n;
    t->split_index[n] = f;
    t->default_left[n] = (uint8_t)(unit_rand(&g->rng) & 1);
    t->split_cond[n] = (float)(2.0 * unif(g) - 1.0);
    if (f < g->ncat) { /* categories right: a random nonempty subset of 0..5 */
        int32_t cats[6], nc = 0, c;
        for (c = 0; c < 6; c++)
            if (unit_rand(&g->rng) & 1)
                cats[nc++] = c;
        if (nc == 0)
            cats[nc++] = (int32_t)(unit_rand(&g->rng) % 6);
        CU_ASSERT_EQUAL_FATAL(tk_tree_set_categories(t, n, cats, nc), TK_OK);
    }
    u = unif(g);
    if (unif(g) < g->p_zero) /* a child the training rows never reached */
        u = (unit_rand(&g->rng) & 1) ? 0.0 : 1.0;
    t->sum_hess[l] = (float)(t->sum_hess[n] * u);
    t->sum_hess[r] = t->sum_hess[n] - t->sum_hess[l];
    grow(g, l, d + 1);
    grow(g, r, d + 1);
}

/* Appends a random tree of output group k to m. */
static void add_random_tree(tk_model *m, gen *g, int32_t group)
{
    tk_tree t;
    tk_err e;
    int32_t cap = (int32_t)(2 << g->max_depth);

    CU_ASSERT_EQUAL_FATAL(tk_tree_alloc(&t, cap), TK_OK);
    g->t = &t;
    g->used = 1;
    t.parent[0] = ROOT_PARENT;
    t.sum_hess[0] = (float)(1.0 + 99.0 * unif(g));
    t.group = group;
    grow(g, 0, 0);
    t.nnodes = g->used;
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_model_add_tree(m, &t, &e), TK_OK);
    if (e.status != TK_OK)
        fprintf(stderr, "%s\n", e.msg);
    tk_tree_free(&t);
}

static void random_model(tk_model *m, gen *g, tk_objective obj, int K, int ntrees)
{
    tk_err e;
    int i;

    tk_model_init(m);
    tk_err_clear(&e);
    m->objective = obj;
    m->num_class = obj == TK_OBJ_SOFTPROB ? K : 0;
    m->base_score = obj == TK_OBJ_LOGISTIC ? 0.3f : 0.25f;
    CU_ASSERT_EQUAL_FATAL(tk_model_set_features(m, NULL, (size_t)g->nfeat, &e), TK_OK);
    for (i = 0; i < ntrees; i++)
        add_random_tree(m, g, obj == TK_OBJ_SOFTPROB ? i % K : 0);
}

/* A random row: values near the thresholds, missing ones, and on the
 * categorical features codes 0..7 (unseen 6, 7), negative, non-integer and
 * huge values. */
static void random_row(gen *g, float *x)
{
    static const float odd[] = { -1.0f, 2.5f, 1e30f, 16777216.0f, -0.5f };
    int j;

    for (j = 0; j < g->nfeat; j++) {
        if (unif(g) < 0.2)
            x[j] = NAN;
        else if (j < g->ncat)
            x[j] = unif(g) < 0.15 ? odd[unit_rand(&g->rng) % 5]
                                  : (float)(unit_rand(&g->rng) % 8);
        else
            x[j] = (float)(3.0 * unif(g) - 1.5);
    }
}

/* ---- checks ---- */

/* The largest |a - b| over n values, relative to max(1, the largest |b|). */
static double max_rel(const double *a, const double *b, size_t n)
{
    double worst = 0.0, scale = 1.0;
    size_t i;

    for (i = 0; i < n; i++)
        scale = fmax(scale, fabs(b[i]));
    for (i = 0; i < n; i++)
        worst = fmax(worst, fabs(a[i] - b[i]) / scale);
    return worst;
}

/* Compares the fast, the recursive and the brute-force values of nrows rows
 * x (row-major) of m; returns the worst errors in err[0] (fast), err[1]
 * (recursive); checks that the values of each output add up to the margin. */
static void compare_all(const tk_model *m, const float *x, size_t nrows, double *err)
{
    tk_shap fast, rec;
    tk_err e;
    size_t W, r, j;
    int K = tk_model_noutputs(m), k;
    double *vf, *vr, *vb;

    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_shap_init(&fast, m, SIZE_MAX, "m", &e), TK_OK);
    CU_ASSERT_EQUAL_FATAL(tk_shap_init(&rec, m, 0, "m", &e), TK_OK);
    CU_ASSERT_EQUAL(rec.nfast, 0);
    W = tk_shap_width(&fast);
    vf = malloc(nrows * W * sizeof(double));
    vr = malloc(nrows * W * sizeof(double));
    vb = malloc(W * sizeof(double));
    CU_ASSERT_FATAL(vf && vr && vb);
    CU_ASSERT_EQUAL(tk_shap_rows(&fast, x, nrows, vf, &e), TK_OK);
    CU_ASSERT_EQUAL(tk_shap_rows(&rec, x, nrows, vr, &e), TK_OK);
    for (r = 0; r < nrows; r++) {
        const float *xr = x + r * m->nfeatures;
        float margin[16];
        brute_force(m, xr, vb);
        err[0] = fmax(err[0], max_rel(vf + r * W, vb, W));
        err[1] = fmax(err[1], max_rel(vr + r * W, vb, W));
        tk_model_margin(m, xr, margin);
        for (k = 0; k < K; k++) {
            double sf = 0.0, sr = 0.0;
            for (j = 0; j <= m->nfeatures; j++) {
                sf += vf[r * W + (size_t)k * (m->nfeatures + 1) + j];
                sr += vr[r * W + (size_t)k * (m->nfeatures + 1) + j];
            }
            CU_ASSERT(fabs(sf - margin[k]) <= 1e-5 * fmax(1.0, fabs(margin[k])));
            CU_ASSERT(fabs(sr - margin[k]) <= 1e-5 * fmax(1.0, fabs(margin[k])));
        }
    }
    free(vf);
    free(vr);
    free(vb);
    tk_shap_free(&fast);
    tk_shap_free(&rec);
}

static void run_random(int nmodels, int nfeat, int ncat, int depth, double p_zero,
                       tk_objective obj, int K)
{
    gen g = { 0 };
    double err[2] = { 0.0, 0.0 };
    float x[20 * MAXF];
    int i, r;

    g.rng = 0x5eed0000ULL + (unsigned long long)(nfeat * 131 + depth * 7 + ncat);
    g.nfeat = nfeat;
    g.ncat = ncat;
    g.max_depth = depth;
    g.p_leaf = 0.15;
    g.p_zero = p_zero;
    for (i = 0; i < nmodels; i++) {
        tk_model m;
        random_model(&m, &g, obj, K, 1 + i % 4);
        for (r = 0; r < 20; r++)
            random_row(&g, x + r * nfeat);
        for (r = 0; r < nfeat; r++)
            x[r] = NAN; /* a row missing everything: the default directions */
        compare_all(&m, x, 20, err);
        tk_model_free(&m);
    }
    CU_ASSERT(err[0] < 1e-6);  /* the tables are float32 */
    CU_ASSERT(err[1] < 1e-12); /* double throughout */
    if (getenv("SHAP_DEBUG") || err[0] >= 1e-6 || err[1] >= 1e-12)
        fprintf(stderr, "nfeat %d depth %d: fast %.3g, recursive %.3g\n", nfeat, depth, err[0],
                err[1]);
}

static void test_random_numerical(void)
{
    run_random(60, 3, 0, 6, 0.0, TK_OBJ_SQUAREDERROR, 1); /* many repeats on a path */
    run_random(60, 6, 0, 5, 0.0, TK_OBJ_SQUAREDERROR, 1);
    run_random(30, 10, 0, 7, 0.0, TK_OBJ_LOGISTIC, 1);
}

static void test_random_categorical(void)
{
    run_random(60, 4, 2, 5, 0.0, TK_OBJ_SQUAREDERROR, 1);
    run_random(40, 5, 5, 4, 0.0, TK_OBJ_LOGISTIC, 1);
}

static void test_random_zero_cover(void)
{
    run_random(60, 4, 1, 6, 0.3, TK_OBJ_SQUAREDERROR, 1);
    run_random(40, 7, 2, 5, 0.2, TK_OBJ_LOGISTIC, 1);
}

static void test_random_multiclass(void)
{
    run_random(40, 5, 1, 5, 0.1, TK_OBJ_SOFTPROB, 3);
}

/* ---- by hand ---- */

/* A tree of n nodes in caller-owned arrays, all leaves but the splits set
 * with tsplit (for tk_model_add_tree, which copies). */
typedef struct tbuf {
    tk_tree t;
    int32_t left[64], right[64], parent[64], split_index[64];
    float split_cond[64], loss_chg[64], sum_hess[64], base_weight[64];
    uint8_t default_left[64];
} tbuf;

static void tb_init(tbuf *b, int32_t n, int32_t group)
{
    int32_t i;

    memset(b, 0, sizeof(*b));
    b->t.nnodes = n;
    b->t.left = b->left;
    b->t.right = b->right;
    b->t.parent = b->parent;
    b->t.split_index = b->split_index;
    b->t.split_cond = b->split_cond;
    b->t.default_left = b->default_left;
    b->t.loss_chg = b->loss_chg;
    b->t.sum_hess = b->sum_hess;
    b->t.base_weight = b->base_weight;
    b->t.group = group;
    for (i = 0; i < n; i++) {
        b->left[i] = b->right[i] = -1;
        b->parent[i] = i == 0 ? ROOT_PARENT : 0;
        b->sum_hess[i] = 1.0f;
    }
}

/* Node n splits on f at cond into children l, l + 1. */
static void tb_split(tbuf *b, int32_t n, int32_t f, float cond, int dleft, int32_t l)
{
    b->left[n] = l;
    b->right[n] = l + 1;
    b->parent[l] = b->parent[l + 1] = n;
    b->split_index[n] = f;
    b->split_cond[n] = cond;
    b->default_left[n] = (uint8_t)dleft;
}

static void model_with(tk_model *m, size_t nfeat, tk_objective obj, int K)
{
    tk_err e;

    tk_model_init(m);
    tk_err_clear(&e);
    m->objective = obj;
    m->num_class = obj == TK_OBJ_SOFTPROB ? K : 0;
    CU_ASSERT_EQUAL_FATAL(tk_model_set_features(m, NULL, nfeat, &e), TK_OK);
}

/* f0 < 0.5: left 1 (cover 3), right -1 (cover 1); the mean is 0.5. */
static void test_stump(void)
{
    tk_model m;
    tbuf b;
    tk_shap s;
    tk_err e;
    float x[4] = { 0.0f, 7.0f, NAN, 7.0f }; /* rows (f0, f1) */
    double v[6];
    size_t budget;

    model_with(&m, 2, TK_OBJ_SQUAREDERROR, 1);
    m.base_score = 0.25f;
    tb_init(&b, 3, 0);
    tb_split(&b, 0, 0, 0.5f, 0, 1);
    b.split_cond[1] = 1.0f;
    b.split_cond[2] = -1.0f;
    b.sum_hess[0] = 4.0f;
    b.sum_hess[1] = 3.0f;
    b.sum_hess[2] = 1.0f;
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_model_add_tree(&m, &b.t, &e), TK_OK);
    for (budget = 0; budget <= 1; budget++) {
        CU_ASSERT_EQUAL_FATAL(tk_shap_init(&s, &m, budget ? SIZE_MAX : 0, "m", &e), TK_OK);
        CU_ASSERT_EQUAL(s.nfast, budget);
        CU_ASSERT_EQUAL(tk_shap_width(&s), 3);
        CU_ASSERT_EQUAL(tk_shap_rows(&s, x, 2, v, &e), TK_OK);
        CU_ASSERT_DOUBLE_EQUAL(v[0], 0.5, 1e-7);   /* 1 - 0.5 */
        CU_ASSERT_DOUBLE_EQUAL(v[1], 0.0, 0.0);    /* f1 is used by no split */
        CU_ASSERT_DOUBLE_EQUAL(v[2], 0.75, 1e-7);  /* base 0.25 + mean 0.5 */
        CU_ASSERT_DOUBLE_EQUAL(v[3], -1.5, 1e-7);  /* missing: default right, -1 - 0.5 */
        CU_ASSERT_DOUBLE_EQUAL(v[5], 0.75, 1e-7);
        tk_shap_free(&s);
    }
    tk_model_free(&m);
}

/* f0 twice on a path: f0 < 0 -> (f0 < -1 -> a, b), c; the path's f0 merges:
 * E[] = (1 a + 1 b + 2 c) / 4 by covers, E[f0] = the row's leaf. */
static void test_duplicate_feature(void)
{
    tk_model m;
    tbuf b;
    tk_shap s[2];
    tk_err e;
    float x[3] = { -2.0f, -0.5f, 3.0f };
    double v[2], want[3] = { 8.0, 4.0, 2.0 }, mean = (8.0 + 4.0 + 2.0 * 2.0) / 4.0;
    int i, k;

    model_with(&m, 1, TK_OBJ_SQUAREDERROR, 1);
    m.base_score = 0.0f;
    tb_init(&b, 5, 0);
    tb_split(&b, 0, 0, 0.0f, 1, 1);
    tb_split(&b, 1, 0, -1.0f, 1, 3);
    b.split_cond[3] = 8.0f;
    b.split_cond[4] = 4.0f;
    b.split_cond[2] = 2.0f;
    b.sum_hess[0] = 4.0f;
    b.sum_hess[1] = 2.0f;
    b.sum_hess[2] = 2.0f;
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_model_add_tree(&m, &b.t, &e), TK_OK);
    CU_ASSERT_EQUAL_FATAL(tk_shap_init(&s[0], &m, SIZE_MAX, "m", &e), TK_OK);
    CU_ASSERT_EQUAL_FATAL(tk_shap_init(&s[1], &m, 0, "m", &e), TK_OK);
    for (k = 0; k < 2; k++) {
        CU_ASSERT_EQUAL(s[k].nfast, (size_t)(k == 0));
        for (i = 0; i < 3; i++) {
            CU_ASSERT_EQUAL(tk_shap_rows(&s[k], x + i, 1, v, &e), TK_OK);
            CU_ASSERT_DOUBLE_EQUAL(v[0], want[i] - mean, 1e-6);
            CU_ASSERT_DOUBLE_EQUAL(v[1], mean, 1e-6);
        }
        tk_shap_free(&s[k]);
    }
    tk_model_free(&m);
}

/* A path through 13 distinct features: beyond TK_SHAP_FAST_MAX_D, so the
 * recursive algorithm whatever the budget; still equal to brute force. */
static void test_long_path(void)
{
    tk_model m;
    tbuf b;
    gen g = { 0 };
    tk_err e;
    tk_shap s;
    float x[13 * 5];
    double err[2] = { 0.0, 0.0 };
    int32_t i;
    int r;

    CU_ASSERT_FATAL(TK_SHAP_FAST_MAX_D < 13);
    model_with(&m, 13, TK_OBJ_SQUAREDERROR, 1);
    tb_init(&b, 27, 0);
    for (i = 0; i < 13; i++) { /* node 2i splits on feature i, into 2i+1 (a leaf) and 2i+2 */
        tb_split(&b, 2 * i, i, 0.1f * (float)i - 0.6f, (int)(i & 1), 2 * i + 1);
        b.split_cond[2 * i + 1] = (float)i - 6.0f;
        b.sum_hess[2 * i] = (float)(40 - 2 * i);
        b.sum_hess[2 * i + 1] = 1.0f + (float)(i % 3);
        b.sum_hess[2 * i + 2] = b.sum_hess[2 * i] - b.sum_hess[2 * i + 1];
    }
    b.split_cond[26] = 2.5f;
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_model_add_tree(&m, &b.t, &e), TK_OK);
    CU_ASSERT_EQUAL_FATAL(tk_shap_init(&s, &m, SIZE_MAX, "m", &e), TK_OK);
    CU_ASSERT_EQUAL(s.nfast, 0);
    CU_ASSERT_EQUAL(s.table_bytes, 0);
    CU_ASSERT_EQUAL(s.max_depth, 13);
    tk_shap_free(&s);
    g.rng = 99;
    g.nfeat = 13;
    for (r = 0; r < 5; r++)
        random_row(&g, x + 13 * r);
    compare_all(&m, x, 5, err);
    CU_ASSERT(err[0] < 1e-12 && err[1] < 1e-12); /* both recursive */
    tk_model_free(&m);
}

/* Trees take tables in order while they fit: a stump's two leaves share one
 * table of 2^1 x 1 floats, 8 bytes (indexed by the left leaf's mask). */
static void test_budget(void)
{
    tk_model m;
    tbuf b;
    tk_shap s;
    tk_err e;
    int i;

    model_with(&m, 2, TK_OBJ_SQUAREDERROR, 1);
    tk_err_clear(&e);
    for (i = 0; i < 3; i++) {
        tb_init(&b, 3, 0);
        tb_split(&b, 0, i % 2, 0.0f, 0, 1);
        b.sum_hess[0] = 2.0f;
        CU_ASSERT_EQUAL_FATAL(tk_model_add_tree(&m, &b.t, &e), TK_OK);
    }
    CU_ASSERT_EQUAL_FATAL(tk_shap_init(&s, &m, 8, "m", &e), TK_OK);
    CU_ASSERT_EQUAL(s.nfast, 1);
    CU_ASSERT_EQUAL(s.table_bytes, 8);
    tk_shap_free(&s);
    CU_ASSERT_EQUAL_FATAL(tk_shap_init(&s, &m, 23, "m", &e), TK_OK);
    CU_ASSERT_EQUAL(s.nfast, 2);
    CU_ASSERT_EQUAL(s.table_bytes, 16);
    tk_shap_free(&s);
    CU_ASSERT_EQUAL_FATAL(tk_shap_init(&s, &m, SIZE_MAX, "m", &e), TK_OK);
    CU_ASSERT_EQUAL(s.nfast, 3);
    tk_shap_free(&s);
    tk_model_free(&m);
}

/* A split whose sum_hessian is 0 (xgboost would give NaN) is refused, named. */
static void test_bad_cover(void)
{
    tk_model m;
    tbuf b;
    tk_shap s;
    tk_err e;
    int i;

    model_with(&m, 2, TK_OBJ_SQUAREDERROR, 1);
    tk_err_clear(&e);
    for (i = 0; i < 2; i++) {
        tb_init(&b, 5, 0);
        tb_split(&b, 0, 0, 0.0f, 0, 1);
        tb_split(&b, 2, 1, 0.0f, 0, 3);
        b.sum_hess[0] = 2.0f;
        b.sum_hess[2] = i == 1 ? 0.0f : 1.0f;
        CU_ASSERT_EQUAL_FATAL(tk_model_add_tree(&m, &b.t, &e), TK_OK);
    }
    CU_ASSERT_EQUAL(tk_shap_init(&s, &m, SIZE_MAX, "dir/model.json", &e), TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "dir/model.json: tree 1 node 2 splits with "
                                         "sum_hessian 0"));
    CU_ASSERT_PTR_NULL(s.trees);
    tk_shap_free(&s);
    tk_model_free(&m);
}

/* Trees of group k add to output k only; each bias holds the base margin. */
static void test_groups(void)
{
    tk_model m;
    tbuf b;
    tk_shap s;
    tk_err e;
    float x[2] = { 1.0f, -1.0f };
    double v[9];
    int k;

    model_with(&m, 2, TK_OBJ_SOFTPROB, 3);
    m.base_score = 0.5f;
    tk_err_clear(&e);
    for (k = 0; k < 2; k++) { /* class 2 has no tree */
        tb_init(&b, 3, k);
        tb_split(&b, 0, k, 0.0f, 0, 1);
        b.split_cond[1] = -2.0f;
        b.split_cond[2] = 2.0f;
        b.sum_hess[0] = 2.0f;
        CU_ASSERT_EQUAL_FATAL(tk_model_add_tree(&m, &b.t, &e), TK_OK);
    }
    CU_ASSERT_EQUAL_FATAL(tk_shap_init(&s, &m, SIZE_MAX, "m", &e), TK_OK);
    CU_ASSERT_EQUAL(tk_shap_width(&s), 9);
    CU_ASSERT_EQUAL(tk_shap_rows(&s, x, 1, v, &e), TK_OK);
    CU_ASSERT_DOUBLE_EQUAL(v[0], 2.0, 1e-7); /* class 0: f0 = 1 goes right */
    CU_ASSERT_DOUBLE_EQUAL(v[1], 0.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(v[2], 0.5, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(v[3], 0.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(v[4], -2.0, 1e-7); /* class 1: f1 = -1 goes left */
    CU_ASSERT_DOUBLE_EQUAL(v[5], 0.5, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(v[6] + v[7], 0.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(v[8], 0.5, 1e-7);
    tk_shap_free(&s);
    tk_model_free(&m);
}

static float u2f(uint32_t u)
{
    float f;

    memcpy(&f, &u, sizeof(f));
    return f;
}

/* xgboost 1.7's reference models on cases.json's rows (unseen, invalid and
 * missing categories among them): fast = recursive = brute force. */
static void test_xgboost_models(void)
{
    json_error_t je;
    json_t *cases = json_load_file(MODELS_DIR "/cases.json", 0, &je), *models, *c;
    const char *name;
    int nmodels = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
    models = json_object_get(cases, "models");
    json_object_foreach(models, name, c) {
        json_t *rows = json_object_get(c, "rows"), *row, *v;
        char path[256];
        tk_model m;
        tk_err e;
        size_t r, k, n = json_array_size(rows);
        float *x;
        double err[2] = { 0.0, 0.0 };

        snprintf(path, sizeof(path), "%s/%s.json", MODELS_DIR, name);
        tk_err_clear(&e);
        CU_ASSERT_EQUAL_FATAL(tk_model_load(&m, path, &e), TK_OK);
        CU_ASSERT_FATAL(m.nfeatures <= MAXF);
        x = malloc(n * m.nfeatures * sizeof(float) + 1);
        CU_ASSERT_FATAL(x != NULL);
        json_array_foreach(rows, r, row)
            json_array_foreach(row, k, v)
                x[r * m.nfeatures + k] =
                    json_is_null(v) ? NAN : u2f((uint32_t)json_integer_value(v));
        compare_all(&m, x, n, err);
        CU_ASSERT(err[0] < 1e-6 && err[1] < 1e-12);
        if (getenv("SHAP_DEBUG") || err[0] >= 1e-6 || err[1] >= 1e-12)
            fprintf(stderr, "%s: fast %.3g, recursive %.3g\n", name, err[0], err[1]);
        free(x);
        tk_model_free(&m);
        nmodels++;
    }
    CU_ASSERT(nmodels >= 10);
    json_decref(cases);
}

int unit_register_shap(void)
{
    static const unit_test tests[] = {
        { "random trees: fast = recursive = brute force", test_random_numerical },
        { "random trees with categorical splits", test_random_categorical },
        { "random trees with zero-cover children", test_random_zero_cover },
        { "random multi-class models: groups and sums", test_random_multiclass },
        { "a stump by hand: values, bias, missing value", test_stump },
        { "a feature twice on a path merges", test_duplicate_feature },
        { "a path of 13 features takes the recursive TreeSHAP", test_long_path },
        { "tables in tree order within the budget", test_budget },
        { "a split without cover is refused, named", test_bad_cover },
        { "multi-class: each tree adds to its class", test_groups },
        { "xgboost's reference models: fast = recursive = brute force", test_xgboost_models },
        { NULL, NULL }
    };
    return unit_add_suite("shap", tests);
}
