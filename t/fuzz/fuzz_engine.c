/*
 * fuzz_engine.c -- libFuzzer target: the engine's message decoder
 * (src/engine/schmp-codec.c) on any bytes, as a message of each engine
 * type: it must decode what it can and refuse the rest with
 * STRADS_EPROTO, never read past the message; what decodes encodes back
 * to a message that decodes the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schmp.h"
#include "strads-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strads_msg_t *m, *back;
	strads__eng_t e, f;
	uint16_t type;

	if (size < 2)
		return 0;
	type = (uint16_t)(data[0] | data[1] << 8);
	if ((m = strads_msg_new(type, size - 2)) == NULL)
		return 0;
	if (size > 2)
		memcpy(m->data, data + 2, size - 2);
	memset(&e, 0, sizeof(e));
	if (strads__eng_decode(m, &e) == 0) {
		if ((back = strads__eng_encode(type, &e)) != NULL) {
			memset(&f, 0, sizeof(f));
			if (strads__eng_decode(back, &f) != 0 || f.n != e.n || f.nd != e.nd ||
			    f.round != e.round || f.kind != e.kind ||
			    (e.n > 0 && memcmp(f.idx, e.idx, (size_t)e.n * 4) != 0) ||
			    (e.nd > 0 && memcmp(f.val, e.val, (size_t)e.nd * 8) != 0))
				abort();
			strads__eng_free(&f);
			strads_msg_free(back);
		}
		strads__eng_free(&e);
	}
	memset(&e, 0, sizeof(e));
	if (strads__eng_view(m, &e) == 0)
		strads__eng_free(&e);
	strads_msg_free(m);
	return 0;
}
