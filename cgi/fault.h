/* fault.h: test-only fault injection, compiled in only with -DMESSLY_FAULTS
 * (MODE=test); in a release build fault_point() is an empty macro and
 * fault.c is empty, so no such code ships.
 *
 * A worker that reaches a named point while the file named by
 * MESSLY_FAULT_FILE holds that name removes the file (so exactly one
 * request is hit, even with several workers) and kills itself with SIGKILL,
 * as a crash or an OOM kill would. Points: see the calls of fault_point(). */
#ifndef MESSLY_FAULT_H
#define MESSLY_FAULT_H

#ifdef MESSLY_FAULTS
void fault_point(const char *name);
/* A worker that reaches a named hold while the file holds "hold:NAME"
 * creates "<file>.held" and waits (the request stays busy) until the test
 * removes the file, at most 30 s; then it removes the file itself and goes
 * on. Every worker that reaches it meanwhile waits too. */
void fault_hold(const char *name);
#else
#define fault_point(name) ((void)0)
#define fault_hold(name) ((void)0)
#endif

#endif
