/* tk_mpi.c -- MPI helpers. */
#include "tk_mpi.h"

#include <limits.h>
#include <sys/resource.h>

int tk_mpi_agree(MPI_Comm comm, tk_err *e)
{
    int rank, first;
    int mine;

    MPI_Comm_rank(comm, &rank);
    mine = e->status != TK_OK ? rank : INT_MAX;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
    if (first == INT_MAX)
        return TK_OK;
    MPI_Bcast(&e->status, 1, MPI_INT, first, comm);
    MPI_Bcast(e->msg, TK_ERR_MSG_MAX, MPI_CHAR, first, comm);
    e->msg[TK_ERR_MSG_MAX - 1] = '\0';
    return e->status;
}

void tk_mpi_exscan_u64(MPI_Comm comm, uint64_t mine, uint64_t *before, uint64_t *total)
{
    int rank;

    MPI_Comm_rank(comm, &rank);
    *before = 0;
    MPI_Exscan(&mine, before, 1, MPI_UINT64_T, MPI_SUM, comm);
    if (rank == 0)
        *before = 0; /* MPI leaves rank 0's result undefined */
    MPI_Allreduce(&mine, total, 1, MPI_UINT64_T, MPI_SUM, comm);
}

void tk_mpi_sum_u64(MPI_Comm comm, uint64_t *v, int n)
{
    MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_UINT64_T, MPI_SUM, comm);
}

double tk_mpi_max_double(MPI_Comm comm, double v)
{
    double r;

    MPI_Allreduce(&v, &r, 1, MPI_DOUBLE, MPI_MAX, comm);
    return r;
}

uint64_t tk_peak_rss(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (uint64_t)ru.ru_maxrss * 1024u;
}
