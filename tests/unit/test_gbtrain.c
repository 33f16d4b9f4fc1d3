/* test_gbtrain.c -- gbtrain's pieces: gains and weights against hand-computed
 * values, the best split of a hand-built histogram, exact cuts and binning,
 * histogram building and subtraction, deterministic sampling. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../mpi_apps/gbtrain/gbtrain.h"
#include "gbt_test_cuts.h"
#include "unit.h"

static gbt_config base_config(void)
{
    gbt_config c;

    memset(&c, 0, sizeof(c));
    c.objective = TK_OBJ_LOGISTIC;
    c.lambda = 1.0;
    c.min_child_weight = 1.0;
    c.eta = 0.3;
    c.max_depth = 6;
    c.max_bin = 256;
    c.subsample = c.colsample_bytree = c.colsample_bylevel = c.colsample_bynode = 1.0;
    c.seed = 7;
    return c;
}

static void test_gain_and_weight(void)
{
    gbt_config c = base_config();

    /* G^2 / (H + lambda) and -G / (H + lambda) */
    CU_ASSERT_DOUBLE_EQUAL(gbt_gain(&c, 2.0, 3.0), 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(gbt_weight(&c, 2.0, 3.0), -0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(gbt_gain(&c, -6.0, 2.0), 12.0, 1e-12);
    /* below min_child_weight the weight is 0; the gain is XGBoost's all the same
     * (children that light are filtered out before their gain is asked) */
    CU_ASSERT_DOUBLE_EQUAL(gbt_gain(&c, 2.0, 0.5), 4.0 / 1.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(gbt_weight(&c, 2.0, 0.5), 0.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(gbt_gain(&c, 2.0, 0.0), 0.0, 0.0);
    /* alpha: soft threshold of G */
    c.alpha = 0.5;
    CU_ASSERT_DOUBLE_EQUAL(gbt_gain(&c, 2.0, 3.0), 1.5 * 1.5 / 4.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(gbt_weight(&c, -2.0, 3.0), 1.5 / 4.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(gbt_gain(&c, 0.3, 3.0), 0.0, 1e-12);
    c.alpha = 0.0;
    /* max_delta_step clips the weight; the gain follows the clipped weight */
    c.max_delta_step = 0.1;
    CU_ASSERT_DOUBLE_EQUAL(gbt_weight(&c, 2.0, 3.0), -0.1, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(gbt_gain(&c, 2.0, 3.0), -(2.0 * 2.0 * -0.1 + 4.0 * 0.01), 1e-12);
    /* with alpha too: the weight is soft-thresholded, the gain has no alpha term */
    c.alpha = 0.5;
    CU_ASSERT_DOUBLE_EQUAL(gbt_weight(&c, 2.0, 3.0), -0.1, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(gbt_gain(&c, 2.0, 3.0), -(2.0 * 2.0 * -0.1 + 4.0 * 0.01), 1e-12);
}

/* cuts by hand: one feature with 3 value bins */
static gbt_cuts one_feature_cuts(void)
{
    gbt_cuts c;
    static uint32_t nbins[1] = { 3 };
    static float cut0[2] = { 1.0f, 2.0f };
    static float *cut[1] = { cut0 };
    static size_t offset[2] = { 0, 4 };

    c.nf = 1;
    c.nbins = nbins;
    c.cut = cut;
    c.offset = offset;
    c.nslots = 4;
    return c;
}

static void test_split_best(void)
{
    gbt_config cfg = base_config();
    gbt_cuts cuts = one_feature_cuts();
    /* bins 0,1,2 and missing; scale 1 */
    gbt_bin_sum hist[4] = { { -4, 2 }, { 1, 2 }, { 3, 2 }, { 0, 0 } };
    uint32_t feats[1] = { 0 };
    double g = 0, h = 6, parent = gbt_gain(&cfg, g, h);
    /* candidates: after bin 0: L(-4,2) R(4,4); after bin 1: L(-3,4) R(3,2) */
    double gain0 = 16.0 / 3 + 16.0 / 5 - parent, gain1 = 9.0 / 5 + 9.0 / 3 - parent;
    gbt_split s = gbt_split_best(&cfg, &cuts, hist, 0, g, h, 1.0, 1.0, feats, 1);

    CU_ASSERT(gain0 > gain1);
    CU_ASSERT_DOUBLE_EQUAL(s.gain, gain0, 1e-12);
    CU_ASSERT_EQUAL(s.bin, 0);
    CU_ASSERT_DOUBLE_EQUAL(s.gl, -4.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(s.hr, 4.0, 0);
    /* with missing values (-5, 2) the best is to send them left after bin 0 */
    {
        gbt_bin_sum hm[4] = { { -4, 2 }, { 1, 2 }, { 3, 2 }, { -5, 2 } };
        gbt_split m = gbt_split_best(&cfg, &cuts, hm, 0, -5, 8, 1.0, 1.0, feats, 1);
        double p = gbt_gain(&cfg, -5, 8);
        CU_ASSERT_EQUAL(m.bin, 0);
        CU_ASSERT_EQUAL(m.default_left, 1);
        CU_ASSERT_DOUBLE_EQUAL(m.gain, 81.0 / 5 + 16.0 / 5 - p, 1e-12);
    }
    /* min_child_weight 3: only splits with both sides >= 3 */
    cfg.min_child_weight = 3;
    s = gbt_split_best(&cfg, &cuts, hist, 0, g, h, 1.0, 1.0, feats, 1);
    CU_ASSERT_EQUAL(s.gain, 0.0); /* each candidate has a side of hessian 2 */
}

static gbt_data column_data(const float *v, size_t n)
{
    gbt_data d;

    memset(&d, 0, sizeof(d));
    d.n = d.total = n;
    d.nf = 1;
    d.xcol = malloc(sizeof(*d.xcol));
    d.xcol[0] = malloc(n * sizeof(float));
    memcpy(d.xcol[0], v, n * sizeof(float));
    return d;
}

/* Categorical splits on hand-built histograms: one against the rest below
 * --max-cat-to-onehot, else a partition of the categories by weight; the
 * sets the split sends right. */
static void test_split_categorical(void)
{
    gbt_config cfg = base_config();
    uint32_t nb3[1] = { 3 }, nb6[1] = { 6 }, feats[1] = { 0 };
    size_t off3[2], off6[2];
    gbt_cuts c3 = gbt_test_cuts(nb3, 1, off3), c6 = gbt_test_cuts(nb6, 1, off6);
    uint8_t cat[1] = { 1 }, right[6];
    /* 3 categories: category 1 pulls hardest; no missing values */
    gbt_bin_sum h3[4] = { { 2, 3 }, { -9, 3 }, { 1, 3 }, { 0, 0 } };
    /* 6 categories: 0, 2, 4 positive gradients, 1, 3, 5 negative, a missing one */
    gbt_bin_sum h6[7] = { { 4, 2 }, { -5, 2 }, { 3, 2 }, { -4, 2 }, { 5, 2 }, { -3, 2 }, { 1, 2 } };
    gbt_split s;
    double p;

    c3.cat = c6.cat = cat;
    cfg.max_cat_to_onehot = 4;
    cfg.max_cat_threshold = 64;
    s = gbt_split_best(&cfg, &c3, h3, 0, -6, 9, 1.0, 1.0, feats, 1);
    p = gbt_gain(&cfg, -6, 9);
    CU_ASSERT_EQUAL(s.kind, GBT_SPLIT_ONEHOT);
    CU_ASSERT_EQUAL(s.bin, 1);
    CU_ASSERT_EQUAL(s.default_left, 1); /* the first of equal gains: missing with the rest */
    CU_ASSERT_DOUBLE_EQUAL(s.gain, 9.0 / 7 + 81.0 / 4 - p, 1e-12);
    CU_ASSERT_EQUAL(gbt_split_categories(&cfg, &c3, h3, 0, 1.0, 1.0, &s, right), 0);
    CU_ASSERT(right[0] == 0 && right[1] == 1 && right[2] == 0);
    /* at --max-cat-to-onehot 3, three categories are a partition */
    cfg.max_cat_to_onehot = 3;
    s = gbt_split_best(&cfg, &c3, h3, 0, -6, 9, 1.0, 1.0, feats, 1);
    CU_ASSERT_EQUAL(s.kind, GBT_SPLIT_PART);
    CU_ASSERT_EQUAL(gbt_split_categories(&cfg, &c3, h3, 0, 1.0, 1.0, &s, right), 0);
    CU_ASSERT(right[1] != right[0] && right[0] == right[2]); /* {1} against {0, 2} */
    /* 6 categories: by weight 4, 0, 2 (negative weights), then 5, 3, 1. Best:
     * backward, 1, 3, 5 left (-12, 6) and 4, 0, 2 right with the missing
     * values (13, 8); forward, those three right alone give (12, 6) */
    s = gbt_split_best(&cfg, &c6, h6, 0, 1, 14, 1.0, 1.0, feats, 1);
    p = gbt_gain(&cfg, 1, 14);
    CU_ASSERT_EQUAL(s.kind, GBT_SPLIT_PART);
    CU_ASSERT_EQUAL(s.bin, 3);
    CU_ASSERT_DOUBLE_EQUAL(s.gain, 144.0 / 7 + 169.0 / 9 - p, 1e-12);
    CU_ASSERT_EQUAL(s.default_left, 0); /* backward: missing values with the right side */
    CU_ASSERT_EQUAL(gbt_split_categories(&cfg, &c6, h6, 0, 1.0, 1.0, &s, right), 0);
    CU_ASSERT(right[0] && right[2] && right[4] && !right[1] && !right[3] && !right[5]);
    /* --max-cat-threshold 2: at most 2 categories on the growing side */
    cfg.max_cat_threshold = 2;
    s = gbt_split_best(&cfg, &c6, h6, 0, 1, 14, 1.0, 1.0, feats, 1);
    CU_ASSERT_EQUAL(s.kind, GBT_SPLIT_PART); /* backward: category 1 alone left */
    CU_ASSERT_EQUAL(s.bin, 5);
    CU_ASSERT_EQUAL(s.default_left, 0);
    CU_ASSERT_DOUBLE_EQUAL(s.gain, 25.0 / 3 + 36.0 / 13 - p, 1e-12);
}

static void test_cuts_few_values(void)
{
    const float v[] = { 3, 1, NAN, 2, 3, 1, 3, -0.0f, 0.0f };
    gbt_data d = column_data(v, sizeof(v) / sizeof(v[0]));
    gbt_cuts c;
    tk_err e;

    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(gbt_cuts_build(MPI_COMM_SELF, &d, 256, NULL, &c, &e), TK_OK);
    /* distinct 0, 1, 2, 3: one bin each, cuts 1, 2, 3 */
    CU_ASSERT_EQUAL(c.nbins[0], 4);
    CU_ASSERT_EQUAL(c.cut[0][0], 1.0f);
    CU_ASSERT_EQUAL(c.cut[0][1], 2.0f);
    CU_ASSERT_EQUAL(c.cut[0][2], 3.0f);
    CU_ASSERT_EQUAL(c.nslots, 5);
    CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, -7.0f), 0);
    CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, -0.0f), 0);
    CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, 0.999f), 0);
    CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, 1.0f), 1);
    CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, 2.5f), 2);
    CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, 1e30f), 3);
    CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, NAN), 4);
    CU_ASSERT_EQUAL(gbt_bins_build(&c, &d, 2, 1, &e), TK_OK);
    CU_ASSERT_EQUAL(gbt_bin(&d, 0, 0), 3);
    CU_ASSERT_EQUAL(gbt_bin(&d, 2, 0), 4);
    CU_ASSERT_EQUAL(gbt_bin(&d, 7, 0), 0);
    gbt_cuts_free(&c);
    gbt_data_free(&d);
}

/* A categorical feature's bins are 0..its largest category; weighted
 * quantiles put the cuts where the weight is. */
static void test_cuts_categorical_weighted(void)
{
    const float v[] = { 3, 0, NAN, 3, 0 };
    gbt_data d = column_data(v, sizeof(v) / sizeof(v[0]));
    uint8_t cat[1] = { 1 };
    float *x, *w;
    gbt_cuts c;
    tk_err e;
    int i;

    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(gbt_cuts_build(MPI_COMM_SELF, &d, 256, cat, &c, &e), TK_OK);
    CU_ASSERT_EQUAL(c.nbins[0], 4); /* 0, 1, 2, 3: categories 1 and 2 empty */
    CU_ASSERT(c.cat && c.cat[0] == 1);
    CU_ASSERT(c.narrow);
    CU_ASSERT_EQUAL(gbt_bins_build(&c, &d, 2, 0, &e), TK_OK);
    CU_ASSERT_EQUAL(gbt_bin(&d, 0, 0), 3);
    CU_ASSERT_EQUAL(gbt_bin(&d, 1, 0), 0);
    CU_ASSERT_EQUAL(gbt_bin(&d, 2, 0), 4); /* missing */
    gbt_cuts_free(&c);
    gbt_data_free(&d);
    /* values 1..100: the first 50 weigh 1, the others 99; W = 5000, targets
     * k * 500: the first cut is 55 (weight up to 55: 50 + 5 * 99 > 500), the
     * second 60 */
    x = malloc(100 * sizeof(float));
    w = malloc(100 * sizeof(float));
    for (i = 0; i < 100; i++) {
        x[i] = (float)(i + 1);
        w[i] = i < 50 ? 1.0f : 99.0f;
    }
    d = column_data(x, 100);
    d.w = w;
    CU_ASSERT_EQUAL_FATAL(gbt_cuts_build(MPI_COMM_SELF, &d, 10, NULL, &c, &e), TK_OK);
    CU_ASSERT_EQUAL(c.nbins[0], 10);
    CU_ASSERT_EQUAL(c.cut[0][0], 55.0f);
    CU_ASSERT_EQUAL(c.cut[0][1], 60.0f);
    CU_ASSERT_EQUAL(c.cut[0][9], 100.0f + (100.0f + 1e-5f)); /* above every value */
    CU_ASSERT_EQUAL(c.minv[0], 1.0f - 1.0f - 1e-5f);     /* below every value */
    gbt_cuts_free(&c);
    gbt_data_free(&d);
    free(x);
}

static void test_cuts_quantiles(void)
{
    enum { N = 1000 };
    float v[N];
    gbt_data d;
    gbt_cuts c;
    tk_err e;
    size_t i;

    for (i = 0; i < N; i++) /* 0..999 shuffled */
        v[i] = (float)((i * 7919) % N);
    d = column_data(v, N);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(gbt_cuts_build(MPI_COMM_SELF, &d, 10, NULL, &c, &e), TK_OK);
    /* the values at ranks k*1000/10: 100, 200, ..., 900 */
    CU_ASSERT_EQUAL(c.nbins[0], 10);
    for (i = 0; i < 9; i++)
        CU_ASSERT_EQUAL(c.cut[0][i], (float)(100 * (i + 1)));
    /* the prefix-table binning agrees with the binary search everywhere */
    for (i = 0; i < 5000; i++) {
        float x = (float)((double)i * 0.2113 - 20.0);
        CU_ASSERT_EQUAL(gbt_cuts_bin_fast(&c, 0, x), gbt_cuts_bin(&c, 0, x));
    }
    CU_ASSERT_EQUAL(gbt_cuts_bin_fast(&c, 0, NAN), 10);
    CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, 99.5f), 0);
    CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, 100.0f), 1);
    CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, 999.0f), 9);
    gbt_cuts_free(&c);
    gbt_data_free(&d);
    /* all missing: a single bin */
    {
        const float m[] = { NAN, NAN };
        gbt_data dm = column_data(m, 2);
        CU_ASSERT_EQUAL_FATAL(gbt_cuts_build(MPI_COMM_SELF, &dm, 10, NULL, &c, &e), TK_OK);
        CU_ASSERT_EQUAL(c.nbins[0], 1);
        CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, 5.0f), 0);
        CU_ASSERT_EQUAL(gbt_cuts_bin(&c, 0, NAN), 1);
        gbt_cuts_free(&c);
        gbt_data_free(&dm);
    }
}

static void test_hist_build_subtract(void)
{
    gbt_cuts cuts = one_feature_cuts();
    gbt_data d;
    uint16_t bins[6] = { 0, 1, 2, 3, 1, 0 };
    const gbt_bin_sum gh[6] = { { 1, 10 }, { 2, 20 }, { 3, 30 }, { 4, 40 }, { 5, 50 }, { 6, 60 } };
    uint32_t all[6] = { 0, 1, 2, 3, 4, 5 }, left[3] = { 0, 1, 5 };
    gbt_bin_sum parent[4], child[4], sib[4], direct[4];
    uint32_t right[3] = { 2, 3, 4 };
    size_t s;

    memset(&d, 0, sizeof(d));
    d.n = 6;
    d.nf = 1;
    d.width = 2;
    d.bins = bins;
    memset(parent, 0, sizeof(parent));
    memset(child, 0, sizeof(child));
    memset(direct, 0, sizeof(direct));
    gbt_hist_build(&cuts, &d, all, 6, gh, NULL, parent);
    CU_ASSERT_EQUAL(parent[0].g, 7);
    CU_ASSERT_EQUAL(parent[1].g, 7);
    CU_ASSERT_EQUAL(parent[2].h, 30);
    CU_ASSERT_EQUAL(parent[3].g, 4); /* missing slot */
    gbt_hist_build(&cuts, &d, left, 3, gh, NULL, child);
    gbt_hist_subtract(4, parent, child, sib);
    gbt_hist_build(&cuts, &d, right, 3, gh, NULL, direct);
    for (s = 0; s < 4; s++) {
        CU_ASSERT_EQUAL(sib[s].g, direct[s].g);
        CU_ASSERT_EQUAL(sib[s].h, direct[s].h);
    }
}

/* Row and column sampling keyed on (seed, round, ...): checked by
 * properties, not against themselves. A row's draw does not depend on what
 * was drawn before it (no hidden stream: rows visited backwards after other
 * seeds' draws give the same sample); other seeds and rounds give
 * independent samples (two 50% samples share about 25% of the rows); a
 * feature sample does not depend on the order of the candidates, and over
 * many nodes every feature is kept about rate of the time. */
static void test_sampling(void)
{
    gbt_config c = base_config(), c2 = base_config();
    enum { R = 20000 };
    static unsigned char fwd[R];
    uint32_t in[20], rev[20], out[20], out2[20];
    size_t i, j, n, taken = 0, same_seed_back = 0, both_seed = 0, both_round = 0;
    size_t picked[20] = { 0 }, differ = 0;
    int ok;

    c.subsample = 0.5;
    c2.subsample = 0.5;
    c2.seed = 8;
    for (i = 0; i < R; i++)
        taken += (size_t)(fwd[i] = (unsigned char)gbt_sample_row(&c, 3, 0, i));
    CU_ASSERT(taken > 9600 && taken < 10400);
    for (i = R; i-- > 0;) {
        (void)gbt_sample_row(&c2, 4, 1, i); /* interleaved draws of another seed */
        same_seed_back += (size_t)gbt_sample_row(&c, 3, 0, i) == fwd[i];
        both_seed += fwd[i] && gbt_sample_row(&c2, 3, 0, i);
        both_round += fwd[i] && gbt_sample_row(&c, 4, 0, i);
    }
    CU_ASSERT_EQUAL(same_seed_back, R);
    CU_ASSERT(both_seed > 4600 && both_seed < 5400);   /* 25% of 20000, +-8% */
    CU_ASSERT(both_round > 4600 && both_round < 5400);
    c.subsample = 1.0;
    for (i = 0, ok = 1; i < 1000; i++)
        ok &= gbt_sample_row(&c, 3, 0, i) == 1;
    CU_ASSERT_TRUE(ok);

    for (i = 0; i < 20; i++) {
        in[i] = (uint32_t)i * 3 + 1; /* feature ids 1, 4, ..., 58 */
        rev[19 - i] = in[i];
    }
    n = gbt_sample_features(&c, 2, 0, 5, 1, 0.3, in, 20, out);
    CU_ASSERT_EQUAL(n, 6); /* round(0.3 * 20) */
    for (i = 1; i < n; i++)
        CU_ASSERT(out[i - 1] < out[i]);
    for (i = 0, ok = 1; i < n; i++)
        ok &= out[i] % 3 == 1 && out[i] <= 58; /* a subset of the candidates */
    CU_ASSERT_TRUE(ok);
    /* the candidates in reverse order: the same features */
    CU_ASSERT_EQUAL(gbt_sample_features(&c, 2, 0, 5, 1, 0.3, rev, 20, out2), 6);
    CU_ASSERT_EQUAL(memcmp(out, out2, 6 * sizeof(*out)), 0);
    /* over 2000 nodes each feature is kept 30% of the time (+-4 points),
     * and the nodes do not all get the same sample */
    for (j = 0; j < 2000; j++) {
        size_t m = gbt_sample_features(&c, 2, 0, (int64_t)j, 1, 0.3, in, 20, out2);
        CU_ASSERT_EQUAL(m, 6);
        for (i = 0; i < m && m <= 20; i++)
            if (out2[i] % 3 == 1 && out2[i] <= 58)
                picked[(out2[i] - 1) / 3]++;
        differ += memcmp(out, out2, 6 * sizeof(*out)) != 0;
    }
    for (i = 0, ok = 1; i < 20; i++)
        ok &= picked[i] > 520 && picked[i] < 680;
    CU_ASSERT_TRUE(ok);
    CU_ASSERT(differ > 1900);
    CU_ASSERT_EQUAL(gbt_sample_features(&c, 2, 0, 5, 1, 0.01, in, 20, out), 1);
    CU_ASSERT_EQUAL(gbt_sample_features(&c, 2, 0, 5, 1, 1.0, in, 20, out), 20);
    CU_ASSERT_EQUAL(memcmp(out, in, sizeof(in)), 0);
}

/* multi:softprob: every class's gradient in one pass equals the softmax
 * written out per class (the same float operations, so bit for bit). */
static void test_softprob_gradients(void)
{
    gbt_config c = base_config();
    enum { N = 7, K = 5 };
    float margin[N * K], y[N], g[N * K], h[N * K];
    gbt_data d;
    int i, k, j, same = 1;

    c.objective = TK_OBJ_SOFTPROB;
    c.num_class = K;
    memset(&d, 0, sizeof(d));
    d.n = N;
    d.margin = margin;
    d.y = y;
    for (i = 0; i < N; i++) {
        y[i] = (float)(i % K);
        for (k = 0; k < K; k++)
            margin[i * K + k] = 0.37f * (float)((i * 3 + k * 5) % 11) - 1.5f;
    }
    CU_ASSERT_EQUAL_FATAL(gbt_gradients(&c, &d, g, h), 0);
    for (i = 0; i < N; i++)
        for (k = 0; k < K; k++) {
            const float *m = margin + i * K;
            float mx = m[0], sum = 0.0f, p, wg, wh;
            for (j = 1; j < K; j++)
                mx = fmaxf(mx, m[j]);
            for (j = 0; j < K; j++)
                sum += expf(m[j] - mx);
            p = expf(m[k] - mx) / sum;
            wg = (int)y[i] == k ? p - 1.0f : p;
            wh = fmaxf(2.0f * p * (1.0f - p), 1e-16f);
            same &= memcmp(&g[k * N + i], &wg, 4) == 0 && memcmp(&h[k * N + i], &wh, 4) == 0;
        }
    CU_ASSERT_TRUE(same);
}

/* A tiny deterministic generator for the randomized tests below. */
static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* The best split by brute force, the loop the search replaces: every
 * candidate in xgboost's order (feature; missing right, bins ascending;
 * missing left, bins descending), each
 * gain from gbt_gain, only a strictly larger one kept. */
static gbt_split brute_split(const gbt_config *cfg, const gbt_cuts *c, const gbt_bin_sum *hist,
                             double g, double h, const uint32_t *feats, size_t nfeats)
{
    gbt_split best = { 0.0, 0, 0, 0, GBT_SPLIT_NUM, 0, 0, 0, 0 };
    double parent = gbt_gain(cfg, g, h);
    size_t i;

    for (i = 0; i < nfeats; i++) {
        uint32_t f = feats[i], b, nb = c->nbins[f], j;
        const gbt_bin_sum *s = hist + c->offset[f];
        int dir;
        for (dir = 0; dir < 2; dir++) {
            uint32_t k;
            if (dir == 1 && s[nb].h <= 0)
                break;
            /* xgboost's order: missing right ascending (the last one with
             * every bin left), missing left descending (the last one with
             * no bin left: b = UINT32_MAX) */
            for (k = 0; k < nb; k++) {
                double gl = 0, hl = 0, gr, hr, gain;
                int64_t gq = 0, hq = 0;
                b = dir ? nb - 2 - k : k; /* wraps to UINT32_MAX */
                if (!dir && b == nb - 1 && s[nb].h <= 0)
                    break; /* nothing would go right */
                for (j = 0; j < (b == UINT32_MAX ? 0 : b + 1); j++) {
                    gq += s[j].g;
                    hq += s[j].h;
                }
                gl = (double)gq + (dir ? (double)s[nb].g : 0.0);
                hl = (double)hq + (dir ? (double)s[nb].h : 0.0);
                gr = g - gl;
                hr = h - hl;
                if (hl < cfg->min_child_weight || hr < cfg->min_child_weight || hl <= 0 || hr <= 0)
                    continue;
                gain = gbt_gain(cfg, gl, hl) + gbt_gain(cfg, gr, hr) - parent;
                if (gain > best.gain) {
                    best.gain = gain;
                    best.feature = f;
                    best.bin = b;
                    best.default_left = dir;
                    best.gl = gl;
                    best.hl = hl;
                    best.gr = gr;
                    best.hr = hr;
                }
            }
        }
    }
    return best;
}

/* The split search (its two-at-a-time path without alpha and
 * max_delta_step, its general one with them) against brute force on
 * random histograms of features with 1 to 40 bins, ties included (small
 * integer sums), with and without missing values; and the same search on
 * a block of the features, as each rank does it. */
static void test_split_random(void)
{
    enum { NF = 6, TRIALS = 400 };
    uint64_t x = 88172645463325252ull;
    int t, mismatches = 0, blocks = 0;

    for (t = 0; t < TRIALS; t++) {
        gbt_config cfg = base_config();
        gbt_cuts c;
        uint32_t nbins[NF], feats[NF];
        size_t offset[NF + 1], f, s;
        gbt_bin_sum *hist;
        double g = 0, h = 0;
        gbt_split a, b, blk;
        for (f = 0; f < NF; f++) {
            nbins[f] = 1 + (uint32_t)(rnd(&x) % 40);
            feats[f] = (uint32_t)f;
        }
        c = gbt_test_cuts(nbins, NF, offset);
        hist = calloc(c.nslots, sizeof(*hist));
        for (s = 0; s < offset[1]; s++) { /* feature 0 sets the node's sums */
            hist[s].g = (int64_t)(rnd(&x) % 9) - 4;
            hist[s].h = (int64_t)(rnd(&x) % 4);
            if (s == nbins[0] && t % 2)
                hist[s].g = hist[s].h = 0; /* no missing values */
            g += (double)hist[s].g;
            h += (double)hist[s].h;
        }
        for (f = 1; f < NF; f++) /* the others: random, same totals not needed */
            for (s = offset[f]; s < offset[f + 1]; s++) {
                hist[s].g = (int64_t)(rnd(&x) % 9) - 4;
                hist[s].h = (int64_t)(rnd(&x) % 4);
            }
        cfg.min_child_weight = (double)(t % 3);
        cfg.lambda = (t % 5 == 0) ? 0.0 : 1.0;
        if (t % 4 == 3)
            cfg.alpha = 0.5; /* the general path */
        a = gbt_split_best(&cfg, &c, hist, 0, g, h, 1.0, 1.0, feats, NF);
        b = brute_split(&cfg, &c, hist, g, h, feats, NF);
        mismatches += a.gain != b.gain || a.feature != b.feature || a.bin != b.bin ||
                      a.default_left != b.default_left || a.gl != b.gl || a.hr != b.hr;
        /* features 2..5 as a block: hist given from slot offset[2] */
        blk = gbt_split_best(&cfg, &c, hist + offset[2], offset[2], g, h, 1.0, 1.0, feats + 2,
                             NF - 2);
        b = brute_split(&cfg, &c, hist, g, h, feats + 2, NF - 2);
        blocks += blk.gain != b.gain || blk.feature != b.feature || blk.bin != b.bin;
        free(hist);
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    CU_ASSERT_EQUAL(blocks, 0);
}

/* Quantized pairs summed packed, in chunks, equal the same integers summed
 * as 64-bit pairs (set over whatever the histogram held), with the extremes of both halves and more rows than a
 * chunk; 1- and 2-byte bins give the same histogram; a destination table
 * places each feature's slots where it says. */
static void test_hist_quantized(void)
{
    enum { N = 2 * GBT_Q_CHUNK + 123, NF = 3 };
    static uint32_t nbins[NF] = { 5, 2, 7 };
    size_t offset[NF + 1];
    gbt_cuts c = gbt_test_cuts(nbins, NF, offset); /* 17 slots */
    gbt_data d8, d16;
    uint8_t *b8 = malloc(N * NF);
    uint16_t *b16 = malloc(N * NF * sizeof(uint16_t));
    gbt_qpair *q = malloc(N * sizeof(*q)), *acc = calloc(17, sizeof(*acc));
    gbt_bin_sum *gh = malloc(N * sizeof(*gh));
    gbt_bin_sum ex[17], h8[17], h16[17], moved[17];
    size_t dest[NF] = { 11, 0, 3 }; /* feature 0 last, 1 first, 2 between */
    uint32_t *rows = malloc(N * sizeof(uint32_t));
    uint64_t x = 12345;
    size_t i, f, acc_left = 0;

    CU_ASSERT_EQUAL_FATAL(c.nslots, 17);
    for (i = 0; i < N; i++) {
        int64_t g = (i % 3 == 0) ? -GBT_QG_MAX : (int64_t)(rnd(&x) % (2 * GBT_QG_MAX + 1)) - GBT_QG_MAX;
        int64_t h = (i % 5 == 0) ? GBT_QH_MAX : (int64_t)(rnd(&x) % (GBT_QH_MAX + 1));
        rows[i] = (uint32_t)i;
        q[i] = gbt_qpair_make(g, h);
        gh[i].g = g;
        gh[i].h = h;
        for (f = 0; f < NF; f++) {
            uint32_t bin = (uint32_t)(rnd(&x) % (nbins[f] + 1));
            b8[i * NF + f] = (uint8_t)bin;
            b16[i * NF + f] = (uint16_t)bin;
        }
    }
    memset(&d8, 0, sizeof(d8));
    d8.n = N;
    d8.nf = NF;
    d8.width = 1;
    d8.bins = b8;
    d16 = d8;
    d16.width = 2;
    d16.bins = b16;
    memset(ex, 0, sizeof(ex));
    memset(h8, 0xab, sizeof(h8)); /* the quantized build sets, not adds */
    memset(h16, 0xcd, sizeof(h16));
    memset(moved, 0xef, sizeof(moved));
    gbt_hist_build(&c, &d16, rows, N, gh, NULL, ex);
    gbt_hist_build_q(&c, &d8, rows, N, q, acc, NULL, h8);
    gbt_hist_build_q(&c, &d16, rows, N, q, acc, NULL, h16);
    gbt_hist_build_q(&c, &d8, rows, N, q, acc, dest, moved);
    CU_ASSERT_EQUAL(memcmp(ex, h8, sizeof(ex)), 0);
    CU_ASSERT_EQUAL(memcmp(ex, h16, sizeof(ex)), 0);
    for (f = 0; f < NF; f++)
        CU_ASSERT_EQUAL(memcmp(moved + dest[f], ex + offset[f],
                               (nbins[f] + 1) * sizeof(gbt_bin_sum)), 0);
    for (i = 0; i < 17; i++)
        acc_left += acc[i] != 0;
    CU_ASSERT_EQUAL(acc_left, 0); /* the scratch is zero again */
    /* at most a chunk of rows written packed, then unpacked: the same sums */
    {
        gbt_qpair packed[17];
        gbt_bin_sum un[17], ref[17];
        gbt_hist_build_q(&c, &d8, rows, 1000, q, acc, NULL, ref);
        memset(packed, 0x5a, sizeof(packed));
        gbt_hist_build_qp(&c, &d8, rows, 1000, q, acc, NULL, packed);
        gbt_hist_unpack(packed, 17, un);
        CU_ASSERT_EQUAL(memcmp(un, ref, sizeof(un)), 0);
        for (i = 0, acc_left = 0; i < 17; i++)
            acc_left += acc[i] != 0;
        CU_ASSERT_EQUAL(acc_left, 0);
    }
    /* the 1-byte exact build too */
    memset(h8, 0, sizeof(h8));
    gbt_hist_build(&c, &d8, rows, N, gh, NULL, h8);
    CU_ASSERT_EQUAL(memcmp(ex, h8, sizeof(ex)), 0);
    free(b8);
    free(b16);
    free(q);
    free(acc);
    free(gh);
    free(rows);
}

/* With the default 256 bins a feature with missing values gets 255, so
 * that its bins and the missing one fit in a byte; without missing values
 * 256; with more bins asked the data is not narrow; 1-byte bins equal the
 * 2-byte ones. */
static void test_cuts_narrow(void)
{
    enum { N = 5000 };
    float *v = malloc(N * sizeof(float));
    gbt_cuts c;
    gbt_data d, d2;
    tk_err e;
    size_t i;
    int same = 1;

    tk_err_clear(&e);
    for (i = 0; i < N; i++)
        v[i] = (float)((i * 7919) % N);
    d = column_data(v, N);
    CU_ASSERT_EQUAL_FATAL(gbt_cuts_build(MPI_COMM_SELF, &d, 256, NULL, &c, &e), TK_OK);
    CU_ASSERT_EQUAL(c.nbins[0], 256);
    CU_ASSERT_EQUAL(c.narrow, 1);
    gbt_cuts_free(&c);
    gbt_data_free(&d);
    v[17] = NAN;
    d = column_data(v, N);
    d2 = column_data(v, N);
    CU_ASSERT_EQUAL_FATAL(gbt_cuts_build(MPI_COMM_SELF, &d, 256, NULL, &c, &e), TK_OK);
    CU_ASSERT_EQUAL(c.nbins[0], 255);
    CU_ASSERT_EQUAL(c.narrow, 1);
    CU_ASSERT_EQUAL(gbt_bins_build(&c, &d, 1, 1, &e), TK_OK);
    CU_ASSERT_EQUAL(gbt_bins_build(&c, &d2, 2, 1, &e), TK_OK);
    for (i = 0; i < N; i++)
        same &= gbt_bin(&d, i, 0) == gbt_bin(&d2, i, 0) &&
                ((uint8_t *)d.bins_col)[i] == ((uint16_t *)d2.bins_col)[i];
    CU_ASSERT_TRUE(same);
    CU_ASSERT_EQUAL(gbt_bin(&d, 17, 0), 255); /* missing */
    gbt_cuts_free(&c);
    gbt_data_free(&d);
    gbt_data_free(&d2);
    d = column_data(v, N);
    CU_ASSERT_EQUAL_FATAL(gbt_cuts_build(MPI_COMM_SELF, &d, 300, NULL, &c, &e), TK_OK);
    CU_ASSERT_EQUAL(c.nbins[0], 300);
    CU_ASSERT_EQUAL(c.narrow, 0);
    gbt_cuts_free(&c);
    gbt_data_free(&d);
    free(v);
}

/* Feature blocks: contiguous, covering every feature once, about equal in
 * slots; the destinations of node j of m lay each rank's blocks of all
 * nodes one after another; on one rank the reduction gives the histogram
 * back; pooled buffers come back zeroed when asked. */
static void test_blocks(void)
{
    enum { NF = 7 };
    static uint32_t nbins[NF] = { 3, 10, 1, 4, 4, 20, 2 };
    size_t offset[NF + 1], f, j;
    gbt_cuts c;
    gbt_blocks b;
    tk_err e;
    int r, size;

    tk_err_clear(&e);
    c = gbt_test_cuts(nbins, NF, offset);
    for (size = 1; size <= 9; size++) {
        size_t covered = 0, slots = 0;
        for (r = 0; r < size; r++) {
            CU_ASSERT_EQUAL_FATAL(gbt_blocks_init(&b, &c, r, size, &e), TK_OK);
            CU_ASSERT_EQUAL(b.f0[0], 0);
            CU_ASSERT_EQUAL(b.f0[size], NF);
            CU_ASSERT(b.f0[r] <= b.f0[r + 1]);
            CU_ASSERT_EQUAL(b.s0[r], offset[b.f0[r]]);
            covered += b.f0[r + 1] - b.f0[r];
            slots += b.nmine;
            /* within one feature (at most 21 slots) of an equal share */
            CU_ASSERT(b.nmine <= c.nslots / (size_t)size + 21);
            if (size == 2) /* 51 slots; feature 5 (slots 27..47) has its middle past 25.5 */
                CU_ASSERT_EQUAL(b.f0[1], 5);
            {
                const size_t *dst = gbt_blocks_dest(&b, &c, 3, 1);
                int q;
                for (q = 0; q < size; q++)
                    for (f = b.f0[q]; f < b.f0[q + 1]; f++)
                        CU_ASSERT_EQUAL(dst[f], 3 * b.s0[q] + (b.s0[q + 1] - b.s0[q]) +
                                                    offset[f] - b.s0[q]);
            }
            gbt_blocks_free(&b);
        }
        CU_ASSERT_EQUAL(covered, NF);
        CU_ASSERT_EQUAL(slots, c.nslots);
    }
    CU_ASSERT_EQUAL_FATAL(gbt_blocks_init(&b, &c, 0, 1, &e), TK_OK);
    {
        gbt_bin_sum *send = gbt_blocks_send(&b, 2, 1), *sum, *p;
        for (j = 0; j < 2 * c.nslots; j++) {
            send[j].g = (int64_t)j - 7;
            send[j].h = (int64_t)j * 3;
        }
        sum = (gbt_bin_sum *)gbt_blocks_reduce(&b, MPI_COMM_SELF, 2, 2);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
        for (j = 0; j < 2 * c.nslots; j++)
            CU_ASSERT(sum[j].g == (int64_t)j - 7 && sum[j].h == (int64_t)j * 3);
        p = gbt_blocks_get(&b, 0);
        p[0].g = 5;
        gbt_blocks_put(&b, p);
        CU_ASSERT_PTR_EQUAL(gbt_blocks_get(&b, 1), p); /* the pooled one, zeroed */
        CU_ASSERT_EQUAL(p[0].g, 0);
        gbt_blocks_put(&b, p);
    }
    gbt_blocks_free(&b);
}

/* Quantized mode's gradients (vector exp): within 2e-6 of the scalar ones,
 * and a row's bits do not depend on where it sits (rows 3..10 alone give
 * the bits they have among rows 0..10), for both objectives that use exp. */
static void test_fast_gradients(void)
{
    enum { N = 11, K = 5 };
    gbt_config c = base_config();
    float margin[N * K], y[N], g[N * K], h[N * K], gs[N * K], hs[N * K], g2[N * K], h2[N * K];
    gbt_data d, tail;
    int i, k, obj, near = 1, same = 1;

    for (obj = 0; obj < 2; obj++) {
        int nout = obj ? K : 1;
        c.objective = obj ? TK_OBJ_SOFTPROB : TK_OBJ_LOGISTIC;
        c.num_class = obj ? K : 0;
        memset(&d, 0, sizeof(d));
        d.n = N;
        d.margin = margin;
        d.y = y;
        for (i = 0; i < N; i++) {
            y[i] = obj ? (float)(i % K) : (float)(i % 2);
            for (k = 0; k < nout; k++)
                margin[i * nout + k] = 0.91f * (float)((i * 7 + k * 3) % 13) - 5.3f;
        }
        c.quantized_grad = 0;
        CU_ASSERT_EQUAL_FATAL(gbt_gradients(&c, &d, gs, hs), 0);
        c.quantized_grad = 1;
        CU_ASSERT_EQUAL_FATAL(gbt_gradients(&c, &d, g, h), 0);
        tail = d;
        tail.n = N - 3;
        tail.margin = margin + 3 * nout;
        tail.y = y + 3;
        CU_ASSERT_EQUAL_FATAL(gbt_gradients(&c, &tail, g2, h2), 0);
        for (k = 0; k < nout; k++)
            for (i = 0; i < N; i++) {
                size_t at = (size_t)k * N + (size_t)i;
                near &= fabsf(g[at] - gs[at]) <= 2e-6f * fmaxf(1.0f, fabsf(gs[at])) &&
                        fabsf(h[at] - hs[at]) <= 2e-6f * fmaxf(1.0f, fabsf(hs[at]));
                if (i >= 3)
                    same &= memcmp(&g[at], &g2[(size_t)k * (N - 3) + (size_t)(i - 3)], 4) == 0 &&
                            memcmp(&h[at], &h2[(size_t)k * (N - 3) + (size_t)(i - 3)], 4) == 0;
            }
    }
    CU_ASSERT_TRUE(near);
    CU_ASSERT_TRUE(same);
}

int unit_register_gbtrain(void)
{
    static const unit_test tests[] = {
        { "gain and weight (lambda, alpha, max_delta_step)", test_gain_and_weight },
        { "best split of a hand-built histogram", test_split_best },
        { "categorical splits: one-hot, partitions, their sets", test_split_categorical },
        { "cuts: categories, weighted quantiles", test_cuts_categorical_weighted },
        { "cuts: one bin per distinct value", test_cuts_few_values },
        { "cuts: exact quantiles", test_cuts_quantiles },
        { "histogram build and sibling by subtraction", test_hist_build_subtract },
        { "row and column sampling", test_sampling },
        { "multi:softprob gradients of every class in one pass", test_softprob_gradients },
        { "split search equals brute force (random histograms, blocks)", test_split_random },
        { "quantized packed histograms equal exact ones; 1- and 2-byte bins", test_hist_quantized },
        { "cuts: 255 bins with missing values, narrow bins", test_cuts_narrow },
        { "histogram blocks: partition, layout, pool", test_blocks },
        { "quantized mode's vector-exp gradients: close, position-independent", test_fast_gradients },
        { NULL, NULL }
    };
    return unit_add_suite("gbtrain", tests);
}
