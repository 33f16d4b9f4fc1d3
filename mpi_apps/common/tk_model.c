/* tk_model.c -- XGBoost 1.7 JSON models: building, validating, writing and
 * loading them with jansson, and predicting.
 *
 * The JSON written here is what xgboost 1.7.4's save_model writes, field for
 * field, keys sorted as xgboost sorts them, reals with 9 significant digits
 * (enough to give back every float32 exactly) and always with a decimal point
 * or an exponent: xgboost refuses an integer where it expects a real. */
#include "tk_model.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "tk_fs.h"
#include "tk_parse.h"
#include "tk_text.h"

#define TK_ROOT_PARENT 2147483647 /* the root's parent as xgboost writes it */
#define TK_MAX_FEATURES (1 << 24)
#define TK_MAX_CLASSES (1 << 16)
#define TK_DUMP_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(9))

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);

    if (p)
        memcpy(p, s, n);
    return p;
}

/* ---------------------------------------------------------------- trees -- */

void tk_tree_free(tk_tree *t)
{
    free(t->left);
    free(t->right);
    free(t->parent);
    free(t->split_index);
    free(t->split_cond);
    free(t->default_left);
    free(t->loss_chg);
    free(t->sum_hess);
    free(t->base_weight);
    memset(t, 0, sizeof(*t));
}

int tk_tree_alloc(tk_tree *t, int32_t n)
{
    size_t sz = (size_t)n;

    memset(t, 0, sizeof(*t));
    t->nnodes = n;
    t->left = malloc(sz * sizeof(int32_t));
    t->right = malloc(sz * sizeof(int32_t));
    t->parent = malloc(sz * sizeof(int32_t));
    t->split_index = malloc(sz * sizeof(int32_t));
    t->split_cond = malloc(sz * sizeof(float));
    t->default_left = malloc(sz);
    t->loss_chg = malloc(sz * sizeof(float));
    t->sum_hess = malloc(sz * sizeof(float));
    t->base_weight = malloc(sz * sizeof(float));
    if (!t->left || !t->right || !t->parent || !t->split_index || !t->split_cond ||
        !t->default_left || !t->loss_chg || !t->sum_hess || !t->base_weight) {
        tk_tree_free(t);
        return -1;
    }
    return 0;
}

/* Whether a is v or an ancestor of v, following the parents of nodes the
 * walk from the root has checked (each one's parent points to the node that
 * reached it, so the chain ends at the root within nnodes steps). */
static int is_ancestor(const tk_tree *t, int32_t a, int32_t v)
{
    int32_t steps;

    for (steps = 0; steps <= t->nnodes; steps++) {
        if (v == a)
            return 1;
        if (v == 0)
            return 0;
        v = t->parent[v];
        if (v < 0 || v >= t->nnodes)
            return 0;
    }
    return 0;
}

/* The fields of node i of t that need no walk: child indices, split index,
 * default_left, finite numbers. Returns 0, or -1 with the reason in why. */
static int node_check(const tk_tree *t, int32_t i, char *why, size_t why_len)
{
    int32_t n = t->nnodes, l = t->left[i], r = t->right[i];

    if (l == -1 && r != -1) {
        snprintf(why, why_len, "node %ld: a leaf (left child -1) with right child %ld",
                 (long)i, (long)r);
        return -1;
    }
    if (l == 0 || r == 0) {
        snprintf(why, why_len, "node %ld: a child index points back to the root (a cycle)",
                 (long)i);
        return -1;
    }
    if (l != -1 && (l < 1 || l >= n - 1)) {
        snprintf(why, why_len, "node %ld: left child %ld out of range (%ld nodes)",
                 (long)i, (long)l, (long)n);
        return -1;
    }
    if (l != -1 && r != l + 1) {
        snprintf(why, why_len, "node %ld: right child %ld is not left child %ld + 1",
                 (long)i, (long)r, (long)l);
        return -1;
    }
    if (t->split_index[i] < 0) {
        snprintf(why, why_len, "node %ld: negative split index", (long)i);
        return -1;
    }
    if (t->default_left[i] > 1) {
        snprintf(why, why_len, "node %ld: default_left %u is not 0 or 1", (long)i,
                 (unsigned)t->default_left[i]);
        return -1;
    }
    if (!isfinite(t->split_cond[i]) || !isfinite(t->loss_chg[i]) ||
        !isfinite(t->sum_hess[i]) || !isfinite(t->base_weight[i])) {
        snprintf(why, why_len, "node %ld: a value is not finite", (long)i);
        return -1;
    }
    return 0;
}

/* Whether t is a well-formed tree: every child index in range with
 * right == left + 1, every node reached from the root at most once (no cycle,
 * no shared child) with its parent recorded, finite numbers, split features
 * below nfeatures on the nodes a row can reach. Nodes the root does not reach
 * are xgboost's deleted nodes; *unreached counts them. Returns 0, or -1 with
 * the reason in why. */
static int tree_check(const tk_tree *t, size_t nfeatures, int32_t *unreached, char *why,
                      size_t why_len)
{
    int32_t n = t->nnodes, i, top = 0, seen = 0;
    int32_t *stack = NULL;
    uint8_t *visited = NULL;
    int rc = -1;

    if (n < 1 || n == INT32_MAX) {
        snprintf(why, why_len, "%ld nodes", (long)n);
        return -1;
    }
    if (t->group < 0) {
        snprintf(why, why_len, "negative output group %ld", (long)t->group);
        return -1;
    }
    for (i = 0; i < n; i++)
        if (node_check(t, i, why, why_len) != 0)
            return -1;
    if (t->parent[0] != TK_ROOT_PARENT) {
        snprintf(why, why_len, "the root's parent is %ld, not %d", (long)t->parent[0],
                 TK_ROOT_PARENT);
        return -1;
    }
    stack = malloc((size_t)n * sizeof(*stack));
    visited = calloc((size_t)n, 1);
    if (!stack || !visited) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    stack[top++] = 0;
    visited[0] = 1;
    while (top > 0) {
        int32_t v = stack[--top], c, k;
        seen++;
        if (t->left[v] < 0)
            continue;
        if ((size_t)t->split_index[v] >= nfeatures) {
            snprintf(why, why_len, "node %ld splits on feature %ld of %zu", (long)v,
                     (long)t->split_index[v], nfeatures);
            goto out;
        }
        for (k = 0; k < 2; k++) {
            c = k ? t->right[v] : t->left[v];
            if (visited[c]) { /* at most n pushes: the walk ends */
                if (is_ancestor(t, c, v))
                    snprintf(why, why_len,
                             "node %ld: child %ld is the node itself or one of its ancestors "
                             "(a cycle)",
                             (long)v, (long)c);
                else
                    snprintf(why, why_len, "node %ld is reached twice (a child of two nodes)",
                             (long)c);
                goto out;
            }
            if (t->parent[c] != v) {
                snprintf(why, why_len, "node %ld: parent %ld, but node %ld points to it",
                         (long)c, (long)t->parent[c], (long)v);
                goto out;
            }
            visited[c] = 1;
            stack[top++] = c;
        }
    }
    *unreached = n - seen;
    rc = 0;
out:
    free(stack);
    free(visited);
    return rc;
}

static int tree_copy(tk_tree *dst, const tk_tree *src)
{
    size_t n = (size_t)src->nnodes;

    if (tk_tree_alloc(dst, src->nnodes) != 0)
        return -1;
    memcpy(dst->left, src->left, n * sizeof(int32_t));
    memcpy(dst->right, src->right, n * sizeof(int32_t));
    memcpy(dst->parent, src->parent, n * sizeof(int32_t));
    memcpy(dst->split_index, src->split_index, n * sizeof(int32_t));
    memcpy(dst->split_cond, src->split_cond, n * sizeof(float));
    memcpy(dst->default_left, src->default_left, n);
    memcpy(dst->loss_chg, src->loss_chg, n * sizeof(float));
    memcpy(dst->sum_hess, src->sum_hess, n * sizeof(float));
    memcpy(dst->base_weight, src->base_weight, n * sizeof(float));
    dst->group = src->group;
    return 0;
}

/* --------------------------------------------------------------- models -- */

void tk_model_init(tk_model *m)
{
    memset(m, 0, sizeof(*m));
    m->objective = TK_OBJ_SQUAREDERROR;
    m->base_score = 0.5f;
    m->scale_pos_weight = 1.0f;
}

static void free_names(char **names, size_t n)
{
    size_t i;

    if (!names)
        return;
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

void tk_model_free(tk_model *m)
{
    size_t i;

    free_names(m->feature_names, m->nfeatures);
    for (i = 0; i < m->ntrees; i++)
        tk_tree_free(&m->trees[i]);
    free(m->trees);
    free_names(m->attr_keys, m->nattrs);
    free_names(m->attr_vals, m->nattrs);
    tk_model_init(m);
}

typedef struct name_at {
    const char *s;
    size_t i;
} name_at;

static int cmp_name_at(const void *a, const void *b)
{
    const name_at *x = a, *y = b;
    int c = strcmp(x->s, y->s);

    return c ? c : (x->i > y->i) - (x->i < y->i);
}

int tk_names_duplicate(const char *const *names, size_t n, size_t *first, size_t *second)
{
    name_at *v;
    size_t i;
    int found = 0;

    if (n < 2)
        return 0;
    if (!(v = malloc(n * sizeof(*v))))
        return -1;
    for (i = 0; i < n; i++)
        v[i] = (name_at){ names[i], i };
    qsort(v, n, sizeof(*v), cmp_name_at);
    for (i = 1; i < n; i++) /* equal names are adjacent, by index */
        if (strcmp(v[i - 1].s, v[i].s) == 0 && (!found || v[i].i < *second)) {
            *first = v[i - 1].i;
            *second = v[i].i;
            found = 1;
        }
    free(v);
    return found;
}

int tk_model_set_features(tk_model *m, const char *const *names, size_t n, tk_err *e)
{
    char **copy = NULL;
    size_t i, a, b;
    int dup;

    if (n > TK_MAX_FEATURES)
        return tk_err_set(e, TK_ESOFTWARE, "%zu features: more than %d", n, TK_MAX_FEATURES);
    dup = names ? tk_names_duplicate(names, n, &a, &b) : 0;
    if (dup < 0)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    if (dup > 0)
        return tk_err_set(e, TK_EUSAGE, "feature name '%s' appears twice (features %zu and %zu)",
                          names[a], a, b);
    if (names && n > 0) {
        copy = calloc(n, sizeof(*copy));
        if (!copy)
            return tk_err_set(e, TK_ESOFTWARE, "out of memory");
        for (i = 0; i < n; i++)
            if (!(copy[i] = dup_str(names[i]))) {
                free_names(copy, n);
                return tk_err_set(e, TK_ESOFTWARE, "out of memory");
            }
    }
    free_names(m->feature_names, m->nfeatures);
    m->feature_names = copy;
    m->nfeatures = n;
    return TK_OK;
}

int tk_model_add_tree(tk_model *m, const tk_tree *t, tk_err *e)
{
    char why[200];
    int32_t unreached;

    if (tree_check(t, m->nfeatures, &unreached, why, sizeof(why)) != 0)
        return tk_err_set(e, TK_ESOFTWARE, "tree %zu is malformed: %s", m->ntrees, why);
    if (m->ntrees == m->trees_cap) {
        size_t cap = m->trees_cap ? 2 * m->trees_cap : 16;
        tk_tree *p = realloc(m->trees, cap * sizeof(*p));
        if (!p)
            return tk_err_set(e, TK_ESOFTWARE, "out of memory adding tree %zu", m->ntrees);
        m->trees = p;
        m->trees_cap = cap;
    }
    if (tree_copy(&m->trees[m->ntrees], t) != 0)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory adding tree %zu", m->ntrees);
    m->ntrees++;
    return TK_OK;
}

void tk_model_truncate(tk_model *m, size_t keep)
{
    while (m->ntrees > keep)
        tk_tree_free(&m->trees[--m->ntrees]);
}

/* Index of key among the sorted keys, or where it would go (*found 0). */
static size_t attr_pos(const tk_model *m, const char *key, int *found)
{
    size_t lo = 0, hi = m->nattrs;

    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->attr_keys[mid], key);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int tk_model_set_attr(tk_model *m, const char *key, const char *value, tk_err *e)
{
    int found;
    size_t pos = attr_pos(m, key, &found);
    char *v = dup_str(value), *k = NULL, **keys, **vals;

    if (!v)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    if (found) {
        free(m->attr_vals[pos]);
        m->attr_vals[pos] = v;
        return TK_OK;
    }
    /* attributes stay sorted by key, as xgboost writes them */
    k = dup_str(key);
    keys = realloc(m->attr_keys, (m->nattrs + 1) * sizeof(*keys));
    if (keys)
        m->attr_keys = keys;
    vals = realloc(m->attr_vals, (m->nattrs + 1) * sizeof(*vals));
    if (vals)
        m->attr_vals = vals;
    if (!k || !keys || !vals) {
        free(k);
        free(v);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    }
    memmove(keys + pos + 1, keys + pos, (m->nattrs - pos) * sizeof(*keys));
    memmove(vals + pos + 1, vals + pos, (m->nattrs - pos) * sizeof(*vals));
    keys[pos] = k;
    vals[pos] = v;
    m->nattrs++;
    return TK_OK;
}

const char *tk_model_get_attr(const tk_model *m, const char *key)
{
    int found;
    size_t pos = attr_pos(m, key, &found);

    return found ? m->attr_vals[pos] : NULL;
}

static const char *objective_name(tk_objective o)
{
    switch (o) {
    case TK_OBJ_SQUAREDERROR:
        return "reg:squarederror";
    case TK_OBJ_LOGISTIC:
        return "binary:logistic";
    case TK_OBJ_SOFTPROB:
        return "multi:softprob";
    }
    return NULL;
}

/* The model's own fields are consistent; trees are checked one by one. */
static int check_header(const tk_model *m, char *why, size_t len)
{
    if (!objective_name(m->objective))
        snprintf(why, len, "unknown objective %d", (int)m->objective);
    else if (m->objective == TK_OBJ_SOFTPROB &&
             (m->num_class < 1 || m->num_class > TK_MAX_CLASSES))
        snprintf(why, len, "multi:softprob with num_class %ld", (long)m->num_class);
    else if (m->objective != TK_OBJ_SOFTPROB && m->num_class != 0)
        snprintf(why, len, "num_class %ld with %s (must be 0)", (long)m->num_class,
                 objective_name(m->objective));
    else if (!isfinite(m->base_score) ||
             (m->objective == TK_OBJ_LOGISTIC && !(m->base_score > 0 && m->base_score < 1)))
        snprintf(why, len, "base_score %.9g is not %s", (double)m->base_score,
                 m->objective == TK_OBJ_LOGISTIC ? "in (0, 1) for binary:logistic" : "finite");
    else if (!isfinite(m->scale_pos_weight))
        snprintf(why, len, "scale_pos_weight is not finite");
    else if (m->nfeatures > TK_MAX_FEATURES)
        snprintf(why, len, "%zu features", m->nfeatures);
    else
        return 0;
    return -1;
}

/* ---------------------------------------------------------------- write -- */

/* The shortest "%.Ng" that reads back as f: "0.5" rather than "0.500000000". */
static void fmt_float(char *buf, size_t len, float f)
{
    int p;

    for (p = 1; p <= 9; p++) {
        snprintf(buf, len, "%.*g", p, (double)f);
        if (strtof(buf, NULL) == f)
            return;
    }
}

/* json builders: a NULL argument or a failed insertion sets *bad (jansson
 * releases the value it was given either way) */
static void put(json_t *obj, const char *key, json_t *v, int *bad)
{
    if (json_object_set_new(obj, key, v) != 0)
        *bad = 1;
}

static void push(json_t *arr, json_t *v, int *bad)
{
    if (json_array_append_new(arr, v) != 0)
        *bad = 1;
}

static int is_utf8(const char *s)
{
    json_t *j = json_string(s);

    json_decref(j);
    return j != NULL;
}

static json_t *str_i64(long long v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%lld", v);
    return json_string(buf);
}

static json_t *str_f32(float f)
{
    char buf[32];

    fmt_float(buf, sizeof(buf), f);
    return json_string(buf);
}

static json_t *arr_i32(const int32_t *v, int32_t n, int *bad)
{
    json_t *a = json_array();
    int32_t i;

    for (i = 0; a && i < n; i++)
        push(a, json_integer(v[i]), bad);
    if (!a)
        *bad = 1;
    return a;
}

static json_t *arr_u8(const uint8_t *v, int32_t n, int *bad)
{
    json_t *a = json_array();
    int32_t i;

    for (i = 0; a && i < n; i++)
        push(a, json_integer(v[i]), bad);
    if (!a)
        *bad = 1;
    return a;
}

static json_t *arr_f32(const float *v, int32_t n, int *bad)
{
    json_t *a = json_array();
    int32_t i;

    for (i = 0; a && i < n; i++)
        push(a, json_real((double)v[i]), bad);
    if (!a)
        *bad = 1;
    return a;
}

static json_t *tree_json(const tk_model *m, const tk_tree *t, size_t id, int32_t deleted,
                         int *bad)
{
    json_t *o = json_object(), *param = json_object(), *zeros = json_array();
    const char *empty[] = { "categories", "categories_nodes", "categories_segments",
                            "categories_sizes" };
    int32_t i;
    size_t k;

    if (!o || !param || !zeros) {
        json_decref(o);
        json_decref(param);
        json_decref(zeros);
        *bad = 1;
        return NULL;
    }
    put(o, "base_weights", arr_f32(t->base_weight, t->nnodes, bad), bad);
    for (k = 0; k < sizeof(empty) / sizeof(empty[0]); k++)
        put(o, empty[k], json_array(), bad);
    put(o, "default_left", arr_u8(t->default_left, t->nnodes, bad), bad);
    put(o, "id", json_integer((json_int_t)id), bad);
    put(o, "left_children", arr_i32(t->left, t->nnodes, bad), bad);
    put(o, "loss_changes", arr_f32(t->loss_chg, t->nnodes, bad), bad);
    put(o, "parents", arr_i32(t->parent, t->nnodes, bad), bad);
    put(o, "right_children", arr_i32(t->right, t->nnodes, bad), bad);
    put(o, "split_conditions", arr_f32(t->split_cond, t->nnodes, bad), bad);
    put(o, "split_indices", arr_i32(t->split_index, t->nnodes, bad), bad);
    for (i = 0; i < t->nnodes; i++)
        push(zeros, json_integer(0), bad);
    put(o, "split_type", zeros, bad);
    put(o, "sum_hessian", arr_f32(t->sum_hess, t->nnodes, bad), bad);
    put(param, "num_deleted", str_i64(deleted), bad);
    put(param, "num_feature", str_i64((long long)m->nfeatures), bad);
    put(param, "num_nodes", str_i64(t->nnodes), bad);
    put(param, "size_leaf_vector", json_string("0"), bad);
    put(o, "tree_param", param, bad);
    return o;
}

/* Validates m and builds its JSON document into *root. */
static int model_json(const tk_model *m, json_t **root, tk_err *e)
{
    json_t *doc = json_object(), *learner = json_object(), *names = json_array(),
           *types = json_array(), *attrs = json_object(), *gb = json_object(),
           *gbm = json_object(), *gbp = json_object(), *info = json_array(),
           *trees = json_array(), *lmp = json_object(), *obj = json_object(),
           *objp = json_object(), *version = json_array();
    int bad = 0, K = tk_model_noutputs(m);
    char why[200];
    size_t i;

    *root = NULL;
    if (check_header(m, why, sizeof(why)) != 0) {
        tk_err_set(e, TK_ESOFTWARE, "invalid model: %s", why);
        goto fail;
    }
    if (!doc || !learner || !names || !types || !attrs || !gb || !gbm || !gbp || !info ||
        !trees || !lmp || !obj || !objp || !version) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory writing the model");
        goto fail;
    }
    for (i = 0; i < m->ntrees; i++) {
        const tk_tree *t = &m->trees[i];
        int32_t deleted;
        if (tree_check(t, m->nfeatures, &deleted, why, sizeof(why)) != 0 || t->group >= K) {
            if (t->group >= K)
                snprintf(why, sizeof(why), "output group %ld of %d", (long)t->group, K);
            tk_err_set(e, TK_ESOFTWARE, "invalid model: tree %zu: %s", i, why);
            goto fail;
        }
        push(trees, tree_json(m, t, i, deleted, &bad), &bad);
        push(info, json_integer(t->group), &bad);
    }
    for (i = 0; m->feature_names && i < m->nfeatures; i++) {
        json_t *s = json_string(m->feature_names[i]);
        if (!s) {
            tk_err_set(e, TK_ESOFTWARE, "feature name %zu is not UTF-8 text", i);
            goto fail;
        }
        push(names, s, &bad);
        push(types, json_string("float"), &bad);
    }
    for (i = 0; i < m->nattrs; i++) {
        json_t *s = is_utf8(m->attr_keys[i]) ? json_string(m->attr_vals[i]) : NULL;
        if (!s) {
            tk_err_set(e, TK_ESOFTWARE, "attribute %zu is not UTF-8 text", i);
            goto fail;
        }
        put(attrs, m->attr_keys[i], s, &bad);
    }
    put(gbp, "num_parallel_tree", json_string("1"), &bad);
    put(gbp, "num_trees", str_i64((long long)m->ntrees), &bad);
    put(gbp, "size_leaf_vector", json_string("0"), &bad);
    put(gbm, "gbtree_model_param", gbp, &bad);
    put(gbm, "tree_info", info, &bad);
    put(gbm, "trees", trees, &bad);
    put(gb, "model", gbm, &bad);
    put(gb, "name", json_string("gbtree"), &bad);
    put(lmp, "base_score", str_f32(m->base_score), &bad);
    put(lmp, "boost_from_average", json_string("1"), &bad);
    put(lmp, "num_class", str_i64(m->objective == TK_OBJ_SOFTPROB ? m->num_class : 0), &bad);
    put(lmp, "num_feature", str_i64((long long)m->nfeatures), &bad);
    put(lmp, "num_target", json_string("1"), &bad);
    put(obj, "name", json_string(objective_name(m->objective)), &bad);
    if (m->objective == TK_OBJ_SOFTPROB) {
        put(objp, "num_class", str_i64(m->num_class), &bad);
        put(obj, "softmax_multiclass_param", objp, &bad);
    } else {
        put(objp, "scale_pos_weight", str_f32(m->scale_pos_weight), &bad);
        put(obj, "reg_loss_param", objp, &bad);
    }
    put(learner, "attributes", attrs, &bad);
    put(learner, "feature_names", names, &bad);
    put(learner, "feature_types", types, &bad);
    put(learner, "gradient_booster", gb, &bad);
    put(learner, "learner_model_param", lmp, &bad);
    put(learner, "objective", obj, &bad);
    put(doc, "learner", learner, &bad);
    push(version, json_integer(1), &bad);
    push(version, json_integer(7), &bad);
    push(version, json_integer(4), &bad);
    put(doc, "version", version, &bad);
    if (bad) {
        json_decref(doc);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory writing the model");
    }
    *root = doc;
    return TK_OK;
fail:
    json_decref(doc);
    json_decref(learner);
    json_decref(names);
    json_decref(types);
    json_decref(attrs);
    json_decref(gb);
    json_decref(gbm);
    json_decref(gbp);
    json_decref(info);
    json_decref(trees);
    json_decref(lmp);
    json_decref(obj);
    json_decref(objp);
    json_decref(version);
    return e->status;
}

int tk_model_to_json(const tk_model *m, char **text, size_t *len, tk_err *e)
{
    json_t *root;

    *text = NULL;
    *len = 0;
    if (model_json(m, &root, e) != TK_OK)
        return e->status;
    *text = json_dumps(root, TK_DUMP_FLAGS);
    json_decref(root);
    if (!*text)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory writing the model");
    *len = strlen(*text);
    return TK_OK;
}

int tk_model_save(const tk_model *m, const char *path, tk_err *e)
{
    char *text;
    size_t len;

    if (tk_model_to_json(m, &text, &len, e) != TK_OK)
        return e->status;
    tk_fs_write_atomic(path, text, len, e);
    free(text);
    return e->status;
}

/* ----------------------------------------------------------------- load -- */

typedef struct loader {
    const char *path;
    tk_err *e;
} loader;

static int bad_model(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* TK_EDATA "PATH: MESSAGE" */
static int bad_model(loader *L, const char *fmt, ...)
{
    char msg[TK_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return tk_err_set(L->e, TK_EDATA, "%s: %s", L->path, msg);
}

static const char *type_name(json_type t)
{
    switch (t) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

/* Member key of obj (named where in messages) of type want. NULL when it is
 * missing (an error if required) or of another type (an error). */
static json_t *member(loader *L, const json_t *obj, const char *where, const char *key,
                      json_type want, int required)
{
    json_t *v = json_object_get(obj, key);

    if (!v) {
        if (required)
            bad_model(L, "%s has no \"%s\"", where, key);
        return NULL;
    }
    if (json_typeof(v) != want) {
        bad_model(L, "%s.%s is %s, not %s", where, key, type_name(json_typeof(v)),
                  type_name(want));
        return NULL;
    }
    return v;
}

/* An integer parameter written as a string, as xgboost writes them. */
static int param_int(loader *L, const json_t *obj, const char *where, const char *key,
                     int required, int64_t dflt, int64_t min, int64_t max, int64_t *out)
{
    json_t *v = member(L, obj, where, key, JSON_STRING, required);

    *out = dflt;
    if (!v)
        return L->e->status;
    if (tk_parse_i64z(json_string_value(v), min, max, out) != TK_PARSE_OK)
        return bad_model(L, "%s.%s \"%.40s\" is not an integer in [%lld, %lld]", where, key,
                         json_string_value(v), (long long)min, (long long)max);
    return TK_OK;
}

/* A float32 parameter written as a string. */
static int param_float(loader *L, const json_t *obj, const char *where, const char *key,
                       int required, float dflt, float *out)
{
    json_t *v = member(L, obj, where, key, JSON_STRING, required);
    double d;

    *out = dflt;
    if (!v)
        return L->e->status;
    if (tk_parse_double(json_string_value(v), -FLT_MAX, FLT_MAX, &d) != TK_PARSE_OK)
        return bad_model(L, "%s.%s \"%.40s\" is not a finite float32", where, key,
                         json_string_value(v));
    *out = (float)d;
    return TK_OK;
}

/* Array a's n entries as integers in [min, max] (booleans too if allowed). */
static int load_ints(loader *L, const json_t *a, const char *where, const char *key,
                     int64_t min, int64_t max, int allow_bool, int32_t *out32, uint8_t *out8)
{
    size_t i, n = json_array_size(a);

    for (i = 0; i < n; i++) {
        json_t *v = json_array_get(a, i);
        json_int_t x;
        if (allow_bool && json_is_boolean(v))
            x = json_is_true(v);
        else if (json_is_integer(v))
            x = json_integer_value(v);
        else
            return bad_model(L, "%s: %s[%zu] is %s, not an integer", where, key, i,
                             type_name(json_typeof(v)));
        if (x < min || x > max)
            return bad_model(L, "%s: %s[%zu] = %lld is not in [%lld, %lld]", where, key, i,
                             (long long)x, (long long)min, (long long)max);
        if (out32)
            out32[i] = (int32_t)x;
        else
            out8[i] = (uint8_t)x;
    }
    return TK_OK;
}

/* Array a's entries as float32. Like xgboost, an integer is refused: a real
 * must have a decimal point or an exponent. */
static int load_floats(loader *L, const json_t *a, const char *where, const char *key,
                       float *out)
{
    size_t i, n = json_array_size(a);

    for (i = 0; i < n; i++) {
        json_t *v = json_array_get(a, i);
        float f;
        if (json_is_integer(v))
            return bad_model(L,
                             "%s: %s[%zu] = %lld is an integer; XGBoost needs a real "
                             "(with a decimal point or an exponent)",
                             where, key, i, (long long)json_integer_value(v));
        if (!json_is_real(v))
            return bad_model(L, "%s: %s[%zu] is %s, not a number", where, key, i,
                             type_name(json_typeof(v)));
        f = (float)json_real_value(v);
        if (!isfinite(f))
            return bad_model(L, "%s: %s[%zu] = %g is beyond float32's range", where, key, i,
                             json_real_value(v));
        out[i] = f;
    }
    return TK_OK;
}

enum {
    A_LEFT, A_RIGHT, A_PARENT, A_SPLIT_INDEX, A_DEFAULT_LEFT,
    A_SPLIT_COND, A_LOSS, A_HESS, A_WEIGHT, A_COUNT
};
static const char *const tree_arrays[A_COUNT] = {
    "left_children", "right_children", "parents",      "split_indices", "default_left",
    "split_conditions", "loss_changes", "sum_hessian", "base_weights"
};

static int load_tree(loader *L, const json_t *jt, size_t ti, size_t nfeatures, int32_t group,
                     tk_tree *t)
{
    static const char *const cats[] = { "categories", "categories_nodes",
                                         "categories_segments", "categories_sizes" };
    char where[40], why[200];
    json_t *param, *id, *arr[A_COUNT], *st;
    int64_t n, deleted, ignored, leafvec;
    int32_t unreached;
    size_t k;

    memset(t, 0, sizeof(*t));
    snprintf(where, sizeof(where), "tree %zu", ti);
    if (!json_is_object(jt))
        return bad_model(L, "%s is %s, not an object", where, type_name(json_typeof(jt)));
    if (!(param = member(L, jt, where, "tree_param", JSON_OBJECT, 1)) ||
        !(id = member(L, jt, where, "id", JSON_INTEGER, 1)))
        return L->e->status;
    if (json_integer_value(id) != (json_int_t)ti)
        return bad_model(L, "%s has id %lld (ids count trees from 0)", where,
                         (long long)json_integer_value(id));
    if (param_int(L, param, where, "num_nodes", 1, 0, 1, INT32_MAX - 1, &n) ||
        param_int(L, param, where, "num_deleted", 0, 0, 0, n, &deleted) ||
        param_int(L, param, where, "num_feature", 0, 0, 0, INT32_MAX, &ignored) ||
        param_int(L, param, where, "size_leaf_vector", 0, 0, 0, INT32_MAX, &leafvec))
        return L->e->status;
    if (leafvec != 0)
        return bad_model(L, "%s has vector leaves (size_leaf_vector %lld): unsupported", where,
                         (long long)leafvec);
    for (k = 0; k < sizeof(cats) / sizeof(cats[0]); k++) {
        json_t *c = member(L, jt, where, cats[k], JSON_ARRAY, 1);
        if (!c)
            return L->e->status;
        if (json_array_size(c) != 0)
            return bad_model(L, "%s has categorical splits: unsupported", where);
    }
    st = json_object_get(jt, "split_type"); /* optional for xgboost */
    if (st) {
        size_t i;
        if (!json_is_array(st) || json_array_size(st) != (size_t)n)
            return bad_model(L, "%s: split_type is not an array of num_nodes (%lld) entries",
                             where, (long long)n);
        for (i = 0; i < (size_t)n; i++) {
            json_t *v = json_array_get(st, i);
            if (!json_is_integer(v) || json_integer_value(v) != 0)
                return bad_model(L, "%s has categorical splits (split_type[%zu]): unsupported",
                                 where, i);
        }
    }
    /* every array has num_nodes entries before anything is allocated */
    for (k = 0; k < A_COUNT; k++) {
        if (!(arr[k] = member(L, jt, where, tree_arrays[k], JSON_ARRAY, 1)))
            return L->e->status;
        if (json_array_size(arr[k]) != (size_t)n)
            return bad_model(L, "%s: %s has %zu entries, num_nodes is %lld", where,
                             tree_arrays[k], json_array_size(arr[k]), (long long)n);
    }
    if (tk_tree_alloc(t, (int32_t)n) != 0)
        return tk_err_set(L->e, TK_ESOFTWARE, "out of memory loading %s", L->path);
    t->group = group;
    if (load_ints(L, arr[A_LEFT], where, tree_arrays[A_LEFT], -1, INT32_MAX, 0, t->left, NULL) ||
        load_ints(L, arr[A_RIGHT], where, tree_arrays[A_RIGHT], -1, INT32_MAX, 0, t->right,
                  NULL) ||
        load_ints(L, arr[A_PARENT], where, tree_arrays[A_PARENT], -1, INT32_MAX, 0, t->parent,
                  NULL) ||
        load_ints(L, arr[A_SPLIT_INDEX], where, tree_arrays[A_SPLIT_INDEX], 0, INT32_MAX, 0,
                  t->split_index, NULL) ||
        load_ints(L, arr[A_DEFAULT_LEFT], where, tree_arrays[A_DEFAULT_LEFT], 0, 1, 1, NULL,
                  t->default_left) ||
        load_floats(L, arr[A_SPLIT_COND], where, tree_arrays[A_SPLIT_COND], t->split_cond) ||
        load_floats(L, arr[A_LOSS], where, tree_arrays[A_LOSS], t->loss_chg) ||
        load_floats(L, arr[A_HESS], where, tree_arrays[A_HESS], t->sum_hess) ||
        load_floats(L, arr[A_WEIGHT], where, tree_arrays[A_WEIGHT], t->base_weight))
        goto fail;
    if (tree_check(t, nfeatures, &unreached, why, sizeof(why)) != 0) {
        bad_model(L, "%s: %s", where, why);
        goto fail;
    }
    if (unreached != deleted) {
        bad_model(L, "%s: num_deleted is %lld but %ld nodes are not reached from the root",
                  where, (long long)deleted, (long)unreached);
        goto fail;
    }
    return TK_OK;
fail:
    tk_tree_free(t);
    return L->e->status;
}

static int load_features(loader *L, const json_t *learner, tk_model *m, size_t nf)
{
    json_t *names = member(L, learner, "learner", "feature_names", JSON_ARRAY, 0);
    json_t *types = member(L, learner, "learner", "feature_types", JSON_ARRAY, 0);
    size_t i, k;

    if (L->e->status)
        return L->e->status;
    if (types && json_array_size(types) > 0) {
        if (json_array_size(types) != nf)
            return bad_model(L, "learner.feature_types has %zu entries, num_feature is %zu",
                             json_array_size(types), nf);
        for (i = 0; i < nf; i++) {
            const char *s = json_string_value(json_array_get(types, i));
            if (!s)
                return bad_model(L, "learner.feature_types[%zu] is not a string", i);
            if (strcmp(s, "c") == 0)
                return bad_model(L, "feature %zu is categorical: unsupported", i);
            if (strcmp(s, "float") != 0 && strcmp(s, "q") != 0 && strcmp(s, "int") != 0 &&
                strcmp(s, "i") != 0)
                return bad_model(L, "learner.feature_types[%zu] \"%.40s\" is not a known type",
                                 i, s);
        }
    }
    m->nfeatures = nf;
    if (!names || json_array_size(names) == 0)
        return TK_OK; /* unnamed features: xgboost calls them f0, f1, ... */
    if (json_array_size(names) != nf)
        return bad_model(L, "learner.feature_names has %zu entries, num_feature is %zu",
                         json_array_size(names), nf);
    m->feature_names = calloc(nf, sizeof(char *));
    if (!m->feature_names)
        return tk_err_set(L->e, TK_ESOFTWARE, "out of memory loading %s", L->path);
    for (i = 0; i < nf; i++) {
        const char *s = json_string_value(json_array_get(names, i));
        if (!s)
            return bad_model(L, "learner.feature_names[%zu] is not a string", i);
        if (!(m->feature_names[i] = dup_str(s)))
            return tk_err_set(L->e, TK_ESOFTWARE, "out of memory loading %s", L->path);
    }
    switch (tk_names_duplicate((const char *const *)m->feature_names, nf, &i, &k)) {
    case 0:
        return TK_OK;
    case 1: /* xgboost: "feature_names must be unique" */
        return bad_model(L, "learner.feature_names: '%.60s' appears twice (entries %zu and %zu)",
                         m->feature_names[i], i, k);
    default:
        return tk_err_set(L->e, TK_ESOFTWARE, "out of memory loading %s", L->path);
    }
}

static int load_attributes(loader *L, const json_t *learner, tk_model *m)
{
    json_t *attrs = member(L, learner, "learner", "attributes", JSON_OBJECT, 1), *v;
    const char *key;

    if (!attrs)
        return L->e->status;
    json_object_foreach(attrs, key, v) {
        if (!json_is_string(v))
            return bad_model(L, "learner.attributes.%.40s is %s, not a string", key,
                             type_name(json_typeof(v)));
        if (tk_model_set_attr(m, key, json_string_value(v), L->e) != TK_OK)
            return L->e->status;
    }
    return TK_OK;
}

/* learner.objective and learner_model_param -> m's header */
static int load_header(loader *L, const json_t *learner, tk_model *m, int64_t *nf)
{
    static const char *const lmp_where = "learner.learner_model_param";
    json_t *obj, *name, *lmp, *p;
    int64_t ncls, ntarget, k;

    if (!(obj = member(L, learner, "learner", "objective", JSON_OBJECT, 1)) ||
        !(name = member(L, obj, "learner.objective", "name", JSON_STRING, 1)) ||
        !(lmp = member(L, learner, "learner", "learner_model_param", JSON_OBJECT, 1)))
        return L->e->status;
    if (strcmp(json_string_value(name), "reg:squarederror") == 0)
        m->objective = TK_OBJ_SQUAREDERROR;
    else if (strcmp(json_string_value(name), "binary:logistic") == 0)
        m->objective = TK_OBJ_LOGISTIC;
    else if (strcmp(json_string_value(name), "multi:softprob") == 0)
        m->objective = TK_OBJ_SOFTPROB;
    else
        return bad_model(L,
                         "unsupported objective '%.60s' (supported: reg:squarederror, "
                         "binary:logistic, multi:softprob)",
                         json_string_value(name));
    if (param_int(L, lmp, lmp_where, "num_feature", 1, 0, 0, TK_MAX_FEATURES, nf) ||
        param_int(L, lmp, lmp_where, "num_class", 0, 0, 0, TK_MAX_CLASSES, &ncls) ||
        param_int(L, lmp, lmp_where, "num_target", 0, 1, 0, INT32_MAX, &ntarget) ||
        param_float(L, lmp, lmp_where, "base_score", 0, 0.5f, &m->base_score))
        return L->e->status;
    if (ntarget != 1)
        return bad_model(L, "num_target %lld: multi-target models are unsupported",
                         (long long)ntarget);
    if (m->objective == TK_OBJ_SOFTPROB) {
        if (!(p = member(L, obj, "learner.objective", "softmax_multiclass_param", JSON_OBJECT,
                         1)) ||
            param_int(L, p, "learner.objective.softmax_multiclass_param", "num_class", 1, 0, 1,
                      TK_MAX_CLASSES, &k))
            return L->e->status;
        if (k != ncls)
            return bad_model(L, "num_class is %lld in the objective but %lld in %s",
                             (long long)k, (long long)ncls, lmp_where);
        m->num_class = (int32_t)k;
    } else {
        if (!(p = member(L, obj, "learner.objective", "reg_loss_param", JSON_OBJECT, 1)) ||
            param_float(L, p, "learner.objective.reg_loss_param", "scale_pos_weight", 0, 1.0f,
                        &m->scale_pos_weight))
            return L->e->status;
        if (ncls > 1)
            return bad_model(L, "num_class %lld with objective %s", (long long)ncls,
                             json_string_value(name));
        m->num_class = 0;
        if (m->objective == TK_OBJ_LOGISTIC && !(m->base_score > 0 && m->base_score < 1))
            return bad_model(L, "base_score %.9g is not in (0, 1), as binary:logistic needs",
                             (double)m->base_score);
    }
    return TK_OK;
}

static int load_booster(loader *L, const json_t *learner, tk_model *m)
{
    static const char *const where = "learner.gradient_booster.model";
    json_t *gb, *name, *gbm, *gbp, *info, *trees;
    int64_t ntrees, npar, leafvec;
    int K = tk_model_noutputs(m);
    size_t i;

    if (!(gb = member(L, learner, "learner", "gradient_booster", JSON_OBJECT, 1)) ||
        !(name = member(L, gb, "learner.gradient_booster", "name", JSON_STRING, 1)))
        return L->e->status;
    if (strcmp(json_string_value(name), "gbtree") != 0)
        return bad_model(L, "unsupported booster '%.40s' (only gbtree)",
                         json_string_value(name));
    if (!(gbm = member(L, gb, "learner.gradient_booster", "model", JSON_OBJECT, 1)) ||
        !(gbp = member(L, gbm, where, "gbtree_model_param", JSON_OBJECT, 1)) ||
        param_int(L, gbp, "gbtree_model_param", "num_trees", 1, 0, 0, INT32_MAX, &ntrees) ||
        param_int(L, gbp, "gbtree_model_param", "num_parallel_tree", 0, 1, 0, INT32_MAX,
                  &npar) ||
        param_int(L, gbp, "gbtree_model_param", "size_leaf_vector", 0, 0, 0, INT32_MAX,
                  &leafvec) ||
        !(info = member(L, gbm, where, "tree_info", JSON_ARRAY, 1)) ||
        !(trees = member(L, gbm, where, "trees", JSON_ARRAY, 1)))
        return L->e->status;
    if (npar != 1)
        return bad_model(L, "num_parallel_tree %lld (boosted random forests): unsupported",
                         (long long)npar);
    if (leafvec != 0)
        return bad_model(L, "vector leaves (size_leaf_vector %lld): unsupported",
                         (long long)leafvec);
    if (json_array_size(trees) != (size_t)ntrees || json_array_size(info) != (size_t)ntrees)
        return bad_model(L, "num_trees is %lld but there are %zu trees and %zu tree_info entries",
                         (long long)ntrees, json_array_size(trees), json_array_size(info));
    if (ntrees == 0)
        return TK_OK;
    m->trees = calloc((size_t)ntrees, sizeof(*m->trees));
    if (!m->trees)
        return tk_err_set(L->e, TK_ESOFTWARE, "out of memory loading %s", L->path);
    m->trees_cap = (size_t)ntrees;
    for (i = 0; i < (size_t)ntrees; i++) {
        json_t *g = json_array_get(info, i);
        if (!json_is_integer(g) || json_integer_value(g) < 0 || json_integer_value(g) >= K)
            return bad_model(L, "tree_info[%zu] is not an output group in [0, %d)", i, K);
        if (load_tree(L, json_array_get(trees, i), i, m->nfeatures,
                      (int32_t)json_integer_value(g), &m->trees[i]) != TK_OK)
            return L->e->status;
        m->ntrees++;
    }
    return TK_OK;
}

/* Opens path for reading when it is a regular file. O_NONBLOCK keeps the
 * open of a FIFO without a writer (or a device) from blocking; fstat on the
 * descriptor then decides, with no window between the check and the use.
 * Returns the stream (owned by the caller), or NULL with TK_ENOINPUT. */
static FILE *open_regular(const char *path, tk_err *e)
{
    struct stat st;
    FILE *f;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

    if (fd < 0) {
        tk_err_set(e, TK_ENOINPUT, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        tk_err_set(e, TK_ENOINPUT, "%s: not a regular file", path);
        return NULL;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 || !(f = fdopen(fd, "rb"))) {
        tk_err_set(e, TK_ENOINPUT, "cannot open %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    return f;
}

int tk_model_load(tk_model *m, const char *path, tk_err *e)
{
    loader L = { path, e };
    tk_model tmp;
    json_error_t je;
    json_t *root, *learner;
    int64_t nf;
    FILE *f;

    tk_model_init(m);
    tk_model_init(&tmp);
    if (!(f = open_regular(path, e)))
        return e->status;
    root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    if (!root && ferror(f)) {
        fclose(f);
        return tk_err_set(e, TK_EIO, "cannot read %s", path);
    }
    fclose(f);
    if (!root) {
        char shown[sizeof(je.text) * 4];
        /* jansson's message quotes the input: control bytes escaped */
        tk_log_escapez(shown, sizeof(shown), je.text, sizeof(shown));
        return bad_model(&L, "not JSON: %s (line %d, column %d)", shown, je.line, je.column);
    }
    learner = json_object_get(root, "learner");
    if (!json_is_object(learner))
        bad_model(&L, "not an XGBoost model (no \"learner\" object)");
    else if (load_header(&L, learner, &tmp, &nf) == TK_OK &&
             load_features(&L, learner, &tmp, (size_t)nf) == TK_OK &&
             load_attributes(&L, learner, &tmp) == TK_OK)
        load_booster(&L, learner, &tmp);
    json_decref(root);
    if (e->status != TK_OK) {
        tk_model_free(&tmp);
        return e->status;
    }
    *m = tmp;
    return TK_OK;
}

/* ------------------------------------------------------------ prediction -- */

float tk_model_base_margin(const tk_model *m)
{
    if (m->objective == TK_OBJ_LOGISTIC)
        return -logf(1.0f / m->base_score - 1.0f);
    return m->base_score;
}

int tk_model_noutputs(const tk_model *m)
{
    return m->objective == TK_OBJ_SOFTPROB ? (int)m->num_class : 1;
}

int32_t tk_tree_leaf(const tk_tree *t, const float *x)
{
    int32_t n = 0, steps = 0;

    /* a checked tree ends within nnodes steps; the bound guards any other */
    while (t->left[n] >= 0 && steps++ < t->nnodes) {
        float v = x[t->split_index[n]];
        if (isnan(v))
            n = t->default_left[n] ? t->left[n] : t->right[n];
        else
            n = v < t->split_cond[n] ? t->left[n] : t->right[n];
    }
    return n;
}

void tk_model_margin(const tk_model *m, const float *x, float *out)
{
    int K = tk_model_noutputs(m), k;
    float base = tk_model_base_margin(m);
    size_t i;

    for (k = 0; k < K; k++)
        out[k] = base;
    for (i = 0; i < m->ntrees; i++) {
        const tk_tree *t = &m->trees[i];
        if (t->group < K)
            out[t->group] += t->split_cond[tk_tree_leaf(t, x)];
    }
}

void tk_model_transform(const tk_model *m, float *v)
{
    int K = tk_model_noutputs(m), k;

    if (m->objective == TK_OBJ_LOGISTIC) {
        v[0] = 1.0f / (1.0f + expf(-v[0]));
    } else if (m->objective == TK_OBJ_SOFTPROB) {
        /* as xgboost: float exponentials, summed in double */
        float mx = v[0];
        double sum = 0.0;
        for (k = 1; k < K; k++)
            mx = v[k] > mx ? v[k] : mx;
        for (k = 0; k < K; k++) {
            v[k] = expf(v[k] - mx);
            sum += v[k];
        }
        for (k = 0; k < K; k++)
            v[k] /= (float)sum;
    }
}
