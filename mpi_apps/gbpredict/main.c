/* main.c -- gbpredict's entry point: MPI set-up around gbp_run. */
#include <mpi.h>
#include <stdio.h>

#include "gbpredict.h"

int main(int argc, char **argv)
{
    int rc;

    MPI_Init(&argc, &argv);
    rc = gbp_run(MPI_COMM_WORLD, argc, argv, stdout, stderr);
    MPI_Finalize();
    return rc;
}
