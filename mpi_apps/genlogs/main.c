/* main.c -- genlogs' entry point (genlogs_run; genlogs uses no MPI). */
#include <stdio.h>

#include "genlogs.h"

int main(int argc, char **argv)
{
    return genlogs_run(argc, argv, stdout, stderr);
}
