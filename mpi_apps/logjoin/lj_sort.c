/* lj_sort.c -- sorts feature rows by userId across ranks (sample sort):
 * local sort, regular samples gathered on every rank, P-1 splitters, one
 * all-to-all, and a local sort of what arrived. User ids are unique, so the
 * result does not depend on the number of ranks. */
#include <stdlib.h>
#include <string.h>

#include "logjoin.h"
#include "tk_mpi.h"

static int cmp_row(const void *a, const void *b)
{
    int64_t x = ((const lj_row *)a)->user, y = ((const lj_row *)b)->user;

    return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

int lj_sort_rows(MPI_Comm comm, lj_row **rows, size_t *nrows, tk_err *e)
{
    int rank, size, p, nsamp, total_samp = 0;
    int *counts = NULL, *displs = NULL, *scount = NULL, *sdispl = NULL, *rcount = NULL,
        *rdispl = NULL;
    int64_t *samples = NULL, *all = NULL, *split = NULL;
    lj_row *in = NULL;
    size_t n = *nrows, i, total_in = 0;
    MPI_Datatype row_type;

    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    qsort(*rows, n, sizeof(lj_row), cmp_row);
    if (size == 1)
        return TK_OK;
    /* P-1 regular samples per rank (fewer when it has fewer rows) */
    nsamp = (int)(n < (size_t)(size - 1) ? n : (size_t)(size - 1));
    counts = calloc((size_t)size * 6, sizeof(int));
    samples = malloc(((size_t)nsamp + 1) * sizeof(*samples));
    split = malloc((size_t)size * sizeof(*split));
    if (tk_mpi_any(comm, !counts || !samples || !split))
        goto nomem;
    displs = counts + size;
    scount = displs + size;
    sdispl = scount + size;
    rcount = sdispl + size;
    rdispl = rcount + size;
    for (p = 0; p < nsamp; p++)
        samples[p] = (*rows)[(size_t)(p + 1) * n / (size_t)(nsamp + 1)].user;
    MPI_Allgather(&nsamp, 1, MPI_INT, counts, 1, MPI_INT, comm);
    for (p = 0; p < size; p++) {
        displs[p] = total_samp;
        total_samp += counts[p];
    }
    all = malloc(((size_t)total_samp + 1) * sizeof(*all));
    if (tk_mpi_any(comm, all == NULL))
        goto nomem;
    MPI_Allgatherv(samples, nsamp, MPI_INT64_T, all, counts, displs, MPI_INT64_T, comm);
    qsort(all, (size_t)total_samp, sizeof(*all), cmp_i64);
    /* splitter p-1 bounds rank p: rows with user < split[p-1] go below */
    for (p = 1; p < size; p++)
        split[p - 1] = total_samp ? all[(size_t)p * (size_t)total_samp / (size_t)size]
                                  : INT64_MAX;
    /* rows are sorted: each destination takes one contiguous run */
    i = 0;
    for (p = 0; p < size; p++) {
        size_t first = i;
        while (i < n && (p == size - 1 || (*rows)[i].user < split[p]))
            i++;
        scount[p] = (int)(i - first);
        sdispl[p] = (int)first;
    }
    MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, comm);
    for (p = 0; p < size; p++) {
        rdispl[p] = (int)total_in;
        total_in += (size_t)rcount[p];
    }
    in = malloc((total_in + 1) * sizeof(*in));
    if (tk_mpi_any(comm, in == NULL))
        goto nomem;
    MPI_Type_contiguous((int)sizeof(lj_row), MPI_BYTE, &row_type);
    MPI_Type_commit(&row_type);
    MPI_Alltoallv(*rows, scount, sdispl, row_type, in, rcount, rdispl, row_type, comm);
    MPI_Type_free(&row_type);
    qsort(in, total_in, sizeof(*in), cmp_row);
    free(*rows);
    *rows = in;
    *nrows = total_in;
    in = NULL;
    goto out;
nomem:
    tk_err_set(e, TK_ESOFTWARE, "out of memory sorting rows");
out:
    free(in);
    free(all);
    free(split);
    free(samples);
    free(counts);
    return e->status;
}
