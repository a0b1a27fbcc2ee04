/*
 * fuzz_handshake.c -- libFuzzer target: the join handshake as a
 * coordinator meets it, from the wire in. A coordinator runtime (node 1,
 * with a cluster secret) and its membership actor (strads_cluster_new)
 * are handed frames through the transport's receive path
 * (strads__transport_deliver): the link authentication of
 * src/net/frames.c (the frame's prefix, the zero-token rule that lets
 * only join requests in, a token checked, remembered and its nonce
 * learnt) and then the membership actor's hello handler (its JSON, the
 * proof, a member admitted and welcomed).
 *
 * Input: a byte of mode, a byte choosing the sender (one of 6 node ids,
 * so that the peers and members it makes stay few), the sender's nonce
 * (16 bytes), then the rest. Mode bits 0-1, the prefix: 0 the rest's
 * first 56 bytes as they are, 1 a zero token (a join), 2 the right token
 * for that sender and nonce, 3 that token with one bit flipped. Bit 2:
 * the prefix at the front of the body instead of in NNG's message
 * header. Bit 3: the body is a hello to the membership actor, built from
 * the rest (bit 5: its JSON is the rest's bytes as they are; otherwise
 * made of its fields, and bit 4 makes its proof right, with a URL under
 * ipc:///nonexistent/ so that nothing is ever reached); without bit 3
 * the body is the rest, its headers made valid when bit 4 is set
 * (fuzz-frame.h), half of the messages to the membership actor.
 *
 * What must hold: nothing read outside the frame or a message (ASan);
 * every message handled and released before the input ends (a frame
 * held 30 s aborts); no leak (LeakSanitizer at exit).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cluster.h"
#include "text.h"
#include "fuzz-frame.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char secret[] = "fuzz-handshake-secret";
static strads_runtime_t *g_rt;
static strads_cluster_t *g_cluster;
static uint8_t g_nonce[STRADS__NONCE_LEN]; /* the coordinator's */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	strads_cluster_opts_t co;
	strads_config_t cfg;

	(void)argc;
	(void)argv;
	strads_log_set_level(STRADS_LOG_ERROR);
	strads_config_init(&cfg);
	cfg.nloops = 1;
	cfg.ncompute = 1;
	cfg.node_id = STRADS__COORD_NODE;
	cfg.max_frame = 65536;
	cfg.secret = secret;
	cfg.secret_len = sizeof(secret) - 1;
	strads_cluster_opts_init(&co);
	/* Members admitted by a right proof are dropped soon (they never
	 * answer), so the members held stay few. */
	co.heartbeat_s = 0.05;
	co.timeout_s = 0.2;
	if (strads_runtime_new(&g_rt, &cfg) != 0 || strads_runtime_start(g_rt) != 0 ||
	    strads_cluster_new(g_rt, &co, &g_cluster) != 0)
		abort();
	strads__transport_nonce(g_rt->tp, g_nonce);
	return 0;
}

/* A hello's JSON from the fuzzer's fields; proof_ok makes its proof
 * right. NULL when out of memory. The caller frees it. */
static char *
hello_json(uint32_t node, const uint8_t *nonce, const uint8_t *p, size_t n, int proof_ok)
{
	char url[64], hex[65];
	uint8_t proof[32];
	uint32_t roles = 0, workers = 0;
	size_t k, ulen;
	cJSON *o;
	char *s;

	if (n >= 1)
		roles = p[0] & 0x0f; /* 8 to 15 are refused */
	if (n >= 3)
		workers = (uint32_t)(p[1] | p[2] << 8) & 0x1fff; /* past 4096 refused */
	k = n > 3 ? n - 3 : 0;
	ulen = snprintf(url, sizeof(url), "ipc:///nonexistent/fuzz-");
	if (k > sizeof(url) - 1 - ulen)
		k = sizeof(url) - 1 - ulen;
	memcpy(url + ulen, p + 3, k);
	url[ulen + k] = '\0'; /* a NUL among them cuts it short */
	memset(proof, 0, sizeof(proof));
	if (proof_ok)
		strads__hello_proof((const uint8_t *)secret, sizeof(secret) - 1, node, nonce,
		    roles, workers, url, proof);
	else if (n > 0)
		memcpy(proof, p, n < sizeof(proof) ? n : sizeof(proof));
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "op", "hello");
	strads__hex_encode(nonce, STRADS__NONCE_LEN, hex);
	cJSON_AddStringToObject(o, "nonce", hex);
	strads__hex_encode(proof, sizeof(proof), hex);
	cJSON_AddStringToObject(o, "proof", hex);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddNumberToObject(o, "roles", roles);
	cJSON_AddNumberToObject(o, "workers", workers);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t a[AUTH_LEN], *frame = NULL;
	const uint8_t *nonce, *rest;
	size_t nrest, blen = 0, flen, alen = AUTH_LEN;
	uint32_t node;
	int mode, kind;

	if (size < 2 + STRADS__NONCE_LEN)
		return 0;
	mode = data[0];
	kind = mode & 3;
	node = 2 + data[1] % 6;
	nonce = data + 2;
	rest = data + 2 + STRADS__NONCE_LEN;
	nrest = size - 2 - STRADS__NONCE_LEN;
	if (kind == 0) {
		/* The prefix as given; none when the input is too short. */
		if (nrest >= AUTH_LEN) {
			memcpy(a, rest, AUTH_LEN);
			rest += AUTH_LEN;
			nrest -= AUTH_LEN;
		} else {
			alen = 0;
		}
	} else {
		a[0] = 'S';
		a[1] = 'A';
		a[2] = 1;
		a[3] = 0;
		strads__put32(a + 4, node);
		memcpy(a + 8, nonce, STRADS__NONCE_LEN);
		if (kind == 1)
			memset(a + 8 + STRADS__NONCE_LEN, 0, 32);
		else
			strads__link_token(g_rt->tp, node, STRADS__COORD_NODE, g_nonce, nonce,
			    a + 8 + STRADS__NONCE_LEN);
		if (kind == 3)
			a[8 + STRADS__NONCE_LEN + (nrest > 0 ? rest[0] % 32 : 0)] ^= 1;
	}
	if (mode & 8) {
		/* A hello message to the membership actor. */
		char *json = NULL;
		const uint8_t *payload;
		size_t plen;
		strads_msg_t m;

		if (mode & 32) {
			payload = rest;
			plen = nrest;
		} else {
			if ((json = hello_json(node, nonce, rest, nrest, (mode & 16) != 0)) == NULL)
				return 0;
			payload = (const uint8_t *)json;
			plen = strlen(json);
		}
		blen = STRADS_MSG_HDR_SIZE + plen;
		if ((frame = malloc(blen)) == NULL) {
			free(json);
			return 0;
		}
		memset(&m, 0, sizeof(m));
		m.type = STRADS__MSG_MEM_HELLO;
		m.src.node = node;
		m.src.actor = STRADS_ACTOR_ID(0, 1, 1);
		m.dst.node = STRADS__COORD_NODE;
		m.dst.actor = STRADS__CTL_ACTOR;
		m.len = (uint32_t)plen;
		strads__hdr_encode(&m, frame);
		memcpy(frame + STRADS_MSG_HDR_SIZE, payload, plen);
		free(json);
	} else {
		if ((frame = malloc(nrest > 0 ? nrest : 1)) == NULL)
			return 0;
		memcpy(frame, rest, nrest);
		blen = nrest;
		if (mode & 16) {
			fuzz_fix_t fx;

			memset(&fx, 0, sizeof(fx));
			fx.readdress = 1;
			fx.node = STRADS__COORD_NODE;
			fx.sink.node = STRADS__COORD_NODE;
			fx.sink.actor = STRADS__CTL_ACTOR;
			fx.mask_flags = 1;
			blen = fuzz_frame_fix(frame, blen, &fx);
		}
	}
	if ((mode & 4) && alen > 0) {
		/* The prefix at the body's front, one buffer as a reader
		 * would hand it over. */
		uint8_t *both;

		flen = alen + blen;
		if ((both = malloc(flen)) == NULL) {
			free(frame);
			return 0;
		}
		memcpy(both, a, alen);
		memcpy(both + alen, frame, blen);
		fuzz_deliver(g_rt, NULL, 0, both, flen);
		free(both);
	} else {
		fuzz_deliver(g_rt, a, alen, frame, blen);
	}
	free(frame);
	return 0;
}
