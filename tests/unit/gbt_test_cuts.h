/* gbt_test_cuts.h -- gbtrain's unit tests (tests/unit, tests/unit_mpi):
 * cuts by hand from each feature's bin count, for the histogram and block
 * tests that need only nbins and the slot offsets. */
#ifndef GBT_TEST_CUTS_H
#define GBT_TEST_CUTS_H

#include <string.h>

#include "../../mpi_apps/gbtrain/gbtrain.h"

/* Cuts of nf features with nbins[f] bins (no thresholds); offset holds
 * nf + 1 entries, filled here. Both arrays stay the caller's. */
static inline gbt_cuts gbt_test_cuts(uint32_t *nbins, size_t nf, size_t *offset)
{
    gbt_cuts c;
    size_t f;

    memset(&c, 0, sizeof(c));
    offset[0] = 0;
    for (f = 0; f < nf; f++)
        offset[f + 1] = offset[f] + nbins[f] + 1;
    c.nf = nf;
    c.nbins = nbins;
    c.offset = offset;
    c.nslots = offset[nf];
    return c;
}

#endif
