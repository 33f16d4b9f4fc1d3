/* tk_fs.h -- outputs that appear atomically: temporary siblings, publishing
 * by rename, removal of trees. All functions are local. */
#ifndef TK_FS_H
#define TK_FS_H

#include <stddef.h>

#include "tk_status.h"

/* Room for any path the programs build (PATH_MAX on Linux). */
#define TK_PATH_MAX 4096

/* Longest part of the final name kept in a temporary name. */
#define TK_FS_TMP_BASE_MAX 64

/* Writes into buf the path of a hidden temporary sibling of final:
 * "DIR/.BASE.TAG.PID.RANDOM" (RANDOM: 8 hex digits, new at every call), BASE
 * cut to TK_FS_TMP_BASE_MAX bytes. Returns TK_OK or TK_EUSAGE when
 * it does not fit in len. */
int tk_fs_tmp_sibling(const char *final, const char *tag, char *buf, size_t len, tk_err *e);

/* Creates a new hidden temporary folder beside final (tk_fs_tmp_sibling's
 * name, another one when it exists) into buf, and registers it with
 * tk_cleanup for removal on a signal. Returns TK_OK, TK_EUSAGE (too long) or
 * TK_ECANTCREAT naming the folder. */
int tk_fs_mktmpdir(const char *final, const char *tag, char *buf, size_t len, tk_err *e);

/* Whether path exists (any type). */
int tk_fs_exists(const char *path);

/* Whether a and b name the same existing file (same device and inode,
 * symbolic links followed). 0 when either does not exist. */
int tk_fs_same_file(const char *a, const char *b);

/* Writes into buf (len bytes) the absolute, symlink-free form of path, which
 * need not exist: its longest existing ancestor is resolved with realpath and
 * the rest appended ("." and ".." folded). Returns 0, or -1 (errno). */
int tk_fs_abspath(const char *path, char *buf, size_t len);

/* Whether the paths a and b overlap: the same file or folder, or one inside
 * the other (after tk_fs_abspath), or the same file by inode. 0 when they do
 * not or cannot be resolved. */
int tk_fs_overlap(const char *a, const char *b);

/* When a write of path failed and its file system is full (under 1 MiB or
 * no inodes left, from statvfs: MPI-IO and HDF5 do not pass errno on),
 * replaces the message in e by "cannot write PATH: no space left on device". */
void tk_fs_explain_write(tk_err *e, const char *path);

/* Creates the folder that will hold path (its parent) and any missing
 * ancestors, like mkdir -p. When created is not NULL it receives the
 * top-most folder this call created ("" when none), for tk_fs_rmparents.
 * Returns 0 or -1 (errno). */
int tk_fs_mkparents(const char *path, char *created, size_t created_len);

/* Undoes tk_fs_mkparents after a failed run: removes path's ancestors up to
 * and including created, as long as they are empty. */
void tk_fs_rmparents(const char *path, const char *created);

/* Removes path and, for a folder, everything under it. Returns 0 or -1. */
int tk_fs_rmtree(const char *path);

/* Flushes a file or folder to stable storage. Returns 0 or -1 (errno). */
int tk_fs_fsync_path(const char *path);

/* Moves tmp to final in one rename. When final exists and replace is set,
 * the two are exchanged atomically (renameat2 RENAME_EXCHANGE) and the old
 * one is removed; when replace is not set an existing final is an error.
 * Returns TK_OK or TK_ECANTCREAT with a message. */
int tk_fs_publish(const char *tmp, const char *final, int replace, tk_err *e);

/* Writes data to path atomically: a temporary sibling (registered with
 * tk_cleanup while it exists), fsync, rename.
 * Returns TK_OK or TK_ECANTCREAT/TK_EIO with a message. */
int tk_fs_write_atomic(const char *path, const void *data, size_t len, tk_err *e);

#endif
