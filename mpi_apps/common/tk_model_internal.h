/* tk_model_internal.h -- what tk_model.c, tk_model_save.c and tk_model_load.c
 * share; not part of the library's interface (use tk_model.h). */
#ifndef TK_MODEL_INTERNAL_H
#define TK_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tk_model.h"

#define TK_ROOT_PARENT 2147483647 /* the root's parent as xgboost writes it */
#define TK_MAX_FEATURES (1 << 24)
#define TK_MAX_CLASSES (1 << 16)
/* categories are in [0, 2^24): xgboost 1.7's OutOfRangeCat(); from 2^24 on
 * float32 no longer holds every integer */
#define TK_MAX_CAT (1 << 24)

/* Local; allocates nothing that outlives the call. Whether t is a
 * well-formed tree: every child index in range with right == left + 1, every
 * node reached from the root at most once (no cycle, no shared child) with its
 * parent recorded, finite numbers (but a categorical split's split_cond may be
 * NaN), split features below nfeatures on the nodes a row can reach, split_type
 * 0 or 1 (0 on leaves; a tree without a split_type array is all numerical),
 * and each categorical split's categories a run inside cats, at least one,
 * ascending, distinct, in [0, TK_MAX_CAT). Nodes the root does not reach are
 * xgboost's deleted nodes; *unreached counts them. Returns 0, or -1 with the reason in the caller's
 * why[0..why_len). */
int tk_tree_check(const tk_tree *t, size_t nfeatures, int32_t *unreached, char *why,
                  size_t why_len);

/* Local; allocates nothing (tk_model_save.c). Rewrites JSON text[0..len),
 * NUL-terminated, in place: each bare null outside strings becomes NaN, the
 * token xgboost writes for a NaN. Returns the new length. */
size_t tk_json_null_to_nan(char *text, size_t len);

/* Local (tk_model_load.c). The bare tokens NaN, Infinity and -Infinity
 * outside JSON strings in text[0..len) as strings jansson reads:
 * TK_NONFINITE_NAN, TK_NONFINITE_INF, TK_NONFINITE_NINF (each a NUL byte
 * then the token's text, which no string of the input can hold: a \u0000 in
 * the input is refused). *out (owned by the caller: free; NULL when there is
 * no such token, text is then usable as is) and *out_len receive the new
 * text; *ntokens counts the tokens. Returns 0, or -1 with *bad_at the offset
 * of a \u0000 escape in a string of the input (the text needs JSON_ALLOW_NUL
 * to read the replacements), or -2 when out of memory. */
int tk_json_nonfinite(const char *text, size_t len, char **out, size_t *out_len,
                      size_t *ntokens, size_t *bad_at);

#define TK_NONFINITE_NAN "\\u0000NaN"
#define TK_NONFINITE_INF "\\u0000Infinity"
#define TK_NONFINITE_NINF "\\u0000-Infinity"

#endif
