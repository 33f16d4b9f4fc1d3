/* lj_bad.c -- bad-row samples: each rank keeps the first LJ_BAD_SHOWN of
 * each file by position, rank 0 merges them and reports them with true line
 * numbers. */
#include <stdlib.h>
#include <string.h>

#include "logjoin.h"
#include "tk_mpi.h"

void lj_bad_add(lj_badlist *b, int file, uint64_t key, const char *reason)
{
    lj_bad *items = b->items[file];
    int n = b->n[file], i;

    if (n == LJ_BAD_SHOWN && key >= items[n - 1].key)
        return;
    /* insertion into the sorted list, dropping the largest when full */
    i = n < LJ_BAD_SHOWN ? n : LJ_BAD_SHOWN - 1;
    while (i > 0 && items[i - 1].key > key) {
        items[i] = items[i - 1];
        i--;
    }
    items[i].key = key;
    items[i].file = file;
    /* reasons show values escaped (lj_parse): no control bytes reach the terminal */
    snprintf(items[i].reason, sizeof(items[i].reason), "%s", reason);
    if (n < LJ_BAD_SHOWN)
        b->n[file] = n + 1;
}

static int cmp_bad(const void *a, const void *b)
{
    uint64_t x = ((const lj_bad *)a)->key, y = ((const lj_bad *)b)->key;

    return (x > y) - (x < y);
}

/* Rank 0: logs file f's merged samples. lines[2 * r + f] are rank r's lines. */
static void report_file(int f, int size, const uint64_t *lines, const lj_badlist *all,
                        lj_bad *merged, const char *path, uint64_t nbad, tk_log *log)
{
    uint64_t before = 1, *base = malloc(sizeof(*base) * (size_t)size);
    size_t n = 0, i, shown;
    int r;

    if (!base)
        return;
    for (r = 0; r < size; r++) {
        base[r] = before; /* lines before rank r's range, the header included */
        before += lines[2 * r + f];
        for (i = 0; i < (size_t)all[r].n[f]; i++)
            merged[n++] = all[r].items[f][i];
    }
    qsort(merged, n, sizeof(*merged), cmp_bad);
    shown = n < LJ_BAD_SHOWN ? n : LJ_BAD_SHOWN;
    for (i = 0; i < shown; i++) {
        uint64_t k = merged[i].key;
        tk_log_info(log, "%s:%llu: %s", path,
                    (unsigned long long)(base[LJ_KEY_RANK(k)] + LJ_KEY_LINE(k) + 1),
                    merged[i].reason);
    }
    if (nbad > shown)
        tk_log_info(log, "%s: %llu more bad rows not shown", path,
                    (unsigned long long)(nbad - shown));
    free(base);
}

void lj_bad_report(MPI_Comm comm, const lj_badlist *b, const uint64_t lines[2],
                   const char *const paths[2], const uint64_t nbad[2], tk_log *log)
{
    uint64_t mine[2] = { lines[0], lines[1] }, *all_lines = NULL;
    lj_badlist *all = NULL;
    lj_bad *merged = NULL;
    int rank, size, f, fail = 0;

    if (nbad[0] + nbad[1] == 0)
        return; /* every rank knows the totals: nothing to report */
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (rank == 0) {
        all_lines = malloc(2 * sizeof(*all_lines) * (size_t)size);
        all = malloc(sizeof(*all) * (size_t)size);
        merged = malloc(sizeof(*merged) * LJ_BAD_SHOWN * (size_t)size);
        fail = !all_lines || !all || !merged;
    }
    if (tk_mpi_any(comm, fail)) {
        tk_log_warn(log, "out of memory listing bad rows");
        goto out;
    }
    MPI_Gather(mine, 2, MPI_UINT64_T, all_lines, 2, MPI_UINT64_T, 0, comm);
    MPI_Gather((void *)b, (int)sizeof(*b), MPI_BYTE, all, (int)sizeof(*b), MPI_BYTE, 0, comm);
    if (rank == 0)
        for (f = 0; f < 2; f++)
            report_file(f, size, all_lines, all, merged, paths[f], nbad[f], log);
out:
    free(all_lines);
    free(all);
    free(merged);
}
