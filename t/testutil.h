/*
 * testutil.h -- small helpers shared by the Check test programs.
 *
 * Tests wait for a condition with a deadline; they never sleep and hope.
 * Everything here is a macro or a static inline function so each test
 * program stays one translation unit.
 */
#ifndef STRADS_TESTUTIL_H
#define STRADS_TESTUTIL_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include <uv.h>

#include "strads.h"

/* The time timeout_ms from now, on strads_now_ns()'s monotonic clock,
 * stretched by CK_TIMEOUT_MULTIPLIER as Check stretches its per-test
 * timeout, so a run under valgrind or the sanitizers on a loaded machine
 * waits as much longer for a condition as it does for the whole test. */
static inline uint64_t
test_deadline_ms(uint64_t timeout_ms)
{
	const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
	double f = m != NULL ? strtod(m, NULL) : 1.0;

	if (!(f >= 1.0) || f > 1000.0)
		f = 1.0;
	return strads_now_ns() + (uint64_t)((double)timeout_ms * f) * 1000000u;
}

/* 1 once the deadline returned by test_deadline_ms() has passed. */
static inline int
test_expired(uint64_t deadline)
{
	return strads_now_ns() >= deadline;
}

/* 1 when STRADS_TEST_QUICK is set (and not "0"): slow environments
 * (valgrind) ask for smaller loops with it. */
static inline int
test_quick(void)
{
	const char *s = getenv("STRADS_TEST_QUICK");

	return s != NULL && s[0] != '\0' && !(s[0] == '0' && s[1] == '\0');
}

/* xorshift64*: a fixed seed gives the same sequence on every platform,
 * so a failing random case reproduces. *state must not be 0. */
static inline uint64_t
test_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Polls cond every millisecond until it holds; fails the test, naming
 * cond, when timeout_ms passes first. cond is evaluated once more after
 * the deadline so a condition that became true meanwhile still passes.
 * Call it from the test's own thread only (a Check failure on another
 * thread is undefined in CK_NOFORK mode). */
#define WAIT_UNTIL(cond, timeout_ms)                                           \
	do {                                                                   \
		uint64_t wait_deadline_ = test_deadline_ms(timeout_ms);        \
		while (!(cond)) {                                              \
			if (test_expired(wait_deadline_)) {                    \
				ck_assert_msg((cond),                          \
				    "timed out after %llu ms waiting for: %s", \
				    (unsigned long long)(timeout_ms), #cond);  \
				break;                                         \
			}                                                      \
			uv_sleep(1);                                           \
		}                                                              \
	} while (0)

/* A cheap assertion for hot loops: Check's ck_assert_* records a mark
 * point (a write to the parent process) on every success, which costs
 * more than the code under test when called a million times. */
#define TEST_REQUIRE(cond)                                                     \
	do {                                                                   \
		if (!(cond))                                                   \
			ck_abort_msg("Assertion '%s' failed", #cond);          \
	} while (0)

/* main() of a test program: runs the suite returned by suite_fn (a
 * function `Suite *suite_fn(void)`) honouring CK_FORK, CK_VERBOSITY and
 * CK_RUN_CASE from the environment, and exits 0 only when every test
 * passed. */
#define STRADS_TEST_MAIN(suite_fn)                                             \
	int main(void)                                                         \
	{                                                                      \
		SRunner *sr = srunner_create(suite_fn());                      \
		int nfailed;                                                   \
                                                                               \
		srunner_set_fork_status(sr, CK_FORK_GETENV);                   \
		srunner_run_all(sr, CK_ENV);                                   \
		nfailed = srunner_ntests_failed(sr);                           \
		srunner_free(sr);                                              \
		return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;             \
	}

#endif /* STRADS_TESTUTIL_H */
