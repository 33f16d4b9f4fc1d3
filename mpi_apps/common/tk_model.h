/* tk_model.h -- gradient-boosted tree models in XGBoost 1.7's JSON format:
 * gbtrain writes them, gbpredict and Python's xgboost.Booster load them, and
 * models saved by xgboost 1.7 (numerical and categorical splits) load here.
 *
 * Prediction follows XGBoost: at a split node a missing value (NaN) goes to
 * the default child, otherwise x < split_condition (compared in float32) goes
 * left; the margin is base_margin plus each tree's leaf value, summed in
 * float32 in tree order; trees of output group k add to class k. */
#ifndef TK_MODEL_H
#define TK_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "tk_status.h"

typedef enum {
    TK_OBJ_SQUAREDERROR, /* reg:squarederror */
    TK_OBJ_LOGISTIC,     /* binary:logistic */
    TK_OBJ_SOFTPROB      /* multi:softprob */
} tk_objective;

/* Local; allocates nothing. The objective's XGBoost name ("reg:squarederror",
 * "binary:logistic", "multi:softprob"), a static string; NULL for a value
 * outside the enum. */
const char *tk_objective_name(tk_objective o);

/* Local; allocates nothing. The objective named name (exactly as
 * tk_objective_name spells it) into *o: returns 0, or -1 (*o untouched) for
 * any other name. */
int tk_objective_parse(const char *name, tk_objective *o);

typedef struct tk_tree {
    int32_t nnodes;
    int32_t *left, *right;   /* -1 on leaves; right == left + 1 */
    int32_t *parent;         /* root: 2147483647 */
    int32_t *split_index;    /* feature index (0 on leaves) */
    float *split_cond;       /* threshold; the leaf value on leaves */
    uint8_t *default_left;   /* missing goes left */
    float *loss_chg;         /* split gain (0 on leaves) */
    float *sum_hess;         /* sum of hessians of the node's training rows */
    float *base_weight;      /* the node's weight before eta */
    int32_t group;           /* output group (class) */
    /* Categorical splits, as xgboost 1.7 keeps them. split_type, cat_begin
     * and cat_size have nnodes entries each (zeroed by tk_tree_alloc);
     * split_type[i] is 1 on a categorical split, whose split_cond is NaN and
     * whose categories are cats[cat_begin[i] .. cat_begin[i] + cat_size[i]),
     * ascending, at least one, each in [0, 2^24). Those categories go RIGHT;
     * any other value goes left: a category not in the set, one never seen,
     * and an invalid one (negative or >= 2^24); a non-integer is truncated
     * toward zero first (xgboost's common::Decision). NaN takes the default
     * child. cats (ncats entries, owned, NULL when 0) may hold the nodes'
     * runs in any order. */
    uint8_t *split_type;
    int32_t *cat_begin, *cat_size;
    int32_t *cats;
    int32_t ncats;
} tk_tree;

typedef struct tk_model {
    tk_objective objective;
    int32_t num_class;       /* classes for softprob, else 0 */
    float base_score;        /* in probability space, as in the JSON */
    float scale_pos_weight;  /* binary:logistic's parameter */
    size_t nfeatures;
    char **feature_names;    /* owned; nfeatures names */
    uint8_t *feature_cat;    /* owned; NULL, or nfeatures flags: 1 for a categorical
                              * feature (feature_types "c" in the JSON, else "float") */
    tk_tree *trees;          /* owned */
    size_t ntrees, trees_cap;
    char **attr_keys, **attr_vals; /* owned "attributes" (string -> string) */
    size_t nattrs;
} tk_model;

/* Local. Arrays for n >= 1 nodes (contents undefined, but split_type,
 * cat_begin and cat_size zeroed; cats NULL, ncats 0), owned by t: release
 * with tk_tree_free. Returns TK_OK, or TK_ESOFTWARE when out of memory (t left empty). */
int tk_tree_alloc(tk_tree *t, int32_t n);

/* Local. Frees a tree's arrays; t is left empty. */
void tk_tree_free(tk_tree *t);

/* Local. An empty model (no features, no trees). */
void tk_model_init(tk_model *m);

/* Local. Frees everything the model owns. */
void tk_model_free(tk_model *m);

/* Local. Whether two of names[0..n) are equal: 1 with *first < *second the
 * indices of the duplicate whose second occurrence comes first, 0 when all
 * differ, -1 when out of memory. O(n log n). */
int tk_names_duplicate(const char *const *names, size_t n, size_t *first, size_t *second);

/* Local. Sets the feature names (copied). Returns TK_OK, TK_EUSAGE when a
 * name repeats (xgboost refuses that too) or TK_ESOFTWARE. */
int tk_model_set_features(tk_model *m, const char *const *names, size_t n, tk_err *e);

/* Local. Makes node of t a categorical split on cats[0..n) (ascending,
 * distinct, each in [0, 2^24), n >= 1; copied, appended to t->cats) and sets
 * its split_cond to NaN; the caller sets the rest of the node. Returns
 * TK_OK, or TK_ESOFTWARE when out of memory (t unchanged). */
int tk_tree_set_categories(tk_tree *t, int32_t node, const int32_t *cats, int32_t n);

/* Local. Sets the features' categorical flags (copied; cat NULL: none
 * categorical), cat[0..m->nfeatures): call it after tk_model_set_features,
 * which drops the flags when the number of features changes. Returns TK_OK
 * or TK_ESOFTWARE (recorded in e). */
int tk_model_set_feature_cat(tk_model *m, const uint8_t *cat, tk_err *e);

/* Local. Appends a copy of tree t. Returns TK_OK or TK_ESOFTWARE. */
int tk_model_add_tree(tk_model *m, const tk_tree *t, tk_err *e);

/* Local. Drops the trees from index keep on. */
void tk_model_truncate(tk_model *m, size_t keep);

/* Local. Sets attribute key to value (copied), replacing an earlier value. */
int tk_model_set_attr(tk_model *m, const char *key, const char *value, tk_err *e);

/* Local. The attribute's value (owned by the model) or NULL. */
const char *tk_model_get_attr(const tk_model *m, const char *key);

/* Local. The model as XGBoost 1.7 JSON: the same bytes for the same model.
 * *text is NUL-terminated and owned by the caller (free). */
int tk_model_to_json(const tk_model *m, char **text, size_t *len, tk_err *e);

/* Local. Writes the JSON to path atomically (temporary sibling, fsync,
 * rename). */
int tk_model_save(const tk_model *m, const char *path, tk_err *e);

/* Local. Loads an XGBoost 1.7 JSON model (gbtree booster; numerical and
 * categorical splits;
 * objectives reg:squarederror, binary:logistic, multi:softprob) into m,
 * which then owns everything (tk_model_free). The bare tokens NaN, Infinity
 * and -Infinity that xgboost writes (outside strings) are read as numbers.
 * Anything else -- not JSON, not a model, another booster, inconsistent
 * arrays or categories,
 * duplicate feature names -- is TK_EDATA with a clear message naming path.
 * path must be a regular file: a FIFO, folder or device is TK_ENOINPUT
 * "PATH: not a regular file", found without blocking; a missing or
 * unreadable file is TK_ENOINPUT too. On error m is left empty. */
int tk_model_load(tk_model *m, const char *path, tk_err *e);

/* Local. The margin every row starts from: logit(base_score) for
 * binary:logistic, base_score otherwise. */
float tk_model_base_margin(const tk_model *m);

/* Local. Number of outputs per row: num_class for softprob, else 1. */
int tk_model_noutputs(const tk_model *m);

/* Local. Raw margins of one row: x holds nfeatures floats (NaN = missing),
 * out receives tk_model_noutputs(m) floats. */
void tk_model_margin(const tk_model *m, const float *x, float *out);

/* Local. Whether the non-missing value v goes right at categorical split
 * node n of t (xgboost's common::Decision: v truncated is in the node's
 * set; an invalid or unknown category goes left). */
int tk_tree_cat_right(const tk_tree *t, int32_t n, float v);

/* Local. The leaf a row reaches in tree t. */
int32_t tk_tree_leaf(const tk_tree *t, const float *x);

/* Local. Margins -> predictions in place: sigmoid for binary:logistic,
 * softmax over the classes for multi:softprob, identity otherwise. */
void tk_model_transform(const tk_model *m, float *v);

#endif
