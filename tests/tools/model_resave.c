/* model_resave.c -- a test helper, not a program of the toolkit: loads an
 * XGBoost 1.7 JSON model with tk_model_load and writes it again with
 * tk_model_save, so that the integration tests can hand the library's own
 * bytes to python3-xgboost (tests/integration/test_gbpredict_cat.sh).
 *
 *   model_resave IN OUT
 *
 * Exit 0, or the TK_* status (sysexits) with one line on stderr. No MPI. */
#include <stdio.h>

#include "tk_model.h"

int main(int argc, char **argv)
{
    tk_model m;
    tk_err e;

    if (argc != 3) {
        fprintf(stderr, "usage: model_resave IN OUT\n");
        return TK_EUSAGE;
    }
    tk_err_clear(&e);
    if (tk_model_load(&m, argv[1], &e) == TK_OK) {
        tk_model_save(&m, argv[2], &e);
        tk_model_free(&m);
    }
    if (e.status != TK_OK)
        fprintf(stderr, "model_resave: error: %s\n", e.msg);
    return e.status;
}
