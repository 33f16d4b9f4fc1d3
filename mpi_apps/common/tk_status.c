/* tk_status.c -- the error record. */
#include "tk_status.h"

#include <stdarg.h>
#include <stdio.h>

void tk_err_clear(tk_err *e)
{
    e->status = TK_OK;
    e->msg[0] = '\0';
}

int tk_err_set(tk_err *e, int status, const char *fmt, ...)
{
    va_list ap;

    if (e->status != TK_OK)
        return e->status;
    e->status = status;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return status;
}
