/* tk_status.h -- status codes and the error record shared by every module.
 *
 * Exit codes follow sysexits(3): a program's exit status is the status of the
 * error that ended it, the same on every rank. */
#ifndef TK_STATUS_H
#define TK_STATUS_H

#include <stddef.h>

enum {
    TK_OK = 0,
    TK_EFAIL = 1,        /* generic failure */
    TK_EUSAGE = 64,      /* bad command line */
    TK_EDATA = 65,       /* bad input data */
    TK_ENOINPUT = 66,    /* an input is missing or unreadable */
    TK_ESOFTWARE = 70,   /* internal error (MPI, HDF5, out of memory) */
    TK_ECANTCREAT = 73,  /* an output cannot be created */
    TK_EIO = 74          /* an I/O error while reading or writing */
};

#define TK_ERR_MSG_MAX 512

/* The first error a rank meets: a status and a one-line message.
 * Functions that can fail take a tk_err* and return its status. */
typedef struct tk_err {
    int status;
    char msg[TK_ERR_MSG_MAX];
} tk_err;

/* Local. Clears the record. */
void tk_err_clear(tk_err *e);

/* Local. Records status and a printf-style message unless an error is already
 * recorded (the first error wins). Returns the recorded status. */
int tk_err_set(tk_err *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
