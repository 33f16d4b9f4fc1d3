/* gbt_split.c -- split gains and leaf weights as XGBoost 1.7 computes them
 * (param.h: ThresholdL1, CalcWeight; split_evaluator.h: the gain), and the
 * best split of a node from its histogram. */
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
 * candidates come in the order (feature, bin, missing right, missing left)
 * and only a strictly larger gain replaces the best one. */
static inline void consider(gbt_split *best, double gain, uint32_t f, uint32_t b, int dir,
                            double gl, double hl, const node_sums *ns)
{
    if (gain > best->gain) {
        best->gain = gain;
        best->feature = f;
        best->bin = b;
        /* with no missing values seen they go right, as in XGBoost */
        best->default_left = dir == 1;
        best->gl = gl;
        best->hl = hl;
        best->gr = ns->g - gl;
        best->hr = ns->h - hl;
    }
}

/* Feature f's candidates with any regularization, one at a time. */
static void scan_general(const gbt_config *cfg, const gbt_bin_sum *s, uint32_t f, uint32_t nb,
                         const node_sums *ns, gbt_split *best)
{
    int64_t gl_q = 0, hl_q = 0;
    double gm = (double)s[nb].g * ns->ig, hm = (double)s[nb].h * ns->ih;
    uint32_t b;

    /* split after bin b: bins 0..b left; the last bin cannot split */
    for (b = 0; b + 1 < nb; b++) {
        int dir;
        gl_q += s[b].g;
        hl_q += s[b].h;
        for (dir = 0; dir < 2; dir++) {
            /* dir 0: missing values go right; dir 1: left */
            double gl = (double)gl_q * ns->ig + (dir ? gm : 0.0);
            double hl = (double)hl_q * ns->ih + (dir ? hm : 0.0);
            double gr = ns->g - gl, hr = ns->h - hl;
            if (dir == 1 && hm <= 0.0)
                break; /* no missing values here: both directions are the same */
            if (hl < ns->mcw || hr < ns->mcw || hl <= 0.0 || hr <= 0.0)
                continue;
            consider(best, gain_of(cfg, gl, hl) + gain_of(cfg, gr, hr) - ns->parent, f, b, dir,
                     gl, hl, ns);
        }
    }
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
    for (b = 0; b < m; b++) {
        consider(best, G0[b], f, b, 0, GL[b], HL[b], ns);
        if (hm > 0.0)
            consider(best, G1[b], f, b, 1, GL[b] + gm, HL[b] + hm, ns);
    }
}

gbt_split gbt_split_best(const gbt_config *cfg, const gbt_cuts *c, const gbt_bin_sum *hist,
                         size_t slot0, double g, double h, double gscale, double hscale,
                         const uint32_t *feats, size_t nfeats)
{
    gbt_split best = { 0.0, 0, 0, 0, 0, 0, 0, 0 };
    node_sums ns = { g, h, 1.0 / gscale, 1.0 / hscale, gbt_gain(cfg, g, h),
                     cfg->min_child_weight, cfg->lambda };
    int fast = cfg->alpha == 0.0 && cfg->max_delta_step == 0.0;
    uint32_t maxnb = 1;
    double *tmp = NULL;
    size_t i;

    for (i = 0; i < nfeats; i++)
        if (c->nbins[feats[i]] > maxnb)
            maxnb = c->nbins[feats[i]];
    if (fast && !(tmp = malloc(4 * ((size_t)maxnb + 1) * sizeof(double))))
        fast = 0; /* the same result, slower */
    for (i = 0; i < nfeats; i++) {
        uint32_t f = feats[i];
        if (fast)
            scan_fast(hist + (c->offset[f] - slot0), f, c->nbins[f], &ns, tmp, &best);
        else
            scan_general(cfg, hist + (c->offset[f] - slot0), f, c->nbins[f], &ns, &best);
    }
    free(tmp);
    return best;
}
