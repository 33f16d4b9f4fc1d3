/* um_util.c -- helpers of the collective unit tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_mpi.h"

void *um_alloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p) {
        fprintf(stderr, "unit-mpi: rank %d: out of memory (%zu bytes)\n", um_rank, n);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    return p;
}

void um_tmpdir(char *buf, size_t len)
{
    int ok = 1;

    memset(buf, 0, len);
    if (um_rank == 0 && unit_tmpdir(buf, len) != 0)
        ok = 0;
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!ok) {
        if (um_rank == 0)
            perror("unit-mpi: mkdtemp");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    MPI_Bcast(buf, (int)len, MPI_CHAR, 0, MPI_COMM_WORLD);
}

void um_tmpdir_done(const char *path)
{
    MPI_Barrier(MPI_COMM_WORLD);
    if (um_rank == 0)
        unit_rmtree(path);
}

void *um_gather(const void *buf, size_t len, size_t *total)
{
    int mine = (int)len, *counts = NULL, *displs = NULL, r;
    char *out = NULL;
    size_t sum = 0;

    if (um_rank == 0) {
        counts = um_alloc((size_t)um_size * sizeof(int));
        displs = um_alloc((size_t)um_size * sizeof(int));
    }
    MPI_Gather(&mine, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (um_rank == 0) {
        for (r = 0; r < um_size; r++) {
            displs[r] = (int)sum;
            sum += (size_t)counts[r];
        }
        out = um_alloc(sum);
    }
    MPI_Gatherv(buf, mine, MPI_BYTE, out, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);
    free(counts);
    free(displs);
    if (total)
        *total = sum;
    return out;
}

int um_all(int cond)
{
    int all = cond != 0;

    MPI_Allreduce(MPI_IN_PLACE, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    return all;
}
