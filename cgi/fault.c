/* fault.c: test-only fault injection (see fault.h); empty in release builds. */
#include "fault.h"

#ifdef MESSLY_FAULTS
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

void fault_point(const char *name)
{
	const char *path = getenv("MESSLY_FAULT_FILE");
	if (path == NULL || *path == '\0')
		return;
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	char want[64] = {0};
	size_t n = fread(want, 1, sizeof(want) - 1, f);
	fclose(f);
	while (n > 0 && (want[n - 1] == '\n' || want[n - 1] == ' '))
		want[--n] = '\0';
	if (strcmp(want, name) != 0)
		return;
	if (unlink(path) != 0)
		return; /* another worker took this fault */
	log_info("fault injection: killing this worker at %s", name);
	raise(SIGKILL);
}
#else
typedef int fault_c_is_empty_in_release_builds;
#endif
