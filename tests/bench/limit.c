/* limit.c: the benchmark's yardstick. A minimal FastCGI program behind the
 * same nginx as Messly, doing per request exactly what the stack cannot
 * avoid, and nothing else:
 *   /bench/send   one prepared INSERT of the request body into
 *                 bench_messages (the messages table's columns, indexes and
 *                 foreign keys; synchronous_commit on, so a 2xx is durable)
 *                 and one publish of it to an nchan channel (libcurl, one
 *                 keep-alive connection per process, as the app does);
 *   /bench/hello  a fixed answer, no database (the FastCGI round trip).
 *
 *   limit SOCKET WORKERS     (MESSLY_DB, MESSLY_PUBLISH_SOCKET from the environment)
 *   limit --scrypt N SECONDS PROCS
 *                 the login yardstick: PROCS processes hash passwords with
 *                 libscrypt at N (r=8, p=1, as the app) for SECONDS; prints
 *                 {"hashes_per_s": X}
 */
#include <curl/curl.h>
#include <fcgiapp.h>
#include <libscrypt.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX 65536

static const char insert_sql[] =
	"INSERT INTO bench_messages (chat_id, seq, version_seq, sender_id, kind, body, html,"
	" client_id) VALUES ($1, nextval('bench_seq'), currval('bench_seq'), $2, 'text', $3, $3, $4)";

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static void answer(FCGX_Request *r, int status, const char *text)
{
	FCGX_FPrintF(r->out, "Status: %d\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s",
		     status, (int)strlen(text), text);
}

static size_t read_body(FCGX_Request *r, char *buf)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", r->envp);
	long want = cl ? strtol(cl, NULL, 10) : 0;
	if (want <= 0 || want >= BODY_MAX)
		return 0;
	int got = FCGX_GetStr(buf, (int)want, r->in);
	buf[got > 0 ? got : 0] = '\0';
	return got > 0 ? (size_t)got : 0;
}

static int publish(CURL *c, const char *channel, const char *body, size_t len)
{
	char url[256];
	snprintf(url, sizeof(url), "http://localhost/pub/%s", channel);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	long status = 0;
	if (curl_easy_perform(c) != CURLE_OK)
		return -1;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	return status < 300 ? 0 : -1;
}

static void send_one(FCGX_Request *r, PGconn *db, CURL *c, int wid, unsigned long *n)
{
	static char body[BODY_MAX];
	size_t len = read_body(r, body);
	const char *q = FCGX_GetParam("QUERY_STRING", r->envp);
	long chat = q ? strtol(q, NULL, 10) : 0;
	if (len == 0 || chat <= 0) {
		answer(r, 400, "bad request\n");
		return;
	}
	char chat_s[24], cid[48];
	snprintf(chat_s, sizeof(chat_s), "%ld", chat);
	snprintf(cid, sizeof(cid), "limit-%d-%d-%lu", (int)getpid(), wid, (*n)++);
	const char *params[] = {chat_s, "1", body, cid};
	PGresult *res = PQexecPrepared(db, "ins", 4, params, NULL, NULL, 0);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "limit: insert: %s", PQerrorMessage(db));
	PQclear(res);
	if (!ok) {
		answer(r, 500, "insert failed\n");
		return;
	}
	char channel[48];
	snprintf(channel, sizeof(channel), "bench-limit-%ld", chat);
	if (publish(c, channel, body, len) != 0) {
		answer(r, 502, "publish failed\n");
		return;
	}
	answer(r, 201, "stored\n");
}

static void child(int fd, int wid)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	const char *dbc = getenv("MESSLY_DB"), *pub = getenv("MESSLY_PUBLISH_SOCKET");
	PGconn *db = PQconnectdb(dbc ? dbc : "");
	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "limit: connect: %s", PQerrorMessage(db));
		_exit(1);
	}
	PGresult *res = PQprepare(db, "ins", insert_sql, 4, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "limit: prepare: %s", PQerrorMessage(db));
		_exit(1);
	}
	PQclear(res);
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	if (c == NULL || h == NULL || pub == NULL)
		_exit(1);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, pub);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);

	FCGX_Request r;
	if (FCGX_InitRequest(&r, fd, 0) != 0)
		_exit(1);
	unsigned long n = 0;
	while (FCGX_Accept_r(&r) >= 0) {
		const char *uri = FCGX_GetParam("DOCUMENT_URI", r.envp);
		if (uri && strcmp(uri, "/bench/hello") == 0)
			answer(&r, 200, "hello\n");
		else if (uri && strcmp(uri, "/bench/send") == 0)
			send_one(&r, db, c, wid, &n);
		else
			answer(&r, 404, "not found\n");
		FCGX_Finish_r(&r);
	}
	_exit(0);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Each child hashes until the deadline and exits with its count (<= 255). */
static int scrypt_rate(uint32_t n, double secs, int procs)
{
	double t0 = now();
	for (int i = 0; i < procs; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			int count = 0;
			char out[SCRYPT_MCF_LEN];
			while (now() - t0 < secs && count < 255) {
				if (libscrypt_hash(out, "correct horse battery", n, 8, 1) != 1)
					_exit(255);
				count++;
			}
			_exit(count);
		}
	}
	int total = 0, status;
	while (wait(&status) > 0)
		if (WIFEXITED(status) && WEXITSTATUS(status) != 255)
			total += WEXITSTATUS(status);
	printf("{\"hashes_per_s\": %.2f}\n", total / (now() - t0));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--scrypt") == 0)
		return scrypt_rate((uint32_t)strtoul(argv[2], NULL, 10), atof(argv[3]), atoi(argv[4]));
	if (argc != 3) {
		fprintf(stderr, "usage: limit SOCKET WORKERS\n");
		return 2;
	}
	int workers = atoi(argv[2]);
	if (workers < 1 || workers > 64)
		return 2;
	if (FCGX_Init() != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	int fd = FCGX_OpenSocket(argv[1], 1024);
	if (fd < 0)
		return 1;
	chmod(argv[1], 0600);
	signal(SIGTERM, SIG_DFL);
	for (int i = 0; i < workers; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0)
			child(fd, i);
	}
	/* children die with their parent (PDEATHSIG); the parent waits for them */
	while (wait(NULL) > 0)
		;
	return 0;
}
