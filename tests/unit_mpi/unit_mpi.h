/* unit_mpi.h -- shared declarations of the collective unit tests
 * (build/release/tests/unit_mpi_tests, run by tests/run.sh under
 * timeout 120 mpirun -np 3).
 *
 * Every rank runs every test in the same order; a test counts as failed when
 * it failed on any rank (mpi_main.c reduces the results after each test).
 * Tests make every collective call before asserting and use no _FATAL
 * assertion, so a failure on one rank never leaves the others waiting. The
 * data are uneven on purpose: rank 1 holds nothing (an empty rank) and the
 * other ranks hold different amounts. */
#ifndef UNIT_MPI_H
#define UNIT_MPI_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "../unit/unit.h"

extern int um_rank, um_size;

/* Suite registration (CUE_SUCCESS or a CUnit error code). */
int unit_mpi_register_collectives(void);
int unit_mpi_register_sort(void);
int unit_mpi_register_h5(void);
int unit_mpi_register_gbtrain(void);

/* malloc that ends the job (MPI_Abort) when out of memory; never NULL. */
void *um_alloc(size_t n);

/* Collective. A fresh folder made by rank 0, its path on every rank (>= 64
 * bytes); rank 0 removes it with um_tmpdir_done. */
void um_tmpdir(char *buf, size_t len);
void um_tmpdir_done(const char *path);

/* Collective. Gathers every rank's len bytes to rank 0 in rank order; on
 * rank 0 returns a new buffer (free) and its length in *total, elsewhere
 * NULL. */
void *um_gather(const void *buf, size_t len, size_t *total);

/* Collective. 1 on every rank when cond is true on every rank. */
int um_all(int cond);

/* splitmix64's finalizer: a bijection of 64-bit words (independent of tk_hash). */
static inline uint64_t um_mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#endif
