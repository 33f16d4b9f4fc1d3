/* test_gbtrain_cv.c -- gbtrain's cross-validation pieces on MPI_COMM_SELF:
 * --cv-grid parsing and combinations, gbt_config_set's names and aliases,
 * fold assignment (the same folds for the same rows wherever they sit) and
 * a fold's rows as a data set of their own. */
#include <math.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "../../mpi_apps/gbtrain/gbtrain.h"
#include "unit.h"

static gbt_config cv_config(void)
{
    gbt_config c;

    memset(&c, 0, sizeof(c));
    c.objective = TK_OBJ_LOGISTIC;
    c.eta = 0.3;
    c.max_depth = 6;
    c.lambda = 1.0;
    c.max_bin = 256;
    c.num_round = 10;
    c.subsample = c.colsample_bytree = c.colsample_bylevel = c.colsample_bynode = 1.0;
    c.cv_folds = 3;
    c.train = "train.h5";
    return c;
}

static void test_grid_combinations(void)
{
    gbt_config c = cv_config(), out;
    gbt_grid g;
    tk_err e;
    char buf[128];

    tk_err_clear(&e);
    c.cv_grid = "max_depth=4,6,8;learning_rate=0.1,0.3";
    CU_ASSERT_EQUAL_FATAL(gbt_grid_parse(&c, &g, &e), TK_OK);
    CU_ASSERT_EQUAL(g.np, 2);
    CU_ASSERT_EQUAL(g.ncombo, 6);
    /* the first parameter varies slowest */
    gbt_grid_describe(&g, 0, " ", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "max_depth=4 learning_rate=0.1");
    gbt_grid_describe(&g, 1, " ", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "max_depth=4 learning_rate=0.3");
    gbt_grid_describe(&g, 5, ", ", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "max_depth=8, learning_rate=0.3");
    gbt_grid_describe_values(&g, 2, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "6,0.1,");
    CU_ASSERT_EQUAL(gbt_grid_config(&g, 3, &c, &out, &e), TK_OK);
    CU_ASSERT_EQUAL(out.max_depth, 6);
    CU_ASSERT_DOUBLE_EQUAL(out.eta, 0.3, 0);
    CU_ASSERT_EQUAL(c.max_depth, 6); /* the base is untouched */
    CU_ASSERT_DOUBLE_EQUAL(c.eta, 0.3, 0);
    CU_ASSERT_EQUAL(gbt_grid_config(&g, 0, &c, &out, &e), TK_OK);
    CU_ASSERT_EQUAL(out.max_depth, 4);
    CU_ASSERT_DOUBLE_EQUAL(out.eta, 0.1, 0);
    gbt_grid_free(&g);
    c.cv_grid = NULL; /* no grid: one combination, the base itself */
    CU_ASSERT_EQUAL(gbt_grid_parse(&c, &g, &e), TK_OK);
    CU_ASSERT_EQUAL(g.ncombo, 1);
    CU_ASSERT_EQUAL(gbt_grid_config(&g, 0, &c, &out, &e), TK_OK);
    CU_ASSERT_EQUAL(memcmp(&out, &c, sizeof(c)), 0);
    gbt_grid_free(&g);
}

/* gbt_grid_parse(spec) fails with TK_EUSAGE and a message holding want. */
static void grid_fails(const char *spec, const char *want)
{
    gbt_config c = cv_config();
    gbt_grid g;
    tk_err e;

    tk_err_clear(&e);
    c.cv_grid = spec;
    CU_ASSERT_EQUAL(gbt_grid_parse(&c, &g, &e), TK_EUSAGE);
    if (!strstr(e.msg, want))
        fprintf(stderr, "grid '%s': '%s' lacks '%s'\n", spec, e.msg, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want));
    gbt_grid_free(&g);
}

static void test_grid_errors(void)
{
    grid_fails("eta=0.1;learning_rate=0.3", "names eta twice");
    grid_fails("max_depth=4;max-depth=6", "names max-depth twice");
    grid_fails("eta=0.1,,0.2", "empty value");
    grid_fails("eta=", "empty value");
    grid_fails("eta=0.1;;max_depth=3", "empty parameter");
    grid_fails("=1", "is not NAME=V1,V2");
    grid_fails("eta", "is not NAME=V1,V2");
    grid_fails("label=a", "'label' is not a training parameter");
    grid_fails("cv_folds=3", "'cv_folds' is not a training parameter");
    grid_fails("max_depth=4,31", "--max-depth: 31 is out of range");
    grid_fails("subsample=x", "--subsample: 'x' is not a number");
}

static void test_config_set(void)
{
    gbt_config c = cv_config();
    tk_err e;

    tk_err_clear(&e);
    CU_ASSERT_EQUAL(gbt_config_set(&c, "reg_lambda", "2.5", &e), TK_OK);
    CU_ASSERT_DOUBLE_EQUAL(c.lambda, 2.5, 0);
    CU_ASSERT_EQUAL(gbt_config_set(&c, "reg_alpha", "0.5", &e), TK_OK);
    CU_ASSERT_DOUBLE_EQUAL(c.alpha, 0.5, 0);
    CU_ASSERT_EQUAL(gbt_config_set(&c, "min_split_loss", "1", &e), TK_OK);
    CU_ASSERT_DOUBLE_EQUAL(c.gamma, 1, 0);
    CU_ASSERT_EQUAL(gbt_config_set(&c, "colsample_bytree", "0.5", &e), TK_OK);
    CU_ASSERT_DOUBLE_EQUAL(c.colsample_bytree, 0.5, 0);
    CU_ASSERT_EQUAL(gbt_config_set(&c, "quantized_grad", "0", &e), TK_OK);
    CU_ASSERT_EQUAL(c.quantized_grad, 0);
    CU_ASSERT_EQUAL(gbt_config_set(&c, "num_boost_round", "7", &e), TK_OK);
    CU_ASSERT_EQUAL(c.num_round, 7);
    CU_ASSERT_EQUAL(gbt_config_set(&c, "overwrite", "1", &e), TK_EUSAGE);
    CU_ASSERT_EQUAL(c.overwrite, 0);
}

/* A data set of n rows, one feature x = i, labels i % 2, weights i. */
static void make_data(gbt_data *d, uint64_t n, int weighted)
{
    uint64_t i;

    memset(d, 0, sizeof(*d));
    d->n = d->total = n;
    d->nf = 1;
    d->xcol = calloc(1, sizeof(float *));
    d->xcol[0] = malloc(n * sizeof(float));
    d->y = malloc(n * sizeof(float));
    d->w = weighted ? malloc(n * sizeof(float)) : NULL;
    for (i = 0; i < n; i++) {
        d->xcol[0][i] = (float)i;
        d->y[i] = (float)(i % 2);
        if (weighted)
            d->w[i] = (float)i;
    }
}

static void test_folds_and_subsets(void)
{
    gbt_config c = cv_config();
    gbt_data d, in, out;
    uint32_t *fold = NULL, *fold2 = NULL;
    uint64_t i, count[3] = { 0, 0, 0 };
    tk_err e;

    tk_err_clear(&e);
    make_data(&d, 300, 1);
    CU_ASSERT_EQUAL_FATAL(gbt_folds_assign(MPI_COMM_SELF, &c, &d, &fold, &e), TK_OK);
    for (i = 0; i < d.n; i++) {
        CU_ASSERT(fold[i] < 3);
        count[fold[i] < 3 ? fold[i] : 0]++;
    }
    for (i = 0; i < 3; i++) /* a hash: about a third each */
        CU_ASSERT(count[i] > 60 && count[i] < 140);
    c.seed = 8;
    CU_ASSERT_EQUAL(gbt_folds_assign(MPI_COMM_SELF, &c, &d, &fold2, &e), TK_OK);
    CU_ASSERT(fold2 && memcmp(fold, fold2, d.n * sizeof(uint32_t)) != 0); /* the seed matters */
    CU_ASSERT_EQUAL(gbt_data_subset(MPI_COMM_SELF, &d, fold, 1, 1, &in, &e), TK_OK);
    CU_ASSERT_EQUAL(gbt_data_subset(MPI_COMM_SELF, &d, fold, 1, 0, &out, &e), TK_OK);
    CU_ASSERT_EQUAL(in.n, count[1]);
    CU_ASSERT_EQUAL(out.n, d.n - count[1]);
    CU_ASSERT_EQUAL(in.total, in.n);
    CU_ASSERT_EQUAL(in.row0, 0);
    for (i = 1; i < in.n; i++) /* in order, with their labels and weights */
        CU_ASSERT(in.xcol[0][i] > in.xcol[0][i - 1]);
    for (i = 0; i < in.n; i++) {
        uint64_t src = (uint64_t)in.xcol[0][i];
        CU_ASSERT_EQUAL(fold[src], 1);
        CU_ASSERT_EQUAL(in.y[i], (float)(src % 2));
        CU_ASSERT_EQUAL(in.w[i], (float)src);
    }
    for (i = 0; i < out.n; i++)
        CU_ASSERT_NOT_EQUAL(fold[(uint64_t)out.xcol[0][i]], 1);
    gbt_data_free(&in);
    gbt_data_free(&out);
    free(fold);
    free(fold2);
    c.cv_folds = 301; /* more folds than rows */
    fold = NULL;
    CU_ASSERT_EQUAL(gbt_folds_assign(MPI_COMM_SELF, &c, &d, &fold, &e), TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "more than TRAIN's 300 rows"));
    CU_ASSERT_PTR_NULL(fold);
    gbt_data_free(&d);
}

int unit_register_gbtrain_cv(void)
{
    static const unit_test tests[] = {
        { "--cv-grid: combinations, first parameter slowest", test_grid_combinations },
        { "--cv-grid: errors name the problem", test_grid_errors },
        { "gbt_config_set: xgboost's names and aliases, searchable only", test_config_set },
        { "folds: hashed, seeded; a fold's rows in order", test_folds_and_subsets },
        { NULL, NULL }
    };
    return unit_add_suite("gbtrain-cv", tests);
}
