/* lj_bad.c -- bad-row samples: each rank keeps the first LJ_BAD_SHOWN of
 * each log by position, rank 0 merges them and reports them with the path
 * of the file each is in and its true line number there. */
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

/* Rank 0: logs log f's merged samples (all[r]: rank r's), each as the
 * path and line of the file it is in. */
static void report_file(const lj_file *lf, int f, int size, const lj_badlist *all,
                        lj_bad *merged, uint64_t nbad, tk_log *log)
{
    uint64_t *base = malloc((lf->nunits + 1) * sizeof(*base)), before = 0;
    size_t n = 0, i, shown;
    int r;

    if (!base)
        return;
    for (i = 0; i < lf->nunits; i++) { /* lines of the same file's units before unit i */
        if (i == 0 || lf->units[i].src != lf->units[i - 1].src)
            before = 0;
        base[i] = before;
        before += lf->unit_lines[i];
    }
    for (r = 0; r < size; r++)
        for (i = 0; i < (size_t)all[r].n[f]; i++)
            merged[n++] = all[r].items[f][i];
    qsort(merged, n, sizeof(*merged), cmp_bad);
    shown = n < LJ_BAD_SHOWN ? n : LJ_BAD_SHOWN;
    for (i = 0; i < shown; i++) {
        uint64_t k = merged[i].key;
        size_t u = LJ_KEY_UNIT(k);
        tk_log_info(log, "%s:%llu: %s", lf->src[lf->units[u].src].in.path,
                    (unsigned long long)(base[u] + LJ_KEY_LINE(k) + 1), merged[i].reason);
    }
    if (nbad > shown)
        tk_log_info(log, "%s: %llu more bad rows not shown", lf->path,
                    (unsigned long long)(nbad - shown));
    free(base);
}

void lj_bad_report(MPI_Comm comm, const lj_badlist *b, const lj_file *files,
                   const uint64_t nbad[2], tk_log *log)
{
    lj_badlist *all = NULL;
    lj_bad *merged = NULL;
    int rank, size, f, fail = 0;

    if (nbad[0] + nbad[1] == 0)
        return; /* every rank knows the totals: nothing to report */
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (rank == 0) {
        all = malloc(sizeof(*all) * (size_t)size);
        merged = malloc(sizeof(*merged) * LJ_BAD_SHOWN * (size_t)size);
        fail = !all || !merged;
    }
    if (tk_mpi_any(comm, fail)) {
        tk_log_warn(log, "out of memory listing bad rows");
        goto out;
    }
    MPI_Gather((void *)b, (int)sizeof(*b), MPI_BYTE, all, (int)sizeof(*b), MPI_BYTE, 0, comm);
    if (rank == 0)
        for (f = 0; f < 2; f++)
            report_file(&files[f], f, size, all, merged, nbad[f], log);
out:
    free(all);
    free(merged);
}
