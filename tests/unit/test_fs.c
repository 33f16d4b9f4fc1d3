/* test_fs.c -- tk_fs_publish, tk_fs_write_atomic, tk_fs_rmtree and
 * tk_fs_tmp_sibling, each in a fresh folder under /tmp. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk_fs.h"
#include "unit.h"

/* Entries in dir (not . and ..). */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    if (!d)
        return -1;
    while ((de = readdir(d)))
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

static int file_is(const char *path, const char *want)
{
    size_t len;
    char *got = unit_read_file(path, &len);
    int ok = got && len == strlen(want) && memcmp(got, want, len) == 0;

    free(got);
    return ok;
}

/* dir/name/{a.txt, sub/b.txt} with a.txt holding tag. */
static int make_tree(const char *dir, const char *name, const char *tag, char *out, size_t len)
{
    char p[600], q[700];

    snprintf(out, len, "%s/%s", dir, name);
    snprintf(p, sizeof(p), "%s/sub", out);
    if (mkdir(out, 0755) != 0 || mkdir(p, 0755) != 0)
        return -1;
    if (unit_write_file(out, "a.txt", tag, strlen(tag), q, sizeof(q)) != 0 ||
        unit_write_file(p, "b.txt", "b", 1, q, sizeof(q)) != 0)
        return -1;
    return 0;
}

static void test_publish_new(void)
{
    char dir[64], tmp[256], fin[256], path[700];
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_EQUAL_FATAL(make_tree(dir, ".out.tmp", "new", tmp, sizeof(tmp)), 0);
    snprintf(fin, sizeof(fin), "%s/out", dir);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_fs_publish(tmp, fin, 0, &e), TK_OK);
    CU_ASSERT_FALSE(tk_fs_exists(tmp));
    snprintf(path, sizeof(path), "%s/a.txt", fin);
    CU_ASSERT_TRUE(file_is(path, "new"));
    snprintf(path, sizeof(path), "%s/sub/b.txt", fin);
    CU_ASSERT_TRUE(file_is(path, "b"));
    CU_ASSERT_EQUAL(count_entries(dir), 1);
    /* replace set but nothing to replace: a plain rename */
    CU_ASSERT_EQUAL_FATAL(make_tree(dir, ".out2.tmp", "new2", tmp, sizeof(tmp)), 0);
    snprintf(fin, sizeof(fin), "%s/out2", dir);
    CU_ASSERT_EQUAL(tk_fs_publish(tmp, fin, 1, &e), TK_OK);
    snprintf(path, sizeof(path), "%s/a.txt", fin);
    CU_ASSERT_TRUE(file_is(path, "new2"));
    CU_ASSERT_EQUAL(count_entries(dir), 2);
    CU_ASSERT_EQUAL(e.status, TK_OK);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_publish_refuses_existing(void)
{
    char dir[64], tmp[256], fin[256], path[700];
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_EQUAL_FATAL(make_tree(dir, "out", "old", fin, sizeof(fin)), 0);
    CU_ASSERT_EQUAL_FATAL(make_tree(dir, ".out.tmp", "new", tmp, sizeof(tmp)), 0);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_fs_publish(tmp, fin, 0, &e), TK_ECANTCREAT);
    CU_ASSERT_EQUAL(e.status, TK_ECANTCREAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "already exists"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, fin));
    /* both untouched */
    snprintf(path, sizeof(path), "%s/a.txt", fin);
    CU_ASSERT_TRUE(file_is(path, "old"));
    snprintf(path, sizeof(path), "%s/a.txt", tmp);
    CU_ASSERT_TRUE(file_is(path, "new"));
    /* an existing plain file or a dangling symlink is also "existing" */
    {
        char f[300], l[300];
        snprintf(f, sizeof(f), "%s/file", dir);
        CU_ASSERT_EQUAL(unit_write_file(dir, "file", "x", 1, path, sizeof(path)), 0);
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(tk_fs_publish(tmp, f, 0, &e), TK_ECANTCREAT);
        snprintf(l, sizeof(l), "%s/link", dir);
        CU_ASSERT_EQUAL(symlink("/nonexistent/target", l), 0);
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(tk_fs_publish(tmp, l, 0, &e), TK_ECANTCREAT);
        CU_ASSERT_TRUE(tk_fs_exists(tmp));
    }
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_publish_replace(void)
{
    char dir[64], tmp[256], fin[256], path[700];
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_EQUAL_FATAL(make_tree(dir, "out", "old", fin, sizeof(fin)), 0);
    CU_ASSERT_EQUAL_FATAL(make_tree(dir, ".out.tmp", "new", tmp, sizeof(tmp)), 0);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_fs_publish(tmp, fin, 1, &e), TK_OK);
    snprintf(path, sizeof(path), "%s/a.txt", fin);
    CU_ASSERT_TRUE(file_is(path, "new"));
    CU_ASSERT_FALSE(tk_fs_exists(tmp)); /* the old tree went away */
    CU_ASSERT_EQUAL(count_entries(dir), 1);
    /* a file replacing a file */
    {
        char f[300], t[300];
        CU_ASSERT_EQUAL(unit_write_file(dir, "f", "old", 3, f, sizeof(f)), 0);
        CU_ASSERT_EQUAL(unit_write_file(dir, ".f.tmp", "new", 3, t, sizeof(t)), 0);
        CU_ASSERT_EQUAL(tk_fs_publish(t, f, 1, &e), TK_OK);
        CU_ASSERT_TRUE(file_is(f, "new"));
        CU_ASSERT_FALSE(tk_fs_exists(t));
    }
    /* a missing tmp is an error, the target stays */
    {
        char missing[300];
        snprintf(missing, sizeof(missing), "%s/.nothing", dir);
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(tk_fs_publish(missing, fin, 1, &e), TK_ECANTCREAT);
        CU_ASSERT_TRUE(file_is(path, "new"));
        snprintf(missing, sizeof(missing), "%s/.nothing", dir);
        snprintf(path, sizeof(path), "%s/never", dir);
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(tk_fs_publish(missing, path, 0, &e), TK_ECANTCREAT);
        CU_ASSERT_FALSE(tk_fs_exists(path));
    }
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_write_atomic(void)
{
    char dir[64], path[300], sub[300];
    tk_err e;
    char *big;
    size_t i, len;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/_SUCCESS", dir);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_fs_write_atomic(path, "hello\n", 6, &e), TK_OK);
    CU_ASSERT_TRUE(file_is(path, "hello\n"));
    CU_ASSERT_EQUAL(count_entries(dir), 1); /* no temporary left */
    /* overwrite with shorter content, then empty */
    CU_ASSERT_EQUAL(tk_fs_write_atomic(path, "x", 1, &e), TK_OK);
    CU_ASSERT_TRUE(file_is(path, "x"));
    CU_ASSERT_EQUAL(tk_fs_write_atomic(path, "", 0, &e), TK_OK);
    CU_ASSERT_TRUE(file_is(path, ""));
    CU_ASSERT_EQUAL(count_entries(dir), 1);
    /* 3 MiB of binary data */
    big = malloc(3u << 20);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    for (i = 0; i < (3u << 20); i++)
        big[i] = (char)(i * 131 + (i >> 9));
    CU_ASSERT_EQUAL(tk_fs_write_atomic(path, big, 3u << 20, &e), TK_OK);
    {
        char *got = unit_read_file(path, &len);
        CU_ASSERT_TRUE(got && len == (3u << 20) && memcmp(got, big, len) == 0);
        free(got);
    }
    free(big);
    /* a missing folder: an error and nothing created */
    snprintf(sub, sizeof(sub), "%s/no/such/file", dir);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_fs_write_atomic(sub, "x", 1, &e), TK_ECANTCREAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, sub));
    CU_ASSERT_EQUAL(count_entries(dir), 1);
    CU_ASSERT_EQUAL(e.status, TK_ECANTCREAT);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_rmtree(void)
{
    char dir[64], tree[256], keep[256], path[700], l[700];
    int i;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_EQUAL_FATAL(make_tree(dir, "tree", "t", tree, sizeof(tree)), 0);
    CU_ASSERT_EQUAL_FATAL(make_tree(dir, "keep", "k", keep, sizeof(keep)), 0);
    /* deeper levels, an empty folder, many files, symlinks out of the tree */
    snprintf(path, sizeof(path), "%s/sub/d1", tree);
    CU_ASSERT_EQUAL(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/sub/d1/d2", tree);
    CU_ASSERT_EQUAL(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/empty", tree);
    CU_ASSERT_EQUAL(mkdir(path, 0755), 0);
    for (i = 0; i < 50; i++) {
        char name[32], out[800];
        snprintf(path, sizeof(path), "%s/sub/d1/d2", tree);
        snprintf(name, sizeof(name), "f%02d", i);
        CU_ASSERT_EQUAL(unit_write_file(path, name, name, strlen(name), out, sizeof(out)), 0);
    }
    snprintf(l, sizeof(l), "%s/link_to_keep", tree);
    CU_ASSERT_EQUAL(symlink(keep, l), 0);
    snprintf(l, sizeof(l), "%s/dangling", tree);
    CU_ASSERT_EQUAL(symlink("/nonexistent/x", l), 0);

    CU_ASSERT_EQUAL(tk_fs_rmtree(tree), 0);
    CU_ASSERT_FALSE(tk_fs_exists(tree));
    /* the symlink's target survives */
    snprintf(path, sizeof(path), "%s/a.txt", keep);
    CU_ASSERT_TRUE(file_is(path, "k"));
    snprintf(path, sizeof(path), "%s/sub/b.txt", keep);
    CU_ASSERT_TRUE(file_is(path, "b"));
    /* a missing path is fine; a plain file and a symlink to a folder are removed */
    CU_ASSERT_EQUAL(tk_fs_rmtree(tree), 0);
    CU_ASSERT_EQUAL(unit_write_file(dir, "plain", "p", 1, path, sizeof(path)), 0);
    CU_ASSERT_EQUAL(tk_fs_rmtree(path), 0);
    CU_ASSERT_FALSE(tk_fs_exists(path));
    snprintf(l, sizeof(l), "%s/dirlink", dir);
    CU_ASSERT_EQUAL(symlink(keep, l), 0);
    CU_ASSERT_EQUAL(tk_fs_rmtree(l), 0);
    CU_ASSERT_FALSE(tk_fs_exists(l));
    CU_ASSERT_TRUE(tk_fs_exists(keep));
    CU_ASSERT_EQUAL(count_entries(dir), 1);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_mkparents(void)
{
    char dir[64], path[300], probe[300], f[300];
    struct stat st;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    /* creates every missing ancestor, not the last component */
    snprintf(path, sizeof(path), "%s/a/b/c/out", dir);
    CU_ASSERT_EQUAL(tk_fs_mkparents(path, NULL, 0), 0);
    snprintf(probe, sizeof(probe), "%s/a/b/c", dir);
    CU_ASSERT_TRUE(stat(probe, &st) == 0 && S_ISDIR(st.st_mode));
    CU_ASSERT_FALSE(tk_fs_exists(path));
    /* again: all exist */
    CU_ASSERT_EQUAL(tk_fs_mkparents(path, NULL, 0), 0);
    /* "out/" names out; doubled slashes */
    snprintf(path, sizeof(path), "%s/x//y/out/", dir);
    CU_ASSERT_EQUAL(tk_fs_mkparents(path, NULL, 0), 0);
    snprintf(probe, sizeof(probe), "%s/x/y", dir);
    CU_ASSERT_TRUE(stat(probe, &st) == 0 && S_ISDIR(st.st_mode));
    snprintf(probe, sizeof(probe), "%s/x/y/out", dir);
    CU_ASSERT_FALSE(tk_fs_exists(probe));
    /* no folder part, and the root */
    CU_ASSERT_EQUAL(tk_fs_mkparents("just_a_name", NULL, 0), 0);
    CU_ASSERT_FALSE(tk_fs_exists("just_a_name"));
    CU_ASSERT_EQUAL(tk_fs_mkparents("/", NULL, 0), 0);
    CU_ASSERT_EQUAL(tk_fs_mkparents("/tk_unit_never_created", NULL, 0), 0);
    CU_ASSERT_FALSE(tk_fs_exists("/tk_unit_never_created"));
    /* an ancestor that is a file: an error */
    CU_ASSERT_EQUAL(unit_write_file(dir, "file", "x", 1, f, sizeof(f)), 0);
    snprintf(path, sizeof(path), "%s/file/sub/out", dir);
    CU_ASSERT_EQUAL(tk_fs_mkparents(path, NULL, 0), -1);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_mkparents_parent_is_file(void)
{
    /* like mkdir -p: a regular file where the parent folder belongs fails */
    char dir[64], path[300], f[300];

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_EQUAL(unit_write_file(dir, "file", "x", 1, f, sizeof(f)), 0);
    snprintf(path, sizeof(path), "%s/file/out", dir);
    CU_ASSERT_EQUAL(tk_fs_mkparents(path, NULL, 0), -1);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* "DIR/.BASE.TAG.PID.XXXXXXXX": the prefix, then 8 hex digits */
static int tmp_name_is(const char *got, const char *prefix)
{
    size_t n = strlen(prefix), i;

    if (strncmp(got, prefix, n) != 0 || strlen(got) != n + 8)
        return 0;
    for (i = n; i < n + 8; i++)
        if (!strchr("0123456789abcdef", got[i]))
            return 0;
    return 1;
}

static void test_tmp_sibling(void)
{
    char buf[256], buf2[256], want[256], small[8], longname[400], lbuf[700];
    tk_err e;
    long pid = (long)getpid();
    const char *base;

    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_fs_tmp_sibling("/a/b/out", "tmp", buf, sizeof(buf), &e), TK_OK);
    snprintf(want, sizeof(want), "/a/b/.out.tmp.%ld.", pid);
    CU_ASSERT_TRUE(tmp_name_is(buf, want));
    /* another call, another name: a stale folder of a dead run with our pid is no clash */
    CU_ASSERT_EQUAL(tk_fs_tmp_sibling("/a/b/out", "tmp", buf2, sizeof(buf2), &e), TK_OK);
    CU_ASSERT_STRING_NOT_EQUAL(buf, buf2);
    CU_ASSERT_EQUAL(tk_fs_tmp_sibling("/a/b/out//", "x", buf, sizeof(buf), &e), TK_OK);
    snprintf(want, sizeof(want), "/a/b/.out.x.%ld.", pid);
    CU_ASSERT_TRUE(tmp_name_is(buf, want));
    CU_ASSERT_EQUAL(tk_fs_tmp_sibling("out", "t", buf, sizeof(buf), &e), TK_OK);
    snprintf(want, sizeof(want), "./.out.t.%ld.", pid);
    CU_ASSERT_TRUE(tmp_name_is(buf, want));
    CU_ASSERT_EQUAL(e.status, TK_OK);
    /* a base of 250 characters (valid) gives a short name (NAME_MAX, MPI-IO's limits) */
    memset(longname, 0, sizeof(longname));
    memcpy(longname, "/d/", 3);
    memset(longname + 3, 'n', 250);
    CU_ASSERT_EQUAL(tk_fs_tmp_sibling(longname, "tmp", lbuf, sizeof(lbuf), &e), TK_OK);
    base = strrchr(lbuf, '/') + 1;
    CU_ASSERT_TRUE(strlen(base) <= 1 + TK_FS_TMP_BASE_MAX + 32);
    CU_ASSERT_EQUAL(strncmp(base, ".nnnn", 5), 0);
    CU_ASSERT_EQUAL(tk_fs_tmp_sibling("/a/b/out", "tmp", small, sizeof(small), &e), TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "path too long"));
}

/* mkparents reports the top-most folder it made; rmparents takes exactly those back */
static void test_rmparents(void)
{
    char dir[64], path[300], top[300], probe[300], created[4096];

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(probe, sizeof(probe), "%s/have", dir);
    CU_ASSERT_EQUAL(mkdir(probe, 0755), 0);
    snprintf(path, sizeof(path), "%s/have/new/a/b/out", dir);
    CU_ASSERT_EQUAL(tk_fs_mkparents(path, created, sizeof(created)), 0);
    snprintf(top, sizeof(top), "%s/have/new", dir);
    CU_ASSERT_STRING_EQUAL(created, top);
    tk_fs_rmparents(path, created);
    CU_ASSERT_FALSE(tk_fs_exists(top));
    CU_ASSERT_TRUE(tk_fs_exists(probe)); /* was there before: kept */
    /* nothing made: nothing removed */
    snprintf(path, sizeof(path), "%s/have/out", dir);
    CU_ASSERT_EQUAL(tk_fs_mkparents(path, created, sizeof(created)), 0);
    CU_ASSERT_STRING_EQUAL(created, "");
    tk_fs_rmparents(path, created);
    CU_ASSERT_TRUE(tk_fs_exists(probe));
    /* a folder that got other content meanwhile stays */
    snprintf(path, sizeof(path), "%s/have/n2/x/out", dir);
    CU_ASSERT_EQUAL(tk_fs_mkparents(path, created, sizeof(created)), 0);
    snprintf(probe, sizeof(probe), "%s/have/n2/keep", dir);
    CU_ASSERT_EQUAL(mkdir(probe, 0755), 0);
    tk_fs_rmparents(path, created);
    CU_ASSERT_TRUE(tk_fs_exists(probe));
    snprintf(probe, sizeof(probe), "%s/have/n2/x", dir);
    CU_ASSERT_FALSE(tk_fs_exists(probe));
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* abspath folds . and .., resolves links in the existing part, keeps the rest */
static void test_abspath(void)
{
    char dir[256], real[4096], got[4096], want[4096 + 64], f[4096];

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(dir, real));
    CU_ASSERT_EQUAL(unit_write_file(dir, "in.csv", "x", 1, f, sizeof(f)), 0);
    snprintf(want, sizeof(want), "%s/link", dir);
    CU_ASSERT_EQUAL(symlink(dir, want), 0);

    snprintf(want, sizeof(want), "%s/./new/../new2//x/", dir);
    CU_ASSERT_EQUAL(tk_fs_abspath(want, got, sizeof(got)), 0);
    snprintf(want, sizeof(want), "%s/new2/x", real);
    CU_ASSERT_STRING_EQUAL(got, want);
    snprintf(want, sizeof(want), "%s/link/in.csv", dir);
    CU_ASSERT_EQUAL(tk_fs_abspath(want, got, sizeof(got)), 0);
    snprintf(want, sizeof(want), "%s/in.csv", real);
    CU_ASSERT_STRING_EQUAL(got, want);
    CU_ASSERT_EQUAL(tk_fs_abspath("/", got, sizeof(got)), 0);
    CU_ASSERT_STRING_EQUAL(got, "/");
    CU_ASSERT_EQUAL(tk_fs_abspath("/no-such-dir-tk/a/../b", got, sizeof(got)), 0);
    CU_ASSERT_STRING_EQUAL(got, "/no-such-dir-tk/b");
    CU_ASSERT_EQUAL(tk_fs_abspath("", got, sizeof(got)), -1);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* overlap: the same path, one inside the other, a link to either */
static void test_overlap(void)
{
    char dir[256], a[4096], b[4096], f[4096];

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_EQUAL(unit_write_file(dir, "in.csv", "x", 1, f, sizeof(f)), 0);
    snprintf(a, sizeof(a), "%s/hard.csv", dir);
    CU_ASSERT_EQUAL(link(f, a), 0);
    CU_ASSERT_EQUAL(tk_fs_overlap(f, a), 1); /* hard link: same inode */
    CU_ASSERT_EQUAL(tk_fs_same_file(f, a), 1);
    CU_ASSERT_EQUAL(tk_fs_overlap(dir, f), 1); /* OUTDIR holds the input */
    CU_ASSERT_EQUAL(tk_fs_overlap(f, f), 1);
    snprintf(a, sizeof(a), "%s/in.csv/sub", dir);
    CU_ASSERT_EQUAL(tk_fs_overlap(a, f), 1); /* OUTDIR inside the input */
    snprintf(a, sizeof(a), "%s/out", dir);
    CU_ASSERT_EQUAL(tk_fs_overlap(a, f), 0);
    snprintf(a, sizeof(a), "%s/in.csvx", dir);
    CU_ASSERT_EQUAL(tk_fs_overlap(a, f), 0); /* a prefix, not a parent */
    CU_ASSERT_EQUAL(tk_fs_same_file(a, f), 0);
    snprintf(a, sizeof(a), "%s/ln", dir);
    CU_ASSERT_EQUAL(symlink(dir, a), 0);
    snprintf(b, sizeof(b), "%s/ln/x/..", dir);
    CU_ASSERT_EQUAL(tk_fs_overlap(b, f), 1); /* through a link to the folder */
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

int unit_register_fs(void)
{
    static const unit_test tests[] = {
        { "publish to a new name", test_publish_new },
        { "publish refuses an existing target without replace",
          test_publish_refuses_existing },
        { "publish with replace", test_publish_replace },
        { "write_atomic", test_write_atomic },
        { "rmtree", test_rmtree },
        { "tmp_sibling", test_tmp_sibling },
        { "mkparents", test_mkparents },
        { "mkparents when the parent is a file", test_mkparents_parent_is_file },
        { "abspath", test_abspath },
        { "rmparents undoes mkparents", test_rmparents },
        { "overlap of paths", test_overlap },
        { NULL, NULL }
    };
    return unit_add_suite("fs", tests);
}
