/* tk_model_load.c -- reading an XGBoost 1.7 JSON model with jansson, and
 * validating every field before the model is used: a file that is not a
 * model this library can predict with is a clear TK_EDATA message. */
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

#include "tk_model_internal.h"
#include "tk_parse.h"
#include "tk_text.h"

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

/* Whether v is one of the strings tk_json_nonfinite puts for a bare NaN,
 * Infinity or -Infinity; *f receives that value. */
static int nonfinite_value(const json_t *v, float *f)
{
    const char *s = json_string_value(v);

    if (!s || s[0] != '\0' || json_string_length(v) < 2)
        return 0;
    if (strcmp(s + 1, "NaN") == 0)
        *f = NAN;
    else if (strcmp(s + 1, "Infinity") == 0)
        *f = INFINITY;
    else if (strcmp(s + 1, "-Infinity") == 0)
        *f = -INFINITY;
    else
        return 0;
    return 1;
}

/* What v is, for messages: "an integer", ..., "NaN", "Infinity". */
static const char *kind_of(const json_t *v)
{
    float f;

    if (nonfinite_value(v, &f))
        return isnan(f) ? "NaN" : f > 0 ? "Infinity" : "-Infinity";
    return type_name(json_typeof(v));
}

/* v's text when it is a string (not a NaN or Infinity), else NULL. */
static const char *text_of(const json_t *v)
{
    float f;

    return nonfinite_value(v, &f) ? NULL : json_string_value(v);
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
    if (json_typeof(v) != want || (want == JSON_STRING && !text_of(v))) {
        bad_model(L, "%s.%s is %s, not %s", where, key, kind_of(v), type_name(want));
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
                             kind_of(v));
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
        if (nonfinite_value(v, &f)) { /* tk_tree_check decides where it may be */
            out[i] = f;
            continue;
        }
        if (!json_is_real(v))
            return bad_model(L, "%s: %s[%zu] is %s, not a number", where, key, i,
                             kind_of(v));
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

/* Tree ti's header (named where): its id, tree_param, no vector leaves.
 * *n: num_nodes; *deleted: num_deleted. */
static int load_tree_param(loader *L, const json_t *jt, size_t ti, const char *where,
                           int64_t *n, int64_t *deleted)
{
    json_t *param, *id;
    int64_t ignored, leafvec;

    if (!json_is_object(jt))
        return bad_model(L, "%s is %s, not an object", where, kind_of(jt));
    if (!(param = member(L, jt, where, "tree_param", JSON_OBJECT, 1)) ||
        !(id = member(L, jt, where, "id", JSON_INTEGER, 1)))
        return L->e->status;
    if (json_integer_value(id) != (json_int_t)ti)
        return bad_model(L, "%s has id %lld (ids count trees from 0)", where,
                         (long long)json_integer_value(id));
    if (param_int(L, param, where, "num_nodes", 1, 0, 1, INT32_MAX - 1, n) ||
        param_int(L, param, where, "num_deleted", 0, 0, 0, *n, deleted) ||
        param_int(L, param, where, "num_feature", 0, 0, 0, INT32_MAX, &ignored) ||
        param_int(L, param, where, "size_leaf_vector", 0, 0, 0, INT32_MAX, &leafvec))
        return L->e->status;
    if (leafvec != 0)
        return bad_model(L, "%s has vector leaves (size_leaf_vector %lld): unsupported", where,
                         (long long)leafvec);
    return TK_OK;
}

/* The node arrays arr[] (each of t->nnodes entries) into t. */
static int load_tree_arrays(loader *L, json_t *const *arr, const char *where, tk_tree *t)
{
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
        return L->e->status;
    return TK_OK;
}

/* Tree jt's split_type (optional, as for xgboost: all numerical without
 * it) into t->split_type: num_nodes integers, 0 or 1. */
static int load_split_type(loader *L, const json_t *jt, const char *where, tk_tree *t)
{
    json_t *st = json_object_get(jt, "split_type");

    if (!st)
        return TK_OK;
    if (!json_is_array(st) || json_array_size(st) != (size_t)t->nnodes)
        return bad_model(L, "%s: split_type is not an array of num_nodes (%ld) entries", where,
                         (long)t->nnodes);
    return load_ints(L, st, where, "split_type", 0, 1, 0, NULL, t->split_type);
}

/* The runs of categories_nodes[0..k) (ascending, each a categorical split of
 * t) at categories_segments with categories_sizes, into t->cat_begin and
 * t->cat_size; every categorical split of t must be listed. */
static int set_runs(loader *L, const char *where, const int32_t *nodes, const int32_t *segs,
                    const int32_t *sizes, size_t k, tk_tree *t)
{
    size_t i;
    int32_t v;

    for (i = 0; i < k; i++) {
        v = nodes[i];
        if (i > 0 && v <= nodes[i - 1])
            return bad_model(L, "%s: categories_nodes[%zu] = %ld does not ascend (after %ld)",
                             where, i, (long)v, (long)nodes[i - 1]);
        if (t->split_type[v] != 1)
            return bad_model(L,
                             "%s: categories_nodes[%zu] = %ld, but split_type[%ld] is 0 "
                             "(not a categorical split)",
                             where, i, (long)v, (long)v);
        if (sizes[i] > t->ncats - segs[i])
            return bad_model(L,
                             "%s: categories_segments[%zu] = %ld with categories_sizes[%zu] = "
                             "%ld runs past the %ld categories",
                             where, i, (long)segs[i], i, (long)sizes[i], (long)t->ncats);
        t->cat_begin[v] = segs[i];
        t->cat_size[v] = sizes[i];
    }
    for (v = 0; v < t->nnodes; v++) /* a listed node's run has a category at least */
        if (t->split_type[v] == 1 && t->cat_size[v] == 0)
            return bad_model(L, "%s: node %ld has split_type 1 but is not in categories_nodes",
                             where, (long)v);
    return TK_OK;
}

/* Tree jt's categories, categories_nodes, categories_segments and
 * categories_sizes (all required) into t, whose split_type is loaded: the
 * categories (integers in [0, TK_MAX_CAT)) become t->cats, owned by t. */
static int load_tree_cats(loader *L, const json_t *jt, const char *where, tk_tree *t)
{
    static const char *const keys[4] = { "categories_nodes", "categories_segments",
                                         "categories_sizes", "categories" };
    json_t *a[4];
    int32_t *tmp = NULL;
    size_t i, k, nc;

    for (i = 0; i < 4; i++)
        if (!(a[i] = member(L, jt, where, keys[i], JSON_ARRAY, 1)))
            return L->e->status;
    k = json_array_size(a[0]);
    nc = json_array_size(a[3]);
    if (json_array_size(a[1]) != k || json_array_size(a[2]) != k)
        return bad_model(L,
                         "%s: categories_nodes, categories_segments and categories_sizes have "
                         "%zu, %zu and %zu entries (must be equal)",
                         where, k, json_array_size(a[1]), json_array_size(a[2]));
    if (k > (size_t)t->nnodes || nc > INT32_MAX || (k > 0 && nc == 0))
        return bad_model(L, "%s: %zu categorical splits with %zu categories in %ld nodes", where,
                         k, nc, (long)t->nnodes);
    if (k == 0 && nc == 0)
        return set_runs(L, where, NULL, NULL, NULL, 0, t);
    if (!(tmp = malloc(3 * k * sizeof(int32_t) + 1)) ||
        !(t->cats = malloc(nc * sizeof(int32_t) + 1))) {
        tk_err_set(L->e, TK_ESOFTWARE, "out of memory loading %s", L->path);
        goto out;
    }
    if (load_ints(L, a[0], where, keys[0], 0, t->nnodes - 1, 0, tmp, NULL) ||
        load_ints(L, a[1], where, keys[1], 0, (int64_t)nc, 0, tmp + k, NULL) ||
        load_ints(L, a[2], where, keys[2], 1, (int64_t)nc, 0, tmp + 2 * k, NULL) ||
        load_ints(L, a[3], where, keys[3], 0, TK_MAX_CAT - 1, 0, t->cats, NULL))
        goto out;
    t->ncats = (int32_t)nc;
    set_runs(L, where, tmp, tmp + k, tmp + 2 * k, k, t);
out:
    free(tmp);
    return L->e->status;
}

static int load_tree(loader *L, const json_t *jt, size_t ti, size_t nfeatures, int32_t group,
                     tk_tree *t)
{
    char where[40], why[200];
    json_t *arr[A_COUNT];
    int64_t n, deleted;
    int32_t unreached;
    size_t k;

    memset(t, 0, sizeof(*t));
    snprintf(where, sizeof(where), "tree %zu", ti);
    if (load_tree_param(L, jt, ti, where, &n, &deleted) != TK_OK)
        return L->e->status;
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
    if (load_tree_arrays(L, arr, where, t) != TK_OK ||
        load_split_type(L, jt, where, t) != TK_OK || load_tree_cats(L, jt, where, t) != TK_OK)
        goto fail;
    if (tk_tree_check(t, nfeatures, &unreached, why, sizeof(why)) != 0) {
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

/* learner.feature_types (optional; empty or nf entries): "c" marks a
 * categorical feature in m->feature_cat (owned by m; left NULL when no
 * feature is categorical), "float", "q", "int" and "i" a numerical one. */
static int load_types(loader *L, const json_t *types, tk_model *m, size_t nf)
{
    size_t i;

    if (!types || json_array_size(types) == 0)
        return TK_OK;
    if (json_array_size(types) != nf)
        return bad_model(L, "learner.feature_types has %zu entries, num_feature is %zu",
                         json_array_size(types), nf);
    for (i = 0; i < nf; i++) {
        const char *s = text_of(json_array_get(types, i));
        if (!s)
            return bad_model(L, "learner.feature_types[%zu] is not a string", i);
        if (strcmp(s, "c") == 0) {
            if (!m->feature_cat && !(m->feature_cat = calloc(nf, 1)))
                return tk_err_set(L->e, TK_ESOFTWARE, "out of memory loading %s", L->path);
            m->feature_cat[i] = 1;
        } else if (strcmp(s, "float") != 0 && strcmp(s, "q") != 0 && strcmp(s, "int") != 0 &&
                   strcmp(s, "i") != 0) {
            return bad_model(L, "learner.feature_types[%zu] \"%.40s\" is not a known type", i,
                             s);
        }
    }
    return TK_OK;
}

static int load_features(loader *L, const json_t *learner, tk_model *m, size_t nf)
{
    json_t *names = member(L, learner, "learner", "feature_names", JSON_ARRAY, 0);
    json_t *types = member(L, learner, "learner", "feature_types", JSON_ARRAY, 0);
    size_t i, k;

    if (L->e->status || load_types(L, types, m, nf) != TK_OK)
        return L->e->status;
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
        const char *s = text_of(json_array_get(names, i));
        if (!s)
            return bad_model(L, "learner.feature_names[%zu] is not a string", i);
        if (!(m->feature_names[i] = strdup(s)))
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
        if (!text_of(v))
            return bad_model(L, "learner.attributes.%.40s is %s, not a string", key,
                             kind_of(v));
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
    if (tk_objective_parse(json_string_value(name), &m->objective) != 0)
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

/* ------------------------------------------------- NaN, Infinity tokens -- */

#define NONFINITE_GROWTH 8 /* each replacement is 8 bytes longer than its token */
#define MAX_MODEL_BYTES ((size_t)1 << 31)

/* The length of a bare NaN, Infinity or -Infinity token at text[r..len),
 * 0 if none; *rep receives its replacement's text (without quotes). */
static size_t nonfinite_at(const char *text, size_t r, size_t len, const char **rep)
{
    size_t left = len - r;

    if (text[r] == 'N' && left >= 3 && memcmp(text + r, "NaN", 3) == 0) {
        *rep = TK_NONFINITE_NAN;
        return 3;
    }
    if (text[r] == 'I' && left >= 8 && memcmp(text + r, "Infinity", 8) == 0) {
        *rep = TK_NONFINITE_INF;
        return 8;
    }
    if (text[r] == '-' && left >= 9 && memcmp(text + r, "-Infinity", 9) == 0) {
        *rep = TK_NONFINITE_NINF;
        return 9;
    }
    return 0;
}

/* One pass over text[0..len): counts the bare tokens (*ntokens) and notes
 * the first \u0000 escape inside a string (*nul_at, SIZE_MAX if none); with
 * dst (room for len + NONFINITE_GROWTH * tokens bytes) it also writes the
 * text with each token replaced by its quoted string. Returns the bytes
 * written. Unclosed strings and stray bytes are left for jansson to refuse. */
static size_t nonfinite_scan(const char *text, size_t len, char *dst, size_t *ntokens,
                             size_t *nul_at)
{
    size_t r = 0, w = 0, k;
    const char *rep;
    int in_str = 0;

    *ntokens = 0;
    *nul_at = SIZE_MAX;
    while (r < len) {
        char c = text[r];
        if (in_str) {
            if (c == '"') {
                in_str = 0;
            } else if (c == '\\' && r + 1 < len) { /* an escape: copied with its next byte */
                if (len - r >= 6 && memcmp(text + r, "\\u0000", 6) == 0 && *nul_at == SIZE_MAX)
                    *nul_at = r;
                if (dst) {
                    dst[w] = c;
                    dst[w + 1] = text[r + 1];
                }
                w += 2;
                r += 2;
                continue;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if ((c == 'N' || c == 'I' || c == '-') && (k = nonfinite_at(text, r, len, &rep))) {
            size_t rl = strlen(rep);
            (*ntokens)++;
            if (dst) {
                dst[w] = '"';
                memcpy(dst + w + 1, rep, rl);
                dst[w + 1 + rl] = '"';
            }
            w += rl + 2;
            r += k;
            continue;
        }
        if (dst)
            dst[w] = c;
        w++;
        r++;
    }
    return w;
}

/* Local (tk_model_internal.h): the bare NaN, Infinity, -Infinity tokens of
 * text as strings jansson reads. */
int tk_json_nonfinite(const char *text, size_t len, char **out, size_t *out_len,
                      size_t *ntokens, size_t *bad_at)
{
    size_t nul_at, n;

    *out = NULL;
    *out_len = len;
    nonfinite_scan(text, len, NULL, ntokens, &nul_at);
    if (*ntokens == 0)
        return 0;
    if (nul_at != SIZE_MAX) {
        *bad_at = nul_at;
        return -1;
    }
    if (!(*out = malloc(len + NONFINITE_GROWTH * *ntokens + 1)))
        return -2;
    *out_len = nonfinite_scan(text, len, *out, &n, &nul_at);
    (*out)[*out_len] = '\0';
    return 0;
}

/* Line and column (from 1, in characters: UTF-8 continuation bytes do not
 * count) of byte offset at of text, for messages. */
static void line_col(const char *text, size_t at, int *line, int *col)
{
    size_t i;

    *line = 1;
    *col = 1;
    for (i = 0; i < at; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

/* jansson's column of an error at byte pos of the rewritten text, moved back
 * to the input's: each replacement before pos on its line added 8. */
static int input_column(const char *fixed, size_t fixed_len, size_t pos, int col)
{
    size_t i, start;

    if (pos > fixed_len)
        pos = fixed_len;
    for (start = pos; start > 0 && fixed[start - 1] != '\n'; start--)
        ;
    for (i = start; i + 6 <= pos; i++)
        if (memcmp(fixed + i, "\\u0000", 6) == 0)
            col -= NONFINITE_GROWTH;
    return col < 1 ? 1 : col;
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

/* The whole of f, opened from path, into *buf (owned by the caller: free;
 * NUL-terminated) and *len. The file's size only sizes the buffer: the
 * stream is read to its end. Returns TK_OK, TK_EIO, TK_EDATA (larger than
 * MAX_MODEL_BYTES) or TK_ESOFTWARE, recorded in e. */
static int read_all(FILE *f, const char *path, char **buf, size_t *len, tk_err *e)
{
    struct stat st;
    size_t cap = 1 << 16, n = 0, got;
    char *b, *nb;

    if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size < MAX_MODEL_BYTES)
        cap = (size_t)st.st_size + 2; /* room to see the end without growing */
    *buf = NULL;
    *len = 0;
    if (!(b = malloc(cap)))
        return tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", path);
    for (;;) {
        if (n + 1 >= cap) {
            if (n > MAX_MODEL_BYTES) {
                free(b);
                return tk_err_set(e, TK_EDATA, "%s: larger than %zu MiB: not a model we load",
                                  path, MAX_MODEL_BYTES >> 20);
            }
            if (!(nb = realloc(b, cap * 2))) {
                free(b);
                return tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", path);
            }
            b = nb;
            cap *= 2;
        }
        got = fread(b + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(b);
        return tk_err_set(e, TK_EIO, "cannot read %s", path);
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return TK_OK;
}

/* text[0..len) (owned, freed here) parsed by jansson after the bare NaN,
 * Infinity and -Infinity tokens became strings (tk_json_nonfinite). Returns
 * the document (owned by the caller: json_decref), or NULL with TK_EDATA
 * "not JSON: ..." at the input's line and column, or TK_ESOFTWARE. */
static json_t *parse_json(loader *L, char *text, size_t len)
{
    char *fixed, shown[sizeof(((json_error_t *)0)->text) * 4];
    size_t flen, ntok, bad_at = 0;
    json_error_t je;
    json_t *root;
    int rc, line, col;

    rc = tk_json_nonfinite(text, len, &fixed, &flen, &ntok, &bad_at);
    if (rc == -1) {
        line_col(text, bad_at, &line, &col);
        free(text);
        bad_model(L, "not JSON: \\u0000 is not allowed in a string (line %d, column %d)", line,
                  col);
        return NULL;
    }
    if (rc != 0) {
        free(text);
        tk_err_set(L->e, TK_ESOFTWARE, "out of memory loading %s", L->path);
        return NULL;
    }
    if (fixed) { /* only the rewritten text is parsed */
        free(text);
        text = fixed;
        len = flen;
    }
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES | (fixed ? JSON_ALLOW_NUL : 0), &je);
    if (!root) {
        col = fixed ? input_column(text, len, (size_t)je.position, je.column) : je.column;
        /* jansson's message quotes the input: control bytes escaped */
        tk_log_escapez(shown, sizeof(shown), je.text, sizeof(shown));
        bad_model(L, "not JSON: %s (line %d, column %d)", shown, je.line, col);
    }
    free(text);
    return root;
}

int tk_model_load(tk_model *m, const char *path, tk_err *e)
{
    loader L = { path, e };
    tk_model tmp;
    json_t *root, *learner;
    int64_t nf;
    char *text;
    size_t len;
    FILE *f;
    int rc;

    tk_model_init(m);
    tk_model_init(&tmp);
    if (!(f = open_regular(path, e)))
        return e->status;
    rc = read_all(f, path, &text, &len, e);
    fclose(f);
    if (rc != TK_OK)
        return e->status;
    if (!(root = parse_json(&L, text, len)))
        return e->status;
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
