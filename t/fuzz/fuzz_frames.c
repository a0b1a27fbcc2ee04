/*
 * fuzz_frames.c -- libFuzzer target: the frame and message decoder
 * (src/core/codec.c: strads__frame_check, strads__msg_decode) and the
 * transport's receive path (src/net/frames.c: strads__transport_deliver)
 * on any bytes, in a runtime without a cluster secret.
 *
 * Input: one byte of mode, then the frame. Mode bit 0 makes every
 * header pass its check word (fuzz-frame.h), so the fuzzer reaches the
 * payload rules and the delivery; bit 1 addresses every message to this
 * runtime (half of them to a live actor, which reads every payload
 * byte); bit 2 keeps only the flags the codec knows.
 *
 * What must hold: the decoder refuses a frame or accepts it whole; what
 * it accepts are messages that tile the frame exactly, each header
 * encoding back to its own bytes; delivery never reads outside the
 * frame (ASan), and every message it makes is handled and released
 * (the input does not return before; a frame held 30 s aborts).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-frame.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The largest payload the runtime takes: small, so that lengths past it
 * (STRADS_EMSGSIZE) are within reach of short inputs. */
#define MAX_FRAME 8192

static strads_runtime_t *g_rt;
static strads_addr_t g_sink;
static volatile uint8_t g_sum;

static int
sink_init(strads_actor_t *self, void *arg)
{
	(void)self;
	(void)arg;
	return 0;
}

/* Reads every byte of what it is given: a payload view past its frame
 * is a heap overflow ASan reports. */
static void
sink_recv(strads_actor_t *self, const strads_msg_t *m)
{
	uint8_t s = 0;
	uint32_t i;

	(void)self;
	for (i = 0; i < m->len; i++)
		s ^= m->data[i];
	g_sum ^= s;
}

static const strads_actor_type_t sink_type = {"fuzz-sink", 0, sink_init, sink_recv, NULL};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	strads_config_t cfg;

	(void)argc;
	(void)argv;
	strads_log_set_level(STRADS_LOG_ERROR);
	strads_config_init(&cfg);
	cfg.nloops = 2;
	cfg.ncompute = 1;
	cfg.node_id = 1;
	cfg.max_frame = MAX_FRAME;
	if (strads_runtime_new(&g_rt, &cfg) != 0 || strads_runtime_start(g_rt) != 0 ||
	    strads_spawn(g_rt, &sink_type, 0, NULL, &g_sink) != 0)
		abort();
	return 0;
}

/* The decoder alone: all or nothing, exact tiling, headers that encode
 * back to their bytes. */
static void
check_decoder(const uint8_t *p, size_t n)
{
	size_t max_payload = MAX_FRAME - STRADS_MSG_HDR_SIZE, off = 0;
	int64_t count = strads__frame_check(p, n, max_payload), seen = 0;

	while (off < n) {
		strads_msg_t m;
		uint8_t back[STRADS_MSG_HDR_SIZE];
		int64_t r = strads__msg_decode(p + off, n - off, max_payload, &m);

		if (r < 0) {
			if (count >= 0)
				abort(); /* accepted a frame with a bad message */
			return;
		}
		if (r < STRADS_MSG_HDR_SIZE || (size_t)r > n - off ||
		    (size_t)r != STRADS_MSG_HDR_SIZE + m.len || m.len > max_payload)
			abort();
		strads__hdr_encode(&m, back);
		if (memcmp(back, p + off, sizeof(back)) != 0)
			abort();
		off += (size_t)r;
		seen++;
	}
	if (n > 0 && count != seen)
		abort(); /* refused a frame whose every message decodes */
	if (n == 0 && count >= 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_fix_t fx;
	uint8_t *p;
	size_t n;
	int mode;

	if (size < 1)
		return 0;
	mode = data[0];
	n = size - 1;
	/* A copy: the fix-up writes, and a heap buffer of the exact size
	 * lets ASan see a read past the end. */
	if ((p = malloc(n > 0 ? n : 1)) == NULL)
		return 0;
	memcpy(p, data + 1, n);
	if (mode & 1) {
		memset(&fx, 0, sizeof(fx));
		fx.readdress = (mode & 2) != 0;
		fx.node = 1;
		fx.sink = g_sink;
		fx.mask_flags = (mode & 4) != 0;
		n = fuzz_frame_fix(p, n, &fx);
	}
	check_decoder(p, n);
	fuzz_deliver(g_rt, NULL, 0, p, n);
	free(p);
	return 0;
}
