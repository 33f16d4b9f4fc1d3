/* tk_model.c -- XGBoost 1.7 models in memory: trees, features, attributes,
 * the objective's name, and prediction. Writing the JSON is tk_model_save.c,
 * loading and validating it tk_model_load.c. */
#include "tk_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk_model_internal.h"

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
    free(t->split_type);
    free(t->cat_begin);
    free(t->cat_size);
    free(t->cats);
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
    t->split_type = calloc(sz, 1); /* every node numerical until told otherwise */
    t->cat_begin = calloc(sz, sizeof(int32_t));
    t->cat_size = calloc(sz, sizeof(int32_t));
    if (!t->left || !t->right || !t->parent || !t->split_index || !t->split_cond ||
        !t->default_left || !t->loss_chg || !t->sum_hess || !t->base_weight ||
        !t->split_type || !t->cat_begin || !t->cat_size) {
        tk_tree_free(t);
        return TK_ESOFTWARE;
    }
    return TK_OK;
}

/* Whether cats[0..n) is a valid set of categories: n >= 1, ascending,
 * distinct, each in [0, TK_MAX_CAT). Returns 0, or -1 with the reason in why
 * (node names the split in the message). */
static int cats_check(const int32_t *cats, int32_t n, int32_t node, char *why, size_t why_len)
{
    int32_t k;

    if (n < 1) {
        snprintf(why, why_len, "node %ld: a categorical split with no category", (long)node);
        return -1;
    }
    for (k = 0; k < n; k++) {
        if (cats[k] < 0 || cats[k] >= TK_MAX_CAT) {
            snprintf(why, why_len, "node %ld: category %ld is not in [0, %d)", (long)node,
                     (long)cats[k], TK_MAX_CAT);
            return -1;
        }
        if (k > 0 && cats[k] <= cats[k - 1]) {
            snprintf(why, why_len, "node %ld: categories %ld, %ld are not ascending and distinct",
                     (long)node, (long)cats[k - 1], (long)cats[k]);
            return -1;
        }
    }
    return 0;
}

/* Local (tk_model.h). Makes node a categorical split on cats[0..n), copied
 * onto the end of t->cats (owned by t). The arrays a hand-built tree lacks
 * (split_type, cat_begin, cat_size NULL) are allocated zeroed for its nnodes
 * nodes, then owned by t too (tk_tree_free). A node out of range or an
 * invalid set is TK_ESOFTWARE as well (t unchanged). */
int tk_tree_set_categories(tk_tree *t, int32_t node, const int32_t *cats, int32_t n)
{
    size_t sz = (size_t)(t->nnodes > 0 ? t->nnodes : 0);
    uint8_t *st = NULL;
    int32_t *cb = NULL, *cs = NULL, *all;
    char why[160];

    if (node < 0 || node >= t->nnodes || !cats || cats_check(cats, n, node, why, sizeof(why)) ||
        t->ncats < 0 || n > INT32_MAX - t->ncats)
        return TK_ESOFTWARE;
    if ((!t->split_type && !(st = calloc(sz, 1))) ||
        (!t->cat_begin && !(cb = calloc(sz, sizeof(int32_t)))) ||
        (!t->cat_size && !(cs = calloc(sz, sizeof(int32_t)))))
        goto oom;
    all = realloc(t->cats, ((size_t)t->ncats + (size_t)n) * sizeof(int32_t));
    if (!all)
        goto oom;
    t->cats = all; /* the first ncats entries are unchanged */
    if (st)
        t->split_type = st;
    if (cb)
        t->cat_begin = cb;
    if (cs)
        t->cat_size = cs;
    memcpy(all + t->ncats, cats, (size_t)n * sizeof(int32_t));
    t->split_type[node] = 1;
    t->cat_begin[node] = t->ncats;
    t->cat_size[node] = n;
    t->split_cond[node] = NAN;
    t->ncats += n;
    return TK_OK;
oom:
    free(st);
    free(cb);
    free(cs);
    return TK_ESOFTWARE;
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

/* Whether node i of t is a categorical split (split_type 1). */
static int is_cat_node(const tk_tree *t, int32_t i)
{
    return t->split_type && t->split_type[i] == 1;
}

/* Node i's split type and, on a categorical split, its run of categories.
 * Returns 0, or -1 with the reason in why. */
static int node_cat_check(const tk_tree *t, int32_t i, char *why, size_t why_len)
{
    int32_t b, n;

    if (!t->split_type || t->split_type[i] == 0)
        return 0;
    if (t->split_type[i] != 1) {
        snprintf(why, why_len, "node %ld: split_type %u is not 0 or 1", (long)i,
                 (unsigned)t->split_type[i]);
        return -1;
    }
    if (t->left[i] == -1) {
        snprintf(why, why_len, "node %ld: a leaf with split_type 1 (categorical)", (long)i);
        return -1;
    }
    if (!t->cat_begin || !t->cat_size || !t->cats || t->ncats < 1) {
        snprintf(why, why_len, "node %ld: a categorical split, but the tree has no categories",
                 (long)i);
        return -1;
    }
    b = t->cat_begin[i];
    n = t->cat_size[i];
    if (b < 0 || n < 0 || b > t->ncats || n > t->ncats - b) {
        snprintf(why, why_len, "node %ld: categories [%ld, %ld + %ld) outside the tree's %ld",
                 (long)i, (long)b, (long)b, (long)n, (long)t->ncats);
        return -1;
    }
    return cats_check(t->cats + b, n, i, why, why_len);
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
    if (!(isfinite(t->split_cond[i]) || (is_cat_node(t, i) && isnan(t->split_cond[i]))) ||
        !isfinite(t->loss_chg[i]) || !isfinite(t->sum_hess[i]) ||
        !isfinite(t->base_weight[i])) {
        snprintf(why, why_len, "node %ld: a value is not finite", (long)i);
        return -1;
    }
    return node_cat_check(t, i, why, why_len);
}

/* Local (tk_model_internal.h): whether t is a well-formed tree. */
int tk_tree_check(const tk_tree *t, size_t nfeatures, int32_t *unreached, char *why,
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
    if (t->ncats < 0 || (t->ncats > 0 && !t->cats)) {
        snprintf(why, why_len, "%ld categories%s", (long)t->ncats,
                 t->ncats > 0 ? " but no array" : "");
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

/* Copies src into dst (owned by dst: tk_tree_free), the categorical arrays
 * too (zeros when src, built by hand, has none). Returns 0, or -1 when out of
 * memory (dst left empty). */
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
    if (src->split_type)
        memcpy(dst->split_type, src->split_type, n);
    if (src->cat_begin)
        memcpy(dst->cat_begin, src->cat_begin, n * sizeof(int32_t));
    if (src->cat_size)
        memcpy(dst->cat_size, src->cat_size, n * sizeof(int32_t));
    if (src->ncats > 0) {
        dst->cats = malloc((size_t)src->ncats * sizeof(int32_t));
        if (!dst->cats) {
            tk_tree_free(dst);
            return -1;
        }
        memcpy(dst->cats, src->cats, (size_t)src->ncats * sizeof(int32_t));
        dst->ncats = src->ncats;
    }
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
    free(m->feature_cat);
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
            if (!(copy[i] = strdup(names[i]))) {
                free_names(copy, n);
                return tk_err_set(e, TK_ESOFTWARE, "out of memory");
            }
    }
    free_names(m->feature_names, m->nfeatures);
    if (n != m->nfeatures) { /* the flags were for other features */
        free(m->feature_cat);
        m->feature_cat = NULL;
    }
    m->feature_names = copy;
    m->nfeatures = n;
    return TK_OK;
}

/* Local (tk_model.h). m->feature_cat becomes a copy of cat[0..nfeatures)
 * as 0/1 flags (owned by m), or NULL for cat NULL or no features. */
int tk_model_set_feature_cat(tk_model *m, const uint8_t *cat, tk_err *e)
{
    uint8_t *copy = NULL;
    size_t i;

    if (cat && m->nfeatures > 0) {
        if (!(copy = malloc(m->nfeatures)))
            return tk_err_set(e, TK_ESOFTWARE, "out of memory");
        for (i = 0; i < m->nfeatures; i++)
            copy[i] = cat[i] != 0;
    }
    free(m->feature_cat);
    m->feature_cat = copy;
    return TK_OK;
}

int tk_model_add_tree(tk_model *m, const tk_tree *t, tk_err *e)
{
    char why[200];
    int32_t unreached;

    if (tk_tree_check(t, m->nfeatures, &unreached, why, sizeof(why)) != 0)
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
    char *v = strdup(value), *k = NULL, **keys, **vals;

    if (!v)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    if (found) {
        free(m->attr_vals[pos]);
        m->attr_vals[pos] = v;
        return TK_OK;
    }
    /* attributes stay sorted by key, as xgboost writes them */
    k = strdup(key);
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

/* ------------------------------------------------------------ objectives -- */

static const char *const objective_names[] = {
    [TK_OBJ_SQUAREDERROR] = "reg:squarederror",
    [TK_OBJ_LOGISTIC] = "binary:logistic",
    [TK_OBJ_SOFTPROB] = "multi:softprob",
};

const char *tk_objective_name(tk_objective o)
{
    if ((unsigned)o >= sizeof(objective_names) / sizeof(objective_names[0]))
        return NULL;
    return objective_names[o];
}

int tk_objective_parse(const char *name, tk_objective *o)
{
    size_t i;

    for (i = 0; i < sizeof(objective_names) / sizeof(objective_names[0]); i++)
        if (strcmp(name, objective_names[i]) == 0) {
            *o = (tk_objective)i;
            return 0;
        }
    return -1;
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

/* Local (tk_model.h). Whether value v (not NaN) goes right at categorical
 * split n, as xgboost 1.7's common::Decision: an invalid category (negative,
 * or TK_MAX_CAT and beyond) goes left; otherwise v truncated toward zero
 * goes right when it is in the node's ascending run (a binary search), left
 * when it is not. */
int tk_tree_cat_right(const tk_tree *t, int32_t n, float v)
{
    const int32_t *c = t->cats + t->cat_begin[n];
    int32_t lo = 0, hi = t->cat_size[n], want;

    if (!(v >= 0.0f) || v >= (float)TK_MAX_CAT)
        return 0;
    want = (int32_t)v;
    if (hi < 1 || want > c[hi - 1])
        return 0; /* above the largest: never chosen (xgboost's bitset is shorter) */
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (c[mid] < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return c[lo] == want;
}

/* tk_tree_leaf for a tree with categorical splits; kept out of line, so that
 * the numerical loop keeps its registers */
static __attribute__((noinline)) int32_t leaf_cat(const tk_tree *t, const float *x)
{
    int32_t n = 0, steps = 0;

    while (t->left[n] >= 0 && steps++ < t->nnodes) {
        float v = x[t->split_index[n]];
        if (isnan(v))
            n = t->default_left[n] ? t->left[n] : t->right[n];
        else if (t->split_type[n] == 1)
            n = t->left[n] + tk_tree_cat_right(t, n, v);
        else
            n = v < t->split_cond[n] ? t->left[n] : t->right[n];
    }
    return n;
}

/* tk_tree_leaf for a tree without categorical splits */
static inline int32_t leaf_num(const tk_tree *t, const float *x)
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

/* Whether t takes leaf_cat: numerical trees pay nothing for categories */
static inline int has_cats(const tk_tree *t)
{
    return t->ncats > 0 && t->split_type;
}

int32_t tk_tree_leaf(const tk_tree *t, const float *x)
{
    return has_cats(t) ? leaf_cat(t, x) : leaf_num(t, x);
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
            out[t->group] += t->split_cond[has_cats(t) ? leaf_cat(t, x) : leaf_num(t, x)];
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
