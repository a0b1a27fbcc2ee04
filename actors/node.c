/*
 * node.c -- a node's agent actor (type "agent"): it joins the
 * coordinator, keeps the view's address table, exchanges heartbeats and
 * hands job messages to the main thread as events (the node's queue,
 * strads__node_t in cluster.h). The main thread's side, strads_node_run,
 * is src/cluster/node-run.c.
 *
 * States: joining (a hello each second until a welcome), member, and
 * lost (the coordinator stopped answering: roles are stopped, hellos
 * resume until a coordinator answers or wait_s passes).
 */
#include "cluster.h"
#include "hmac.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { NS_JOINING, NS_MEMBER, NS_CLOSED };

typedef struct {
	strads__node_t *n;
	int state;
	uint32_t epoch;
	uint64_t heard_ns;  /* last message from the coordinator */
	uint64_t since_ns;  /* joining since */
	uint64_t hello_ns;  /* next hello due */
	int lost_told;
	int was_lost; /* joining again after losing the coordinator */
	/* The coordinator's challenge from its welcome, and the beats'
	 * counter, which only grows for the process's life (a beat the
	 * coordinator saw before is refused there). */
	uint8_t challenge[STRADS__CHALLENGE_LEN];
	int have_challenge;
	uint64_t beat_n;
	/* Test hook STRADS_TEST_ZOMBIE=FILE (t/cluster_faults.sh): once FILE
	 * exists the node plays dead as an attacker would replay it: it
	 * ignores the coordinator, stops its roles and resends its last
	 * hello and beat, byte for byte, every tick. */
	const char *zombie_file;
	int zombie;
	cJSON *last_hello, *last_beat; /* owned: copies kept for the hook */
} agent_t;

static void
push_event(strads__node_t *n, int kind, cJSON *o)
{
	strads__node_event_t *e = calloc(1, sizeof(*e));

	if (e == NULL) {
		cJSON_Delete(o);
		return;
	}
	e->kind = kind;
	e->o = o;
	uv_mutex_lock(&n->lock);
	if (n->tail != NULL)
		n->tail->next = e;
	else
		n->head = e;
	n->tail = e;
	uv_cond_broadcast(&n->cond);
	uv_mutex_unlock(&n->lock);
}

/* ------------------------------------------------------------------ */
/* The agent.                                                           */

static void
send_hello(strads_actor_t *self, agent_t *a)
{
	strads__node_t *n = a->n;
	strads_runtime_t *rt = n->rt;
	uint8_t nonce[STRADS__NONCE_LEN], proof[32];
	char hex[65];
	const uint8_t *secret;
	size_t slen;
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return;
	const char *url = n->o.advertise, *t;
	uint64_t every = 1000000000ull; /* one a second */
	int workers = n->o.workers;

	strads__transport_nonce(rt->tp, nonce);
	strads__transport_secret(rt->tp, &secret, &slen);
	strads__hello_proof(secret, slen, strads_runtime_node(rt), nonce, (uint32_t)n->o.roles,
	    (uint32_t)n->o.workers, url, proof);
	/* Tests only: a hello as an attacker would send it (t/cluster.sh
	 * (e)): another worker count than the proof's, a URL of its own
	 * (one that would forge log lines), more hellos a second. */
	if ((t = getenv("STRADS_TEST_HELLO_WORKERS")) != NULL)
		workers = atoi(t);
	if ((t = getenv("STRADS_TEST_HELLO_URL")) != NULL)
		url = t;
	if ((t = getenv("STRADS_TEST_HELLO_EVERY_MS")) != NULL && atoi(t) > 0)
		every = (uint64_t)atoi(t) * 1000000ull;
	cJSON_AddStringToObject(o, "op", "hello");
	strads__hex_encode(nonce, sizeof(nonce), hex);
	cJSON_AddStringToObject(o, "nonce", hex);
	strads__hex_encode(proof, sizeof(proof), hex);
	cJSON_AddStringToObject(o, "proof", hex);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddNumberToObject(o, "roles", n->o.roles);
	cJSON_AddNumberToObject(o, "workers", workers);
	a->hello_ns = strads_now_ns() + every;
	if (a->zombie_file != NULL) {
		cJSON_Delete(a->last_hello);
		a->last_hello = cJSON_Duplicate(o, 1);
	}
	strads__ctl_send(self, n->ctl, STRADS__MSG_MEM_HELLO, o);
}

static void
send_op(strads_actor_t *self, agent_t *a, const char *op)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return;
	cJSON_AddStringToObject(o, "op", op);
	strads__ctl_send(self, a->n->ctl, STRADS__MSG_MEM_CTL, o);
}

static void
on_view(agent_t *a, const cJSON *o)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "members"), *e;
	uint32_t me = strads_runtime_node(a->n->rt);

	a->epoch = (uint32_t)strads__json_num(o, "epoch");
	cJSON_ArrayForEach(e, arr) {
		uint32_t node = (uint32_t)strads__json_num(e, "node");
		uint8_t nonce[STRADS__NONCE_LEN];
		const char *url = strads__json_str(e, "url");

		if (node == me || node <= STRADS__COORD_NODE || *url == '\0' ||
		    strads__hex_decode(strads__json_str(e, "nonce"), nonce, sizeof(nonce)) != 0)
			continue;
		/* Known peers stay as they are (EBUSY). */
		(void)strads__peer_add(a->n->rt, node, url, nonce);
	}
}

static void
on_coord(strads_actor_t *self, agent_t *a, const strads_msg_t *m)
{
	strads__node_t *n = a->n;
	cJSON *o;
	const char *op;

	if (m->src.node != STRADS__COORD_NODE)
		return;
	if (m->src.actor != STRADS__CTL_ACTOR)
		return; /* control comes from the membership actor only */
	if (a->zombie)
		return;
	o = strads__ctl_parse(m);
	if (o == NULL) {
		atomic_fetch_add(&n->rt->dropped_proto, 1);
		return;
	}
	a->heard_ns = strads_now_ns();
	op = strads__json_str(o, "op");
	if (strcmp(op, "welcome") == 0) {
		uint8_t mac[32];
		const uint8_t *secret;
		size_t slen;
		char hex[65];
		cJSON *j;

		if (strads__hex_decode(strads__json_str(o, "challenge"), a->challenge,
		    sizeof(a->challenge)) != 0) {
			atomic_fetch_add(&n->rt->dropped_proto, 1);
			cJSON_Delete(o);
			return;
		}
		a->have_challenge = 1;
		if (a->state == NS_JOINING) {
			a->was_lost = 0;
			a->state = NS_MEMBER;
			a->lost_told = 0;
			strads_log(STRADS_LOG_INFO, "node %u: joined %s",
			    strads_runtime_node(n->rt), n->o.join);
		}
		/* The join answers the welcome's challenge. */
		if ((j = cJSON_CreateObject()) != NULL) {
			strads__transport_secret(n->rt->tp, &secret, &slen);
			strads__member_mac(secret, slen, "strads join v1",
			    strads_runtime_node(n->rt), a->challenge, 0, mac);
			strads__hex_encode(mac, sizeof(mac), hex);
			cJSON_AddStringToObject(j, "op", "join");
			cJSON_AddStringToObject(j, "mac", hex);
			strads__ctl_send(self, n->ctl, STRADS__MSG_MEM_CTL, j);
		}
	} else if (strcmp(op, "view") == 0) {
		on_view(a, o);
	} else if (strcmp(op, "job") == 0) {
		push_event(n, EV_JOB, o);
		return;
	} else if (strcmp(op, "table") == 0) {
		push_event(n, EV_TABLE, o);
		return;
	} else if (strcmp(op, "abort") == 0) {
		push_event(n, EV_ABORT, o);
		return;
	} else if (strcmp(op, "stage") == 0) {
		push_event(n, EV_STAGE, o);
		return;
	} else if (strcmp(op, "bye") == 0) {
		/* With --persist, join the next coordinator; else quiet. */
		a->state = n->o.persist ? NS_JOINING : NS_CLOSED;
		/* Not to this coordinator again: it is closing. */
		a->hello_ns = strads_now_ns() + (uint64_t)(n->o.timeout_s * 1e9);
		a->was_lost = 0;
		a->lost_told = 0;
		a->since_ns = strads_now_ns();
		push_event(n, EV_BYE, NULL);
	}
	cJSON_Delete(o);
}

/* From the main thread: a message for the coordinator, or a request. */
static void
on_local(strads_actor_t *self, agent_t *a, const strads_msg_t *m)
{
	cJSON *o = strads__ctl_parse(m), *inner;
	const char *op;

	if (o == NULL)
		return;
	op = strads__json_str(o, "op");
	if (strcmp(op, "local-send") == 0 &&
	    (inner = cJSON_DetachItemFromObjectCaseSensitive(o, "msg")) != NULL) {
		strads__ctl_send(self, a->n->ctl, STRADS__MSG_MEM_CTL, inner);
	} else if (strcmp(op, "local-leaving") == 0) {
		if (a->state == NS_MEMBER)
			send_op(self, a, "leaving");
	} else if (strcmp(op, "local-leave") == 0) {
		strads__node_t *n = a->n;

		send_op(self, a, "leave");
		/* Out now, with this coordinator's token: a persistent node
		 * then forgets it (the next coordinator has a new nonce). */
		strads__loop_flush(self->loop);
		if (n->o.persist)
			strads__peer_retire(n->rt, STRADS__COORD_NODE);
		uv_mutex_lock(&n->lock);
		n->leave_sent = 1;
		uv_cond_broadcast(&n->cond);
		uv_mutex_unlock(&n->lock);
	}
	cJSON_Delete(o);
}

static void
on_tick(strads_actor_t *self, agent_t *a)
{
	strads__node_t *n = a->n;
	uint64_t now = strads_now_ns();
	uint64_t timeout = (uint64_t)(n->o.timeout_s * 1e9), wait = (uint64_t)(n->o.wait_s * 1e9);
	int quit;

	uv_mutex_lock(&n->lock);
	quit = n->quit;
	uv_mutex_unlock(&n->lock);
	if (quit) {
		strads_actor_stop(self);
		return;
	}
	if (a->zombie_file != NULL && !a->zombie && access(a->zombie_file, F_OK) == 0) {
		a->zombie = 1;
		strads_log(STRADS_LOG_WARN, "node %u: test hook: playing dead, replaying",
		    strads_runtime_node(n->rt));
		push_event(n, EV_LOST, NULL);
	}
	if (a->zombie) {
		if (a->last_hello != NULL)
			strads__ctl_send(self, n->ctl, STRADS__MSG_MEM_HELLO,
			    cJSON_Duplicate(a->last_hello, 1));
		if (a->last_beat != NULL)
			strads__ctl_send(self, n->ctl, STRADS__MSG_MEM_CTL,
			    cJSON_Duplicate(a->last_beat, 1));
		return;
	}
	if (a->state == NS_MEMBER) {
		strads_stats_t st;
		cJSON *b;

		if (now - a->heard_ns > timeout) {
			strads_log(STRADS_LOG_WARN, "node %u: the coordinator stopped answering; "
			    "waiting up to %.0fs for it", strads_runtime_node(n->rt), n->o.wait_s);
			a->state = NS_JOINING;
			a->since_ns = now;
			/* A resumed coordinator has a new nonce: prove
			 * nothing to the old one, ask to join again, on a
			 * new socket (a send stuck on the dead pipe would
			 * hold every hello behind it). */
			if (strads__peer_reset(n->rt, STRADS__COORD_NODE) != 0)
				strads__peer_forget(n->rt, STRADS__COORD_NODE);
			a->was_lost = 1;
			a->lost_told = 0;
			push_event(n, EV_LOST, NULL);
			return;
		}
		if ((b = cJSON_CreateObject()) == NULL)
			return;
		strads_runtime_stats(n->rt, &st);
		cJSON_AddStringToObject(b, "op", "beat");
		cJSON_AddNumberToObject(b, "epoch", a->epoch);
		{
			char buf[65];
			uint8_t mac[32];
			const uint8_t *secret;
			size_t slen;

			snprintf(buf, sizeof(buf), "%llu",
			    (unsigned long long)(st.bytes_in + st.bytes_out));
			cJSON_AddStringToObject(b, "bytes", buf);
			/* Counted and proved: a replayed beat keeps no one
			 * alive (the coordinator wants a newer counter). */
			a->beat_n++;
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)a->beat_n);
			cJSON_AddStringToObject(b, "n", buf);
			strads__transport_secret(n->rt->tp, &secret, &slen);
			strads__member_mac(secret, slen, "strads beat v1",
			    strads_runtime_node(n->rt), a->challenge, a->beat_n, mac);
			strads__hex_encode(mac, sizeof(mac), buf);
			cJSON_AddStringToObject(b, "mac", buf);
		}
		if (a->zombie_file != NULL) {
			cJSON_Delete(a->last_beat);
			a->last_beat = cJSON_Duplicate(b, 1);
		}
		strads__ctl_send(self, n->ctl, STRADS__MSG_MEM_CTL, b);
		return;
	}
	if (a->state == NS_CLOSED)
		return;
	if (now - a->since_ns > wait) {
		if (!a->lost_told) {
			a->lost_told = 1;
			push_event(n, a->was_lost ? EV_GONE : EV_TIMEOUT, NULL);
		}
		return;
	}
	if (now >= a->hello_ns)
		send_hello(self, a);
}

static int
agent_init(strads_actor_t *self, void *arg)
{
	agent_t *a = strads_actor_state(self);
	uint64_t ms;

	a->n = arg;
	a->zombie_file = getenv("STRADS_TEST_ZOMBIE");
	a->state = NS_JOINING;
	a->since_ns = strads_now_ns();
	ms = (uint64_t)(a->n->o.heartbeat_s * 1000);
	if (strads_timer_start(self, ms ? ms : 1, ms ? ms : 1, 1) <= 0)
		return -1;
	send_hello(self, a);
	return 0;
}

static void
agent_recv(strads_actor_t *self, const strads_msg_t *m)
{
	agent_t *a = strads_actor_state(self);
	uint32_t me = strads_runtime_node(a->n->rt);

	if (m->type == STRADS_MSG_TIMER) {
		uint64_t tag;

		memcpy(&tag, m->data, sizeof(tag));
		if (tag == 1)
			on_tick(self, a);
	} else if (m->type == STRADS__MSG_MEM_CTL && m->src.node == me) {
		on_local(self, a, m);
	} else if (m->type == STRADS__MSG_MEM_CTL) {
		on_coord(self, a, m);
	} else if (m->type == STRADS__MSG_MEM_INIT && m->src.node == STRADS__COORD_NODE &&
	    m->src.actor == STRADS__CTL_ACTOR && (m->len - 8) % 8 == 0) {
		strads__node_event_t *e = calloc(1, sizeof(*e));

		if (e == NULL)
			return;
		e->kind = EV_INIT;
		e->id = strads__get64(m->data);
		e->ninit = (m->len - 8) / 8;
		if ((e->init = malloc((size_t)e->ninit * 8 + 8)) == NULL) {
			free(e);
			return;
		}
		memcpy(e->init, m->data + 8, (size_t)e->ninit * 8);
		uv_mutex_lock(&a->n->lock);
		if (a->n->tail != NULL)
			a->n->tail->next = e;
		else
			a->n->head = e;
		a->n->tail = e;
		uv_cond_broadcast(&a->n->cond);
		uv_mutex_unlock(&a->n->lock);
	}
}

static void
agent_stop(strads_actor_t *self)
{
	agent_t *a = strads_actor_state(self);

	cJSON_Delete(a->last_hello);
	cJSON_Delete(a->last_beat);
	uv_mutex_lock(&a->n->lock);
	a->n->stopped = 1;
	uv_cond_broadcast(&a->n->cond);
	uv_mutex_unlock(&a->n->lock);
}

const strads_actor_type_t strads__node_agent_type = {"agent", sizeof(agent_t),
    agent_init, agent_recv, agent_stop};
