/* tk_mpi.h -- MPI helpers: agreeing on errors, prefix sums. */
#ifndef TK_MPI_H
#define TK_MPI_H

#include <mpi.h>
#include <stdint.h>

#include "tk_status.h"

/* Collective. All ranks agree on failure before acting: returns TK_OK when
 * no rank has an error recorded in e; otherwise every rank's e receives the
 * status and message of the lowest-ranked failing rank, which is returned. */
int tk_mpi_agree(MPI_Comm comm, tk_err *e);

/* Collective. *before = sum of mine over lower ranks, *total = sum over all. */
void tk_mpi_exscan_u64(MPI_Comm comm, uint64_t mine, uint64_t *before, uint64_t *total);

/* Collective. Sums n uint64 counters in place over all ranks. */
void tk_mpi_sum_u64(MPI_Comm comm, uint64_t *v, int n);

/* Collective. Maximum of a double over all ranks. */
double tk_mpi_max_double(MPI_Comm comm, double v);

/* Local. Peak resident set size of this process in bytes. */
uint64_t tk_peak_rss(void);

#endif
