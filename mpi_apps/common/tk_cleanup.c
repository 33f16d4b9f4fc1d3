/* tk_cleanup.c -- removing registered temporary outputs on SIGTERM, SIGINT
 * and SIGHUP. */
#include "tk_cleanup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "tk_fs.h"

/* Process-wide because the handler can reach nothing else (see the header). */
static struct {
    volatile sig_atomic_t used[TK_CLEANUP_MAX];
    char path[TK_CLEANUP_MAX][TK_PATH_MAX];
    int installed;
} cleanup;

static const int cleanup_signals[] = { SIGTERM, SIGINT, SIGHUP };
#define NSIGNALS (sizeof(cleanup_signals) / sizeof(cleanup_signals[0]))

/* Async-signal-safe: removes the entries of the folder open as fd. Passes
 * over the folder until one removes nothing (removing while reading may
 * skip entries), at most a few. */
static void remove_entries(int fd)
{
    char buf[4096]; /* directory entries read at a time (a getdents64 buffer) */
    int pass, removed = 1;

    for (pass = 0; pass < 4 && removed; pass++) {
        ssize_t n;
        removed = 0;
        (void)lseek(fd, 0, SEEK_SET);
        while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
            ssize_t at = 0;
            while (at < n) {
                struct dirent64 *d = (struct dirent64 *)(buf + at);
                const char *name = d->d_name;
                if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
                    (unlinkat(fd, name, 0) == 0 || unlinkat(fd, name, AT_REMOVEDIR) == 0))
                    removed++;
                at += d->d_reclen;
            }
        }
    }
}

static void on_signal(int sig)
{
    int i;

    for (i = 0; i < TK_CLEANUP_MAX; i++) {
        int fd;
        if (!cleanup.used[i])
            continue;
        fd = open(cleanup.path[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            remove_entries(fd);
            close(fd);
            (void)rmdir(cleanup.path[i]);
        } else {
            (void)unlink(cleanup.path[i]);
        }
    }
    /* SA_RESETHAND restored the default action: end by the same signal */
    (void)raise(sig);
}

void tk_cleanup_init(void)
{
    struct sigaction sa;
    size_t i;

    if (cleanup.installed)
        return;
    cleanup.installed = 1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < NSIGNALS; i++)
        sigaddset(&sa.sa_mask, cleanup_signals[i]); /* one handler at a time */
    for (i = 0; i < NSIGNALS; i++)
        (void)sigaction(cleanup_signals[i], &sa, NULL);
}

/* Blocks the handled signals while the table changes. */
static void block(sigset_t *old)
{
    sigset_t set;
    size_t i;

    sigemptyset(&set);
    for (i = 0; i < NSIGNALS; i++)
        sigaddset(&set, cleanup_signals[i]);
    sigprocmask(SIG_BLOCK, &set, old);
}

void tk_cleanup_add(const char *path)
{
    sigset_t old;
    int i;

    if (strlen(path) >= TK_PATH_MAX || !path[0])
        return;
    tk_cleanup_init();
    block(&old);
    for (i = 0; i < TK_CLEANUP_MAX; i++)
        if (!cleanup.used[i]) {
            strcpy(cleanup.path[i], path);
            cleanup.used[i] = 1;
            break;
        }
    sigprocmask(SIG_SETMASK, &old, NULL);
}

void tk_cleanup_forget(const char *path)
{
    sigset_t old;
    int i;

    block(&old);
    for (i = 0; i < TK_CLEANUP_MAX; i++)
        if (cleanup.used[i] && strcmp(cleanup.path[i], path) == 0)
            cleanup.used[i] = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
}

void tk_cleanup_forget_all(void)
{
    sigset_t old;
    int i;

    block(&old);
    for (i = 0; i < TK_CLEANUP_MAX; i++)
        cleanup.used[i] = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
}
