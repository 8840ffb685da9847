/* unit.h: the smallest test harness. Each tests/unit/test_*.c is one program:
 * TEST(name) { ... CHECK(cond); CHECK_STR(a, b); } and a main() calling
 * RUN(name) for each, then returning unit_summary(). Prints "N passed, N failed". */
#ifndef MESSLY_UNIT_H
#define MESSLY_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed, unit_cur_failed;

#define TEST(name) static void test_##name(void)
#define RUN(name)                                                          \
	do {                                                               \
		unit_cur_failed = 0;                                       \
		test_##name();                                             \
		if (unit_cur_failed) {                                     \
			unit_failed++;                                     \
			printf("not ok - %s\n", #name);                    \
		} else {                                                   \
			unit_passed++;                                     \
			printf("ok - %s\n", #name);                        \
		}                                                          \
	} while (0)
#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("  %s:%d: CHECK(%s) failed\n", __FILE__,    \
			       __LINE__, #cond);                           \
			unit_cur_failed = 1;                               \
		}                                                          \
	} while (0)
#define CHECK_STR(a, b)                                                    \
	do {                                                               \
		const char *a_ = (a), *b_ = (b);                           \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {     \
			printf("  %s:%d: got \"%s\" want \"%s\"\n", __FILE__, \
			       __LINE__, a_ ? a_ : "(null)",               \
			       b_ ? b_ : "(null)");                        \
			unit_cur_failed = 1;                               \
		}                                                          \
	} while (0)

static inline int unit_summary(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
