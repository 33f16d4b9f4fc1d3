/* genlogs_alias.c -- building alias tables (Vose's method). */
#include "genlogs_alias.h"

#include <stdlib.h>

int gl_alias_build(gl_alias *a, const double *w, uint32_t n)
{
    double *p = NULL, sum = 0.0;
    uint32_t *small = NULL, *large = NULL, ns = 0, nl = 0, i;
    int rc = -1;

    a->n = 0;
    a->prob = NULL;
    a->alias = NULL;
    if (n == 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (!(w[i] >= 0.0))
            return -1;
        sum += w[i];
    }
    if (!(sum > 0.0))
        return -1;
    a->prob = malloc((size_t)n * sizeof(*a->prob));
    a->alias = malloc((size_t)n * sizeof(*a->alias));
    p = malloc((size_t)n * sizeof(*p));
    small = malloc((size_t)n * sizeof(*small));
    large = malloc((size_t)n * sizeof(*large));
    if (!a->prob || !a->alias || !p || !small || !large)
        goto cleanup;
    for (i = 0; i < n; i++) {
        p[i] = w[i] * (double)n / sum;
        if (p[i] < 1.0)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
        uint32_t s = small[--ns], l = large[nl - 1];

        a->prob[s] = (uint32_t)(p[s] * 4294967296.0);
        a->alias[s] = l;
        p[l] = (p[l] + p[s]) - 1.0;
        if (p[l] < 1.0) {
            nl--;
            small[ns++] = l;
        }
    }
    /* what is left has probability 1 up to rounding */
    while (nl > 0) {
        uint32_t l = large[--nl];
        a->prob[l] = UINT32_MAX;
        a->alias[l] = l;
    }
    while (ns > 0) {
        uint32_t s = small[--ns];
        a->prob[s] = UINT32_MAX;
        a->alias[s] = s;
    }
    a->n = n;
    rc = 0;
cleanup:
    free(large);
    free(small);
    free(p);
    if (rc != 0)
        gl_alias_free(a);
    return rc;
}

void gl_alias_free(gl_alias *a)
{
    free(a->prob);
    free(a->alias);
    a->prob = NULL;
    a->alias = NULL;
    a->n = 0;
}
