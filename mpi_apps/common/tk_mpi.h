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

/* Collective. Whether flag is non-zero on any rank (mpifileutils'
 * mfu_alltrue, inverted): for failures that carry no message of their own. */
int tk_mpi_any(MPI_Comm comm, int flag);

/* Collective. *before = sum of mine over lower ranks, *total = sum over all. */
void tk_mpi_exscan_u64(MPI_Comm comm, uint64_t mine, uint64_t *before, uint64_t *total);

/* Collective. Sums n uint64 counters in place over all ranks. */
void tk_mpi_sum_u64(MPI_Comm comm, uint64_t *v, int n);

/* Collective. Creates path (which must not exist) and writes every rank's
 * buffer buf[0..len) one after another in rank order, with MPI-IO
 * (MPI_File_write_at_all in chunks below 1 GiB), then syncs and closes it.
 * All ranks return the same status (TK_ECANTCREAT or TK_EIO with the file
 * named on failure; the caller removes the partial file). */
int tk_mpi_write_ordered(MPI_Comm comm, const char *path, const void *buf, size_t len,
                         tk_err *e);

/* Local. Peak resident set size of this process in bytes. */
uint64_t tk_peak_rss(void);

#endif
