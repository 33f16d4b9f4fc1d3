/* unit.h -- shared declarations of the CUnit unit tests.
 *
 * Each test_*.c file registers one suite; test_main.c runs each suite in a
 * child process of its own (tests/unit_mpi/ reuses unit_util.c). The
 * helpers below are independent of the code under test (temp dirs are
 * removed with our own nftw walk, not tk_fs_rmtree). */
#ifndef UNIT_H
#define UNIT_H

#include <stddef.h>

#include <CUnit/CUnit.h>

/* Suite registration: each returns CUE_SUCCESS or a CUnit error code. */
int unit_register_parse(void);
int unit_register_csv(void);
int unit_register_hash(void);
int unit_register_keycount(void);
int unit_register_agg(void);
int unit_register_opt(void);
int unit_register_fs(void);
int unit_register_table(void);
int unit_register_gbtrain(void);
int unit_register_gbtrain_cv(void);
int unit_register_model(void);
int unit_register_input(void);

/* Adds a suite and its NULL-terminated tests, leaving out the first
 * unit_skip_tests of them (the runner sets it to resume a suite after a test
 * that crashed or hung; 0 otherwise). */
typedef struct unit_test {
    const char *name;
    CU_TestFunc fn;
} unit_test;
extern size_t unit_skip_tests;
int unit_add_suite(const char *name, const unit_test *tests);

/* Creates a fresh folder /tmp/tk_unit.XXXXXX into buf (>= 64 bytes).
 * Returns 0 or -1. */
int unit_tmpdir(char *buf, size_t len);

/* Removes path and everything under it (independent of tk_fs). 0 or -1. */
int unit_rmtree(const char *path);

/* Writes len bytes to dir/name, full path into out (PATH_MAX). 0 or -1. */
int unit_write_file(const char *dir, const char *name, const void *data, size_t len,
                    char *out, size_t out_len);

/* Reads a whole small file into a new NUL-terminated buffer (free). NULL on error. */
char *unit_read_file(const char *path, size_t *len);

/* Deterministic 64-bit generator (splitmix64). */
unsigned long long unit_rand(unsigned long long *state);

#endif
