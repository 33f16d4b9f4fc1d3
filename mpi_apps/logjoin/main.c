/* main.c -- logjoin's entry point: MPI set-up around lj_run. */
#include <mpi.h>
#include <stdio.h>

#include "logjoin.h"

int main(int argc, char **argv)
{
    int rc;

    MPI_Init(&argc, &argv);
    rc = lj_run(MPI_COMM_WORLD, argc, argv, stdout, stderr);
    MPI_Finalize();
    return rc;
}
