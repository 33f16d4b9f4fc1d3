/* tk_mpi.c -- MPI helpers. */
#include "tk_mpi.h"

#include "tk_fs.h"

#include <limits.h>
#include <stddef.h>
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

int tk_mpi_any(MPI_Comm comm, int flag)
{
    int mine = flag != 0, any = 0;

    MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, comm);
    return any;
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

static int mpi_fail(tk_err *e, int status, const char *what, const char *path, int mpirc)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;

    MPI_Error_string(mpirc, msg, &len);
    msg[len] = '\0';
    return tk_err_set(e, status, "%s %s: %s", what, path, msg);
}

int tk_mpi_write_ordered(MPI_Comm comm, const char *path, const void *buf, size_t len,
                         tk_err *e)
{
    const size_t chunk = (size_t)1 << 30;
    uint64_t offset, total, chunks, max_chunks, k;
    MPI_File fh;
    int rc;

    if (tk_mpi_agree(comm, e) != TK_OK)
        return e->status;
    tk_mpi_exscan_u64(comm, len, &offset, &total);
    rc = MPI_File_open(comm, path, MPI_MODE_WRONLY | MPI_MODE_CREATE | MPI_MODE_EXCL,
                       MPI_INFO_NULL, &fh);
    if (rc != MPI_SUCCESS)
        mpi_fail(e, TK_ECANTCREAT, "cannot create", path, rc);
    if (tk_mpi_agree(comm, e) != TK_OK)
        return e->status;
    chunks = (len + chunk - 1) / chunk;
    MPI_Allreduce(&chunks, &max_chunks, 1, MPI_UINT64_T, MPI_MAX, comm);
    for (k = 0; k < max_chunks; k++) {
        size_t at = k * chunk < len ? k * chunk : len;
        size_t n = len - at < chunk ? len - at : chunk;
        MPI_Status st;
        int written = 0;
        /* collective: every rank calls as often, with 0 bytes when done */
        rc = MPI_File_write_at_all(fh, (MPI_Offset)(offset + at), (const char *)buf + at,
                                   (int)n, MPI_BYTE, &st);
        if (rc != MPI_SUCCESS)
            mpi_fail(e, TK_EIO, "cannot write", path, rc);
        else if (MPI_Get_count(&st, MPI_BYTE, &written) != MPI_SUCCESS ||
                 (size_t)written != n)
            tk_err_set(e, TK_EIO, "cannot write %s: short write", path);
    }
    rc = MPI_File_sync(fh);
    if (rc != MPI_SUCCESS)
        mpi_fail(e, TK_EIO, "cannot write", path, rc);
    rc = MPI_File_close(&fh);
    if (rc != MPI_SUCCESS)
        mpi_fail(e, TK_EIO, "cannot close", path, rc);
    tk_fs_explain_write(e, path);
    return tk_mpi_agree(comm, e);
}

uint64_t tk_peak_rss(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (uint64_t)ru.ru_maxrss * 1024u;
}
