/* gbt_split.c -- split gains and leaf weights as XGBoost 1.7 computes them
 * (param.h: ThresholdL1, CalcWeight; split_evaluator.h: the gain), and the
 * best split of a node from its histogram: numerical features by a scan
 * over their bins in both directions of the missing values, categorical
 * ones as xgboost 1.7.4's hist evaluator does (evaluate_splits.h): one
 * category against the rest below --max-cat-to-onehot categories, else a
 * partition of the categories sorted by their weights, scanned from both
 * ends, at most --max-cat-threshold on the growing side. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"

static double threshold_l1(double w, double alpha)
{
    if (w > alpha)
        return w - alpha;
    if (w < -alpha)
        return w + alpha;
    return 0.0;
}

double gbt_weight(const gbt_config *cfg, double g, double h)
{
    double dw;

    if (h < cfg->min_child_weight || h <= 0.0)
        return 0.0;
    dw = -threshold_l1(g, cfg->alpha) / (h + cfg->lambda);
    if (cfg->max_delta_step != 0.0 && fabs(dw) > cfg->max_delta_step)
        dw = copysign(cfg->max_delta_step, dw);
    return dw;
}

/* gbt_gain, inlined into the split search's inner loop. */
static inline double gain_of(const gbt_config *cfg, double g, double h)
{
    /* XGBoost 1.7's hist evaluator (split_evaluator.h CalcGainGivenWeight):
     * children below min_child_weight are filtered before, not here; with
     * max_delta_step the gain follows the clipped weight, without an alpha
     * term */
    double t, w;

    if (h <= 0.0)
        return 0.0;
    if (cfg->max_delta_step == 0.0) {
        t = threshold_l1(g, cfg->alpha);
        return t * t / (h + cfg->lambda);
    }
    w = gbt_weight(cfg, g, h);
    return -(2.0 * g * w + (h + cfg->lambda) * w * w);
}

double gbt_gain(const gbt_config *cfg, double g, double h)
{
    return gain_of(cfg, g, h);
}

/* What a feature's scan needs of the node (sums, scales, parent gain). */
typedef struct node_sums {
    double g, h, ig, ih, parent, mcw, lambda;
} node_sums;

/* Keeps the candidate split after bin b of feature f if it beats best:
 * candidates come in xgboost's order (feature; missing right, bins
 * ascending; missing left, bins descending) and only a strictly larger gain
 * replaces the best one. */
static inline void consider(gbt_split *best, double gain, uint32_t f, uint32_t b, int dir,
                            double gl, double hl, const node_sums *ns)
{
    if (gain > best->gain) {
        best->gain = gain;
        best->feature = f;
        best->bin = b;
        best->kind = GBT_SPLIT_NUM;
        /* with no missing values seen they go right, as in XGBoost */
        best->default_left = dir == 1;
        best->gl = gl;
        best->hl = hl;
        best->gr = ns->g - gl;
        best->hr = ns->h - hl;
    }
}

/* One candidate of scan_general: split after a bin with left sums
 * (gl_q, hl_q) in histogram units, missing values left with dir 1. */
static inline void candidate(const gbt_config *cfg, int64_t gl_q, int64_t hl_q, double gm,
                             double hm, uint32_t f, uint32_t b, int dir, const node_sums *ns,
                             gbt_split *best)
{
    double gl = (double)gl_q * ns->ig + (dir ? gm : 0.0);
    double hl = (double)hl_q * ns->ih + (dir ? hm : 0.0);
    double gr = ns->g - gl, hr = ns->h - hl;

    if (hl < ns->mcw || hr < ns->mcw || hl <= 0.0 || hr <= 0.0)
        return;
    consider(best, gain_of(cfg, gl, hl) + gain_of(cfg, gr, hr) - ns->parent, f, b, dir, gl, hl,
             ns);
}

/* Feature f's candidates with any regularization, one at a time, in
 * xgboost's order (EnumerateSplit): missing values right, bins ascending,
 * the last candidate sending them alone right; then, when there are missing
 * values, missing left from the top bin down, the last one sending them
 * alone left (bin UINT32_MAX). Among equal gains the first in that order
 * wins. */
static void scan_general(const gbt_config *cfg, const gbt_bin_sum *s, uint32_t f, uint32_t nb,
                         const node_sums *ns, gbt_split *best)
{
    int64_t gl_q = 0, hl_q = 0;
    double gm = (double)s[nb].g * ns->ig, hm = (double)s[nb].h * ns->ih;
    uint32_t b;

    /* split after bin b: bins 0..b left */
    for (b = 0; b + 1 < nb; b++) {
        gl_q += s[b].g;
        hl_q += s[b].h;
        candidate(cfg, gl_q, hl_q, gm, hm, f, b, 0, ns, best);
    }
    if (hm <= 0.0)
        return; /* no missing values here: both directions are the same */
    candidate(cfg, gl_q + s[nb - 1].g, hl_q + s[nb - 1].h, gm, hm, f, nb - 1, 0, ns, best);
    for (b = nb - 1; b-- > 0;) { /* gl_q: bins 0..b */
        candidate(cfg, gl_q, hl_q, gm, hm, f, b, 1, ns, best);
        gl_q -= s[b].g;
        hl_q -= s[b].h;
    }
    candidate(cfg, 0, 0, gm, hm, f, UINT32_MAX, 1, ns, best);
}

typedef double v2d __attribute__((vector_size(16)));
typedef long long v2l __attribute__((vector_size(16)));

/* The gains of two candidates with left sums (gl, hl), -inf where a child
 * is too light; without alpha and max_delta_step a node's gain is
 * g^2 / (h + lambda), the same value gain_of gives. */
static inline v2d gains2(v2d gl, v2d hl, const node_sums *ns)
{
    const v2d zero = { 0.0, 0.0 }, ninf = { -INFINITY, -INFINITY };
    v2d g = { ns->g, ns->g }, h = { ns->h, ns->h }, lam = { ns->lambda, ns->lambda };
    v2d mcw = { ns->mcw, ns->mcw }, par = { ns->parent, ns->parent };
    v2d gr = g - gl, hr = h - hl;
    v2d gain = gl * gl / (hl + lam) + gr * gr / (hr + lam) - par;
    v2l ok = (hl >= mcw) & (hr >= mcw) & (hl > zero) & (hr > zero);

    return (v2d)(((v2l)gain & ok) | ((v2l)ninf & ~ok));
}

/* One candidate of scan_fast computed alone, with gains2's arithmetic. */
static void fast_candidate(double gl, double hl, uint32_t f, uint32_t b, int dir,
                           const node_sums *ns, gbt_split *best)
{
    v2d vgl = { gl, gl }, vhl = { hl, hl }, r = gains2(vgl, vhl, ns);

    consider(best, r[0], f, b, dir, gl, hl, ns);
}

/* Feature f's candidates without alpha and max_delta_step, two bins at a
 * time: the left sums first (the same doubles scan_general computes), then
 * the gains, then the scan for the best in scan_general's order. tmp holds
 * 4 * nb doubles. */
static void scan_fast(const gbt_bin_sum *s, uint32_t f, uint32_t nb, const node_sums *ns,
                      double *tmp, gbt_split *best)
{
    double *GL = tmp, *HL = tmp + nb, *G0 = tmp + 2 * (size_t)nb, *G1 = tmp + 3 * (size_t)nb;
    double gm = (double)s[nb].g * ns->ig, hm = (double)s[nb].h * ns->ih;
    v2d vgm = { gm, gm }, vhm = { hm, hm };
    int64_t gl_q = 0, hl_q = 0;
    uint32_t b, m = nb - 1; /* candidates: after bins 0..nb-2 */

    for (b = 0; b < m; b++) {
        gl_q += s[b].g;
        hl_q += s[b].h;
        GL[b] = (double)gl_q * ns->ig;
        HL[b] = (double)hl_q * ns->ih;
    }
    GL[m] = GL[m > 0 ? m - 1 : 0]; /* pads an odd count; never scanned */
    HL[m] = HL[m > 0 ? m - 1 : 0];
    for (b = 0; b < m; b += 2) {
        v2d gl, hl, r;
        memcpy(&gl, GL + b, sizeof(gl));
        memcpy(&hl, HL + b, sizeof(hl));
        r = gains2(gl, hl, ns);
        memcpy(G0 + b, &r, sizeof(r));
        if (hm > 0.0) {
            r = gains2(gl + vgm, hl + vhm, ns);
            memcpy(G1 + b, &r, sizeof(r));
        }
    }
    /* scan_general's order: missing right ascending, missing left descending,
     * each direction ending with the missing values alone on its side */
    for (b = 0; b < m; b++)
        consider(best, G0[b], f, b, 0, GL[b], HL[b], ns);
    if (hm <= 0.0)
        return;
    gl_q += s[m].g;
    hl_q += s[m].h;
    fast_candidate((double)gl_q * ns->ig, (double)hl_q * ns->ih, f, m, 0, ns, best);
    for (b = m; b-- > 0;)
        consider(best, G1[b], f, b, 1, GL[b] + gm, HL[b] + hm, ns);
    fast_candidate(gm, hm, f, UINT32_MAX, 1, ns, best);
}

/* A categorical candidate: (gl, hl) the left sums, rows of kind's bin b
 * going right (gbt_split_kind), missing ones left with dl. Only a strictly
 * larger gain replaces the best, as for the numerical ones. */
static void consider_cat(gbt_split *best, const gbt_config *cfg, uint32_t f, uint32_t b,
                         int kind, int dl, double gl, double hl, const node_sums *ns)
{
    double gr = ns->g - gl, hr = ns->h - hl, gain;

    if (hl < ns->mcw || hr < ns->mcw || hl <= 0.0 || hr <= 0.0)
        return;
    gain = gain_of(cfg, gl, hl) + gain_of(cfg, gr, hr) - ns->parent;
    if (gain > best->gain) {
        best->gain = gain;
        best->feature = f;
        best->bin = b;
        best->kind = kind;
        best->default_left = dl;
        best->gl = gl;
        best->hl = hl;
        best->gr = gr;
        best->hr = hr;
    }
}

/* One category against the others: for each category, the rows with
 * missing values first with the others (left), then with it (right). */
static void scan_onehot(const gbt_config *cfg, const gbt_bin_sum *s, uint32_t f, uint32_t nb,
                        const node_sums *ns, gbt_split *best)
{
    double gm = (double)s[nb].g * ns->ig, hm = (double)s[nb].h * ns->ih;
    uint32_t b;

    for (b = 0; b < nb; b++) {
        double gc = (double)s[b].g * ns->ig, hc = (double)s[b].h * ns->ih;
        consider_cat(best, cfg, f, b, GBT_SPLIT_ONEHOT, 1, ns->g - gc, ns->h - hc, ns);
        consider_cat(best, cfg, f, b, GBT_SPLIT_ONEHOT, 0, ns->g - gc - gm, ns->h - hc - hm,
                     ns);
    }
}

/* A category's place in the order of weights. */
typedef struct cat_order {
    float w;
    uint32_t bin;
} cat_order;

static int cmp_order(const void *a, const void *b)
{
    const cat_order *x = a, *y = b;

    if (x->w != y->w)
        return x->w < y->w ? -1 : 1;
    return (x->bin > y->bin) - (x->bin < y->bin); /* std::stable_sort's order */
}

/* The nb categories of s by their weights, as float (xgboost's
 * CalcWeightCat), ties in category order, into ord. */
static void order_categories(const gbt_config *cfg, const gbt_bin_sum *s, uint32_t nb,
                             const node_sums *ns, cat_order *ord)
{
    uint32_t b;

    for (b = 0; b < nb; b++) {
        ord[b].w = (float)gbt_weight(cfg, (double)s[b].g * ns->ig, (double)s[b].h * ns->ih);
        ord[b].bin = b;
    }
    qsort(ord, nb, sizeof(*ord), cmp_order);
}

/* The partitions of the categories in the order of their weights: forward,
 * the first j + 1 go right (missing values left); backward, the last ones
 * go left from the end (missing values right); at most --max-cat-threshold
 * categories on the growing side. ord: room for nb entries. */
static void scan_partition(const gbt_config *cfg, const gbt_bin_sum *s, uint32_t f,
                           uint32_t nb, const node_sums *ns, cat_order *ord, gbt_split *best)
{
    uint32_t n = nb < cfg->max_cat_threshold ? nb : (uint32_t)cfg->max_cat_threshold, j;
    int64_t gq = 0, hq = 0;

    order_categories(cfg, s, nb, ns, ord);
    for (j = 0; j + 1 < n; j++) {
        gq += s[ord[j].bin].g;
        hq += s[ord[j].bin].h;
        consider_cat(best, cfg, f, j + 1, GBT_SPLIT_PART, 1, ns->g - (double)gq * ns->ig,
                     ns->h - (double)hq * ns->ih, ns);
    }
    gq = hq = 0;
    for (j = nb - 1; j + n > nb; j--) {
        gq += s[ord[j].bin].g;
        hq += s[ord[j].bin].h;
        consider_cat(best, cfg, f, j, GBT_SPLIT_PART, 0, (double)gq * ns->ig,
                     (double)hq * ns->ih, ns);
    }
}

int gbt_split_categories(const gbt_config *cfg, const gbt_cuts *c, const gbt_bin_sum *hist,
                         size_t slot0, double gscale, double hscale, const gbt_split *sp,
                         uint8_t *right)
{
    uint32_t nb = c->nbins[sp->feature], j;
    const gbt_bin_sum *s = hist + (c->offset[sp->feature] - slot0);
    node_sums ns = { 0, 0, 1.0 / gscale, 1.0 / hscale, 0, 0, 0 };
    cat_order *ord;

    memset(right, 0, nb);
    if (sp->kind == GBT_SPLIT_ONEHOT) {
        right[sp->bin] = 1;
        return 0;
    }
    ord = malloc((size_t)nb * sizeof(*ord));
    if (!ord)
        return -1;
    order_categories(cfg, s, nb, &ns, ord);
    for (j = 0; j < sp->bin; j++)
        right[ord[j].bin] = 1;
    free(ord);
    return 0;
}

gbt_split gbt_split_best(const gbt_config *cfg, const gbt_cuts *c, const gbt_bin_sum *hist,
                         size_t slot0, double g, double h, double gscale, double hscale,
                         const uint32_t *feats, size_t nfeats)
{
    gbt_split best = { 0.0, 0, 0, 0, GBT_SPLIT_NUM, 0, 0, 0, 0 };
    node_sums ns = { g, h, 1.0 / gscale, 1.0 / hscale, gbt_gain(cfg, g, h),
                     cfg->min_child_weight, cfg->lambda };
    int fast = cfg->alpha == 0.0 && cfg->max_delta_step == 0.0;
    uint32_t maxnb = 1;
    double *tmp = NULL;
    size_t i;

    int cats = 0;

    for (i = 0; i < nfeats; i++) {
        if (c->nbins[feats[i]] > maxnb)
            maxnb = c->nbins[feats[i]];
        cats |= c->cat && c->cat[feats[i]];
    }
    /* 4 doubles a bin for scan_fast; a cat_order (8 bytes) for a partition */
    if ((fast || cats) && !(tmp = malloc(4 * ((size_t)maxnb + 1) * sizeof(double)))) {
        if (cats) {
            best.gain = NAN; /* out of memory: the caller ends the job */
            return best;
        }
        fast = 0; /* the same result, slower */
    }
    for (i = 0; i < nfeats; i++) {
        uint32_t f = feats[i];
        if (c->cat && c->cat[f]) {
            if (c->nbins[f] < cfg->max_cat_to_onehot)
                scan_onehot(cfg, hist + (c->offset[f] - slot0), f, c->nbins[f], &ns, &best);
            else
                scan_partition(cfg, hist + (c->offset[f] - slot0), f, c->nbins[f], &ns,
                               (cat_order *)tmp, &best);
        } else if (fast)
            scan_fast(hist + (c->offset[f] - slot0), f, c->nbins[f], &ns, tmp, &best);
        else
            scan_general(cfg, hist + (c->offset[f] - slot0), f, c->nbins[f], &ns, &best);
    }
    free(tmp);
    return best;
}
