/*
 * fuzz_model.c -- libFuzzer target: the model readers on any bytes.
 * model_read (Lasso and logistic regression models) must read or refuse
 * with a message; model_read_text (the integrity check of the formats of
 * their own) likewise.
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
