/*
 * fuzz_config.c -- libFuzzer target: the --config reader (strads.conf(5),
 * both forms: KEY = VALUE lines and JSON) on any bytes, for each
 * command's sections. It must read or refuse, never crash or leak.
 */
#include "fuzz-util.h"

#include "cli-conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cmds[] = {"run", "coordinator", "node"};
	static FILE *quiet; /* /dev/null, kept open */
	conf_ent_t *e;
	size_t n, i;
	char path[64];
	int fd, k;

	if ((fd = fuzz_file(data, size, path, sizeof(path))) < 0)
		return 0;
	/* The reader reports refusals on stderr: keep the fuzzer's quiet. */
	if (quiet == NULL && (quiet = fopen("/dev/null", "w")) == NULL)
		abort();
	for (k = 0; k < 3; k++) {
		FILE *saved = stderr;

		stderr = quiet;
		if (cli_conf_read(cmds[k], path, &e, &n) == 0) {
			for (i = 0; i < n; i++)
				if (e[i].key == NULL || e[i].val == NULL)
					abort();
			cli_conf_ents_free(e, n);
		}
		stderr = saved;
	}
	close(fd);
	return 0;
}
