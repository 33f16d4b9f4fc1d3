/* test_main.c -- runs every unit-test suite in CUnit's basic mode.
 *
 * Prints "unit: N passed, N failed" (tests) and exits non-zero when a test
 * failed or the registry could not be built. Run with mpirun -np 1. */
#include <stdio.h>

#include <CUnit/Basic.h>
#include <mpi.h>

#include "unit.h"

int main(int argc, char **argv)
{
    int (*const suites[])(void) = { unit_register_parse, unit_register_csv,
                                    unit_register_hash,  unit_register_keycount,
                                    unit_register_agg,   unit_register_opt,
                                    unit_register_fs,    unit_register_table,
                                    unit_register_gbtrain, unit_register_model };
    unsigned run = 0, failed = 0, suites_failed = 0;
    int setup_error = 0;
    size_t i;

    MPI_Init(&argc, &argv);
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "unit: cannot initialise CUnit: %s\n", CU_get_error_msg());
        MPI_Finalize();
        return 2;
    }
    for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
        if (suites[i]() != CUE_SUCCESS) {
            fprintf(stderr, "unit: cannot register a suite: %s\n", CU_get_error_msg());
            setup_error = 1;
        }
    if (!setup_error) {
        CU_basic_set_mode(CU_BRM_VERBOSE);
        if (CU_basic_run_tests() != CUE_SUCCESS)
            setup_error = 1;
        run = CU_get_number_of_tests_run();
        failed = CU_get_number_of_tests_failed();
        suites_failed = CU_get_number_of_suites_failed();
    }
    CU_cleanup_registry();
    printf("unit: %u passed, %u failed\n", run - failed, failed);
    fflush(stdout);
    MPI_Finalize();
    return (failed || suites_failed || setup_error) ? 1 : 0;
}
