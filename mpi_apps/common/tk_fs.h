/* tk_fs.h -- outputs that appear atomically: temporary siblings, publishing
 * by rename, removal of trees. All functions are local. */
#ifndef TK_FS_H
#define TK_FS_H

#include <stddef.h>

#include "tk_status.h"

/* Writes into buf the path of a hidden temporary sibling of final:
 * "DIR/.BASE.TAG.PID". Returns TK_OK or TK_EUSAGE when it does not fit. */
int tk_fs_tmp_sibling(const char *final, const char *tag, char *buf, size_t len, tk_err *e);

/* Whether path exists (any type). */
int tk_fs_exists(const char *path);

/* Creates the folder that will hold path (its parent) and any missing
 * ancestors, like mkdir -p. Returns 0 or -1 (errno). */
int tk_fs_mkparents(const char *path);

/* Removes path and, for a folder, everything under it. Returns 0 or -1. */
int tk_fs_rmtree(const char *path);

/* Flushes a file or folder to stable storage. Returns 0 or -1 (errno). */
int tk_fs_fsync_path(const char *path);

/* Moves tmp to final in one rename. When final exists and replace is set,
 * the two are exchanged atomically (renameat2 RENAME_EXCHANGE) and the old
 * one is removed; when replace is not set an existing final is an error.
 * Returns TK_OK or TK_ECANTCREAT with a message. */
int tk_fs_publish(const char *tmp, const char *final, int replace, tk_err *e);

/* Writes data to path atomically: a temporary sibling, fsync, rename.
 * Returns TK_OK or TK_ECANTCREAT/TK_EIO with a message. */
int tk_fs_write_atomic(const char *path, const void *data, size_t len, tk_err *e);

#endif
