/* gbt_grid.c -- --cv-grid 'max_depth=4,6,8;eta=0.1,0.3': the parameter
 * combinations cross-validated one after the other, the first parameter
 * varying slowest (nested loops in the order written). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"

#define GRID_MAX_COMBOS 100000

void gbt_grid_free(gbt_grid *g)
{
    size_t p, v;

    for (p = 0; p < g->np; p++) {
        for (v = 0; g->val && g->val[p] && v < g->nval[p]; v++)
            free(g->val[p][v]);
        if (g->val)
            free(g->val[p]);
        free(g->name[p]);
    }
    free(g->name);
    free(g->val);
    free(g->nval);
    memset(g, 0, sizeof(*g));
    g->ncombo = 1;
}

/* The number of sep-separated fields of s. */
static size_t fields(const char *s, char sep)
{
    size_t n = 1;

    for (; *s; s++)
        n += *s == sep;
    return n;
}

/* Parses one "name=v1,v2" of text[0..len) into parameter p of g. */
static int parse_param(gbt_grid *g, size_t p, const char *text, size_t len, tk_err *e)
{
    const char *eq = memchr(text, '=', len), *v;
    char *vals;
    size_t k, nv;

    if (!eq || eq == text)
        return tk_err_set(e, TK_EUSAGE, "--cv-grid: '%.*s' is not NAME=V1,V2,...", (int)len, text);
    g->name[p] = strndup(text, (size_t)(eq - text));
    vals = strndup(eq + 1, len - (size_t)(eq - text) - 1);
    if (!g->name[p] || !vals) {
        free(vals);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    }
    nv = fields(vals, ',');
    g->val[p] = calloc(nv, sizeof(char *));
    for (k = 0, v = vals; g->val[p] && k < nv; k++) {
        size_t n = strcspn(v, ",");
        if (n == 0) {
            free(vals);
            return tk_err_set(e, TK_EUSAGE, "--cv-grid: parameter '%s' has an empty value",
                              g->name[p]);
        }
        if (!(g->val[p][k] = strndup(v, n)))
            break;
        g->nval[p]++;
        v += n + (v[n] == ',');
    }
    free(vals);
    if (g->nval[p] < nv)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    return TK_OK;
}

/* Every value of every parameter set once on a copy of cfg: names and
 * values are checked before any data is read; a parameter named twice
 * (perhaps by two spellings: eta, learning_rate) is an error. */
static int check_values(const gbt_grid *g, const gbt_config *cfg, tk_err *e)
{
    char a[64], b[64];
    size_t p, q, v;

    for (p = 0; p < g->np; p++) {
        for (v = 0; v < g->nval[p]; v++) {
            gbt_config c = *cfg;
            if (gbt_config_set(&c, g->name[p], g->val[p][v], e) != TK_OK)
                return e->status;
        }
        gbt_param_name(g->name[p], a, sizeof(a));
        for (q = 0; q < p; q++)
            if (strcmp(a, gbt_param_name(g->name[q], b, sizeof(b))) == 0)
                return tk_err_set(e, TK_EUSAGE, "--cv-grid names %s twice ('%s', '%s')", a,
                                  g->name[q], g->name[p]);
    }
    return TK_OK;
}

int gbt_grid_parse(const gbt_config *cfg, gbt_grid *g, tk_err *e)
{
    const char *s = cfg->cv_grid, *p;
    size_t np, k;

    memset(g, 0, sizeof(*g));
    g->ncombo = 1;
    if (!s)
        return TK_OK;
    np = fields(s, ';');
    if (np > GBT_GRID_MAX_PARAMS)
        return tk_err_set(e, TK_EUSAGE, "--cv-grid: more than %d parameters", GBT_GRID_MAX_PARAMS);
    g->name = calloc(np, sizeof(char *));
    g->val = calloc(np, sizeof(char **));
    g->nval = calloc(np, sizeof(size_t));
    if (!g->name || !g->val || !g->nval)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    for (k = 0, p = s; k < np; k++) {
        size_t len = strcspn(p, ";");
        g->np++;
        if (len == 0 || parse_param(g, k, p, len, e) != TK_OK) {
            if (e->status == TK_OK)
                tk_err_set(e, TK_EUSAGE, "--cv-grid '%s' has an empty parameter", s);
            return e->status;
        }
        if (g->ncombo > GRID_MAX_COMBOS / g->nval[k])
            return tk_err_set(e, TK_EUSAGE, "--cv-grid: more than %d combinations",
                              GRID_MAX_COMBOS);
        g->ncombo *= g->nval[k];
        p += len + (p[len] == ';');
    }
    return check_values(g, cfg, e);
}

/* idx[p]: the value of parameter p in combination combo. */
static void combo_values(const gbt_grid *g, size_t combo, size_t *idx)
{
    size_t p;

    for (p = g->np; p-- > 0;) {
        idx[p] = combo % g->nval[p];
        combo /= g->nval[p];
    }
}

int gbt_grid_config(const gbt_grid *g, size_t combo, const gbt_config *base, gbt_config *out,
                    tk_err *e)
{
    size_t p, idx[GBT_GRID_MAX_PARAMS];

    *out = *base;
    combo_values(g, combo, idx);
    for (p = 0; p < g->np; p++)
        if (gbt_config_set(out, g->name[p], g->val[p][idx[p]], e) != TK_OK)
            return e->status;
    return TK_OK;
}

int gbt_grid_describe(const gbt_grid *g, size_t combo, const char *sep, char *buf, size_t len)
{
    size_t p, at = 0, idx[GBT_GRID_MAX_PARAMS];

    if (len)
        buf[0] = '\0';
    combo_values(g, combo, idx);
    for (p = 0; p < g->np && at < len; p++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s=%s", p ? sep : "", g->name[p],
                               g->val[p][idx[p]]);
    return at < len ? 0 : -1;
}

int gbt_grid_describe_values(const gbt_grid *g, size_t combo, char *buf, size_t len)
{
    size_t p, at = 0, idx[GBT_GRID_MAX_PARAMS];

    if (len)
        buf[0] = '\0';
    combo_values(g, combo, idx);
    for (p = 0; p < g->np && at < len; p++)
        at += (size_t)snprintf(buf + at, len - at, "%s,", g->val[p][idx[p]]);
    return at < len ? 0 : -1;
}
