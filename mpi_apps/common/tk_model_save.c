/* tk_model_save.c -- a model as XGBoost 1.7 JSON, built with jansson.
 *
 * The JSON written here is what xgboost 1.7.4's save_model writes, field for
 * field, keys sorted as xgboost sorts them, reals with 9 significant digits
 * (enough to give back every float32 exactly) and always with a decimal point
 * or an exponent: xgboost refuses an integer where it expects a real. */
#include "tk_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tk_fs.h"
#include "tk_model_internal.h"
#include "tk_text.h"

#define TK_DUMP_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(9))

/* The model's own fields are consistent; trees are checked one by one. */
static int check_header(const tk_model *m, char *why, size_t len)
{
    if (!tk_objective_name(m->objective))
        snprintf(why, len, "unknown objective %d", (int)m->objective);
    else if (m->objective == TK_OBJ_SOFTPROB &&
             (m->num_class < 1 || m->num_class > TK_MAX_CLASSES))
        snprintf(why, len, "multi:softprob with num_class %ld", (long)m->num_class);
    else if (m->objective != TK_OBJ_SOFTPROB && m->num_class != 0)
        snprintf(why, len, "num_class %ld with %s (must be 0)", (long)m->num_class,
                 tk_objective_name(m->objective));
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

    tk_fmt_float(buf, sizeof(buf), f);
    return json_string(buf);
}

typedef enum { ARR_I32, ARR_U8, ARR_F32 } arr_kind;

/* A JSON array of a tree's n values of one kind; *bad set on failure. */
static json_t *arr_of(const void *v, int32_t n, arr_kind kind, int *bad)
{
    json_t *a = json_array();
    int32_t i;

    for (i = 0; a && i < n; i++)
        push(a,
             kind == ARR_I32  ? json_integer(((const int32_t *)v)[i])
             : kind == ARR_U8 ? json_integer(((const uint8_t *)v)[i])
                              : json_real((double)((const float *)v)[i]),
             bad);
    if (!a)
        *bad = 1;
    return a;
}

/* Tree t's split_conditions: a NaN (a categorical split's) as JSON null,
 * which tk_model_to_json turns into xgboost's bare NaN; *bad set on failure. */
static json_t *conds_json(const tk_tree *t, int *bad)
{
    json_t *a = json_array();
    int32_t i;

    for (i = 0; a && i < t->nnodes; i++)
        push(a, isnan(t->split_cond[i]) ? json_null() : json_real((double)t->split_cond[i]),
             bad);
    if (!a)
        *bad = 1;
    return a;
}

/* Tree t's split_type and categories_* as xgboost 1.7 writes them: the
 * categorical nodes ascending, each one's run at its segment, the runs laid
 * out in node order in "categories". *bad set on failure. */
static void put_categories(json_t *o, const tk_tree *t, int *bad)
{
    json_t *st = json_array(), *nodes = json_array(), *segs = json_array(),
           *sizes = json_array(), *cats = json_array();
    json_int_t at = 0;
    int32_t i, k;

    for (i = 0; i < t->nnodes; i++) {
        int cat = t->split_type && t->split_type[i] == 1;
        push(st, json_integer(cat), bad);
        if (!cat)
            continue;
        push(nodes, json_integer(i), bad);
        push(segs, json_integer(at), bad);
        push(sizes, json_integer(t->cat_size[i]), bad);
        for (k = 0; k < t->cat_size[i]; k++)
            push(cats, json_integer(t->cats[t->cat_begin[i] + k]), bad);
        at += t->cat_size[i];
    }
    put(o, "categories", cats, bad);
    put(o, "categories_nodes", nodes, bad);
    put(o, "categories_segments", segs, bad);
    put(o, "categories_sizes", sizes, bad);
    put(o, "split_type", st, bad);
}

static json_t *tree_json(const tk_model *m, const tk_tree *t, size_t id, int32_t deleted,
                         int *bad)
{
    json_t *o = json_object(), *param = json_object();

    if (!o || !param) {
        json_decref(o);
        json_decref(param);
        *bad = 1;
        return NULL;
    }
    put(o, "base_weights", arr_of(t->base_weight, t->nnodes, ARR_F32, bad), bad);
    put_categories(o, t, bad);
    put(o, "default_left", arr_of(t->default_left, t->nnodes, ARR_U8, bad), bad);
    put(o, "id", json_integer((json_int_t)id), bad);
    put(o, "left_children", arr_of(t->left, t->nnodes, ARR_I32, bad), bad);
    put(o, "loss_changes", arr_of(t->loss_chg, t->nnodes, ARR_F32, bad), bad);
    put(o, "parents", arr_of(t->parent, t->nnodes, ARR_I32, bad), bad);
    put(o, "right_children", arr_of(t->right, t->nnodes, ARR_I32, bad), bad);
    put(o, "split_conditions", conds_json(t, bad), bad);
    put(o, "split_indices", arr_of(t->split_index, t->nnodes, ARR_I32, bad), bad);
    put(o, "sum_hessian", arr_of(t->sum_hess, t->nnodes, ARR_F32, bad), bad);
    put(param, "num_deleted", str_i64(deleted), bad);
    put(param, "num_feature", str_i64((long long)m->nfeatures), bad);
    put(param, "num_nodes", str_i64(t->nnodes), bad);
    put(param, "size_leaf_vector", json_string("0"), bad);
    put(o, "tree_param", param, bad);
    return o;
}

/* gbm's trees and tree_info, each tree checked first. Returns TK_OK, or the
 * error of the first invalid tree; out of memory sets *bad. */
static int put_trees(const tk_model *m, json_t *gbm, int *bad, tk_err *e)
{
    json_t *info = json_array(), *trees = json_array();
    int K = tk_model_noutputs(m);
    char why[200];
    size_t i;

    for (i = 0; i < m->ntrees; i++) {
        const tk_tree *t = &m->trees[i];
        int32_t deleted;
        if (tk_tree_check(t, m->nfeatures, &deleted, why, sizeof(why)) != 0 || t->group >= K) {
            if (t->group >= K)
                snprintf(why, sizeof(why), "output group %ld of %d", (long)t->group, K);
            json_decref(info);
            json_decref(trees);
            return tk_err_set(e, TK_ESOFTWARE, "invalid model: tree %zu: %s", i, why);
        }
        push(trees, tree_json(m, t, i, deleted, bad), bad);
        push(info, json_integer(t->group), bad);
    }
    put(gbm, "tree_info", info, bad);
    put(gbm, "trees", trees, bad);
    return TK_OK;
}

/* learner.gradient_booster. Errors as put_trees. */
static int put_booster(const tk_model *m, json_t *learner, int *bad, tk_err *e)
{
    json_t *gb = json_object(), *gbm = json_object(), *gbp = json_object();

    put(gbp, "num_parallel_tree", json_string("1"), bad);
    put(gbp, "num_trees", str_i64((long long)m->ntrees), bad);
    put(gbp, "size_leaf_vector", json_string("0"), bad);
    put(gbm, "gbtree_model_param", gbp, bad);
    if (put_trees(m, gbm, bad, e) != TK_OK) {
        json_decref(gbm);
        json_decref(gb);
        return e->status;
    }
    put(gb, "model", gbm, bad);
    put(gb, "name", json_string("gbtree"), bad);
    put(learner, "gradient_booster", gb, bad);
    return TK_OK;
}

/* learner.feature_names, feature_types and attributes. Returns TK_OK, or
 * TK_ESOFTWARE for a name, key or value that is not UTF-8 text; out of
 * memory sets *bad. */
static int put_names(const tk_model *m, json_t *learner, int *bad, tk_err *e)
{
    json_t *names = json_array(), *types = json_array(), *attrs = json_object();
    size_t i;
    int any_cat = 0;

    for (i = 0; m->feature_cat && i < m->nfeatures; i++)
        any_cat |= m->feature_cat[i] != 0;
    for (i = 0; m->feature_names && i < m->nfeatures; i++) {
        json_t *s = json_string(m->feature_names[i]);
        if (!s) {
            tk_err_set(e, TK_ESOFTWARE, "feature name %zu is not UTF-8 text", i);
            goto fail;
        }
        push(names, s, bad);
    }
    /* xgboost writes the types of unnamed features too, when it has them */
    for (i = 0; (m->feature_names || any_cat) && i < m->nfeatures; i++)
        push(types, json_string(any_cat && m->feature_cat[i] ? "c" : "float"), bad);
    for (i = 0; i < m->nattrs; i++) {
        json_t *s = is_utf8(m->attr_keys[i]) ? json_string(m->attr_vals[i]) : NULL;
        if (!s) {
            tk_err_set(e, TK_ESOFTWARE, "attribute %zu is not UTF-8 text", i);
            goto fail;
        }
        put(attrs, m->attr_keys[i], s, bad);
    }
    put(learner, "attributes", attrs, bad);
    put(learner, "feature_names", names, bad);
    put(learner, "feature_types", types, bad);
    return TK_OK;
fail:
    json_decref(names);
    json_decref(types);
    json_decref(attrs);
    return e->status;
}

/* learner.learner_model_param and learner.objective; out of memory sets *bad. */
static void put_objective(const tk_model *m, json_t *learner, int *bad)
{
    json_t *lmp = json_object(), *obj = json_object(), *objp = json_object();

    put(lmp, "base_score", str_f32(m->base_score), bad);
    put(lmp, "boost_from_average", json_string("1"), bad);
    put(lmp, "num_class", str_i64(m->objective == TK_OBJ_SOFTPROB ? m->num_class : 0), bad);
    put(lmp, "num_feature", str_i64((long long)m->nfeatures), bad);
    put(lmp, "num_target", json_string("1"), bad);
    put(obj, "name", json_string(tk_objective_name(m->objective)), bad);
    if (m->objective == TK_OBJ_SOFTPROB) {
        put(objp, "num_class", str_i64(m->num_class), bad);
        put(obj, "softmax_multiclass_param", objp, bad);
    } else {
        put(objp, "scale_pos_weight", str_f32(m->scale_pos_weight), bad);
        put(obj, "reg_loss_param", objp, bad);
    }
    put(learner, "learner_model_param", lmp, bad);
    put(learner, "objective", obj, bad);
}

/* Validates m and builds its JSON document into *root. A container jansson
 * could not allocate (NULL) fails its put or push, which sets bad: the
 * document is then dropped as out of memory. */
static int model_json(const tk_model *m, json_t **root, tk_err *e)
{
    json_t *doc = json_object(), *learner = json_object(), *version = json_array();
    int bad = 0;
    char why[200];

    *root = NULL;
    if (check_header(m, why, sizeof(why)) != 0)
        tk_err_set(e, TK_ESOFTWARE, "invalid model: %s", why);
    else if (put_booster(m, learner, &bad, e) == TK_OK &&
             put_names(m, learner, &bad, e) == TK_OK)
        put_objective(m, learner, &bad);
    if (e->status != TK_OK) {
        json_decref(doc);
        json_decref(learner);
        json_decref(version);
        return e->status;
    }
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
}

/* Whether some tree of m has a NaN split condition (a categorical split's). */
static int has_nan_cond(const tk_model *m)
{
    size_t i;
    int32_t k;

    for (i = 0; i < m->ntrees; i++)
        for (k = 0; k < m->trees[i].nnodes; k++)
            if (isnan(m->trees[i].split_cond[k]))
                return 1;
    return 0;
}

/* Local; allocates nothing. Rewrites the JSON text[0..len) in place: every
 * bare null (outside strings: a feature named "null" stays) becomes NaN, as
 * xgboost writes a NaN. Returns the new length. The text is jansson's
 * output, so every string is closed. */
size_t tk_json_null_to_nan(char *text, size_t len)
{
    size_t r = 0, w = 0;
    int in_str = 0;

    while (r < len) {
        char c = text[r];
        if (in_str) {
            if (c == '\\' && r + 1 < len) { /* an escape: its next byte too */
                text[w++] = text[r++];
            } else if (c == '"') {
                in_str = 0;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if (c == 'n' && len - r >= 4 && memcmp(text + r, "null", 4) == 0) {
            memcpy(text + w, "NaN", 3);
            w += 3;
            r += 4;
            continue;
        }
        text[w++] = text[r++];
    }
    text[w] = '\0';
    return w;
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
    if (has_nan_cond(m)) /* the models without one keep jansson's bytes */
        *len = tk_json_null_to_nan(*text, *len);
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
