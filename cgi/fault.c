/* fault.c: test-only fault injection (see fault.h); empty in release builds. */
#include "fault.h"

#ifdef MESSLY_FAULTS
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Whether the fault file holds prefix + name; its path in *path. */
static bool armed(const char *prefix, const char *name, const char **path)
{
	*path = getenv("MESSLY_FAULT_FILE");
	if (*path == NULL || **path == '\0')
		return false;
	FILE *f = fopen(*path, "r");
	if (f == NULL)
		return false;
	char want[64] = {0};
	size_t n = fread(want, 1, sizeof(want) - 1, f);
	fclose(f);
	while (n > 0 && (want[n - 1] == '\n' || want[n - 1] == ' '))
		want[--n] = '\0';
	size_t len = strlen(prefix);
	return strncmp(want, prefix, len) == 0 && strcmp(want + len, name) == 0;
}

void fault_hold(const char *name)
{
	const char *path;
	if (!armed("hold:", name, &path))
		return;
	char held[4096];
	int n = snprintf(held, sizeof(held), "%s.held", path);
	if (n < 0 || (size_t)n >= sizeof(held))
		return;
	FILE *f = fopen(held, "w");
	if (f == NULL || fclose(f) != 0)
		return;
	log_info("fault injection: holding at %s", name);
	for (int waited = 0; waited < 3000 && access(path, F_OK) == 0; waited++)
		usleep(10 * 1000);
	if (unlink(path) == 0)
		log_info("fault injection: hold at %s timed out", name);
}

void fault_point(const char *name)
{
	const char *path;
	if (!armed("", name, &path))
		return;
	if (unlink(path) != 0)
		return; /* another worker took this fault */
	log_info("fault injection: killing this worker at %s", name);
	raise(SIGKILL);
}
#else
typedef int fault_c_is_empty_in_release_builds;
#endif
