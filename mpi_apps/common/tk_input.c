/* tk_input.c -- compression names, listing the files of a spec (file,
 * folder, glob), their magic bytes and uncompressed size estimates. */
#include "tk_input_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk_fs.h"

const char *tk_comp_name(tk_comp c)
{
    switch (c) {
    case TK_COMP_NONE: return "plain";
    case TK_COMP_GZIP: return "gzip";
    case TK_COMP_BGZF: return "bgzf";
    case TK_COMP_ZSTD: return "zstd";
    }
    return "?";
}

int tk_in_open_regular(const char *path, int *fd, uint64_t *size, int64_t *mtime_ns,
                       tk_err *e)
{
    struct stat st;
    int flags;

    *fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (*fd < 0)
        return tk_err_set(e, TK_ENOINPUT, "%s: %s", path, strerror(errno));
    if (fstat(*fd, &st) != 0) {
        int err = errno;
        close(*fd);
        *fd = -1;
        return tk_err_set(e, TK_ENOINPUT, "%s: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(*fd);
        *fd = -1;
        return tk_err_set(e, TK_ENOINPUT, "%s: not a regular file", path);
    }
    flags = fcntl(*fd, F_GETFL);
    if (flags >= 0)
        (void)fcntl(*fd, F_SETFL, flags & ~O_NONBLOCK);
    *size = (uint64_t)st.st_size;
    *mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    return TK_OK;
}

/* ---- magic bytes and sizes ---- */

static int visit_total(void *ctx, uint64_t off, uint32_t blen, uint32_t isize)
{
    (void)off;
    (void)blen;
    *(uint64_t *)ctx += isize;
    return TK_OK;
}

/* Whether the gzip header h[0..n) read at offset 0 (n <= 18) has an FEXTRA
 * field holding the 'BC' subfield (a longer field is read from fd). */
static int has_bc(int fd, const unsigned char *h, size_t n)
{
    uint32_t blen;
    size_t hlen;
    int rc = tk_bgzf_parse_header(h, n, &blen, &hlen);

    if (rc == -1 && n == 18 && hlen <= TK_BGZF_BLOCK_MAX) {
        unsigned char *x = malloc(hlen);
        ssize_t got = x ? tk_in_pread(fd, x, hlen, 0) : -1;
        rc = got < 0 ? 0 : tk_bgzf_parse_header(x, (size_t)got, &blen, &hlen);
        free(x);
    }
    return rc == 1;
}

/* The gzip estimate: the last member's ISIZE when it is >= size, else 4 * size. */
static uint64_t gzip_estimate(int fd, uint64_t size)
{
    unsigned char t[4];
    uint64_t isize;

    if (size < 4 || tk_in_pread(fd, t, 4, size - 4) != 4)
        return 4 * size;
    isize = (uint64_t)t[0] | (uint64_t)t[1] << 8 | (uint64_t)t[2] << 16 | (uint64_t)t[3] << 24;
    return isize >= size ? isize : 4 * size;
}

/* Fills f->comp, usize_est, usize_exact and splittable from the open file. */
static int probe(tk_input_file *f, int fd, tk_err *e)
{
    unsigned char h[18];
    ssize_t n = tk_in_pread(fd, h, sizeof(h), 0);

    if (n < 0)
        return tk_err_set(e, TK_ENOINPUT, "%s: read failed: %s", f->path, strerror(errno));
    f->comp = TK_COMP_NONE;
    f->usize_est = f->size;
    f->usize_exact = 1;
    f->splittable = 1;
    if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0) {
        f->comp = TK_COMP_ZSTD;
        f->splittable = 0;
        f->usize_exact = tk_zstd_content_sum(fd, f->size, &f->usize_est);
        if (!f->usize_exact)
            f->usize_est = 4 * f->size;
    } else if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b && has_bc(fd, h, (size_t)n)) {
        f->comp = TK_COMP_BGZF;
        f->usize_est = 0;
        return tk_bgzf_walk(fd, f->size, f->path, visit_total, &f->usize_est, e);
    } else if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b) {
        f->comp = TK_COMP_GZIP;
        f->splittable = 0;
        f->usize_exact = 0;
        f->usize_est = gzip_estimate(fd, f->size);
    }
    return TK_OK;
}

/* ---- listing ---- */

typedef struct entry {
    char *path;
    dev_t dev;
    ino_t ino;
    size_t order; /* position by path */
} entry;

typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;

typedef struct lister {
    entry *v;
    size_t n, cap;
    file_id *dirs;         /* folders walked so far */
    size_t ndirs, dirs_cap;
    int recursive;
    char path[TK_PATH_MAX]; /* the path being looked at */
    tk_err *e;
} lister;

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap ? *cap : 16;
    void *p;

    if (need <= *cap)
        return 0;
    while (c < need)
        c *= 2;
    p = realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

static int push_file(lister *L, const struct stat *st)
{
    entry *x;

    if (grow((void **)&L->v, &L->cap, L->n + 1, sizeof(*L->v)) != 0)
        return tk_err_set(L->e, TK_ESOFTWARE, "out of memory listing %s", L->path);
    x = &L->v[L->n];
    x->path = strdup(L->path);
    if (!x->path)
        return tk_err_set(L->e, TK_ESOFTWARE, "out of memory listing %s", L->path);
    x->dev = st->st_dev;
    x->ino = st->st_ino;
    L->n++;
    return TK_OK;
}

static int is_hidden(const char *name) { return name[0] == '.' || name[0] == '_'; }

static int add_path(lister *L, size_t len, int depth);

/* Walks the folder L->path (len bytes) unless it was walked already. */
static int walk_dir(lister *L, size_t len, const struct stat *st, int depth)
{
    struct dirent *de;
    DIR *d;
    size_t i;
    int rc = TK_OK;

    for (i = 0; i < L->ndirs; i++)
        if (L->dirs[i].dev == st->st_dev && L->dirs[i].ino == st->st_ino)
            return TK_OK; /* a loop, or a folder reached twice */
    if (grow((void **)&L->dirs, &L->dirs_cap, L->ndirs + 1, sizeof(*L->dirs)) != 0)
        return tk_err_set(L->e, TK_ESOFTWARE, "out of memory listing %s", L->path);
    L->dirs[L->ndirs].dev = st->st_dev;
    L->dirs[L->ndirs++].ino = st->st_ino;
    if (!(d = opendir(L->path)))
        return tk_err_set(L->e, TK_ENOINPUT, "%s: %s", L->path, strerror(errno));
    for (;;) {
        size_t nlen, sep = len > 0 && L->path[len - 1] == '/' ? 0 : 1;
        errno = 0;
        if (!(de = readdir(d))) {
            if (errno != 0)
                rc = tk_err_set(L->e, TK_ENOINPUT, "%s: %s", L->path, strerror(errno));
            break;
        }
        if (is_hidden(de->d_name)) /* ".", ".." too */
            continue;
        nlen = strlen(de->d_name);
        if (len + sep + nlen >= sizeof(L->path)) {
            rc = tk_err_set(L->e, TK_ENOINPUT, "%s/%s: path too long", L->path, de->d_name);
            break;
        }
        if (sep)
            L->path[len] = '/';
        memcpy(L->path + len + sep, de->d_name, nlen + 1);
        rc = add_path(L, len + sep + nlen, depth + 1);
        L->path[len] = '\0';
        if (rc != TK_OK)
            break;
    }
    closedir(d);
    return rc;
}

/* Adds L->path (len bytes): a regular file, or a folder's files (at depth 0,
 * or recursive). Symlinks followed; never opened. */
static int add_path(lister *L, size_t len, int depth)
{
    struct stat st;

    if (stat(L->path, &st) != 0)
        return tk_err_set(L->e, TK_ENOINPUT, "%s: %s", L->path, strerror(errno));
    if (S_ISREG(st.st_mode))
        return push_file(L, &st);
    if (S_ISDIR(st.st_mode))
        return depth == 0 || L->recursive ? walk_dir(L, len, &st, depth) : TK_OK;
    return tk_err_set(L->e, TK_ENOINPUT, "%s: not a regular file", L->path);
}

static int add_top(lister *L, const char *path)
{
    size_t len = strlen(path);

    if (len >= sizeof(L->path))
        return tk_err_set(L->e, TK_ENOINPUT, "%.100s...: path too long", path);
    memcpy(L->path, path, len + 1);
    return add_path(L, len, 0);
}

/* Adds what the glob(3) pattern spec matches (names starting with '.' or '_'
 * left out). No match adds nothing. */
static int add_glob(lister *L, const char *spec)
{
    glob_t g;
    size_t i;
    int rc = TK_OK, grc = glob(spec, GLOB_ERR, NULL, &g);

    if (grc == GLOB_NOMATCH)
        return TK_OK;
    if (grc == GLOB_NOSPACE)
        rc = tk_err_set(L->e, TK_ESOFTWARE, "out of memory expanding %s", spec);
    else if (grc != 0)
        rc = tk_err_set(L->e, TK_ENOINPUT, "%s: cannot read a folder the pattern names", spec);
    for (i = 0; rc == TK_OK && grc == 0 && i < g.gl_pathc; i++) {
        const char *m = g.gl_pathv[i], *slash;
        size_t len = strlen(m);
        while (len > 1 && m[len - 1] == '/')
            len--;
        slash = memrchr(m, '/', len);
        if (!is_hidden(slash ? slash + 1 : m))
            rc = add_top(L, m);
    }
    globfree(&g);
    return rc;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

static int by_id(const void *a, const void *b)
{
    const entry *x = a, *y = b;

    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int by_order(const void *a, const void *b)
{
    const entry *x = a, *y = b;

    return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorts L->v by path and keeps the first path of each (dev, ino). */
static void sort_dedup(lister *L)
{
    size_t i, k = 0;

    qsort(L->v, L->n, sizeof(*L->v), by_path);
    for (i = 0; i < L->n; i++)
        L->v[i].order = i;
    qsort(L->v, L->n, sizeof(*L->v), by_id);
    for (i = 1; i < L->n; i++)
        if (L->v[i].dev == L->v[i - 1].dev && L->v[i].ino == L->v[i - 1].ino)
            L->v[i].order = SIZE_MAX; /* after the kept ones */
    qsort(L->v, L->n, sizeof(*L->v), by_order);
    while (k < L->n && L->v[k].order != SIZE_MAX)
        k++;
    for (i = k; i < L->n; i++)
        free(L->v[i].path);
    L->n = k;
}

/* Opens each listed file (without blocking) and fills files[i]. */
static int probe_all(lister *L, tk_input_file *files, size_t *done)
{
    for (*done = 0; *done < L->n; (*done)++) {
        tk_input_file *f = &files[*done];
        int fd, rc;

        memset(f, 0, sizeof(*f));
        f->path = L->v[*done].path;
        L->v[*done].path = NULL;
        if (tk_in_open_regular(f->path, &fd, &f->size, &f->mtime_ns, L->e) != TK_OK) {
            (*done)++;
            return L->e->status;
        }
        rc = probe(f, fd, L->e);
        close(fd);
        if (rc != TK_OK) {
            (*done)++;
            return rc;
        }
    }
    return TK_OK;
}

int tk_input_list(const char *spec, int recursive, tk_input_file **files, size_t *n,
                  tk_err *e)
{
    lister L;
    struct stat st;
    tk_input_file *out = NULL;
    size_t i, done = 0;
    int rc;

    *files = NULL;
    *n = 0;
    memset(&L, 0, sizeof(L));
    L.recursive = recursive;
    L.e = e;
    if (stat(spec, &st) == 0 || !strpbrk(spec, "*?["))
        rc = add_top(&L, spec);
    else
        rc = add_glob(&L, spec);
    if (rc == TK_OK && L.n == 0)
        rc = tk_err_set(e, TK_ENOINPUT, "%s: no input files", spec);
    if (rc == TK_OK) {
        sort_dedup(&L);
        out = calloc(L.n, sizeof(*out));
        rc = out ? probe_all(&L, out, &done)
                 : tk_err_set(e, TK_ESOFTWARE, "out of memory listing %s", spec);
    }
    for (i = 0; i < L.n; i++)
        free(L.v[i].path);
    free(L.v);
    free(L.dirs);
    if (rc != TK_OK) {
        tk_input_files_free(out, done);
        return rc;
    }
    *files = out;
    *n = L.n;
    return TK_OK;
}

void tk_input_files_free(tk_input_file *files, size_t n)
{
    size_t i;

    for (i = 0; files && i < n; i++)
        free(files[i].path);
    free(files);
}
