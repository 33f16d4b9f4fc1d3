/* mpi_main.c -- runs the collective unit tests on every rank (CUnit).
 *
 * Rank 0 prints each test's result; a rank whose assertions failed prints
 * them to stderr with its rank. After each test the ranks reduce their
 * results, so a test failed on any rank counts once as failed. Rank 0 ends
 * with "unit-mpi: N passed, N failed" (tests/run.sh parses it); every rank
 * exits 1 when a test failed. There is no fork here (MPI is initialised and
 * the ranks depend on each other): tests/run.sh bounds the whole run with
 * timeout 120 instead. */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>

#include "tk_h5.h"
#include "unit_mpi.h"

int um_rank, um_size;
static unsigned n_passed, n_failed;

static void on_start(const CU_pTest test, const CU_pSuite suite)
{
    (void)suite;
    if (um_rank == 0) {
        printf("  Test: %s ...", test->pName);
        fflush(stdout);
    }
}

static void on_complete(const CU_pTest test, const CU_pSuite suite,
                        const CU_pFailureRecord failure)
{
    const CU_FailureRecord *f;
    int mine = failure != NULL, *all = um_alloc((size_t)um_size * sizeof(int)), r;

    (void)suite;
    for (f = failure; f && f->pTest == test; f = f->pNext)
        fprintf(stderr, "    rank %d: %s:%u: %s\n", um_rank,
                f->strFileName ? f->strFileName : "?", f->uiLineNumber,
                f->strCondition ? f->strCondition : "");
    fflush(stderr);
    MPI_Allgather(&mine, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
    mine = 0;
    for (r = 0; r < um_size; r++)
        mine |= all[r];
    if (mine)
        n_failed++;
    else
        n_passed++;
    if (um_rank == 0) {
        if (mine) {
            printf("FAILED on rank");
            for (r = 0; r < um_size; r++)
                if (all[r])
                    printf(" %d", r);
            printf("\n");
        } else
            printf("passed\n");
        fflush(stdout);
    }
    free(all);
}

static void on_suite_start(const CU_pSuite suite)
{
    if (um_rank == 0)
        printf("Suite: %s\n", suite->pName);
}

int main(int argc, char **argv)
{
    int (*const suites[])(void) = { unit_mpi_register_collectives, unit_mpi_register_sort,
                                    unit_mpi_register_h5, unit_mpi_register_gbtrain };
    int setup_error = 0, any;
    size_t i;

    setenv("HDF5_USE_FILE_LOCKING", "FALSE", 0);
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &um_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &um_size);
    tk_h5_quiet();
    if (um_rank == 0 && um_size < 3)
        printf("unit-mpi: note: %d rank(s); run with -np 3 or more for uneven and empty ranks\n",
               um_size);
    if (CU_initialize_registry() != CUE_SUCCESS) {
        setup_error = 1;
    } else {
        for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
            if (suites[i]() != CUE_SUCCESS)
                setup_error = 1;
    }
    MPI_Allreduce(MPI_IN_PLACE, &setup_error, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (setup_error) {
        if (um_rank == 0)
            fprintf(stderr, "unit-mpi: cannot build the CUnit registry: %s\n",
                    CU_get_error_msg());
        CU_cleanup_registry();
        MPI_Finalize();
        return 2;
    }
    CU_set_suite_start_handler(on_suite_start);
    CU_set_test_start_handler(on_start);
    CU_set_test_complete_handler(on_complete);
    if (CU_run_all_tests() != CUE_SUCCESS)
        setup_error = 1;
    CU_cleanup_registry();
    MPI_Allreduce(MPI_IN_PLACE, &setup_error, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (um_rank == 0) {
        printf("unit-mpi: %u passed, %u failed\n", n_passed, n_failed + (unsigned)setup_error);
        fflush(stdout);
    }
    any = n_failed || setup_error;
    MPI_Finalize();
    return any ? 1 : 0;
}
