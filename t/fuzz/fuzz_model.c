/*
 * fuzz_model.c -- libFuzzer target: the model readers on any bytes.
 * model_read (Lasso and logistic regression models) must read or refuse
 * with a message; model_read_text (the integrity check of the formats of
 * their own) likewise. libFuzzer's comparison tracing finds valid
 * checksums, so the parser behind the check is reached too.
 */
#include "fuzz-util.h"

#include <string.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	model_t m;
	char path[64], err[512], *text = NULL;
	size_t body;
	int fd;

	/* A model that claims p features costs p doubles to read, as it
	 * must (predict multiplies by all of them): inputs that claim more
	 * than 2^20 are skipped, so the fuzzer's time goes to the parser,
	 * not to zeroing memory. */
	{
		const uint8_t *q = data, *end = data + size;

		while ((q = memchr(q, '#', (size_t)(end - q))) != NULL) {
			if (end - q > 4 && memcmp(q, "# p ", 4) == 0) {
				size_t k = 4;
				uint64_t v = 0;

				while (q + k < end && q[k] >= '0' && q[k] <= '9' && v <= (1u << 20))
					v = v * 10 + (uint64_t)(q[k++] - '0');
				if (v > (1u << 20))
					return 0;
			}
			q++;
		}
	}
	if ((fd = fuzz_file(data, size, path, sizeof(path))) < 0)
		return 0;
	memset(&m, 0, sizeof(m));
	err[0] = '\0';
	if (model_read(path, &m, err, sizeof(err)) == 0)
		model_free(&m);
	else if (err[0] == '\0')
		abort(); /* a refusal must say why */
	err[0] = '\0';
	if (model_read_text(path, &text, &body, err, sizeof(err)) == 0) {
		if (body > strlen(text))
			abort();
		free(text);
	} else if (err[0] == '\0') {
		abort();
	}
	close(fd);
	return 0;
}
