/* tk_fs.c -- atomic outputs. */
#include "tk_fs.h"

#include "tk_cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* 32 random bits for temporary names (getrandom, else time and pid). */
static unsigned tmp_random(void)
{
    unsigned r;
    struct timespec ts;

    if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
        return r;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (unsigned)ts.tv_nsec ^ ((unsigned)getpid() << 16) ^ (unsigned)ts.tv_sec;
}

int tk_fs_tmp_sibling(const char *final, const char *tag, char *buf, size_t len, tk_err *e)
{
    char copy1[TK_PATH_MAX], copy2[TK_PATH_MAX], suffix[64];
    const char *dir, *base;
    size_t room;
    int n;

    if (strlen(final) >= sizeof(copy1))
        return tk_err_set(e, TK_EUSAGE, "path too long: %s", final);
    strcpy(copy1, final);
    strcpy(copy2, final);
    /* "out/" names the folder out */
    while (strlen(copy1) > 1 && copy1[strlen(copy1) - 1] == '/') {
        copy1[strlen(copy1) - 1] = '\0';
        copy2[strlen(copy2) - 1] = '\0';
    }
    dir = dirname(copy1);
    base = basename(copy2);
    n = snprintf(suffix, sizeof(suffix), ".%s.%ld.%08x", tag, (long)getpid(), tmp_random());
    if (n < 0 || (size_t)n >= sizeof(suffix))
        return tk_err_set(e, TK_EUSAGE, "temporary name tag too long: %s", tag);
    /* a long base is shortened: the name keeps within NAME_MAX, and Open MPI's
     * MPI_File_open overflows a buffer (abort) on names of about 200 bytes */
    room = TK_FS_TMP_BASE_MAX;
    n = snprintf(buf, len, "%s/.%.*s%s", dir, (int)room, base, suffix);
    if (n < 0 || (size_t)n >= len)
        return tk_err_set(e, TK_EUSAGE, "path too long: %s", final);
    return TK_OK;
}

int tk_fs_mktmpdir(const char *final, const char *tag, char *buf, size_t len, tk_err *e)
{
    int tries;

    for (tries = 0; tries < 8; tries++) {
        if (tk_fs_tmp_sibling(final, tag, buf, len, e) != TK_OK)
            return e->status;
        if (mkdir(buf, 0755) == 0) {
            tk_cleanup_add(buf);
            return TK_OK;
        }
        if (errno != EEXIST)
            break;
    }
    tk_err_set(e, TK_ECANTCREAT, "cannot create %s: %s", buf, strerror(errno));
    buf[0] = '\0';
    return e->status;
}

int tk_fs_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

int tk_fs_same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Appends component comp (len n) to the absolute path buf of length *used,
 * folding "." and "..". Returns 0 or -1 (ENAMETOOLONG). */
static int abspath_push(char *buf, size_t cap, size_t *used, const char *comp, size_t n)
{
    if (n == 0 || (n == 1 && comp[0] == '.'))
        return 0;
    if (n == 2 && comp[0] == '.' && comp[1] == '.') {
        while (*used > 1 && buf[*used - 1] != '/')
            (*used)--;
        if (*used > 1)
            (*used)--;
        buf[*used] = '\0';
        return 0;
    }
    if (*used + 1 + n + 1 > cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (*used > 1)
        buf[(*used)++] = '/';
    memcpy(buf + *used, comp, n);
    *used += n;
    buf[*used] = '\0';
    return 0;
}

int tk_fs_abspath(const char *path, char *buf, size_t len)
{
    char head[TK_PATH_MAX], *real;
    size_t n = strlen(path), cut, used;
    const char *p;

    if (n == 0 || n >= sizeof(head)) {
        errno = n ? ENAMETOOLONG : ENOENT;
        return -1;
    }
    memcpy(head, path, n + 1);
    /* the longest existing ancestor: drop trailing components until realpath works */
    cut = n;
    for (;;) {
        real = realpath(cut ? head : ".", NULL);
        if (real || (errno != ENOENT && errno != ENOTDIR))
            break;
        while (cut > 0 && head[cut - 1] == '/')
            cut--;
        while (cut > 0 && head[cut - 1] != '/')
            cut--;
        while (cut > 1 && head[cut - 1] == '/')
            cut--;
        head[cut] = '\0';
    }
    if (!real)
        return -1;
    used = strlen(real);
    if (used + 1 > len) {
        free(real);
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, real, used + 1);
    free(real);
    for (p = path + cut; *p;) {
        size_t k = strcspn(p, "/");
        if (abspath_push(buf, len, &used, p, k) != 0)
            return -1;
        p += k;
        p += strspn(p, "/");
    }
    return 0;
}

/* Whether abs path a is b or inside it. */
static int path_within(const char *a, const char *b)
{
    size_t nb = strlen(b);

    if (strcmp(b, "/") == 0)
        return 1;
    return strncmp(a, b, nb) == 0 && (a[nb] == '\0' || a[nb] == '/');
}

int tk_fs_overlap(const char *a, const char *b)
{
    char ra[TK_PATH_MAX], rb[TK_PATH_MAX];

    if (tk_fs_same_file(a, b))
        return 1;
    if (tk_fs_abspath(a, ra, sizeof(ra)) != 0 || tk_fs_abspath(b, rb, sizeof(rb)) != 0)
        return 0;
    return path_within(ra, rb) || path_within(rb, ra);
}

/* Whether the file system holding path (or its folder, when path does not
 * exist) has (almost) no space left: under 1 MiB or no free inodes. */
static int fs_nospace(const char *path)
{
    char copy[TK_PATH_MAX];
    struct statvfs v;

    if (statvfs(path, &v) != 0) {
        if (strlen(path) >= sizeof(copy))
            return 0;
        strcpy(copy, path);
        if (statvfs(dirname(copy), &v) != 0)
            return 0;
    }
    return (uint64_t)v.f_bavail * v.f_frsize < ((uint64_t)1 << 20) ||
           (v.f_files > 0 && v.f_favail == 0);
}

void tk_fs_explain_write(tk_err *e, const char *path)
{
    if (e->status != TK_OK && fs_nospace(path)) {
        e->status = TK_EIO;
        snprintf(e->msg, sizeof(e->msg), "cannot write %s: no space left on device", path);
    }
}

int tk_fs_mkparents(const char *path, char *created, size_t created_len)
{
    char buf[TK_PATH_MAX];
    size_t i, n = strlen(path);

    if (created && created_len)
        created[0] = '\0';
    if (n >= sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    while (n > 1 && buf[n - 1] == '/') /* "out/" names out */
        buf[--n] = '\0';
    while (n > 0 && buf[n - 1] != '/') /* drop the last component */
        n--;
    buf[n] = '\0';
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) == 0) {
                if (created && created_len && !created[0])
                    snprintf(created, created_len, "%s", buf); /* the top-most one */
            } else {
                struct stat st;
                if (errno != EEXIST)
                    return -1;
                if (stat(buf, &st) != 0)
                    return -1;
                if (!S_ISDIR(st.st_mode)) {
                    errno = ENOTDIR;
                    return -1;
                }
            }
            buf[i] = c;
        }
    }
    return 0;
}

void tk_fs_rmparents(const char *path, const char *created)
{
    char buf[TK_PATH_MAX];
    size_t n = strlen(path), top = strlen(created);

    if (top == 0 || n >= sizeof(buf) || strncmp(path, created, top) != 0)
        return;
    memcpy(buf, path, n + 1);
    for (;;) {
        while (n > 1 && buf[n - 1] == '/')
            buf[--n] = '\0';
        while (n > 0 && buf[n - 1] != '/') /* up one component */
            n--;
        while (n > 1 && buf[n - 1] == '/')
            n--;
        buf[n] = '\0';
        if (n < top || rmdir(buf) != 0) /* only empty folders, up to created */
            return;
        if (n == top)
            return;
    }
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : -1;
}

int tk_fs_rmtree(const char *path)
{
    if (!tk_fs_exists(path))
        return 0;
    return nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

int tk_fs_fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    if (rc != 0 && (errno == EINVAL || errno == EROFS))
        rc = 0; /* some file systems cannot sync folders */
    close(fd);
    return rc;
}

static void fsync_parent(const char *path)
{
    char copy[TK_PATH_MAX];

    if (strlen(path) >= sizeof(copy))
        return;
    strcpy(copy, path);
    (void)tk_fs_fsync_path(dirname(copy));
}

int tk_fs_publish(const char *tmp, const char *final, int replace, tk_err *e)
{
    if (tk_fs_exists(final)) {
        if (!replace)
            return tk_err_set(e, TK_ECANTCREAT, "%s already exists (use --overwrite)", final);
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) != 0)
            return tk_err_set(e, TK_ECANTCREAT, "cannot replace %s: %s", final,
                              strerror(errno));
        /* tmp now names the previous result */
        if (tk_fs_rmtree(tmp) != 0)
            return tk_err_set(e, TK_ECANTCREAT, "replaced %s but cannot remove its old copy %s: %s",
                              final, tmp, strerror(errno));
    } else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) != 0) {
        return tk_err_set(e, TK_ECANTCREAT, "cannot create %s: %s", final, strerror(errno));
    }
    fsync_parent(final);
    return TK_OK;
}

int tk_fs_write_atomic(const char *path, const void *data, size_t len, tk_err *e)
{
    char tmp[TK_PATH_MAX + 64];
    const char *p = data;
    int fd, rc, tries;

    for (tries = 0;; tries++) {
        if ((rc = tk_fs_tmp_sibling(path, "tmp", tmp, sizeof(tmp), e)) != TK_OK)
            return rc;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST || tries == 7)
            break;
    }
    if (fd < 0)
        return tk_err_set(e, TK_ECANTCREAT, "cannot create %s: %s", path, strerror(errno));
    tk_cleanup_add(tmp);
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            tk_err_set(e, TK_EIO, "cannot write %s: %s", path, strerror(errno));
            goto fail;
        }
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) != 0) {
        tk_err_set(e, TK_EIO, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        tk_err_set(e, TK_EIO, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        tk_err_set(e, TK_ECANTCREAT, "cannot create %s: %s", path, strerror(errno));
        goto fail;
    }
    tk_cleanup_forget(tmp);
    fsync_parent(path);
    return TK_OK;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    tk_cleanup_forget(tmp);
    return e->status;
}
