/* genlogs_write.c -- the output folder and files: each file is created under a
 * temporary name beside its final one (tk_fs_tmp_sibling, removed on a signal
 * by tk_cleanup), written in big blocks, flushed to disk and renamed into place
 * when complete (a killed run never leaves a partial file under the final
 * name); and the log1.csv writer. */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L /* fsync, ssize_t */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "genlogs.h"
#include "genlogs_rng.h"
#include "tk_cleanup.h"
#include "tk_fs.h"

/* Local. Creates dir and its parents through tk_fs_mkparents (which makes the
 * folder holding a path, so it is given dir/log1.csv); created receives the
 * top-most folder made, for tk_fs_rmparents after a failure. */
int gl_outdir_make(const char *dir, char *created, size_t created_len, tk_err *e)
{
    char probe[TK_PATH_MAX];
    struct stat st;
    int n = snprintf(probe, sizeof(probe), "%s/log1.csv", dir);

    created[0] = '\0';
    if (dir[0] == '\0') /* not the root folder */
        return tk_err_set(e, TK_ECANTCREAT, "cannot create directory : %s", strerror(ENOENT));
    if (n < 0 || (size_t)n >= sizeof(probe))
        return tk_err_set(e, TK_ECANTCREAT, "cannot create directory %s: %s", dir,
                          strerror(ENAMETOOLONG));
    if (tk_fs_mkparents(probe, created, created_len) != 0) {
        int err = errno;
        if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
            return tk_err_set(e, TK_ECANTCREAT, "%s is not a directory", dir);
        return tk_err_set(e, TK_ECANTCREAT, "cannot create directory %s: %s", dir,
                          strerror(err));
    }
    return TK_OK;
}

/* Local. After a failed run: removes the folders gl_outdir_make created, as
 * long as they are empty. */
void gl_outdir_unmake(const char *dir, const char *created)
{
    char probe[TK_PATH_MAX];
    int n = snprintf(probe, sizeof(probe), "%s/log1.csv", dir);

    if (created[0] && n > 0 && (size_t)n < sizeof(probe))
        tk_fs_rmparents(probe, created);
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);

    if (s)
        snprintf(s, n, "%s/%s", dir, name);
    return s;
}

/* Opens a new temporary sibling of s->path (tk_fs_tmp_sibling's name, another
 * one when it exists) and registers it with tk_cleanup. */
static int sink_create(gl_sink *s, tk_err *e)
{
    int tries;

    for (tries = 0; tries < 8; tries++) {
        if (tk_fs_tmp_sibling(s->path, "tmp", s->tmp_path, TK_PATH_MAX, e) != TK_OK)
            return e->status;
        s->fd = open(s->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (s->fd >= 0) {
            tk_cleanup_add(s->tmp_path);
            return TK_OK;
        }
        if (errno != EEXIST)
            break;
    }
    tk_err_set(e, TK_ECANTCREAT, "cannot create %s: %s", s->tmp_path, strerror(errno));
    s->tmp_path[0] = '\0';
    return e->status;
}

/* Local. Opens a temporary sibling of DIR/NAME; the sink owns its paths,
 * buffer and codec. */
int gl_sink_open(gl_sink *s, const char *dir, const char *name, size_t cap, tk_comp comp,
                 tk_err *e)
{
    memset(s, 0, sizeof(*s));
    s->fd = -1;
    s->dir = dir;
    s->comp = comp;
    s->path = path_join(dir, name);
    s->tmp_path = calloc(1, TK_PATH_MAX);
    s->buf = malloc(cap);
    s->cap = cap;
    if (!s->path || !s->tmp_path || !s->buf) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
        goto fail;
    }
    if (sink_create(s, e) != TK_OK || gl_codec_open(s, e) != TK_OK)
        goto fail;
    return TK_OK;
fail:
    gl_sink_abort(s);
    return e->status;
}

/* Local. Writes the whole buffer (through the codec). */
int gl_sink_flush(gl_sink *s, tk_err *e)
{
    if (gl_codec_write(s, s->buf, s->len, e) != TK_OK)
        return e->status;
    s->bytes += s->len;
    s->len = 0;
    return TK_OK;
}

/* Local. Makes room for need bytes in the buffer. */
int gl_sink_reserve(gl_sink *s, size_t need, tk_err *e)
{
    if (s->cap - s->len >= need)
        return TK_OK;
    return gl_sink_flush(s, e);
}

/* Local. Flush, end the stream, fsync, close, rename into place, free the
 * sink. */
int gl_sink_commit(gl_sink *s, tk_err *e)
{
    struct stat st;
    int rc = gl_sink_flush(s, e);

    if (rc == TK_OK)
        rc = gl_codec_finish(s, e);
    if (rc == TK_OK && s->fd < 0 && tk_fs_fsync_path(s->tmp_path) != 0) /* bgzf closed it */
        rc = tk_err_set(e, TK_EIO, "writing %s: %s", s->tmp_path, strerror(errno));
    if (rc == TK_OK && s->fd >= 0 && fsync(s->fd) != 0)
        rc = tk_err_set(e, TK_EIO, "writing %s: %s", s->tmp_path, strerror(errno));
    if (rc == TK_OK && s->fd >= 0) {
        int fd = s->fd;
        s->fd = -1;
        if (close(fd) != 0)
            rc = tk_err_set(e, TK_EIO, "closing %s: %s", s->tmp_path, strerror(errno));
    }
    if (rc == TK_OK && stat(s->tmp_path, &st) != 0)
        rc = tk_err_set(e, TK_EIO, "writing %s: %s", s->tmp_path, strerror(errno));
    if (rc == TK_OK)
        s->disk_bytes = (uint64_t)st.st_size;
    if (rc == TK_OK && rename(s->tmp_path, s->path) != 0)
        rc = tk_err_set(e, TK_ECANTCREAT, "cannot rename %s to %s: %s", s->tmp_path,
                        s->path, strerror(errno));
    if (rc == TK_OK) {
        tk_cleanup_forget(s->tmp_path);
        s->tmp_path[0] = '\0'; /* nothing left to remove */
        (void)tk_fs_fsync_path(s->dir); /* the rename itself */
    }
    gl_sink_abort(s);
    return rc;
}

/* Local. Close, remove the temp file if any, free the sink. */
void gl_sink_abort(gl_sink *s)
{
    gl_codec_free(s);
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    if (s->tmp_path && s->tmp_path[0]) {
        unlink(s->tmp_path);
        tk_cleanup_forget(s->tmp_path);
    }
    free(s->tmp_path);
    free(s->path);
    free(s->buf);
    s->tmp_path = s->path = s->buf = NULL;
}

/* Local. Writes OUTDIR/log1.csv through a sink it owns. */
int gl_write_log1(gl_ctx *c)
{
    static const char header[] = "userId;region;type;paid";
    const gl_model *m = &c->model;
    uint64_t bad_t = gl_thresh32(c->opt.bad_rate), quote_t = gl_thresh32(c->opt.bad_rate / 2);
    gl_sink s;
    gl_rng r;
    uint32_t i;

    char name[32];

    gl_rng_seed(&r, (uint64_t)c->opt.seed ^ 0x1ULL, GL_STREAM_BAD);
    snprintf(name, sizeof(name), "log1%s", gl_comp_suffix(c->opt.comp));
    if (gl_sink_open(&s, c->opt.outdir, name, (size_t)1 << 20, c->opt.comp, &c->err) != TK_OK)
        return c->err.status;
    memcpy(s.buf, header, sizeof(header) - 1);
    memcpy(s.buf + sizeof(header) - 1, c->eol, c->eol_len);
    s.len = sizeof(header) - 1 + c->eol_len;
    for (i = 0; i < m->nusers; i++) {
        const gl_user *u = &m->users[i];
        char *p;

        if (gl_sink_reserve(&s, GL_ROW_MAX + GL_ID_DIGITS, &c->err) != TK_OK)
            goto fail;
        p = s.buf + s.len;
        if (bad_t > 0) {
            uint64_t b = gl_next(&r);
            if ((uint32_t)b < bad_t) {
                p = gl_row_user_bad(c, p, u, b >> 32);
                c->log1.bad++;
            } else if ((uint32_t)(b >> 32) < quote_t) {
                p = gl_row_user_quoted(c, p, u);
                c->log1.quoted++;
            } else {
                p = gl_row_user(c, p, u);
            }
        } else {
            p = gl_row_user(c, p, u);
        }
        s.len = (size_t)(p - s.buf);
        c->log1.rows++;
    }
    if (gl_sink_commit(&s, &c->err) != TK_OK)
        return c->err.status;
    c->log1.bytes = s.disk_bytes;
    c->log1.ubytes = s.bytes;
    c->log1.files = 1;
    return TK_OK;
fail:
    gl_sink_abort(&s);
    return c->err.status;
}
