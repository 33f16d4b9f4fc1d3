/* main.c -- gbtrain's entry point: MPI set-up around gbt_run. */
#include <mpi.h>
#include <stdio.h>

#include "gbtrain.h"

int main(int argc, char **argv)
{
    int rc;

    MPI_Init(&argc, &argv);
    rc = gbt_run(MPI_COMM_WORLD, argc, argv, stdout, stderr);
    MPI_Finalize();
    return rc;
}
