/* tk_shap.h -- SHAP values (feature contributions) of a tk_model's margin,
 * as xgboost 1.7's predict(pred_contribs=True) computes them: exact
 * path-dependent TreeSHAP (Lundberg et al. 2018) over the trees' sum_hessian
 * covers, in margin space, one value per feature plus the bias per output.
 *
 * The expectation of a tree given the features S is the path-dependent one:
 * at a split on a feature in S the row's own child is taken (a missing value
 * takes the default child, a categorical split the child the row's category
 * goes to, exactly as prediction does), at any other split both children,
 * weighted by their sum_hessian over the node's. The bias of output k is the
 * base margin plus, for every tree of group k, that expectation given no
 * feature (xgboost's node mean value of the root); the row's values of
 * output k add up to its margin.
 *
 * Two exact algorithms, chosen per tree:
 *   - Fast TreeSHAP v2 (Yang 2021, arXiv 2109.09847): for every leaf and
 *     every subset P of the leaf path's d unique features (those the row
 *     satisfies), the leaf's SHAP value of each of them, precomputed in a
 *     table of 2^d x d floats; a row then costs one pass over the tree's
 *     nodes to find each leaf's P, and d table reads per leaf (O(L D) per
 *     tree). Splits on a feature already on the path merge into one path
 *     feature: its cover fraction is the product of the splits' fractions
 *     and the row satisfies it when it satisfies every one of those splits.
 *     Two sibling leaves share one table, indexed by the left leaf's subset
 *     (the right one's differs in the split's feature) when the split's
 *     feature is new on the path, else by the parent's subset and the row's
 *     direction; rows go through in blocks, node by node and leaf by leaf.
 *   - the recursive TreeSHAP of xgboost (RegTree::TreeShap, O(L D^2) per
 *     tree), computed in double, for the trees whose tables do not fit: a
 *     leaf path with more than TK_SHAP_FAST_MAX_D unique features, or
 *     tables larger than what the earlier trees left of the budget given to
 *     tk_shap_init.
 * Both give the same values up to rounding (tests/unit/test_shap.c checks
 * them against each other and against brute-force Shapley values). */
#ifndef TK_SHAP_H
#define TK_SHAP_H

#include <stddef.h>
#include <stdint.h>

#include "tk_model.h"
#include "tk_status.h"

/* The most unique features on a leaf path for a tree's Fast TreeSHAP table
 * (a leaf's table is 2^d x d floats: 192 KiB at 12). */
#define TK_SHAP_FAST_MAX_D 12
/* The deepest tree accepted: the recursive algorithm keeps (D+2)(D+3)/2
 * path elements, about 4 MiB at this depth. */
#define TK_SHAP_MAX_DEPTH 512
/* The default table budget, per process (gbpredict --contribs-tables). */
#define TK_SHAP_DEFAULT_TABLES ((size_t)256 << 20)

typedef struct tk_shap_tree tk_shap_tree; /* one tree's prepared data (tk_shap.c) */

typedef struct tk_shap {
    const tk_model *model; /* borrowed: must outlive the tk_shap */
    size_t nfeatures;
    int noutputs;          /* tk_model_noutputs */
    double *bias;          /* owned; noutputs values */
    tk_shap_tree *trees;   /* owned; one per tree of the model */
    size_t ntrees;
    size_t nfast;          /* trees computed with Fast TreeSHAP tables */
    size_t table_bytes;    /* the size of their tables */
    int32_t max_depth;     /* the deepest tree's depth (edges from the root) */
    int32_t max_nodes;     /* the largest tree's node count */
} tk_shap;

/* Local. Prepares m's trees for tk_shap_rows: the covers checked, the bias,
 * and Fast TreeSHAP tables: each tree in turn gets them when they fit in what
 * is left of budget bytes (0: the recursive algorithm for every tree).
 * s borrows m (it must stay unchanged until tk_shap_free) and owns the rest.
 * A split node whose sum_hessian is not positive (xgboost's values would be
 * NaN) or a tree deeper than TK_SHAP_MAX_DEPTH is TK_EDATA naming the tree,
 * the node and name (the model's path, for the message); TK_ESOFTWARE when
 * out of memory. On error s is left empty (tk_shap_free is harmless). */
int tk_shap_init(tk_shap *s, const tk_model *m, size_t budget, const char *name, tk_err *e);

/* Local. Frees what s owns; s is left empty. */
void tk_shap_free(tk_shap *s);

/* Local; allocates nothing. Values per row: noutputs * (nfeatures + 1). */
size_t tk_shap_width(const tk_shap *s);

/* Local. The SHAP values of n rows: x holds n rows of nfeatures floats
 * (row-major, NaN = missing); out (the caller's, n * tk_shap_width doubles)
 * receives for each row and output k the nfeatures values, then the bias.
 * Every row's values depend on that row alone, computed in the same order
 * whatever n. Allocates a workspace for the call; TK_ESOFTWARE when out of
 * memory (out undefined). */
int tk_shap_rows(const tk_shap *s, const float *x, size_t n, double *out, tk_err *e);

#endif
