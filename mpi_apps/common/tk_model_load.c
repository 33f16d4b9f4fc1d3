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

/* Tree ti's header (named where): its id, tree_param, no categorical
 * splits, no vector leaves. *n: num_nodes; *deleted: num_deleted. */
static int load_tree_param(loader *L, const json_t *jt, size_t ti, const char *where,
                           int64_t *n, int64_t *deleted)
{
    static const char *const cats[] = { "categories", "categories_nodes",
                                         "categories_segments", "categories_sizes" };
    json_t *param, *id, *st;
    int64_t ignored, leafvec;
    size_t k;

    if (!json_is_object(jt))
        return bad_model(L, "%s is %s, not an object", where, type_name(json_typeof(jt)));
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
        if (!json_is_array(st) || json_array_size(st) != (size_t)*n)
            return bad_model(L, "%s: split_type is not an array of num_nodes (%lld) entries",
                             where, (long long)*n);
        for (i = 0; i < (size_t)*n; i++) {
            json_t *v = json_array_get(st, i);
            if (!json_is_integer(v) || json_integer_value(v) != 0)
                return bad_model(L, "%s has categorical splits (split_type[%zu]): unsupported",
                                 where, i);
        }
    }
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
    if (load_tree_arrays(L, arr, where, t) != TK_OK)
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
