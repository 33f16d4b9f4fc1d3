/* gbt_split.c -- split gains and leaf weights as XGBoost 1.7 computes them
 * (param.h: ThresholdL1, CalcWeight; split_evaluator.h: the gain), and the
 * best split of a node from its histogram. */
#include <math.h>

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

double gbt_gain(const gbt_config *cfg, double g, double h)
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

gbt_split gbt_split_best(const gbt_config *cfg, const gbt_cuts *c, const gbt_bin_sum *hist,
                         double g, double h, double gscale, double hscale,
                         const uint32_t *feats, size_t nfeats)
{
    gbt_split best = { 0.0, 0, 0, 0, 0, 0, 0, 0 };
    double parent = gbt_gain(cfg, g, h), mcw = cfg->min_child_weight;
    size_t i;

    for (i = 0; i < nfeats; i++) {
        uint32_t f = feats[i], b, nb = c->nbins[f];
        const gbt_bin_sum *s = hist + c->offset[f];
        int64_t gl_q = 0, hl_q = 0;
        double gm = (double)s[nb].g / gscale, hm = (double)s[nb].h / hscale;
        /* split after bin b: bins 0..b left; the last bin cannot split */
        for (b = 0; b + 1 < nb; b++) {
            double gl, hl, gr, hr, gain;
            int dir;
            gl_q += s[b].g;
            hl_q += s[b].h;
            for (dir = 0; dir < 2; dir++) {
                /* dir 0: missing values go right; dir 1: left */
                if (dir == 1 && hm <= 0.0)
                    break; /* no missing values here: both directions are the same */
                gl = (double)gl_q / gscale + (dir ? gm : 0.0);
                hl = (double)hl_q / hscale + (dir ? hm : 0.0);
                gr = g - gl;
                hr = h - hl;
                if (hl < mcw || hr < mcw || hl <= 0.0 || hr <= 0.0)
                    continue;
                gain = gbt_gain(cfg, gl, hl) + gbt_gain(cfg, gr, hr) - parent;
                if (gain > best.gain) {
                    best.gain = gain;
                    best.feature = f;
                    best.bin = b;
                    /* with no missing values seen they go right, as in XGBoost */
                    best.default_left = dir == 1;
                    best.gl = gl;
                    best.hl = hl;
                    best.gr = gr;
                    best.hr = hr;
                }
            }
        }
    }
    return best;
}
