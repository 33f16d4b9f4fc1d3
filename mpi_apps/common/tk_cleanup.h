/* tk_cleanup.h -- temporary outputs removed when the job is stopped by a
 * signal (SIGTERM from mpirun or scancel, SIGINT from Ctrl-C, SIGHUP).
 *
 * A program registers each temporary file or folder it creates; when one of
 * those signals arrives, the handler removes every registered path (a
 * folder's entries first: the folders are flat) with async-signal-safe
 * calls only, then ends the process by the same signal with its default
 * action, so the exit status still says which signal ended it. Paths are
 * forgotten once published or removed by the program itself.
 *
 * This is the one module with process-wide state: a signal handler can reach
 * nothing else. The table is small and fixed; registering more than
 * TK_CLEANUP_MAX paths ignores the extra ones (they are still removed by the
 * program's own error paths). All functions are local. */
#ifndef TK_CLEANUP_H
#define TK_CLEANUP_H

#define TK_CLEANUP_MAX 8

/* Installs the handlers for SIGTERM, SIGINT and SIGHUP (once; later calls do
 * nothing). Call after MPI_Init, which may install its own. */
void tk_cleanup_init(void);

/* Registers path (copied) to be removed on a signal: a file, or a folder
 * whose entries are removed before it. Installs the handlers on first use. */
void tk_cleanup_add(const char *path);

/* Forgets path (after it was renamed into place or removed). */
void tk_cleanup_forget(const char *path);

/* Forgets every registered path (the job's outputs are published or gone). */
void tk_cleanup_forget_all(void);

#endif
