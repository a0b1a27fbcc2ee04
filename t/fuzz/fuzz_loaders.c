/*
 * fuzz_loaders.c -- libFuzzer target: the data loaders (LIBSVM,
 * MatrixMarket, CSV and TSV) on any bytes, then the column-major copy of
 * what loads. The first byte picks the loader and its options; a loader
 * must load or refuse with a message, never crash, hang or leak.
 */
#include "fuzz-util.h"

#include <string.h>

#include "data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	data_opts_t o;
	data_matrix_t m;
	data_csc_t c;
	char path[64], err[512];
	uint8_t pick;
	int fd, rc;

	if (size < 1)
		return 0;
	pick = data[0];
	if ((fd = fuzz_file(data + 1, size - 1, path, sizeof(path))) < 0)
		return 0;
	data_opts_init(&o);
	/* Keep an implied p that a loader accepts small enough for the
	 * fuzzer's memory limit (the limit's own error is what is tested). */
	o.max_features = 1u << 16;
	o.index_base = pick & 8 ? 0 : 1;
	o.missing = (data_missing_t)((pick >> 4) % 3);
	o.header = (data_header_t)((pick >> 6) % 3);
	if (pick & 32)
		o.target = "y";
	else if (pick & 64)
		o.target = "1";
	memset(&m, 0, sizeof(m));
	err[0] = '\0';
	switch (pick % 4) {
	case 0:
		rc = data_load_libsvm(path, &o, &m, err, sizeof(err));
		break;
	case 1:
		rc = data_load_mm(path, &o, &m, err, sizeof(err));
		break;
	case 2:
		rc = data_load_csv(path, &o, &m, err, sizeof(err));
		break;
	default:
		o.delim = '\t';
		rc = data_load_csv(path, &o, &m, err, sizeof(err));
		break;
	}
	if (rc == 0) {
		if (data_csc(&m, &c) == 0)
			data_csc_free(&c);
		data_matrix_free(&m);
	} else if (err[0] == '\0') {
		abort(); /* a refusal must say why */
	}
	close(fd);
	return 0;
}
