/* test_main.c -- runs every unit-test suite, each in a child process of its
 * own with a timeout per test (as libuv's test runner does), so that a test
 * that crashes or hangs fails alone instead of taking the whole run with it.
 *
 * Prints each test's result, reports a test that crashed (signal, abort,
 * exit) or ran longer than the timeout as a failed test naming it, and ends
 * with "unit: N passed, N failed" (tests/run.sh parses it). Exits non-zero
 * when a test failed or a child went wrong outside a test. Run with
 * mpirun -np 1 (or on its own).
 *
 * MPI. The parent never calls MPI_Init: it only forks, and forking after
 * MPI_Init is unsafe with Open MPI (progress threads, shared-memory segments
 * and the PMIx connection do not survive in the child). Each child calls
 * MPI_Init itself. A child cannot take over the rank that mpirun launched:
 * Open MPI 4.1 lets the job's rank 0 initialise once, and the second child's
 * MPI_Init fails ("orte_init failed ... getting local rank failed"). So each
 * child first drops the launcher's environment (PMIX_* and OMPI_*, except
 * OMPI_ALLOW_RUN_AS_ROOT*) and starts as an isolated MPI singleton, which
 * starts no helper daemon (the suites only use MPI_COMM_SELF and spawn
 * nothing). That MPI_Init costs about 0.5 s, so there is one child per suite
 * rather than per test; when a test crashes or hangs, a new child runs the
 * rest of its suite (unit_skip_tests).
 *
 * The child tells the parent what it does through a pipe, one line each:
 * "T COUNT NAME" (the suite is registered), "S INDEX NAME" (test INDEX starts),
 * "E INDEX FAILED" (it ended, FAILED 0 or 1). The parent's timeout restarts at
 * every line. UNIT_TIMEOUT=SECONDS changes it (default 60); UNIT_SELFTEST=1
 * runs the runner's own check instead of the suites (below). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
#include <mpi.h>

#include "unit.h"

extern char **environ;

int unit_register_csv_fast(void); /* test_csv_fast.c */
int unit_register_shap(void);     /* test_shap.c */

static int (*const suites[])(void) = { unit_register_parse, unit_register_csv,
                                       unit_register_csv_fast,
                                       unit_register_hash,  unit_register_keycount,
                                       unit_register_agg,   unit_register_opt,
                                       unit_register_fs,    unit_register_table,
                                       unit_register_gbtrain, unit_register_gbtrain_cv,
                                       unit_register_model, unit_register_shap,
                                       unit_register_input };
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

/* ---- UNIT_SELFTEST=1: the runner's own check (tests/run.sh runs it) ----
 * Instead of the suites, one suite whose tests pass, fail, crash, abort,
 * hang and exit: the runner must report "unit: 2 passed, 5 failed". */

static void self_pass(void) { CU_ASSERT_EQUAL(2 + 2, 4); }
static void self_fail(void) { CU_ASSERT_EQUAL(2 + 2, 5); }
static void self_crash(void) { raise(SIGSEGV); }
static void self_abort(void) { abort(); }
static void self_hang(void) { for (;;) pause(); }
static void self_exit(void) { exit(0); }

static int register_selftest(void)
{
    static const unit_test tests[] = {
        { "selftest: passes", self_pass },   { "selftest: fails", self_fail },
        { "selftest: crashes", self_crash }, { "selftest: aborts", self_abort },
        { "selftest: hangs", self_hang },    { "selftest: exits", self_exit },
        { "selftest: passes after", self_pass }, { NULL, NULL }
    };
    return unit_add_suite("runner-selftest", tests);
}

/* ---- the child: one suite from test unit_skip_tests on ---- */

static int report_fd = -1;
static size_t test_index;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof(line) && write(report_fd, line, (size_t)n) != n)
        _exit(3); /* the parent is gone */
}

static void on_start(const CU_pTest test, const CU_pSuite suite)
{
    (void)suite;
    printf("  Test: %s ...", test->pName);
    fflush(stdout);
    say("S %zu %s\n", test_index, test->pName);
}

static void on_complete(const CU_pTest test, const CU_pSuite suite,
                        const CU_pFailureRecord failure)
{
    const CU_FailureRecord *f;

    (void)suite;
    printf(failure ? "FAILED\n" : "passed\n");
    for (f = failure; f && f->pTest == test; f = f->pNext)
        printf("    %s:%u: %s\n", f->strFileName ? f->strFileName : "?", f->uiLineNumber,
               f->strCondition ? f->strCondition : "");
    fflush(stdout);
    say("E %zu %d\n", test_index, failure != NULL);
    test_index++;
}

/* Forgets mpirun's job so that MPI_Init starts a singleton. */
static void drop_launcher_env(void)
{
    char *names[512];
    size_t n = 0, i;
    char **v;

    for (v = environ; *v && n < sizeof(names) / sizeof(names[0]); v++)
        if ((strncmp(*v, "PMIX_", 5) == 0 || strncmp(*v, "OMPI_", 5) == 0) &&
            strncmp(*v, "OMPI_ALLOW_RUN_AS_ROOT", 22) != 0)
            names[n++] = strndup(*v, strcspn(*v, "="));
    for (i = 0; i < n; i++) {
        if (names[i])
            unsetenv(names[i]);
        free(names[i]);
    }
    setenv("OMPI_MCA_ess_singleton_isolated", "1", 1);
}

static int child_main(int *argc, char ***argv, size_t suite, size_t skip, int fd)
{
    CU_pSuite s;
    int rc = 0;

    setpgid(0, 0); /* the parent kills the whole group on a timeout */
    report_fd = fd;
    drop_launcher_env();
    MPI_Init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "unit: cannot initialise CUnit: %s\n", CU_get_error_msg());
        rc = 2;
        goto out;
    }
    unit_skip_tests = skip;
    if ((getenv("UNIT_SELFTEST") ? register_selftest() : suites[suite]()) != CUE_SUCCESS ||
        !(s = CU_get_registry()->pSuite)) {
        fprintf(stderr, "unit: cannot register suite %zu: %s\n", suite, CU_get_error_msg());
        rc = 2;
        goto cleanup;
    }
    if (skip == 0)
        printf("Suite: %s\n", s->pName);
    fflush(stdout);
    say("T %u %s\n", s->uiNumberOfTests, s->pName);
    test_index = skip;
    CU_set_test_start_handler(on_start);
    CU_set_test_complete_handler(on_complete);
    CU_set_fail_on_inactive(CU_FALSE);
    if (CU_run_all_tests() != CUE_SUCCESS) {
        fprintf(stderr, "unit: CUnit: %s\n", CU_get_error_msg());
        rc = 2;
    }
cleanup:
    CU_cleanup_registry();
out:
    fflush(stdout);
    MPI_Finalize();
    return rc;
}

/* ---- the parent ---- */

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct child_run {
    unsigned ntests;   /* tests registered in the child (from "T": skipped ones not counted) */
    char name[256];    /* the suite's name */
    long running;      /* index of the test started and not ended, or -1 */
    char test[256];    /* its name */
    long ended;        /* tests ended so far in this child */
    unsigned passed, failed;
    int timed_out;
    int status;        /* waitpid status */
} child_run;

static void parse_line(child_run *r, const char *line)
{
    unsigned long a, b;
    int at = 0;

    if (sscanf(line, "T %lu %n", &a, &at) == 1 && at > 0) {
        r->ntests = (unsigned)a;
        snprintf(r->name, sizeof(r->name), "%s", line + at);
    } else if (sscanf(line, "S %lu %n", &a, &at) == 1 && at > 0) {
        r->running = (long)a;
        snprintf(r->test, sizeof(r->test), "%s", line + at);
    } else if (sscanf(line, "E %lu %lu", &a, &b) == 2) {
        r->running = -1;
        r->ended++;
        if (b)
            r->failed++;
        else
            r->passed++;
    }
}

/* Runs suite from test skip on in a child; fills r. Returns 0, or -1 when no
 * child could be started. */
static int run_child(int *argc, char ***argv, size_t suite, size_t skip, double timeout,
                     child_run *r)
{
    char buf[1024];
    size_t have = 0;
    int fds[2];
    pid_t pid;
    double deadline;

    memset(r, 0, sizeof(*r));
    r->running = -1;
    if (pipe(fds) != 0) {
        perror("unit: pipe");
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        perror("unit: fork");
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        exit(child_main(argc, argv, suite, skip, fds[1]));
    }
    close(fds[1]);
    deadline = now() + timeout;
    for (;;) {
        struct pollfd p = { fds[0], POLLIN, 0 };
        double left = deadline - now();
        ssize_t got;
        char *nl;
        int pr;

        if (left <= 0) {
            r->timed_out = 1;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            break;
        }
        pr = poll(&p, 1, (int)(left * 1000) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue; /* the deadline check above ends it */
        got = read(fds[0], buf + have, sizeof(buf) - 1 - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break; /* the child has exited (or closed the pipe) */
        have += (size_t)got;
        buf[have] = '\0';
        while ((nl = strchr(buf, '\n')) != NULL) {
            *nl = '\0';
            parse_line(r, buf);
            have -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, have + 1);
            deadline = now() + timeout;
        }
        if (have == sizeof(buf) - 1)
            have = 0; /* an overlong line: not ours, drop it */
    }
    close(fds[0]);
    while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
        ;
    kill(-pid, SIGKILL); /* anything the test left behind in the group */
    return 0;
}

static void describe(const child_run *r, double timeout, char *out, size_t len)
{
    if (r->timed_out)
        snprintf(out, len, "timed out after %.0f s", timeout);
    else if (WIFSIGNALED(r->status))
        snprintf(out, len, "crashed: signal %d (%s)", WTERMSIG(r->status),
                 strsignal(WTERMSIG(r->status)));
    else if (WIFEXITED(r->status))
        snprintf(out, len, "exited with status %d", WEXITSTATUS(r->status));
    else
        snprintf(out, len, "ended with wait status %d", r->status);
}

int main(int argc, char **argv)
{
    const char *env = getenv("UNIT_TIMEOUT");
    double timeout = env && atof(env) > 0 ? atof(env) : 60.0;
    size_t nsuites = getenv("UNIT_SELFTEST") ? 1 : NSUITES;
    unsigned passed = 0, failed = 0, broken = 0;
    size_t suite;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (suite = 0; suite < nsuites; suite++) {
        size_t skip = 0;

        for (;;) {
            child_run r;
            char why[128];
            int clean;

            if (run_child(&argc, &argv, suite, skip, timeout, &r) != 0) {
                broken++;
                break;
            }
            passed += r.passed;
            failed += r.failed;
            clean = !r.timed_out && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
            if (clean && r.running < 0)
                break;
            describe(&r, timeout, why, sizeof(why));
            if (r.running >= 0) {
                /* the test in progress is the culprit: fail it, run the rest */
                printf("%s\n    unit: test \"%s\" (suite %s, test %ld) %s\n",
                       r.timed_out ? "TIMEOUT" : "CRASHED", r.test, r.name, r.running + 1, why);
                failed++;
                if ((size_t)r.running + 1 < skip + r.ntests) {
                    skip = (size_t)r.running + 1;
                    continue;
                }
                break;
            }
            /* outside any test: MPI_Init, registration, exit (a leak report) */
            printf("unit: suite %s (number %zu) %s outside a test, after %ld test(s)\n",
                   r.ntests ? r.name : "?", suite + 1, why, r.ended);
            failed++;
            break;
        }
    }
    printf("unit: %u passed, %u failed\n", passed, failed);
    fflush(stdout);
    return (failed || broken) ? 1 : 0;
}
