/*
 * membership.c -- the coordinator's membership actor (type "cluster"):
 * joins, heartbeats, views numbered by epoch, lost members, and the job
 * messages members send back. The main thread's side (the cluster API
 * and the jobs laid out over the members) is src/cluster/cluster.c.
 *
 * Join. A node sends a hello (its id, nonce, URL, roles, worker slots
 * and a proof of the secret) in a frame with a zero link token, the only
 * kind of frame accepted unauthenticated. A hello whose proof is wrong is
 * refused and logged; otherwise the coordinator dials the node's URL
 * with a link token bound to the node's nonce (transport.c) and sends a
 * welcome. The node verifies that token (the coordinator knows the
 * secret), learns the coordinator's nonce from it and answers with a
 * join on an authenticated frame: only then is it a member, in a new view
 * (epoch + 1) sent to every member with the address table.
 *
 * The actor owns the member table (struct strads_cluster_s, cluster.h);
 * the main thread reads it and the job's progress under the cluster's
 * lock.
 */
#include "cluster.h"
#include "hmac.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
	strads_cluster_t *c;
	int timer;
} ctl_t;

strads__member_t *
strads__member_find(strads_cluster_t *c, uint32_t node)
{
	int i;

	for (i = 0; i < c->nm; i++)
		if (c->m[i].node == node)
			return &c->m[i];
	return NULL;
}

static strads_addr_t
agent_of(const strads__member_t *m)
{
	strads_addr_t a = {m->node, m->agent};

	return a;
}

/* The view: epoch and every member with what others need to reach it. */
static cJSON *
view_json(strads_cluster_t *c)
{
	cJSON *v = cJSON_CreateObject(), *arr;
	int i;

	if (v == NULL)
		return NULL;
	cJSON_AddStringToObject(v, "op", "view");
	cJSON_AddNumberToObject(v, "epoch", c->epoch);
	arr = cJSON_AddArrayToObject(v, "members");
	for (i = 0; arr != NULL && i < c->nm; i++) {
		strads__member_t *m = &c->m[i];
		cJSON *e;
		char hex[2 * STRADS__NONCE_LEN + 1];

		if (m->state != MS_MEMBER || (e = cJSON_CreateObject()) == NULL)
			continue;
		strads__hex_encode(m->nonce, STRADS__NONCE_LEN, hex);
		cJSON_AddNumberToObject(e, "node", m->node);
		cJSON_AddStringToObject(e, "url", m->url);
		cJSON_AddStringToObject(e, "nonce", hex);
		cJSON_AddNumberToObject(e, "roles", m->roles);
		cJSON_AddNumberToObject(e, "workers", m->workers);
		cJSON_AddItemToArray(arr, e);
	}
	return v;
}

static void
send_view(strads_actor_t *self, strads_cluster_t *c)
{
	int i;

	for (i = 0; i < c->nm; i++) {
		cJSON *v;

		if (c->m[i].state == MS_MEMBER && (v = view_json(c)) != NULL)
			strads__ctl_send(self, agent_of(&c->m[i]), STRADS__MSG_MEM_CTL, v);
	}
}

static int
in_job(const strads_cluster_t *c, uint32_t node)
{
	int i;

	for (i = 0; c->job_on && i < c->njob_nodes; i++)
		if (c->job_nodes[i] == node)
			return 1;
	return 0;
}

/* Fails the job in progress (under lock): wakes the main thread, and
 * stops the coordinator role, which stops every role it can reach. */
static void
job_fail(strads_actor_t *self, strads_cluster_t *c, int code, const char *why)
{
	if (!c->job_on || c->failed)
		return;
	c->failed = code;
	snprintf(c->why, sizeof(c->why), "%s", why);
	if (c->coord_spawned) {
		strads_msg_t *m = strads_msg_new(ENG_STOP, 0);

		if (m != NULL)
			strads_send(self, c->job->coord, m);
	}
	uv_cond_broadcast(&c->cond);
}

/* The view changed under the job (under lock): the coordinator role
 * gathers the parameters and stops, and the main thread lays the job
 * out again over the new view, going on from them. */
static void
reshape(strads_actor_t *self, strads_cluster_t *c)
{
	if (!c->job_on || c->failed || c->reshape)
		return;
	c->reshape = 1;
	if (c->coord_spawned) {
		strads_msg_t *m = strads_msg_new(ENG_RESHAPE, 0);

		if (m != NULL)
			strads_send(self, c->job->coord, m);
	}
	uv_cond_broadcast(&c->cond);
}

static int
hosts_store(const strads_cluster_t *c, uint32_t node)
{
	int i;

	for (i = 0; c->job_on && i < c->job->nstores; i++)
		if (c->job->store_node[i] == node)
			return 1;
	return 0;
}

static void
drop_member(strads_actor_t *self, strads_cluster_t *c, strads__member_t *m, const char *why,
    int lost)
{
	uint32_t node = m->node;
	int was = m->state == MS_MEMBER;

	strads_log(lost ? STRADS_LOG_WARN : STRADS_LOG_INFO, "cluster: node %u (%s) %s",
	    node, m->url, why);
	c->bytes_gone += m->bytes;
	*m = c->m[--c->nm];
	/* A lost member's queued frames go nowhere: stop queueing. A
	 * member that left keeps its link until the transport closes. */
	if (lost)
		strads__peer_close(c->rt, node);
	if (in_job(c, node) && lost) {
		if (hosts_store(c, node)) {
			/* Its parameters are gone with it: the job goes on
			 * from the last snapshot (run_layout). */
			char buf[256];

			snprintf(buf, sizeof(buf), "node %u, which holds a store of the job, %s",
			    node, why);
			c->store_lost = 1;
			job_fail(self, c, STRADS_EPEER, buf);
		} else {
			reshape(self, c);
		}
	}
	if (was) {
		c->epoch++;
		send_view(self, c);
	}
	uv_cond_broadcast(&c->cond);
}

/* 1 when url is a URL we would dial and log: printable ASCII, no blank,
 * shorter than cap. */
static int
url_ok(const char *url, size_t cap)
{
	size_t i;

	for (i = 0; url[i] != '\0'; i++)
		if ((unsigned char)url[i] <= ' ' || (unsigned char)url[i] >= 0x7f)
			return 0;
	return i > 0 && i < cap;
}

/* A hello with a wrong proof: logged at most once a second, with the
 * count of those not logged since, so a flood of them is a few lines. */
static void
refused(strads_cluster_t *c, uint32_t node, const char *url)
{
	uint64_t now = strads_now_ns();

	if (c->refused_log_ns != 0 && now - c->refused_log_ns < 1000000000ull) {
		c->refused_quiet++;
		return;
	}
	if (c->refused_quiet > 0)
		strads_log(STRADS_LOG_WARN, "cluster: refused node %u (%s): wrong cluster "
		    "secret, or an edited hello (and %llu more refused hellos not logged)", node, url,
		    (unsigned long long)c->refused_quiet);
	else
		strads_log(STRADS_LOG_WARN, "cluster: refused node %u (%s): wrong cluster "
		    "secret, or an edited hello", node, url);
	c->refused_log_ns = now;
	c->refused_quiet = 0;
}

static void
on_hello(strads_actor_t *self, strads_cluster_t *c, const strads_msg_t *msg)
{
	cJSON *o = strads__ctl_parse(msg);
	uint8_t nonce[STRADS__NONCE_LEN], proof[32], want[32];
	const uint8_t *secret;
	size_t slen;
	const char *url;
	uint32_t node = msg->src.node;
	strads__member_t *m;
	strads_addr_t to;
	double roles, workers;
	char hex[2 * STRADS__CHALLENGE_LEN + 1];

	if (o == NULL || strcmp(strads__json_str(o, "op"), "hello") != 0) {
		atomic_fetch_add(&c->rt->dropped_proto, 1);
		cJSON_Delete(o);
		return;
	}
	url = strads__json_str(o, "url");
	roles = strads__json_num(o, "roles");
	workers = strads__json_num(o, "workers");
	/* A URL is printable ASCII without blanks (it is logged: a newline
	 * in it would forge log lines); roles and workers are small whole
	 * numbers. Anything else is no hello of ours: dropped and counted. */
	if (strads__hex_decode(strads__json_str(o, "nonce"), nonce, sizeof(nonce)) != 0 ||
	    strads__hex_decode(strads__json_str(o, "proof"), proof, sizeof(proof)) != 0 ||
	    !url_ok(url, sizeof(m->url)) || node <= STRADS__COORD_NODE || !(roles >= 0) ||
	    roles > 7 || roles != (double)(uint32_t)roles || !(workers >= 0) || workers > 4096 ||
	    workers != (double)(uint32_t)workers) {
		atomic_fetch_add(&c->rt->dropped_proto, 1);
		cJSON_Delete(o);
		return;
	}
	strads__transport_secret(c->rt->tp, &secret, &slen);
	strads__hello_proof(secret, slen, node, nonce, (uint32_t)roles, (uint32_t)workers, url,
	    want);
	if (!strads__ct_equal(want, proof, 32)) {
		atomic_fetch_add(&c->rt->dropped_auth, 1);
		refused(c, node, url);
		cJSON_Delete(o);
		return;
	}
	uv_mutex_lock(&c->lock);
	if (c->byeing) {
		uv_mutex_unlock(&c->lock);
		cJSON_Delete(o);
		return;
	}
	m = strads__member_find(c, node);
	if (m != NULL && memcmp(m->nonce, nonce, sizeof(nonce)) != 0) {
		uv_mutex_unlock(&c->lock);
		strads_log(STRADS_LOG_WARN, "cluster: refused node %u (%s): the id is taken",
		    node, url);
		cJSON_Delete(o);
		return;
	}
	if (m == NULL) {
		int err;

		if (c->nm == c->cap) {
			int cap = c->cap ? c->cap * 2 : 8;
			strads__member_t *t = realloc(c->m, (size_t)cap * sizeof(*t));

			if (t == NULL) {
				uv_mutex_unlock(&c->lock);
				cJSON_Delete(o);
				return;
			}
			c->m = t;
			c->cap = cap;
		}
		err = strads__peer_add(c->rt, node, url, nonce);
		if (err == STRADS_EBUSY) {
			/* A member before (dropped as lost, or gone): a new
			 * link to where it says it is now. */
			strads_log(STRADS_LOG_INFO, "cluster: node %u (%s) was a member "
			    "before: joining again", node, url);
			err = strads__peer_redial(c->rt, node, url, nonce);
		}
		if (err != 0) {
			uv_mutex_unlock(&c->lock);
			strads_log(STRADS_LOG_WARN, "cluster: node %u: cannot dial %s: %s", node,
			    url, strads_strerror(err));
			cJSON_Delete(o);
			return;
		}
		m = &c->m[c->nm++];
		memset(m, 0, sizeof(*m));
		m->node = node;
		m->state = MS_PENDING;
		memcpy(m->nonce, nonce, sizeof(nonce));
		snprintf(m->url, sizeof(m->url), "%s", url);
		if (strads__random_bytes(m->challenge, sizeof(m->challenge)) != 0) {
			/* No challenge, no entry: the node asks again. */
			c->nm--;
			uv_mutex_unlock(&c->lock);
			cJSON_Delete(o);
			return;
		}
		m->heard_ns = strads_now_ns();
	}
	/* A hello proves the secret was known once, not that the node is
	 * alive: a captured one replays. It keeps a pending entry waiting
	 * for the join, never a member alive (only beats do that). */
	if (m->state == MS_PENDING) {
		m->agent = msg->src.actor;
		m->roles = (unsigned)roles;
		m->workers = (int)workers;
		if (!(m->roles & STRADS_ROLE_WORKER))
			m->workers = 0;
		m->heard_ns = strads_now_ns();
	}
	strads__hex_encode(m->challenge, sizeof(m->challenge), hex);
	to = agent_of(m);
	uv_mutex_unlock(&c->lock);
	cJSON_Delete(o);
	o = cJSON_CreateObject();
	if (o != NULL) {
		cJSON_AddStringToObject(o, "op", "welcome");
		cJSON_AddNumberToObject(o, "node", node);
		cJSON_AddStringToObject(o, "challenge", hex);
		strads__ctl_send(self, to, STRADS__MSG_MEM_CTL, o);
	}
}

/* 1 when o carries key's MAC of (label, m's node and challenge, n). */
static int
mac_ok(strads_cluster_t *c, const strads__member_t *m, const cJSON *o, const char *label,
    uint64_t n)
{
	uint8_t got[32], want[32];
	const uint8_t *secret;
	size_t slen;

	if (strads__hex_decode(strads__json_str(o, "mac"), got, sizeof(got)) != 0)
		return 0;
	strads__transport_secret(c->rt->tp, &secret, &slen);
	strads__member_mac(secret, slen, label, m->node, m->challenge, n, want);
	return strads__ct_equal(want, got, 32);
}

/* A job message from a member: role addresses, ready, end, error. */
static void
on_job_msg(strads_cluster_t *c, strads__member_t *m, const char *op, const cJSON *o)
{
	strads__job_t *job = c->job;

	if (!c->job_on || strads__ctl_get_u64(o, "id") != c->job_id || !in_job(c, m->node))
		return;
	if (strcmp(op, "error") == 0) {
		char buf[256];

		snprintf(buf, sizeof(buf), "node %u: %s", m->node, strads__json_str(o, "why"));
		c->failed = STRADS_EIO;
		snprintf(c->why, sizeof(c->why), "%s", buf);
	} else if (strcmp(op, "roles") == 0) {
		static const char *keys[] = {"workers", "stores", "scheds"};
		int r;

		for (r = 0; r < 3; r++) {
			const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, keys[r]), *e;
			strads_addr_t *addr = r == 0 ? job->workers : r == 1 ? job->stores : job->scheds;
			uint32_t *nodes = r == 0 ? job->worker_node : r == 1 ? job->store_node
			                                                     : job->sched_node;
			int n = r == 0 ? job->nworkers : r == 1 ? job->nstores : job->nscheds;

			cJSON_ArrayForEach(e, arr) {
				int idx = (int)strads__json_num(e, "i");

				if (idx >= 0 && idx < n && nodes[idx] == m->node) {
					addr[idx].node = m->node;
					addr[idx].actor = (uint32_t)strads__json_num(e, "a");
				}
			}
		}
		c->roles_got++;
	} else if (strcmp(op, "ready") == 0) {
		c->ready_got++;
	} else if (strcmp(op, "staged") == 0) {
		c->staged_got++;
	} else if (strcmp(op, "end") == 0) {
		c->ends_got++;
	}
	uv_cond_broadcast(&c->cond);
}

static void
on_ctl(strads_actor_t *self, strads_cluster_t *c, const strads_msg_t *msg)
{
	cJSON *o = strads__ctl_parse(msg);
	const char *op;
	strads__member_t *m;

	if (o == NULL) {
		atomic_fetch_add(&c->rt->dropped_proto, 1);
		return;
	}
	op = strads__json_str(o, "op");
	if (msg->src.node == STRADS__COORD_NODE) {
		/* From the main thread: send msg to the listed members. */
		const cJSON *to = cJSON_GetObjectItemCaseSensitive(o, "to"), *e;
		cJSON *inner = cJSON_GetObjectItemCaseSensitive(o, "msg");

		if (strcmp(op, "local-send") == 0 && inner != NULL) {
			uv_mutex_lock(&c->lock);
			cJSON_ArrayForEach(e, to) {
				strads__member_t *t = strads__member_find(c, (uint32_t)e->valuedouble);

				if (t != NULL && t->state == MS_MEMBER)
					strads__ctl_send(self, agent_of(t), STRADS__MSG_MEM_CTL,
					    cJSON_Duplicate(inner, 1));
			}
			uv_mutex_unlock(&c->lock);
		}
		cJSON_Delete(o);
		return;
	}
	uv_mutex_lock(&c->lock);
	m = strads__member_find(c, msg->src.node);
	if (m == NULL || m->agent != msg->src.actor) {
		uv_mutex_unlock(&c->lock);
		cJSON_Delete(o);
		return;
	}
	/* Only a join that answers this entry's challenge and a beat with
	 * a newer counter are signs of life: a control message replayed
	 * (its link token is good for the process pair's life) is not. */
	if (strcmp(op, "join") == 0 && m->state == MS_PENDING) {
		if (!mac_ok(c, m, o, "strads join v1", 0)) {
			atomic_fetch_add(&c->rt->dropped_auth, 1);
			uv_mutex_unlock(&c->lock);
			cJSON_Delete(o);
			return;
		}
		m->heard_ns = strads_now_ns();
		m->beat_n = 0;
		m->state = MS_MEMBER;
		c->epoch++;
		strads_log(STRADS_LOG_INFO, "cluster: node %u (%s) joined: epoch %u", m->node,
		    m->url, c->epoch);
		send_view(self, c);
		/* A job in progress takes the new workers in. */
		if (m->workers > 0)
			reshape(self, c);
		uv_cond_broadcast(&c->cond);
	} else if (strcmp(op, "beat") == 0) {
		uint64_t n = strads__ctl_get_u64(o, "n");

		if (n > m->beat_n && mac_ok(c, m, o, "strads beat v1", n)) {
			m->beat_n = n;
			m->heard_ns = strads_now_ns();
			m->bytes = strads__ctl_get_u64(o, "bytes");
		} else {
			atomic_fetch_add(&c->rt->dropped_auth, 1);
		}
	} else if (strcmp(op, "leave") == 0) {
		drop_member(self, c, m, "left", 0);
	} else if (strcmp(op, "leaving") == 0 && m->state == MS_MEMBER) {
		/* Graceful leave: its roles are handed over first (the job is
		 * laid out again without it), then it is told to go. */
		strads_log(STRADS_LOG_INFO, "cluster: node %u (%s) asks to leave", m->node,
		    m->url);
		m->leaving = 1;
		if (in_job(c, m->node)) {
			reshape(self, c);
		} else {
			cJSON *b = cJSON_CreateObject();

			if (b != NULL) {
				cJSON_AddStringToObject(b, "op", "bye");
				strads__ctl_send(self, agent_of(m), STRADS__MSG_MEM_CTL, b);
			}
		}
	} else if (m->state == MS_MEMBER) {
		on_job_msg(c, m, op, o);
	}
	uv_mutex_unlock(&c->lock);
	cJSON_Delete(o);
}

/* Drops the members not heard from in time and beats to the others. The
 * beats leave after the lock is dropped (work is completed only after
 * locks are dropped, as in nng): the addresses and the epoch are copied
 * under it. A beat carries no state a view could contradict (a node
 * reads it as a sign of life only), so one that follows a newer view out
 * does no harm. */
static void
on_tick(strads_actor_t *self, strads_cluster_t *c)
{
	uint64_t now = strads_now_ns(), limit = (uint64_t)(c->o.timeout_s * 1e9);
	strads_addr_t *to = NULL; /* owned: the members to beat to */
	uint32_t epoch;
	int i, nto = 0;

	uv_mutex_lock(&c->lock);
	if (c->closing) {
		uv_mutex_unlock(&c->lock);
		strads_actor_stop(self);
		return;
	}
	/* Refusals not logged, once their second is over: a flood that
	 * stops is still counted. */
	if (c->refused_quiet > 0 && now - c->refused_log_ns >= 1000000000ull) {
		strads_log(STRADS_LOG_WARN, "cluster: %llu more refused hellos not logged "
		    "(wrong cluster secret, or edited hellos)",
		    (unsigned long long)c->refused_quiet);
		c->refused_log_ns = now;
		c->refused_quiet = 0;
	}
	for (i = 0; i < c->nm;) {
		strads__member_t *m = &c->m[i];

		if (now - m->heard_ns > limit) {
			drop_member(self, c, m, m->state == MS_PENDING
			    ? "did not complete the join (a wrong cluster secret on "
			      "either side, or it cannot reach us)"
			    : "stopped answering: dropped", 1);
			continue; /* the last member moved into slot i */
		}
		i++;
	}
	/* Out of memory: no beat this tick; members time out only after
	 * several missed ones. */
	if (c->nm > 0 && (to = malloc((size_t)c->nm * sizeof(*to))) != NULL)
		for (i = 0; i < c->nm; i++)
			if (c->m[i].state == MS_MEMBER)
				to[nto++] = agent_of(&c->m[i]);
	epoch = c->epoch;
	uv_mutex_unlock(&c->lock);
	for (i = 0; i < nto; i++) {
		cJSON *b = cJSON_CreateObject();

		if (b == NULL)
			break;
		cJSON_AddStringToObject(b, "op", "beat");
		cJSON_AddNumberToObject(b, "epoch", epoch);
		strads__ctl_send(self, to[i], STRADS__MSG_MEM_CTL, b);
	}
	free(to);
}

static int
ctl_init(strads_actor_t *self, void *arg)
{
	ctl_t *s = strads_actor_state(self);
	uint64_t ms;

	s->c = arg;
	ms = (uint64_t)(s->c->o.heartbeat_s * 1000);
	s->timer = strads_timer_start(self, ms ? ms : 1, ms ? ms : 1, 1);
	return s->timer > 0 ? 0 : -1;
}

static void
ctl_recv(strads_actor_t *self, const strads_msg_t *m)
{
	ctl_t *s = strads_actor_state(self);

	switch (m->type) {
	case STRADS__MSG_MEM_HELLO:
		on_hello(self, s->c, m);
		break;
	case STRADS__MSG_MEM_CTL:
		on_ctl(self, s->c, m);
		break;
	case STRADS__MSG_MEM_INIT:
		/* From the main thread: a job's starting values, to the job's
		 * hosts (before the job message, in order). */
		if (m->src.node == STRADS__COORD_NODE) {
			strads_cluster_t *c = s->c;
			int i;

			uv_mutex_lock(&c->lock);
			for (i = 0; c->job_on && i < c->njob_nodes; i++) {
				strads__member_t *t = strads__member_find(c, c->job_nodes[i]);
				strads_msg_t *x;

				if (t != NULL && (x = strads_msg_share(m, m->type)) != NULL)
					strads_send(self, agent_of(t), x);
			}
			uv_mutex_unlock(&c->lock);
		}
		break;
	case STRADS_MSG_TIMER:
		on_tick(self, s->c);
		break;
	default:
		break;
	}
}

static void
ctl_stop(strads_actor_t *self)
{
	ctl_t *s = strads_actor_state(self);

	uv_mutex_lock(&s->c->lock);
	s->c->closed = 1;
	uv_cond_broadcast(&s->c->cond);
	uv_mutex_unlock(&s->c->lock);
}

const strads_actor_type_t strads__membership_type = {"cluster", sizeof(ctl_t),
    ctl_init, ctl_recv, ctl_stop};
