/*
 * helper_table.c -- the far end of check_table's two-process tests,
 * exec'd by the test (NNG is not fork-safe, so the test never forks a
 * process that used it). It hosts a table's shards; the test's clients
 * attach to them over tcp loopback.
 *
 *   helper_table KIND WIDTH STALENESS NCLIENTS NSHARDS NROWS CLOCKS VALUE
 *
 * Runs node 2 with two loops: creates the table "prop" (KIND 0 dense, 1
 * sparse; VALUE 0 doubles, 1 floats), listens on tcp://127.0.0.1:0 and prints
 *   "port P shards K A0 A1 ... AK-1"       (the shards' actor ids)
 * then reads the test's port from stdin, declares node 1 there and
 * prints "ready". At the end of stdin it waits (at most 20 s) until its
 * shards applied CLOCKS clock ticks in all, prints
 *   "updates U clocks C rejected R shard_gets G"
 * and exits 0, or 3 when the clocks did not all arrive in time (at once,
 * without closing its runtime: see the end of main).
 */
#include "strads-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	strads_runtime_t *rt;
	strads_config_t cfg;
	strads_table_opts_t o;
	strads_table_stats_t st;
	strads_table_t *t = NULL;
	char err[256], line[64], url[64];
	uint64_t clocks, deadline;
	int port = 0, peer = 0, i, rc;

	if (argc != 9) {
		fprintf(stderr, "usage: helper_table KIND WIDTH STALENESS "
		    "NCLIENTS NSHARDS NROWS CLOCKS VALUE\n");
		return 2;
	}
	alarm(120); /* never outlive a wedged test */
	strads_table_opts_init(&o);
	o.name = "prop";
	o.kind = atoi(argv[1]);
	o.width = (uint32_t)strtoul(argv[2], NULL, 10);
	o.staleness = (uint32_t)strtoul(argv[3], NULL, 10);
	o.nclients = (uint32_t)strtoul(argv[4], NULL, 10);
	o.nshards = atoi(argv[5]);
	o.nrows = strtoull(argv[6], NULL, 10);
	clocks = strtoull(argv[7], NULL, 10);
	o.value = atoi(argv[8]);
	strads_config_init(&cfg);
	cfg.nloops = 2;
	cfg.ncompute = 1;
	cfg.node_id = 2;
	if (strads_runtime_new(&rt, &cfg) != 0 ||
	    strads_listen(rt, "tcp://127.0.0.1:0", &port) != 0)
		return 2;
	if (strads_table_create(rt, &o, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "helper_table: %s\n", err);
		return 2;
	}
	if (strads_runtime_start(rt) != 0)
		return 2;
	printf("port %d shards %d", port, strads_table_nshards(t));
	for (i = 0; i < strads_table_nshards(t); i++)
		printf(" %u", strads_table_shard(t, i).actor);
	printf("\n");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL ||
	    sscanf(line, "%d", &peer) != 1)
		return 2;
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", peer);
	if (strads_peer_add(rt, 1, url) != 0)
		return 2;
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) != NULL)
		;
	/* A client's last read may come from its cache while its last
	 * CLOCKs are still on the way. */
	deadline = strads_now_ns() + 20000000000ull;
	do {
		strads_table_stats(t, &st);
		if (st.clocks >= clocks)
			break;
		uv_sleep(2);
	} while (strads_now_ns() < deadline);
	rc = st.clocks >= clocks ? 0 : 3;
	printf("updates %llu clocks %llu rejected %llu shard_gets %llu\n",
	    (unsigned long long)st.updates, (unsigned long long)st.clocks,
	    (unsigned long long)st.rejected, (unsigned long long)st.shard_gets);
	fflush(stdout);
	/* Exit without closing the runtime: the test's process may still be
	 * returning credits, and NNG 1.5.2 can hang nng_close() for good when
	 * a frame arrives on a tcp pipe as its socket closes (fixed upstream
	 * by nanomsg/nng#1636; see nodes_quiesce in check_transport.c). The
	 * runtime's own shutdown is tested in check_runtime and
	 * check_transport, not here. */
	(void)t;
	_exit(rc);
}
