/* test_model.c -- tk_model: JSON round trips bit for bit, float formatting,
 * prediction on hand-built trees (missing values, softmax), the reference
 * models made by xgboost 1.7.4 (tests/data/models, made by make_models.py)
 * against xgboost's own margins, the loader's errors, and a small fuzz of
 * truncated and corrupted model files. Run from the repository root. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "tk_model.h"
#include "tk_model_internal.h"
#include "tk_text.h"
#include "unit.h"

#define MODELS_DIR "tests/data/models"
#define ROOT_PARENT 2147483647

static uint32_t f2u(float f)
{
    uint32_t u;

    memcpy(&u, &f, sizeof(u));
    return u;
}

static float u2f(uint32_t u)
{
    float f;

    memcpy(&f, &u, sizeof(f));
    return f;
}

/* A tree in caller-owned arrays (for tk_model_add_tree, which copies). */
typedef struct tree_buf {
    tk_tree t;
    int32_t left[64], right[64], parent[64], split_index[64];
    float split_cond[64], loss_chg[64], sum_hess[64], base_weight[64];
    uint8_t default_left[64];
} tree_buf;

static void tb_init(tree_buf *b, int32_t group)
{
    memset(b, 0, sizeof(*b));
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
}

/* Appends a leaf under parent; returns its index. */
static int32_t tb_leaf(tree_buf *b, int32_t parent, float value)
{
    int32_t id = b->t.nnodes++;

    b->left[id] = b->right[id] = -1;
    b->parent[id] = parent < 0 ? ROOT_PARENT : parent;
    b->split_cond[id] = value;
    b->base_weight[id] = value;
    b->sum_hess[id] = 1.0f + (float)id;
    return id;
}

/* Turns leaf id into a split on feature f at cond with two new leaves. */
static void tb_split(tree_buf *b, int32_t id, int32_t f, float cond, int dleft, float lv,
                     float rv)
{
    b->split_index[id] = f;
    b->split_cond[id] = cond;
    b->default_left[id] = (uint8_t)dleft;
    b->loss_chg[id] = 10.0f + (float)id;
    b->base_weight[id] = 0.25f * (float)id;
    b->left[id] = tb_leaf(b, id, lv);
    b->right[id] = tb_leaf(b, id, rv);
}

/* Whether node i of s and of t split alike on categories: the same
 * split type (a tree without split_type: all numerical) and, on a categorical
 * split, the same run (wherever it sits in cats). */
static int same_cats(const tk_tree *s, const tk_tree *t, int32_t i)
{
    int cs = s->split_type && s->split_type[i], ct = t->split_type && t->split_type[i];

    if (cs != ct)
        return 0;
    return !cs || (s->cat_size[i] == t->cat_size[i] &&
                   memcmp(s->cats + s->cat_begin[i], t->cats + t->cat_begin[i],
                          (size_t)s->cat_size[i] * sizeof(int32_t)) == 0);
}

/* Whether the categorical flags of two models agree (NULL: none). */
static int same_feature_cat(const tk_model *a, const tk_model *b)
{
    size_t i;

    for (i = 0; i < a->nfeatures; i++)
        if ((a->feature_cat && a->feature_cat[i]) != (b->feature_cat && b->feature_cat[i]))
            return 0;
    return 1;
}

/* Compares every field of two models bit for bit. */
static int same_model(const tk_model *a, const tk_model *b)
{
    size_t i;
    int32_t k;

    if (a->objective != b->objective || a->num_class != b->num_class ||
        f2u(a->base_score) != f2u(b->base_score) ||
        f2u(a->scale_pos_weight) != f2u(b->scale_pos_weight) || a->nfeatures != b->nfeatures ||
        !a->feature_names != !b->feature_names || a->ntrees != b->ntrees ||
        a->nattrs != b->nattrs || !same_feature_cat(a, b))
        return 0;
    for (i = 0; a->feature_names && i < a->nfeatures; i++)
        if (strcmp(a->feature_names[i], b->feature_names[i]) != 0)
            return 0;
    for (i = 0; i < a->nattrs; i++)
        if (strcmp(a->attr_keys[i], b->attr_keys[i]) || strcmp(a->attr_vals[i], b->attr_vals[i]))
            return 0;
    for (i = 0; i < a->ntrees; i++) {
        const tk_tree *s = &a->trees[i], *t = &b->trees[i];
        size_t n = (size_t)s->nnodes;
        if (s->nnodes != t->nnodes || s->group != t->group ||
            memcmp(s->left, t->left, n * 4) || memcmp(s->right, t->right, n * 4) ||
            memcmp(s->parent, t->parent, n * 4) || memcmp(s->split_index, t->split_index, n * 4) ||
            memcmp(s->split_cond, t->split_cond, n * 4) ||
            memcmp(s->default_left, t->default_left, n) ||
            memcmp(s->loss_chg, t->loss_chg, n * 4) || memcmp(s->sum_hess, t->sum_hess, n * 4) ||
            memcmp(s->base_weight, t->base_weight, n * 4))
            return 0;
        for (k = 0; k < s->nnodes; k++)
            if (!same_cats(s, t, k))
                return 0;
    }
    return 1;
}

/* A softprob model over 3 named features with 4 trees and attributes. */
static void build_model(tk_model *m)
{
    const char *names[] = { "plays", "dist songs", "r\xc3\xa9gion" };
    tree_buf b;
    tk_err e;

    tk_err_clear(&e);
    tk_model_init(m);
    m->objective = TK_OBJ_SOFTPROB;
    m->num_class = 3;
    m->base_score = 0.5f;
    CU_ASSERT_EQUAL(tk_model_set_features(m, names, 3, &e), TK_OK);
    tb_init(&b, 0);
    tb_leaf(&b, -1, 0.0f);
    tb_split(&b, 0, 1, 0.5f, 1, -0.25f, 0.75f);
    tb_split(&b, 1, 0, -1.5e-3f, 0, 1e-7f, -3.0f);
    tb_split(&b, 2, 2, 100.0f, 1, 0.1f, FLT_TRUE_MIN);
    CU_ASSERT_EQUAL(tk_model_add_tree(m, &b.t, &e), TK_OK);
    tb_init(&b, 1);
    tb_leaf(&b, -1, -0.0f); /* a single leaf */
    CU_ASSERT_EQUAL(tk_model_add_tree(m, &b.t, &e), TK_OK);
    tb_init(&b, 2);
    tb_leaf(&b, -1, 0.0f);
    tb_split(&b, 0, 2, 3.0f, 0, 0.5f, -0.5f);
    CU_ASSERT_EQUAL(tk_model_add_tree(m, &b.t, &e), TK_OK);
    tb_init(&b, 0);
    tb_leaf(&b, -1, 0.0f);
    tb_split(&b, 0, 0, 1e10f, 1, FLT_MAX / 4, 2.5f);
    CU_ASSERT_EQUAL(tk_model_add_tree(m, &b.t, &e), TK_OK);
    CU_ASSERT_EQUAL(tk_model_set_attr(m, "best_score", "0.6931", &e), TK_OK);
    CU_ASSERT_EQUAL(tk_model_set_attr(m, "best_iteration", "0", &e), TK_OK);
    CU_ASSERT_EQUAL(e.status, TK_OK);
}

/* to_json, write it to dir/name, load it back. Returns the load status. */
static int json_reload(const tk_model *m, const char *dir, const char *name, tk_model *out,
                       char **text, size_t *len, tk_err *e)
{
    char path[600];

    tk_err_clear(e);
    if (tk_model_to_json(m, text, len, e) != TK_OK)
        return e->status;
    if (unit_write_file(dir, name, *text, *len, path, sizeof(path)) != 0)
        return -1;
    return tk_model_load(out, path, e);
}

static void test_round_trip(void)
{
    tk_model m, back;
    char dir[64], *t1 = NULL, *t2 = NULL;
    size_t n1, n2;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    build_model(&m);
    CU_ASSERT_EQUAL_FATAL(json_reload(&m, dir, "m.json", &back, &t1, &n1, &e), TK_OK);
    CU_ASSERT_TRUE(same_model(&m, &back));
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_model_to_json(&back, &t2, &n2, &e), TK_OK);
    CU_ASSERT_TRUE(t2 && n1 == n2 && memcmp(t1, t2, n1) == 0);
    CU_ASSERT_EQUAL(strlen(t1), n1);
    CU_ASSERT_PTR_NULL(strchr(t1, '\n'));
    CU_ASSERT_STRING_EQUAL(tk_model_get_attr(&back, "best_iteration"), "0");
    /* the shape xgboost writes */
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"learner_model_param\":{\"base_score\":\"0.5\","
                                      "\"boost_from_average\":\"1\",\"num_class\":\"3\","
                                      "\"num_feature\":\"3\",\"num_target\":\"1\"}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"objective\":{\"name\":\"multi:softprob\","
                                      "\"softmax_multiclass_param\":{\"num_class\":\"3\"}}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"tree_info\":[0,1,2,0]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"feature_types\":[\"float\",\"float\",\"float\"]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"name\":\"gbtree\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"version\":[1,7,4]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"parents\":[2147483647,0,0,1,1,2,2]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"tree_param\":{\"num_deleted\":\"0\",\"num_feature\":"
                                      "\"3\",\"num_nodes\":\"7\",\"size_leaf_vector\":\"0\"}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"attributes\":{\"best_iteration\":\"0\","
                                      "\"best_score\":\"0.6931\"}"));
    free(t1);
    free(t2);
    tk_model_free(&back);
    tk_model_free(&m);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_deterministic_bytes(void)
{
    tk_model a, b;
    char *ta = NULL, *tb = NULL;
    size_t na, nb;
    tk_err e;

    tk_err_clear(&e);
    build_model(&a);
    build_model(&b);
    /* attributes set in another order, one replaced */
    tk_model_set_attr(&b, "best_iteration", "7", &e);
    tk_model_set_attr(&b, "a_first", "x", &e);
    tk_model_set_attr(&a, "a_first", "x", &e);
    tk_model_set_attr(&a, "best_iteration", "7", &e);
    CU_ASSERT_EQUAL(tk_model_to_json(&a, &ta, &na, &e), TK_OK);
    CU_ASSERT_EQUAL(tk_model_to_json(&b, &tb, &nb, &e), TK_OK);
    CU_ASSERT_TRUE(ta && tb && na == nb && memcmp(ta, tb, na) == 0);
    CU_ASSERT_EQUAL(a.nattrs, 3);
    CU_ASSERT_STRING_EQUAL(a.attr_keys[0], "a_first");
    CU_ASSERT_STRING_EQUAL(tk_model_get_attr(&a, "best_iteration"), "7");
    CU_ASSERT_PTR_NULL(tk_model_get_attr(&a, "nope"));
    free(ta);
    free(tb);
    tk_model_free(&a);
    tk_model_free(&b);
}

/* A chain tree of n nodes (n odd) whose float fields are set by fill. */
static void chain_tree(tk_tree *t, int32_t n, int32_t *ints, uint8_t *u8, float *fl)
{
    int32_t i;

    memset(t, 0, sizeof(*t));
    t->nnodes = n;
    t->left = ints;
    t->right = ints + n;
    t->parent = ints + 2 * n;
    t->split_index = ints + 3 * n;
    t->split_cond = fl;
    t->loss_chg = fl + n;
    t->sum_hess = fl + 2 * n;
    t->base_weight = fl + 3 * n;
    t->default_left = u8;
    for (i = 0; i < n; i++) {
        t->left[i] = t->right[i] = -1;
        t->split_index[i] = 0;
        u8[i] = (uint8_t)(i & 1);
    }
    t->parent[0] = ROOT_PARENT;
    for (i = 0; 2 * i + 2 < n; i++) { /* node 2i splits into 2i+1, 2i+2 */
        t->left[2 * i] = 2 * i + 1;
        t->right[2 * i] = 2 * i + 2;
        t->parent[2 * i + 1] = t->parent[2 * i + 2] = 2 * i;
    }
}

static void test_float_format(void)
{
    static const float special[9] = { 0.0f, -0.0f, 1.0f, 1e10f, 123456789.0f,
                                      0.1f, 100.0f, FLT_MAX, FLT_TRUE_MIN };
    const char *want = "\"split_conditions\":[0.0,-0.0,1.0,1e10,123456792.0,0.100000001,"
                       "100.0,3.40282347e38,1.40129846e-45]";
    enum { N = 4001 };
    int32_t *ints = malloc(4 * N * sizeof(int32_t));
    float *fl = malloc(4 * N * sizeof(float));
    uint8_t *u8 = malloc(N);
    unsigned long long seed = 42;
    tk_model m, back;
    tk_tree t;
    char dir[64], *text = NULL, *p;
    size_t len, i;
    tk_err e;
    int32_t k;
    int bad = 0;

    CU_ASSERT_FATAL(ints && fl && u8);
    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    tk_err_clear(&e);
    tk_model_init(&m);
    tk_model_set_features(&m, NULL, 1, &e); /* unnamed */
    chain_tree(&t, 9, ints, u8, fl);
    for (k = 0; k < 4 * 9; k++)
        fl[k] = 1.0f;
    memcpy(t.split_cond, special, sizeof(special));
    CU_ASSERT_EQUAL(tk_model_add_tree(&m, &t, &e), TK_OK);
    /* random finite bit patterns in every float field */
    chain_tree(&t, N, ints, u8, fl);
    for (k = 0; k < 4 * N; k++) {
        uint32_t u;
        do
            u = (uint32_t)unit_rand(&seed);
        while (!isfinite(u2f(u)));
        fl[k] = u2f(u);
    }
    CU_ASSERT_EQUAL(tk_model_add_tree(&m, &t, &e), TK_OK);
    CU_ASSERT_EQUAL_FATAL(json_reload(&m, dir, "f.json", &back, &text, &len, &e), TK_OK);
    CU_ASSERT_TRUE(same_model(&m, &back));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"feature_names\":[],\"feature_types\":[]"));
    CU_ASSERT_PTR_NULL(back.feature_names);
    CU_ASSERT_EQUAL(back.nfeatures, 1);
    /* no real is written like an integer: every number in a float array
     * has a '.' or an 'e' */
    for (p = text; (p = strstr(p, "\"sum_hessian\":[")) != NULL;) {
        p += strlen("\"sum_hessian\":[");
        while (*p && *p != ']') {
            size_t w = strcspn(p, ",]");
            if (memchr(p, '.', w) == NULL && memchr(p, 'e', w) == NULL)
                bad++;
            p += w + (p[w] == ',');
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    for (i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(f2u(back.trees[1].loss_chg[i]), f2u(m.trees[1].loss_chg[i]));
    free(text);
    tk_model_free(&back);
    tk_model_free(&m);
    free(ints);
    free(fl);
    free(u8);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_predict_missing(void)
{
    tk_model m;
    tree_buf b;
    float x[2], out[1];
    tk_err e;

    tk_err_clear(&e);
    tk_model_init(&m);
    tk_model_set_features(&m, NULL, 2, &e);
    m.base_score = 0.5f;
    tb_init(&b, 0);
    tb_leaf(&b, -1, 0.0f);
    tb_split(&b, 0, 0, 1.0f, 1, -1.0f, 2.0f);  /* x0 < 1 left; missing left */
    tb_split(&b, 2, 1, -2.0f, 0, 10.0f, 20.0f); /* x1 < -2 left; missing right */
    CU_ASSERT_EQUAL_FATAL(tk_model_add_tree(&m, &b.t, &e), TK_OK);
    x[1] = 0.0f;
    x[0] = 0.5f;
    CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[0], x), 1);
    x[0] = 1.0f; /* equal goes right */
    CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[0], x), 4);
    x[0] = nextafterf(1.0f, 0.0f);
    CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[0], x), 1);
    x[0] = NAN; /* default left */
    CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[0], x), 1);
    x[0] = INFINITY;
    CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[0], x), 4);
    x[0] = -INFINITY;
    CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[0], x), 1);
    x[0] = 3.0f;
    x[1] = NAN; /* default right */
    CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[0], x), 4);
    x[1] = -3.0f;
    CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[0], x), 3);
    /* margins: base plus leaves in float32; identity transform */
    tb_init(&b, 0);
    tb_leaf(&b, -1, 0.1f);
    CU_ASSERT_EQUAL_FATAL(tk_model_add_tree(&m, &b.t, &e), TK_OK);
    tk_model_margin(&m, x, out);
    CU_ASSERT_EQUAL(f2u(out[0]), f2u(0.5f + 10.0f + 0.1f));
    tk_model_transform(&m, out);
    CU_ASSERT_EQUAL(f2u(out[0]), f2u(0.5f + 10.0f + 0.1f));
    CU_ASSERT_EQUAL(tk_model_noutputs(&m), 1);
    /* binary:logistic */
    m.objective = TK_OBJ_LOGISTIC;
    m.base_score = 0.2f;
    CU_ASSERT_EQUAL(f2u(tk_model_base_margin(&m)), f2u(-logf(1.0f / 0.2f - 1.0f)));
    tk_model_margin(&m, x, out);
    CU_ASSERT_EQUAL(f2u(out[0]), f2u(-logf(4.0f) + 10.0f + 0.1f));
    tk_model_transform(&m, out);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 1.0 / (1.0 + exp(-(-log(4.0) + 10.1))), 1e-6);
    tk_model_free(&m);
}

static void test_predict_softmax(void)
{
    tk_model m;
    tree_buf b;
    float x[1] = { 0.0f }, out[3];
    double s[3], sum = 0;
    tk_err e;
    int k;

    tk_err_clear(&e);
    tk_model_init(&m);
    tk_model_set_features(&m, NULL, 1, &e);
    m.objective = TK_OBJ_SOFTPROB;
    m.num_class = 3;
    for (k = 0; k < 4; k++) { /* groups 0, 1, 2, 0 */
        tb_init(&b, k % 3);
        tb_leaf(&b, -1, 0.0f);
        tb_split(&b, 0, 0, 0.5f, 1, (float)(k + 1), -100.0f);
        CU_ASSERT_EQUAL_FATAL(tk_model_add_tree(&m, &b.t, &e), TK_OK);
    }
    CU_ASSERT_EQUAL(tk_model_noutputs(&m), 3);
    tk_model_margin(&m, x, out);
    CU_ASSERT_EQUAL(f2u(out[0]), f2u(0.5f + 1.0f + 4.0f));
    CU_ASSERT_EQUAL(f2u(out[1]), f2u(0.5f + 2.0f));
    CU_ASSERT_EQUAL(f2u(out[2]), f2u(0.5f + 3.0f));
    for (k = 0; k < 3; k++)
        sum += s[k] = exp((double)out[k]);
    tk_model_transform(&m, out);
    for (k = 0; k < 3; k++)
        CU_ASSERT_DOUBLE_EQUAL(out[k], s[k] / sum, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(out[0] + out[1] + out[2], 1.0, 1e-6);
    x[0] = NAN; /* default left everywhere */
    tk_model_margin(&m, x, out);
    CU_ASSERT_EQUAL(f2u(out[2]), f2u(3.5f));
    /* large margins do not overflow */
    out[0] = 1000.0f;
    out[1] = 999.0f;
    out[2] = -1000.0f;
    tk_model_transform(&m, out);
    CU_ASSERT_TRUE(isfinite(out[0]) && out[0] > 0.7f && out[2] == 0.0f);
    tk_model_free(&m);
}

/* Models made by xgboost: margins equal xgboost's bit for bit, predictions
 * within 2 ulp; they survive our round trip unchanged. */
static void test_xgboost_models(void)
{
    json_error_t je;
    json_t *cases = json_load_file(MODELS_DIR "/cases.json", 0, &je), *models, *c;
    const char *name;
    char dir[64];
    int nmodels = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    models = json_object_get(cases, "models");
    json_object_foreach(models, name, c) {
        char path[256], *t1 = NULL, *t2 = NULL;
        size_t n1, n2, r, k;
        tk_model m, back;
        tk_err e;
        json_t *rows = json_object_get(c, "rows"), *margins = json_object_get(c, "margins"),
               *preds = json_object_get(c, "predictions");
        int bad_margin = 0, bad_pred = 0;

        snprintf(path, sizeof(path), "%s/%s.json", MODELS_DIR, name);
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(tk_model_load(&m, path, &e), TK_OK);
        if (e.status != TK_OK) {
            fprintf(stderr, "%s\n", e.msg);
            continue;
        }
        nmodels++;
        CU_ASSERT_TRUE(m.ntrees > 0);
        CU_ASSERT_EQUAL(json_array_size(rows), json_array_size(margins));
        for (r = 0; r < json_array_size(rows); r++) {
            json_t *row = json_array_get(rows, r), *v;
            float x[16], out[8], want;
            int K = tk_model_noutputs(&m);
            CU_ASSERT_FATAL(json_array_size(row) == m.nfeatures && m.nfeatures <= 16 && K <= 8);
            json_array_foreach(row, k, v)
                x[k] = json_is_null(v) ? NAN : u2f((uint32_t)json_integer_value(v));
            tk_model_margin(&m, x, out);
            for (k = 0; k < (size_t)K; k++) {
                want = u2f((uint32_t)json_integer_value(
                    json_array_get(json_array_get(margins, r), k)));
                bad_margin += f2u(out[k]) != f2u(want);
            }
            tk_model_transform(&m, out);
            for (k = 0; k < (size_t)K; k++) {
                want = u2f((uint32_t)json_integer_value(
                    json_array_get(json_array_get(preds, r), k)));
                bad_pred += fabsf(out[k] - want) > 2 * (nextafterf(want, INFINITY) - want);
            }
        }
        CU_ASSERT_EQUAL(bad_margin, 0);
        CU_ASSERT_EQUAL(bad_pred, 0);
        if (bad_margin || bad_pred)
            fprintf(stderr, "%s: %d margins, %d predictions differ\n", name, bad_margin,
                    bad_pred);
        CU_ASSERT_EQUAL(json_reload(&m, dir, "x.json", &back, &t1, &n1, &e), TK_OK);
        CU_ASSERT_TRUE(same_model(&m, &back));
        CU_ASSERT_EQUAL(tk_model_to_json(&back, &t2, &n2, &e), TK_OK);
        CU_ASSERT_TRUE(t1 && t2 && n1 == n2 && memcmp(t1, t2, n1) == 0);
        if (strcmp(name, "reg_unnamed") == 0)
            CU_ASSERT_PTR_NULL(m.feature_names);
        if (strcmp(name, "exact_pruned") == 0)
            CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"num_deleted\":\"10\""));
        if (strcmp(name, "binary_spw") == 0) {
            CU_ASSERT_EQUAL(f2u(m.scale_pos_weight), f2u(2.5f));
            CU_ASSERT_EQUAL(f2u(m.base_score), f2u(0.3f));
            CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"base_score\":\"0.3\""));
        }
        if (strcmp(name, "multi_named") == 0)
            CU_ASSERT_EQUAL(m.num_class, 3);
        free(t1);
        free(t2);
        tk_model_free(&back);
        tk_model_free(&m);
    }
    CU_ASSERT_EQUAL(nmodels, 11);
    json_decref(cases);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* ---- loader errors: mutations of a valid model's JSON ---- */

static json_t *jtree0(json_t *doc)
{
    return json_array_get(
        json_object_get(json_object_get(json_object_get(json_object_get(doc, "learner"),
                                                        "gradient_booster"),
                                        "model"),
                        "trees"),
        0);
}

static json_t *jlearner(json_t *doc)
{
    return json_object_get(doc, "learner");
}

static json_t *jgbm(json_t *doc)
{
    return json_object_get(json_object_get(jlearner(doc), "gradient_booster"), "model");
}

/* Loads text (written to dir/bad.json); expects status and msg containing
 * want, the file's path and no newline. */
static void expect_load_error(const char *dir, const char *text, size_t len, int status,
                              const char *want)
{
    char path[600];
    tk_model m;
    tk_err e;
    int ok;

    CU_ASSERT_EQUAL_FATAL(unit_write_file(dir, "bad.json", text, len, path, sizeof(path)), 0);
    tk_err_clear(&e);
    m.ntrees = 12345; /* load must not read what was there */
    CU_ASSERT_EQUAL(tk_model_load(&m, path, &e), status);
    ok = e.status == status && strstr(e.msg, want) && strstr(e.msg, path) &&
         !strchr(e.msg, '\n');
    CU_ASSERT_TRUE(ok);
    if (!ok)
        fprintf(stderr, "\n  want %d /%s/, got %d: %s\n", status, want, e.status, e.msg);
    CU_ASSERT_EQUAL(m.ntrees, 0);
    CU_ASSERT_PTR_NULL(m.trees);
    tk_model_free(&m);
}

typedef void (*mutator)(json_t *doc);

static void mut_booster(json_t *d)
{
    json_object_set_new(json_object_get(jlearner(d), "gradient_booster"), "name",
                        json_string("dart"));
}
static void mut_objective(json_t *d)
{
    json_object_set_new(json_object_get(jlearner(d), "objective"), "name",
                        json_string("multi:softmax"));
}
static void mut_categories(json_t *d) /* a run for node 0, a numerical split */
{
    json_array_append_new(json_object_get(jtree0(d), "categories"), json_integer(1));
    json_array_append_new(json_object_get(jtree0(d), "categories_nodes"), json_integer(0));
    json_array_append_new(json_object_get(jtree0(d), "categories_segments"), json_integer(0));
    json_array_append_new(json_object_get(jtree0(d), "categories_sizes"), json_integer(1));
}
static void mut_split_type(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "split_type"), 0, json_integer(1));
}
static void mut_feature_type(json_t *d)
{
    json_array_set_new(json_object_get(jlearner(d), "feature_types"), 1, json_string("cat"));
}
static void mut_short_array(json_t *d)
{
    json_array_remove(json_object_get(jtree0(d), "loss_changes"), 0);
}
static void mut_child_range(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "left_children"), 1, json_integer(99));
}
static void mut_cycle(json_t *d) /* node 3 (a leaf) points back to 1 and 2 */
{
    json_array_set_new(json_object_get(jtree0(d), "left_children"), 3, json_integer(1));
    json_array_set_new(json_object_get(jtree0(d), "right_children"), 3, json_integer(2));
}
static void mut_root_cycle(json_t *d) /* node 4 (a leaf) points back up to the root */
{
    json_array_set_new(json_object_get(jtree0(d), "left_children"), 4, json_integer(0));
    json_array_set_new(json_object_get(jtree0(d), "right_children"), 4, json_integer(1));
}
static void mut_self_cycle(json_t *d) /* node 5 (a leaf) points to itself */
{
    json_array_set_new(json_object_get(jtree0(d), "left_children"), 5, json_integer(5));
    json_array_set_new(json_object_get(jtree0(d), "right_children"), 5, json_integer(6));
}
static void mut_dup_name(json_t *d) /* feature_names [a, b, a] */
{
    json_array_set_new(json_object_get(jlearner(d), "feature_names"), 2,
                       json_string("plays"));
}
static void mut_right(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "right_children"), 0, json_integer(3));
}
static void mut_leaf_right(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "right_children"), 6, json_integer(4));
}
static void mut_int_real(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "split_conditions"), 2, json_integer(0));
}
static void mut_huge_real(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "sum_hessian"), 2, json_real(1e39));
}
static void mut_string_int(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "split_indices"), 2, json_string("1"));
}
static void mut_id(json_t *d)
{
    json_object_set_new(jtree0(d), "id", json_integer(5));
}
static void mut_tree_info(json_t *d)
{
    json_array_set_new(json_object_get(jgbm(d), "tree_info"), 1, json_integer(3));
}
static void mut_num_trees(json_t *d)
{
    json_object_set_new(json_object_get(jgbm(d), "gbtree_model_param"), "num_trees",
                        json_string("5"));
}
static void mut_base_score(json_t *d)
{
    json_object_set_new(json_object_get(jlearner(d), "learner_model_param"), "base_score",
                        json_string("abc"));
}
static void mut_num_class(json_t *d)
{
    json_object_set_new(json_object_get(jlearner(d), "learner_model_param"), "num_class",
                        json_string("4"));
}
static void mut_num_deleted(json_t *d)
{
    json_object_set_new(json_object_get(jtree0(d), "tree_param"), "num_deleted",
                        json_string("1"));
}
static void mut_split_feature(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "split_indices"), 0, json_integer(3));
}
static void mut_parent(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "parents"), 4, json_integer(2));
}
static void mut_root_parent(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "parents"), 0, json_integer(-1));
}
static void mut_default_left(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "default_left"), 0, json_integer(2));
}
static void mut_names(json_t *d)
{
    json_array_remove(json_object_get(jlearner(d), "feature_names"), 0);
}
static void mut_forest(json_t *d)
{
    json_object_set_new(json_object_get(jgbm(d), "gbtree_model_param"), "num_parallel_tree",
                        json_string("2"));
}
static void mut_num_target(json_t *d)
{
    json_object_set_new(json_object_get(jlearner(d), "learner_model_param"), "num_target",
                        json_string("2"));
}
static void mut_no_trees(json_t *d)
{
    json_object_del(jgbm(d), "trees");
}
static void mut_tree_not_object(json_t *d)
{
    json_array_set_new(json_object_get(jgbm(d), "trees"), 0, json_integer(7));
}
static void mut_param_number(json_t *d)
{
    json_object_set_new(json_object_get(jlearner(d), "learner_model_param"), "num_feature",
                        json_integer(3));
}
static void mut_attr(json_t *d)
{
    json_object_set_new(json_object_get(jlearner(d), "attributes"), "x", json_integer(1));
}

static void test_load_errors(void)
{
    static const struct {
        mutator fn;
        const char *want;
    } muts[] = {
        { mut_booster, "unsupported booster 'dart' (only gbtree)" },
        { mut_objective, "unsupported objective 'multi:softmax'" },
        { mut_categories, "tree 0: categories_nodes[0] = 0, but split_type[0] is 0" },
        { mut_split_type, "tree 0: node 0 has split_type 1 but is not in categories_nodes" },
        { mut_feature_type, "learner.feature_types[1] \"cat\" is not a known type" },
        { mut_short_array, "tree 0: loss_changes has 6 entries, num_nodes is 7" },
        { mut_child_range, "tree 0: node 1: left child 99 out of range (7 nodes)" },
        { mut_cycle, "tree 0: node 3: child 1 is the node itself or one of its ancestors (a cycle)" },
        { mut_root_cycle, "tree 0: node 4: a child index points back to the root (a cycle)" },
        { mut_self_cycle, "(a cycle)" },
        { mut_dup_name, "feature_names: 'plays' appears twice (entries 0 and 2)" },
        { mut_right, "tree 0: node 0: right child 3 is not left child 1 + 1" },
        { mut_leaf_right, "node 6: a leaf (left child -1) with right child 4" },
        { mut_int_real, "split_conditions[2] = 0 is an integer" },
        { mut_huge_real, "sum_hessian[2] = 1e+39 is beyond float32's range" },
        { mut_string_int, "split_indices[2] is a string, not an integer" },
        { mut_id, "tree 0 has id 5" },
        { mut_tree_info, "tree_info[1] is not an output group in [0, 3)" },
        { mut_num_trees, "num_trees is 5 but there are 4 trees" },
        { mut_base_score, "base_score \"abc\" is not a finite float32" },
        { mut_num_class, "num_class is 3 in the objective but 4" },
        { mut_num_deleted, "tree 0: num_deleted is 1 but 0 nodes" },
        { mut_split_feature, "tree 0: node 0 splits on feature 3 of 3" },
        { mut_parent, "tree 0: node 4: parent 2, but node 1 points to it" },
        { mut_root_parent, "the root's parent is -1" },
        { mut_default_left, "default_left[0] = 2 is not in [0, 1]" },
        { mut_names, "feature_names has 2 entries, num_feature is 3" },
        { mut_forest, "num_parallel_tree 2" },
        { mut_num_target, "num_target 2" },
        { mut_no_trees, "learner.gradient_booster.model has no \"trees\"" },
        { mut_tree_not_object, "tree 0 is an integer, not an object" },
        { mut_param_number, "num_feature is an integer, not a string" },
        { mut_attr, "attributes.x is an integer, not a string" },
    };
    tk_model m;
    char dir[64], *good = NULL, *text;
    size_t len, i;
    tk_err e;
    json_error_t je;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    build_model(&m);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_model_to_json(&m, &good, &len, &e), TK_OK);
    tk_model_free(&m);
    for (i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
        json_t *doc = json_loads(good, 0, &je);
        CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
        muts[i].fn(doc);
        text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
        expect_load_error(dir, text, strlen(text), TK_EDATA, muts[i].want);
        free(text);
        json_decref(doc);
    }
    /* not JSON, JSON but no model */
    text = "{\"learner\": [1, 2,,]}";
    expect_load_error(dir, text, strlen(text), TK_EDATA, "not JSON: ");
    expect_load_error(dir, text, strlen(text), TK_EDATA, "(line 1, column 19)");
    text = "{\"a\":1,\n\"a\":2}";
    expect_load_error(dir, text, strlen(text), TK_EDATA, "duplicate object key");
    expect_load_error(dir, "", 0, TK_EDATA, "not JSON: ");
    expect_load_error(dir, "x\0y", 3, TK_EDATA, "not JSON: ");
    text = "[1, 2]";
    expect_load_error(dir, text, strlen(text), TK_EDATA, "not an XGBoost model");
    text = "{\"learner\": {}}";
    expect_load_error(dir, text, strlen(text), TK_EDATA, "learner has no \"objective\"");
    text = "{\"learner\": {\"objective\": {\"name\": \"binary:logistic\", \"reg_loss_param\": {}},"
           " \"learner_model_param\": {\"num_feature\": \"1\", \"base_score\": \"1.5\"}}}";
    expect_load_error(dir, text, strlen(text), TK_EDATA, "base_score 1.5 is not in (0, 1)");
    /* a missing file, a folder */
    {
        char path[600];
        tk_model_init(&m);
        snprintf(path, sizeof(path), "%s/none.json", dir);
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(tk_model_load(&m, path, &e), TK_ENOINPUT);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cannot open"));
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(tk_model_load(&m, dir, &e), TK_ENOINPUT);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not a regular file"));
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, dir));
        /* a FIFO without a writer: refused at once, never waited on */
        snprintf(path, sizeof(path), "%s/fifo.json", dir);
        CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
        tk_err_clear(&e);
        alarm(20); /* a hang ends the test run instead of blocking it forever */
        CU_ASSERT_EQUAL(tk_model_load(&m, path, &e), TK_ENOINPUT);
        alarm(0);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not a regular file"));
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
        CU_ASSERT_EQUAL(m.ntrees, 0);
    }
    free(good);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* Malformed trees and models are refused when built, not only when loaded. */
static void test_build_errors(void)
{
    tk_model m;
    tree_buf b;
    char *text = NULL;
    size_t len;
    tk_err e;

    tk_model_init(&m);
    tk_err_clear(&e);
    {
        const char *dup[] = { "a", "b", "c", "b" };
        size_t i = 9, j = 9;
        CU_ASSERT_EQUAL(tk_model_set_features(&m, dup, 4, &e), TK_EUSAGE);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'b' appears twice (features 1 and 3)"));
        CU_ASSERT_EQUAL(tk_names_duplicate(dup, 3, &i, &j), 0);
        CU_ASSERT_EQUAL(tk_names_duplicate(dup, 4, &i, &j), 1);
        CU_ASSERT_TRUE(i == 1 && j == 3);
        CU_ASSERT_EQUAL(m.nfeatures, 0);
        tk_err_clear(&e);
    }
    tk_model_set_features(&m, NULL, 2, &e);
    tb_init(&b, 0);
    tb_leaf(&b, -1, 0.0f);
    tb_split(&b, 0, 1, 0.5f, 1, 1.0f, 2.0f);
    b.right[0] = 1; /* right == left */
    CU_ASSERT_EQUAL(tk_model_add_tree(&m, &b.t, &e), TK_ESOFTWARE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "tree 0 is malformed: node 0: right child 1"));
    b.right[0] = 2;
    b.split_index[0] = 2; /* only 2 features */
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_model_add_tree(&m, &b.t, &e), TK_ESOFTWARE);
    b.split_index[0] = 1;
    b.split_cond[1] = NAN;
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_model_add_tree(&m, &b.t, &e), TK_ESOFTWARE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not finite"));
    b.split_cond[1] = 1.0f;
    b.parent[2] = 1;
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_model_add_tree(&m, &b.t, &e), TK_ESOFTWARE);
    b.parent[2] = 0;
    b.t.group = 1; /* a second class in a single-output model */
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_model_add_tree(&m, &b.t, &e), TK_OK);
    CU_ASSERT_EQUAL(tk_model_to_json(&m, &text, &len, &e), TK_ESOFTWARE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "output group 1 of 1"));
    CU_ASSERT_PTR_NULL(text);
    /* truncate drops trees; a logistic model needs base_score in (0, 1) */
    tk_model_truncate(&m, 0);
    CU_ASSERT_EQUAL(m.ntrees, 0);
    m.objective = TK_OBJ_LOGISTIC;
    m.base_score = 1.0f;
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_model_to_json(&m, &text, &len, &e), TK_ESOFTWARE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "base_score"));
    m.base_score = 0.5f;
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_model_to_json(&m, &text, &len, &e), TK_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"trees\":[]"));
    free(text);
    tk_model_free(&m);
}

static void test_save(void)
{
    tk_model m;
    char dir[64], path[600], *text = NULL, *got;
    size_t len, glen;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    build_model(&m);
    tk_err_clear(&e);
    snprintf(path, sizeof(path), "%s/model.json", dir);
    CU_ASSERT_EQUAL(tk_model_save(&m, path, &e), TK_OK);
    CU_ASSERT_EQUAL(tk_model_save(&m, path, &e), TK_OK); /* replaces */
    CU_ASSERT_EQUAL(tk_model_to_json(&m, &text, &len, &e), TK_OK);
    got = unit_read_file(path, &glen);
    CU_ASSERT_TRUE(got && text && glen == len && memcmp(got, text, len) == 0);
    snprintf(path, sizeof(path), "%s/no/such/dir/model.json", dir);
    CU_ASSERT_NOT_EQUAL(tk_model_save(&m, path, &e), TK_OK);
    free(got);
    free(text);
    tk_model_free(&m);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* Truncated and corrupted model files never crash the loader; a truncated
 * one is always refused, a corrupted one that loads is a valid model. */
static void test_fuzz(void)
{
    static const char alphabet[] = "0123456789-+.eE,:[]{}\" \ntrufalsn\\";
    char dir[64], path[600], *good;
    size_t len, off;
    unsigned long long seed = 7;
    int i, truncated_ok = 0, loaded = 0;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    good = unit_read_file(MODELS_DIR "/binary_named.json", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(good);
    for (off = 0; off < len; off += 1 + off / 2000) {
        tk_model m;
        tk_err e;
        tk_err_clear(&e);
        unit_write_file(dir, "t.json", good, off, path, sizeof(path));
        truncated_ok += tk_model_load(&m, path, &e) == TK_OK;
        tk_model_free(&m);
    }
    CU_ASSERT_EQUAL(truncated_ok, 0);
    for (i = 0; i < 3000; i++) {
        char *bad = malloc(len);
        int k, nflip = 1 + (int)(unit_rand(&seed) % 3);
        tk_model m;
        tk_err e;
        memcpy(bad, good, len);
        for (k = 0; k < nflip; k++) {
            size_t at = (size_t)(unit_rand(&seed) % len);
            unsigned long long r = unit_rand(&seed);
            bad[at] = (r & 1) ? alphabet[(r >> 8) % (sizeof(alphabet) - 1)] : (char)(r >> 16);
        }
        unit_write_file(dir, "c.json", bad, len, path, sizeof(path));
        tk_err_clear(&e);
        if (tk_model_load(&m, path, &e) == TK_OK) {
            float x[8] = { NAN, 0.0f, 1.0f, -1.0f, NAN, 2.0f, 0.5f, 3.0f }, out[8];
            char *text = NULL;
            size_t tl;
            loaded++;
            CU_ASSERT_TRUE(m.nfeatures <= 8 && tk_model_noutputs(&m) <= 8);
            if (m.nfeatures <= 8 && tk_model_noutputs(&m) <= 8)
                tk_model_margin(&m, x, out);
            CU_ASSERT_EQUAL(tk_model_to_json(&m, &text, &tl, &e), TK_OK);
            free(text);
        } else {
            CU_ASSERT_TRUE(e.status == TK_EDATA && !strchr(e.msg, '\n'));
        }
        tk_model_free(&m);
        free(bad);
    }
    CU_ASSERT_TRUE(loaded > 0); /* some flips hit digits of values */
    free(good);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* tk_objective_name / tk_objective_parse, both ways */
static void test_objective_names(void)
{
    static const char *const names[] = { "reg:squarederror", "binary:logistic",
                                         "multi:softprob" };
    tk_objective o, k;

    for (o = TK_OBJ_SQUAREDERROR; o <= TK_OBJ_SOFTPROB; o++) {
        CU_ASSERT_STRING_EQUAL(tk_objective_name(o), names[o]);
        CU_ASSERT_EQUAL(tk_objective_parse(names[o], &k), 0);
        CU_ASSERT_EQUAL(k, o);
    }
    k = TK_OBJ_LOGISTIC;
    CU_ASSERT_EQUAL(tk_objective_parse("reg:logistic", &k), -1);
    CU_ASSERT_EQUAL(tk_objective_parse("", &k), -1);
    CU_ASSERT_EQUAL(tk_objective_parse("binary:logistic ", &k), -1);
    CU_ASSERT_EQUAL(k, TK_OBJ_LOGISTIC); /* untouched */
    CU_ASSERT_PTR_NULL(tk_objective_name((tk_objective)3));
}

/* tk_fmt_float / tk_fmt_double: the shortest text that reads back */
static void test_fmt_shortest(void)
{
    char buf[40];

    CU_ASSERT_EQUAL(tk_fmt_float(buf, sizeof(buf), 0.5f), 3);
    CU_ASSERT_STRING_EQUAL(buf, "0.5");
    tk_fmt_float(buf, sizeof(buf), 0.1f);
    CU_ASSERT_STRING_EQUAL(buf, "0.1");
    tk_fmt_float(buf, sizeof(buf), 16777217.0f); /* 2^24 + 1 rounds to 2^24 */
    CU_ASSERT_STRING_EQUAL(buf, "16777216");
    tk_fmt_float(buf, sizeof(buf), 3.4028235e38f);
    CU_ASSERT_STRING_EQUAL(buf, "3.4028235e+38");
    tk_fmt_float(buf, sizeof(buf), 1.4e-45f);
    CU_ASSERT_STRING_EQUAL(buf, "1e-45");
    tk_fmt_double(buf, sizeof(buf), 0.1, 1);
    CU_ASSERT_STRING_EQUAL(buf, "0.1");
    tk_fmt_double(buf, sizeof(buf), 0.35233750844508316, 1);
    CU_ASSERT_STRING_EQUAL(buf, "0.35233750844508316");
    tk_fmt_double(buf, sizeof(buf), 1e14, 1);
    CU_ASSERT_STRING_EQUAL(buf, "1e+14");
    /* from 15 digits on: no exponent below 1e15, as gbpredict keeps values */
    CU_ASSERT_EQUAL(tk_fmt_double(buf, sizeof(buf), 1e14, 15), 15);
    CU_ASSERT_STRING_EQUAL(buf, "100000000000000");
    tk_fmt_double(buf, sizeof(buf), 1.0 / 3, 15);
    CU_ASSERT_STRING_EQUAL(buf, "0.3333333333333333");
    tk_fmt_double(buf, sizeof(buf), -INFINITY, 15);
    CU_ASSERT_STRING_EQUAL(buf, "-inf");
    tk_fmt_double(buf, sizeof(buf), NAN, 1);
    CU_ASSERT_STRING_EQUAL(buf, "nan");
}

/* ---- categorical splits (xgboost 1.7's split_type and categories) ---- */

/* Runs tk_json_nonfinite on text; expects want (NULL: no token, the text
 * left as is) and ntok tokens. */
static void expect_nonfinite(const char *text, const char *want, size_t ntok)
{
    char *out = (char *)"x";
    size_t olen = 0, n = 99, bad = 0;
    int ok;

    CU_ASSERT_EQUAL(tk_json_nonfinite(text, strlen(text), &out, &olen, &n, &bad), 0);
    ok = n == ntok && (want ? out && olen == strlen(want) && strcmp(out, want) == 0
                            : !out && olen == strlen(text));
    CU_ASSERT_TRUE(ok);
    if (!ok)
        fprintf(stderr, "\n  %s -> %s (%zu tokens), want %s\n", text, out ? out : "(none)", n,
                want ? want : "(none)");
    free(out);
}

/* The bare NaN, Infinity and -Infinity tokens become strings outside JSON
 * strings only; null becomes NaN the same way when writing. */
static void test_nonfinite_tokens(void)
{
    char *out = NULL, buf[128];
    size_t olen, n, bad = 0;
    const char *t;

    expect_nonfinite("[NaN,Infinity,-Infinity]",
                     "[\"\\u0000NaN\",\"\\u0000Infinity\",\"\\u0000-Infinity\"]", 3);
    expect_nonfinite("[1.5,NaN]", "[1.5,\"\\u0000NaN\"]", 1);     /* at an array's end */
    expect_nonfinite("[NaN]", "[\"\\u0000NaN\"]", 1);
    expect_nonfinite("NaN", "\"\\u0000NaN\"", 1);                  /* at the text's end */
    expect_nonfinite("{\"a\": -Infinity}", "{\"a\": \"\\u0000-Infinity\"}", 1);
    expect_nonfinite("[-1, -0.5e3, 1e-7]", NULL, 0);               /* numbers stay */
    expect_nonfinite("{\"NaN\": \"NaN Infinity -Infinity\"}", NULL, 0); /* strings stay */
    expect_nonfinite("[\"a\\\"NaN\", \"\\\\\", NaN]", "[\"a\\\"NaN\", \"\\\\\", \"\\u0000NaN\"]",
                     1); /* an escaped quote does not end a string, an escaped \ does */
    expect_nonfinite("[\"\\\\\\\"NaN\"]", NULL, 0);
    expect_nonfinite("[Na, Inf, -Infinit]", NULL, 0);              /* not tokens */
    expect_nonfinite("[\"unclosed NaN", NULL, 0);
    expect_nonfinite("[\"a\\u0000b\"]", NULL, 0);                  /* jansson refuses it */
    /* a \u0000 in a string when there are tokens: the replacements could not
     * be told from it */
    t = "[NaN, \"x\\u0000\"]";
    CU_ASSERT_EQUAL(tk_json_nonfinite(t, strlen(t), &out, &olen, &n, &bad), -1);
    CU_ASSERT_EQUAL(bad, 8);
    CU_ASSERT_PTR_NULL(out);
    /* writing: null outside strings becomes NaN */
    snprintf(buf, sizeof(buf), "%s",
             "{\"null\":[null,\"a\\\"null\",null],\"x\":\"\\\\\",\"y\":null}");
    olen = tk_json_null_to_nan(buf, strlen(buf));
    CU_ASSERT_STRING_EQUAL(buf, "{\"null\":[NaN,\"a\\\"null\",NaN],\"x\":\"\\\\\",\"y\":NaN}");
    CU_ASSERT_EQUAL(olen, strlen(buf));
}

/* A tree on features (f0, f1, f2) with categorical splits at nodes 0 and 2
 * (set in the order given by node2_first):
 *   0: f0 in {0, 2, 5, 16777215} -> 2, else 1; missing right
 *   1: f1 < 0.5 -> 3 (-1), else 4 (-2); missing left
 *   2: f2 in {1, 3} -> 6 (6), else 5 (5); missing left */
static void cat_tree(tk_tree *t, int node2_first)
{
    static const int32_t left[7] = { 1, 3, 5, -1, -1, -1, -1 }, sidx[7] = { 0, 1, 2, 0, 0, 0, 0 };
    static const int32_t par[7] = { ROOT_PARENT, 0, 0, 1, 1, 2, 2 };
    static const float cond[7] = { 0.0f, 0.5f, 0.0f, -1.0f, -2.0f, 5.0f, 6.0f };
    static const uint8_t dl[7] = { 0, 1, 1, 0, 0, 0, 0 };
    static const int32_t c0[4] = { 0, 2, 5, 16777215 }, c2[2] = { 1, 3 };
    int32_t i;

    CU_ASSERT_EQUAL_FATAL(tk_tree_alloc(t, 7), TK_OK);
    for (i = 0; i < 7; i++) {
        t->left[i] = left[i];
        t->right[i] = left[i] < 0 ? -1 : left[i] + 1;
        t->parent[i] = par[i];
        t->split_index[i] = sidx[i];
        t->split_cond[i] = cond[i];
        t->default_left[i] = dl[i];
        t->loss_chg[i] = left[i] < 0 ? 0.0f : 1.5f + (float)i;
        t->sum_hess[i] = 10.0f - (float)i;
        t->base_weight[i] = 0.25f * (float)i;
    }
    if (node2_first)
        CU_ASSERT_EQUAL(tk_tree_set_categories(t, 2, c2, 2), TK_OK);
    CU_ASSERT_EQUAL(tk_tree_set_categories(t, 0, c0, 4), TK_OK);
    if (!node2_first)
        CU_ASSERT_EQUAL(tk_tree_set_categories(t, 2, c2, 2), TK_OK);
}

/* xgboost 1.7's rule at a categorical split: in the set right, anything else
 * (not in it, above its largest, negative, from 2^24 on) left, a
 * non-integer truncated, NaN the default child. */
static void test_predict_categorical(void)
{
    static const struct {
        float f0, f1, f2;
        int32_t leaf;
    } rows[] = {
        { 2.0f, 0.0f, 3.0f, 6 },        { 2.0f, 0.0f, 2.0f, 5 },  { 2.0f, 0.0f, 4.0f, 5 },
        { 2.0f, 0.0f, 100.0f, 5 },      { 2.7f, 0.0f, 1.0f, 6 },  { 1.0f, 0.0f, 1.0f, 3 },
        { 1.0f, 1.0f, 1.0f, 4 },        { NAN, 0.0f, NAN, 5 },    { 1.0f, NAN, 1.0f, 3 },
        { -1.0f, 1.0f, 1.0f, 4 },       { -0.5f, 1.0f, 1.0f, 4 }, { -0.0f, 1.0f, 1.0f, 6 },
        { 0.5f, 1.0f, 1.0f, 6 },        { 5.999f, 1.0f, 3.9f, 6 }, { 6.0f, 1.0f, 1.0f, 4 },
        { 16777215.0f, 1.0f, 3.0f, 6 }, { 16777216.0f, 1.0f, 1.0f, 4 },
        { 3e7f, 1.0f, 1.0f, 4 },        { 1e30f, 1.0f, 1.0f, 4 }, { -1e30f, 1.0f, 1.0f, 4 },
        { INFINITY, 1.0f, 1.0f, 4 },    { 2.0f, 0.0f, -1.0f, 5 }, { 2.0f, 0.0f, 0.0f, 5 },
    };
    const int32_t bad[2] = { 3, 1 }, ok[1] = { 7 };
    tk_model m;
    tk_tree t;
    tree_buf b;
    float x[3], out[1];
    tk_err e;
    size_t i;

    tk_err_clear(&e);
    tk_model_init(&m);
    tk_model_set_features(&m, NULL, 3, &e);
    cat_tree(&t, 0);
    CU_ASSERT_TRUE(isnan(t.split_cond[0]) && isnan(t.split_cond[2]));
    CU_ASSERT_TRUE(t.split_type[0] == 1 && t.split_type[1] == 0 && t.split_type[2] == 1);
    CU_ASSERT_TRUE(t.ncats == 6 && t.cat_begin[2] == 4 && t.cat_size[2] == 2);
    CU_ASSERT_EQUAL(tk_model_add_tree(&m, &t, &e), TK_OK);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        x[0] = rows[i].f0;
        x[1] = rows[i].f1;
        x[2] = rows[i].f2;
        CU_ASSERT_EQUAL(tk_tree_leaf(&t, x), rows[i].leaf);
        CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[0], x), rows[i].leaf); /* the copy */
        tk_model_margin(&m, x, out);
        CU_ASSERT_EQUAL(f2u(out[0]), f2u(0.5f + t.split_cond[rows[i].leaf]));
        if (tk_tree_leaf(&m.trees[0], x) != rows[i].leaf)
            fprintf(stderr, "\n  row %zu: leaf %d, want %d\n", i, tk_tree_leaf(&m.trees[0], x),
                    rows[i].leaf);
    }
    /* invalid sets and nodes are refused, the tree unchanged */
    CU_ASSERT_EQUAL(tk_tree_set_categories(&t, 1, bad, 2), TK_ESOFTWARE);
    CU_ASSERT_EQUAL(tk_tree_set_categories(&t, 1, bad + 1, 0), TK_ESOFTWARE);
    CU_ASSERT_EQUAL(tk_tree_set_categories(&t, 7, ok, 1), TK_ESOFTWARE);
    CU_ASSERT_EQUAL(tk_tree_set_categories(&t, -1, ok, 1), TK_ESOFTWARE);
    {
        const int32_t neg[1] = { -1 }, big[1] = { 16777216 }, dup[2] = { 2, 2 };
        CU_ASSERT_EQUAL(tk_tree_set_categories(&t, 1, neg, 1), TK_ESOFTWARE);
        CU_ASSERT_EQUAL(tk_tree_set_categories(&t, 1, big, 1), TK_ESOFTWARE);
        CU_ASSERT_EQUAL(tk_tree_set_categories(&t, 1, dup, 2), TK_ESOFTWARE);
    }
    CU_ASSERT_TRUE(t.ncats == 6 && t.split_type[1] == 0 && t.split_cond[1] == 0.5f);
    tk_tree_free(&t);
    CU_ASSERT_PTR_NULL(t.cats);
    /* a hand-built tree without the categorical arrays gets them */
    tb_init(&b, 0);
    tb_leaf(&b, -1, 0.0f);
    tb_split(&b, 0, 2, 0.0f, 1, -1.0f, 1.0f);
    CU_ASSERT_EQUAL_FATAL(tk_tree_set_categories(&b.t, 0, ok, 1), TK_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b.t.split_type);
    CU_ASSERT_EQUAL(tk_model_add_tree(&m, &b.t, &e), TK_OK);
    x[2] = 7.0f;
    CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[1], x), 2);
    x[2] = 7.5f;
    CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[1], x), 2);
    x[2] = 8.0f;
    CU_ASSERT_EQUAL(tk_tree_leaf(&m.trees[1], x), 1);
    free(b.t.split_type);
    free(b.t.cat_begin);
    free(b.t.cat_size);
    free(b.t.cats);
    tk_model_free(&m);
}

/* Malformed categorical splits are refused by tk_tree_check (here through
 * tk_model_add_tree); each case is undone before the next. */
static void test_check_categorical(void)
{
    tk_model m;
    tk_tree t;
    tk_err e;

    tk_err_clear(&e);
    tk_model_init(&m);
    tk_model_set_features(&m, NULL, 3, &e);
    cat_tree(&t, 1);
#define REFUSED(stmt, undo, want)                                                            \
    do {                                                                                     \
        stmt;                                                                                \
        tk_err_clear(&e);                                                                    \
        CU_ASSERT_EQUAL(tk_model_add_tree(&m, &t, &e), TK_ESOFTWARE);                        \
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want));                                         \
        if (!strstr(e.msg, want))                                                            \
            fprintf(stderr, "\n  want /%s/, got: %s\n", want, e.msg);                         \
        undo;                                                                                \
    } while (0)
    /* node 0's run is cats[2..6) = {0, 2, 5, 16777215} (node 2 was set first) */
    REFUSED(t.cats[3] = 0, t.cats[3] = 2, "node 0: categories 0, 0 are not ascending and distinct");
    REFUSED(t.cats[3] = 7, t.cats[3] = 2, "node 0: categories 7, 5 are not ascending");
    REFUSED(t.cats[2] = -1, t.cats[2] = 0, "node 0: category -1 is not in [0, 16777216)");
    REFUSED(t.cats[5] = 16777216, t.cats[5] = 16777215, "category 16777216 is not in");
    REFUSED(t.cat_size[0] = 0, t.cat_size[0] = 4, "node 0: a categorical split with no category");
    REFUSED(t.cat_begin[0] = 3, t.cat_begin[0] = 2, "node 0: categories [3, 3 + 4) outside");
    REFUSED(t.cat_begin[2] = -1, t.cat_begin[2] = 0, "node 2: categories [-1, -1 + 2) outside");
    REFUSED(t.split_cond[1] = NAN, t.split_cond[1] = 0.5f, "node 1: a value is not finite");
    REFUSED(t.split_type[0] = 0, t.split_type[0] = 1, "node 0: a value is not finite");
    REFUSED(t.split_cond[0] = INFINITY, t.split_cond[0] = NAN, "node 0: a value is not finite");
    REFUSED(t.loss_chg[0] = NAN, t.loss_chg[0] = 1.5f, "node 0: a value is not finite");
    REFUSED(t.split_type[3] = 1, t.split_type[3] = 0, "node 3: a leaf with split_type 1");
    REFUSED(t.split_type[1] = 2, t.split_type[1] = 0, "node 1: split_type 2 is not 0 or 1");
    REFUSED(t.ncats = -1, t.ncats = 6, "-1 categories");
#undef REFUSED
    t.split_cond[0] = 1.25f; /* a finite condition on a categorical split is ignored */
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_model_add_tree(&m, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(m.ntrees, 1);
    tk_tree_free(&t);
    tk_model_free(&m);
}

/* A regression model over ("null", "NaN", "x"), features 0 and 2
 * categorical: the categorical tree (runs set in the order given) and a
 * numerical one. */
static void build_cat_model(tk_model *m, int node2_first)
{
    const char *names[] = { "null", "NaN", "x" };
    const uint8_t cat[3] = { 1, 0, 7 }; /* any non-zero flag is 1 */
    tk_tree t;
    tree_buf b;
    tk_err e;

    tk_err_clear(&e);
    tk_model_init(m);
    CU_ASSERT_EQUAL(tk_model_set_features(m, names, 3, &e), TK_OK);
    CU_ASSERT_EQUAL(tk_model_set_feature_cat(m, cat, &e), TK_OK);
    cat_tree(&t, node2_first);
    CU_ASSERT_EQUAL(tk_model_add_tree(m, &t, &e), TK_OK);
    tk_tree_free(&t);
    tb_init(&b, 0);
    tb_leaf(&b, -1, 0.0f);
    tb_split(&b, 0, 1, 0.5f, 1, -0.25f, 0.75f);
    CU_ASSERT_EQUAL(tk_model_add_tree(m, &b.t, &e), TK_OK);
}

/* The text between "key":[ and ] of each occurrence in a, compared with b's. */
static int same_arrays(const char *a, const char *b, const char *key)
{
    char pat[64];
    size_t pl;
    int n = 0;

    snprintf(pat, sizeof(pat), "\"%s\":[", key);
    pl = strlen(pat);
    for (;;) {
        a = strstr(a, pat);
        b = strstr(b, pat);
        if (!a || !b)
            return !a && !b && n > 0;
        a += pl;
        b += pl;
        if (strcspn(a, "]") != strcspn(b, "]") || strncmp(a, b, strcspn(a, "]")) != 0)
            return 0;
        n++;
    }
}

static size_t count_of(const char *s, const char *what)
{
    size_t n = 0;

    while ((s = strstr(s, what)) != NULL) {
        n++;
        s += strlen(what);
    }
    return n;
}

/* Categorical models round trip bit for bit, written as xgboost 1.7.4
 * writes them: runs in node order, bare NaN conditions, types "c". */
static void test_cat_round_trip(void)
{
    static const char *const keys[] = { "categories", "categories_nodes", "categories_segments",
                                         "categories_sizes", "split_type", "feature_types",
                                         "feature_names", "split_indices", "default_left",
                                         "tree_info" };
    static const char *const xgb[] = { "cat_reg_onehot", "cat_reg_part", "cat_binary",
                                       "cat_multi", "cat_unnamed" };
    tk_model m, m2, back;
    char dir[64], *t1 = NULL, *t2 = NULL, *t3 = NULL;
    size_t n1, n2, n3, i, k;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    build_cat_model(&m, 0);
    build_cat_model(&m2, 1);
    CU_ASSERT_EQUAL_FATAL(json_reload(&m, dir, "c.json", &back, &t1, &n1, &e), TK_OK);
    CU_ASSERT_TRUE(same_model(&m, &back));
    CU_ASSERT_TRUE(back.feature_cat && back.feature_cat[0] == 1 && back.feature_cat[1] == 0 &&
                   back.feature_cat[2] == 1);
    CU_ASSERT_EQUAL(tk_model_to_json(&back, &t2, &n2, &e), TK_OK);
    CU_ASSERT_TRUE(t2 && n1 == n2 && memcmp(t1, t2, n1) == 0);
    CU_ASSERT_EQUAL(tk_model_to_json(&m2, &t3, &n3, &e), TK_OK); /* runs set in another order */
    CU_ASSERT_TRUE(t3 && n1 == n3 && memcmp(t1, t3, n1) == 0);
    CU_ASSERT_EQUAL(strlen(t1), n1);
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"split_conditions\":[NaN,0.5,NaN,-1.0,-2.0,5.0,6.0]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"categories\":[0,2,5,16777215,1,3],"
                                      "\"categories_nodes\":[0,2],\"categories_segments\":[0,4],"
                                      "\"categories_sizes\":[4,2]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"split_type\":[1,0,1,0,0,0,0]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"categories\":[],\"categories_nodes\":[],"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"feature_names\":[\"null\",\"NaN\",\"x\"],"
                                      "\"feature_types\":[\"c\",\"float\",\"c\"]"));
    CU_ASSERT_EQUAL(count_of(t1, "null"), 1);
    CU_ASSERT_EQUAL(count_of(t1, "NaN"), 3);
    free(t1);
    free(t2);
    tk_model_free(&back);
    /* unnamed categorical features: their types are written all the same */
    tk_model_set_features(&m2, NULL, 3, &e);
    CU_ASSERT_PTR_NOT_NULL(m2.feature_cat); /* as many features: the flags stay */
    CU_ASSERT_EQUAL(tk_model_to_json(&m2, &t2, &n2, &e), TK_OK);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(t2, "\"feature_names\":[],\"feature_types\":[\"c\",\"float\",\"c\"]"));
    free(t2);
    tk_model_set_features(&m2, NULL, 4, &e);
    CU_ASSERT_PTR_NULL(m2.feature_cat); /* another count: dropped */
    CU_ASSERT_EQUAL(tk_model_set_feature_cat(&m2, NULL, &e), TK_OK);
    free(t3);
    tk_model_free(&m2);
    tk_model_free(&m);
    /* xgboost's own categorical models: what we write says what it wrote */
    for (i = 0; i < sizeof(xgb) / sizeof(xgb[0]); i++) {
        char path[256], *orig;
        size_t olen;
        snprintf(path, sizeof(path), "%s/%s.json", MODELS_DIR, xgb[i]);
        orig = unit_read_file(path, &olen);
        tk_err_clear(&e);
        CU_ASSERT_EQUAL_FATAL(tk_model_load(&m, path, &e), TK_OK);
        CU_ASSERT_EQUAL(tk_model_to_json(&m, &t1, &n1, &e), TK_OK);
        CU_ASSERT_FATAL(orig && t1);
        for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            int same = same_arrays(orig, t1, keys[k]);
            CU_ASSERT_TRUE(same);
            if (!same)
                fprintf(stderr, "\n  %s: \"%s\" differs from xgboost's\n", xgb[i], keys[k]);
        }
        CU_ASSERT_EQUAL(count_of(orig, "NaN"), count_of(t1, "NaN"));
        CU_ASSERT_TRUE(count_of(t1, "NaN") > 0);
        free(orig);
        free(t1);
        tk_model_free(&m);
    }
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* The JSON a mutator made of a categorical model (placeholder strings, as
 * tk_json_nonfinite reads them) back to bare tokens; in place. */
static void bare_tokens(char *text)
{
    static const char *const from[] = { "\"\\u0000NaN\"", "\"\\u0000Infinity\"",
                                        "\"\\u0000-Infinity\"" };
    static const char *const to[] = { "NaN", "Infinity", "-Infinity" };
    size_t k, fl, tl;
    char *p;

    for (k = 0; k < 3; k++) {
        fl = strlen(from[k]);
        tl = strlen(to[k]);
        while ((p = strstr(text, from[k])) != NULL) {
            memcpy(p, to[k], tl);
            memmove(p + tl, p + fl, strlen(p + fl) + 1);
        }
    }
}

static json_t *nonfinite_json(float f)
{
    return json_stringn(isnan(f) ? "\0NaN" : f > 0 ? "\0Infinity" : "\0-Infinity",
                        isnan(f) ? 4 : f > 0 ? 9 : 10);
}

static void cmut_sizes(json_t *d)
{
    json_array_remove(json_object_get(jtree0(d), "categories_sizes"), 1);
}
static void cmut_order(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "categories_nodes"), 0, json_integer(2));
}
static void cmut_numeric_node(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "categories_nodes"), 1, json_integer(1));
}
static void cmut_unlisted(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "split_type"), 1, json_integer(1));
}
static void cmut_segment(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "categories_segments"), 1, json_integer(5));
}
static void cmut_negative(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "categories"), 0, json_integer(-1));
}
static void cmut_big(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "categories"), 3, json_integer(16777216));
}
static void cmut_dup(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "categories"), 1, json_integer(0));
}
static void cmut_real_cat(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "categories"), 1, json_real(2.0));
}
static void cmut_empty(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "categories_sizes"), 0, json_integer(0));
}
static void cmut_nan_numeric(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "split_conditions"), 1, nonfinite_json(NAN));
}
static void cmut_inf_loss(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "loss_changes"), 0, nonfinite_json(INFINITY));
}
static void cmut_nan_int(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "left_children"), 0, nonfinite_json(-INFINITY));
}
static void cmut_nan_param(json_t *d)
{
    json_object_set_new(json_object_get(jtree0(d), "tree_param"), "num_nodes", nonfinite_json(NAN));
}
static void cmut_leaf(json_t *d) /* leaf 3 made a categorical split of its own */
{
    json_t *t = jtree0(d);
    json_array_set_new(json_object_get(t, "split_type"), 3, json_integer(1));
    json_array_append_new(json_object_get(t, "categories_nodes"), json_integer(3));
    json_array_append_new(json_object_get(t, "categories_segments"), json_integer(4));
    json_array_append_new(json_object_get(t, "categories_sizes"), json_integer(2));
}
static void cmut_split_type(json_t *d)
{
    json_array_set_new(json_object_get(jtree0(d), "split_type"), 0, json_integer(2));
}
static void cmut_no_cats(json_t *d)
{
    json_object_del(jtree0(d), "categories");
}
static void cmut_no_split_type(json_t *d)
{
    json_object_del(jtree0(d), "split_type");
}
static void cmut_nul_name(json_t *d)
{
    json_array_set_new(json_object_get(jlearner(d), "feature_names"), 2,
                       json_stringn("a\0b", 3));
}

/* Categorical models that are not right: each refused with its reason. */
static void test_cat_load_errors(void)
{
    static const struct {
        mutator fn;
        const char *want;
    } muts[] = {
        { cmut_sizes, "tree 0: categories_nodes, categories_segments and categories_sizes have "
                      "2, 2 and 1 entries (must be equal)" },
        { cmut_order, "tree 0: categories_nodes[1] = 2 does not ascend (after 2)" },
        { cmut_numeric_node, "tree 0: categories_nodes[1] = 1, but split_type[1] is 0" },
        { cmut_unlisted, "tree 0: node 1 has split_type 1 but is not in categories_nodes" },
        { cmut_segment, "tree 0: categories_segments[1] = 5 with categories_sizes[1] = 2 runs past "
                        "the 6 categories" },
        { cmut_negative, "tree 0: categories[0] = -1 is not in [0, 16777215]" },
        { cmut_big, "tree 0: categories[3] = 16777216 is not in [0, 16777215]" },
        { cmut_dup, "tree 0: node 0: categories 0, 0 are not ascending and distinct" },
        { cmut_real_cat, "tree 0: categories[1] is a real, not an integer" },
        { cmut_empty, "tree 0: categories_sizes[0] = 0 is not in [1, 6]" },
        { cmut_nan_numeric, "tree 0: node 1: a value is not finite" },
        { cmut_inf_loss, "tree 0: node 0: a value is not finite" },
        { cmut_nan_int, "tree 0: left_children[0] is -Infinity, not an integer" },
        { cmut_nan_param, "tree 0.num_nodes is NaN, not a string" },
        { cmut_leaf, "tree 0: node 3: a leaf with split_type 1 (categorical)" },
        { cmut_split_type, "tree 0: split_type[0] = 2 is not in [0, 1]" },
        { cmut_no_cats, "tree 0 has no \"categories\"" },
        { cmut_no_split_type, "tree 0: categories_nodes[0] = 0, but split_type[0] is 0" },
        { cmut_nul_name, "not JSON: \\u0000 is not allowed in a string (line 1, column " },
    };
    tk_model m;
    char dir[64], *good = NULL, *fixed = NULL, *text;
    size_t len, flen, ntok, bad, i;
    json_error_t je;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    build_cat_model(&m, 0);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_model_to_json(&m, &good, &len, &e), TK_OK);
    tk_model_free(&m);
    CU_ASSERT_EQUAL_FATAL(tk_json_nonfinite(good, len, &fixed, &flen, &ntok, &bad), 0);
    CU_ASSERT_EQUAL_FATAL(ntok, 2);
    for (i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
        json_t *doc = json_loadb(fixed, flen, JSON_ALLOW_NUL, &je);
        CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
        muts[i].fn(doc);
        text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(9));
        bare_tokens(text);
        expect_load_error(dir, text, strlen(text), TK_EDATA, muts[i].want);
        free(text);
        json_decref(doc);
    }
    /* not JSON: the column is the input's, before the tokens were rewritten */
    text = "{\"learner\": [NaN, -Infinity,,]}";
    expect_load_error(dir, text, strlen(text), TK_EDATA, "(line 1, column 29)");
    text = "{\"learner\": [NaN, -Infinity, Infinity, \"NaN\"]}";
    expect_load_error(dir, text, strlen(text), TK_EDATA, "not an XGBoost model");
    text = "{\"learner\": nan}";
    expect_load_error(dir, text, strlen(text), TK_EDATA, "not JSON: ");
    text = "{\"a\": \"\\u0000\"}"; /* no token: jansson's own refusal */
    expect_load_error(dir, text, strlen(text), TK_EDATA, "not JSON: ");
    free(good);
    free(fixed);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

int unit_register_model(void)
{
    static const unit_test tests[] = {
        { "JSON round trip bit for bit, same bytes again", test_round_trip },
        { "same model, same bytes (attributes in any order)", test_deterministic_bytes },
        { "floats: 9 digits, always a real, exact round trip", test_float_format },
        { "predict: splits, equality, missing values, logistic", test_predict_missing },
        { "predict: multi-class groups and softmax", test_predict_softmax },
        { "xgboost-made models: margins bit for bit, round trip", test_xgboost_models },
        { "load errors name the file and the problem", test_load_errors },
        { "malformed trees and models refused when built", test_build_errors },
        { "save writes the JSON atomically", test_save },
        { "fuzz: truncated and corrupted files", test_fuzz },
        { "objective names both ways", test_objective_names },
        { "shortest round-trip floats (tk_fmt_float, tk_fmt_double)", test_fmt_shortest },
        { "NaN, Infinity tokens: outside strings only, both ways", test_nonfinite_tokens },
        { "predict: categorical splits as xgboost 1.7's Decision", test_predict_categorical },
        { "malformed categorical splits refused", test_check_categorical },
        { "categorical models: round trip, xgboost's layout", test_cat_round_trip },
        { "categorical load errors name the tree and the problem", test_cat_load_errors },
        { NULL, NULL }
    };
    return unit_add_suite("model", tests);
}
