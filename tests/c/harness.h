/*
 * A tiny test harness: each test is a function, CHECK macros count and report,
 * and harness_run() prints "N passed, N failed" alone on the last line and
 * returns the process exit code (non-zero when any check failed).
 *
 * Checks may run on any thread (library callbacks included): the counters are
 * atomic and each failure is one fprintf.
 */
#ifndef LMS_TEST_HARNESS_H
#define LMS_TEST_HARNESS_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long harness_passed;
static unsigned long harness_failed;
static const char *harness_current = "";

static inline int harness_check(int ok, const char *file, int line, const char *what) {
    if (ok) {
        __atomic_fetch_add(&harness_passed, 1, __ATOMIC_RELAXED);
    } else {
        __atomic_fetch_add(&harness_failed, 1, __ATOMIC_RELAXED);
        fprintf(stderr, "%s:%d: [%s] FAILED: %s\n", file, line, harness_current, what);
    }
    return ok;
}

/* CHECK(cond): count a check; report the expression when it is false. */
#define CHECK(cond) harness_check((cond) ? 1 : 0, __FILE__, __LINE__, #cond)

/* CHECK_MSG(cond, fmt, ...): like CHECK, with a formatted explanation on failure. */
#define CHECK_MSG(cond, ...)                                                    \
    do {                                                                        \
        if (!harness_check((cond) ? 1 : 0, __FILE__, __LINE__, #cond)) {        \
            fprintf(stderr, "    ");                                            \
            fprintf(stderr, __VA_ARGS__);                                       \
            fprintf(stderr, "\n");                                              \
        }                                                                       \
    } while (0)

/* CHECK_INT_EQ(a, b): integers, both values printed on failure. */
#define CHECK_INT_EQ(a, b)                                                      \
    do {                                                                        \
        long long a_ = (long long)(a), b_ = (long long)(b);                     \
        CHECK_MSG(a_ == b_, "%s = %lld, %s = %lld", #a, a_, #b, b_);            \
    } while (0)

/* CHECK_STR_EQ(a, b): C strings (NULL-safe), both printed on failure. */
#define CHECK_STR_EQ(a, b)                                                      \
    do {                                                                        \
        const char *a_ = (a), *b_ = (b);                                        \
        CHECK_MSG(a_ != NULL && b_ != NULL && strcmp(a_, b_) == 0,              \
                  "%s = \"%s\", %s = \"%s\"", #a, a_ ? a_ : "(null)", #b,       \
                  b_ ? b_ : "(null)");                                          \
    } while (0)

typedef void (*harness_test_fn)(void);

typedef struct harness_case {
    const char *name;
    harness_test_fn fn;
} harness_case;

/* TEST(fn) makes a harness_case named after the function. */
#define TEST(fn) { #fn, fn }

/* Runs every case in order, then after_each (if not NULL) after each case,
 * and returns the exit code for main(). */
static inline int harness_run(const harness_case *cases, size_t count, harness_test_fn after_each) {
    size_t i;
    const char *only = getenv("LMS_TEST_ONLY"); /* run one test by name */
    for (i = 0; i < count; i++) {
        unsigned long failed_before = __atomic_load_n(&harness_failed, __ATOMIC_RELAXED);
        if (only != NULL && *only != '\0' && strcmp(only, cases[i].name) != 0) {
            continue;
        }
        harness_current = cases[i].name;
        cases[i].fn();
        if (after_each != NULL) {
            after_each();
        }
        printf("%s %s\n",
               __atomic_load_n(&harness_failed, __ATOMIC_RELAXED) == failed_before ? "ok  " : "FAIL",
               cases[i].name);
        fflush(stdout);
    }
    harness_current = "";
    printf("%lu passed, %lu failed\n", __atomic_load_n(&harness_passed, __ATOMIC_RELAXED),
           __atomic_load_n(&harness_failed, __ATOMIC_RELAXED));
    fflush(stdout);
    return __atomic_load_n(&harness_failed, __ATOMIC_RELAXED) == 0 ? 0 : 1;
}

#endif /* LMS_TEST_HARNESS_H */
