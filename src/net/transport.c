/*
 * transport.c -- NNG transport, its sockets: one pull socket listening
 * for frames, one push socket per peer with its ordered send queue,
 * dialing and TLS, and the transport's lifetime. The frames themselves
 * (coalescing, receiving, link authentication) are in frames.c.
 *
 * Threads. Loop threads append messages to per-loop open frames and hand
 * finished frames to a peer's ordered queue. NNG completes aio on its own
 * threads: the send callback only starts the next frame, the receive
 * callback only decodes a frame into envelopes and pushes them into
 * mailboxes. One send and one receive are in flight at a time, which is
 * what keeps per-(sender, receiver) order.
 *
 * Back-pressure. Senders hold credits (actor.c). Independently, bytes
 * received but not yet handled are counted; past cfg.inbound_limit the
 * receive is not re-posted until handling brings them under half of it,
 * so the peers' TCP connections push back.
 */
#include "transport-int.h"
#include "hmac.h"

#include <stdio.h>
#include <stdlib.h>

#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>
#include <nng/supplemental/tls/tls.h>

static int
wrap_nng(int rv)
{
	switch (rv) {
	case 0:
		return 0;
	case NNG_ENOMEM:
		return STRADS_ENOMEM;
	case NNG_EINVAL:
	case NNG_EADDRINVAL:
	case NNG_ENOTSUP:
		return STRADS_EADDR;
	case NNG_ECLOSED:
		return STRADS_ECLOSED;
	case NNG_EADDRINUSE:
		return STRADS_EBUSY;
	case NNG_EMSGSIZE:
		return STRADS_EMSGSIZE;
	default:
		return STRADS_ETRANSPORT;
	}
}

static int
is_tls(const char *url)
{
	return strncmp(url, "tls+", 4) == 0;
}

/* The whole of a PEM file as a string, or NULL (logged). */
static char *
read_pem(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL) {
		strads_log(STRADS_LOG_ERROR, "tls: cannot open %s", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 20) &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
		} else {
			free(buf);
			buf = NULL;
		}
	}
	if (buf == NULL)
		strads_log(STRADS_LOG_ERROR, "tls: cannot read %s", path);
	fclose(f);
	return buf;
}

/* A TLS configuration from the runtime's files, or an error naming what
 * is missing. */
static int
tls_config(strads_runtime_t *rt, nng_tls_mode mode, nng_tls_config **out)
{
	const strads_config_t *c = &rt->cfg;
	nng_tls_config *tls;
	int rv;

	if (mode == NNG_TLS_MODE_SERVER && c->tls_cert_file == NULL) {
		strads_log(STRADS_LOG_ERROR,
		    "tls+tcp:// listening needs a certificate and key");
		return NNG_EINVAL;
	}
	if ((rv = nng_tls_config_alloc(&tls, mode)) != 0)
		return rv;
	if (c->tls_cert_file != NULL) {
		char *cert = read_pem(c->tls_cert_file);
		char *key = read_pem(
		    c->tls_key_file != NULL ? c->tls_key_file : c->tls_cert_file);

		rv = cert != NULL && key != NULL
		    ? nng_tls_config_own_cert(tls, cert, key, NULL)
		    : NNG_ENOENT;
		free(cert);
		free(key);
		if (rv != 0) {
			strads_log(STRADS_LOG_ERROR, "tls certificate %s, key %s: %s",
			    c->tls_cert_file,
			    c->tls_key_file != NULL ? c->tls_key_file : c->tls_cert_file,
			    nng_strerror(rv));
			goto fail;
		}
	}
	if (c->tls_ca_file != NULL) {
		if ((rv = nng_tls_config_ca_file(tls, c->tls_ca_file)) != 0) {
			strads_log(STRADS_LOG_ERROR, "tls CA %s: %s", c->tls_ca_file,
			    nng_strerror(rv));
			goto fail;
		}
		rv = nng_tls_config_auth_mode(tls, NNG_TLS_AUTH_MODE_REQUIRED);
	} else {
		rv = nng_tls_config_auth_mode(tls, NNG_TLS_AUTH_MODE_NONE);
	}
	if (rv != 0)
		goto fail;
	*out = tls;
	return 0;
fail:
	nng_tls_config_free(tls);
	return rv;
}

int
strads_listen(strads_runtime_t *rt, const char *url, int *port)
{
	strads__transport_t *tp = rt->tp;
	nng_listener l;
	int rv, start = 0;

	if (url == NULL)
		return STRADS_EINVAL;
	uv_mutex_lock(&tp->lock);
	if (atomic_load(&tp->closed)) {
		uv_mutex_unlock(&tp->lock);
		return STRADS_ECLOSED;
	}
	if (!tp->pull_open) {
		if ((rv = nng_pull0_open(&tp->pull)) != 0)
			goto fail;
		tp->pull_open = 1;
		nng_socket_set_size(tp->pull, NNG_OPT_RECVMAXSZ, rt->cfg.max_frame);
		nng_socket_set_int(tp->pull, NNG_OPT_RECVBUF, 16);
		if ((rv = nng_aio_alloc(&tp->recv_aio, strads__transport_recv_cb, tp)) != 0)
			goto fail;
		start = 1;
	}
	if ((rv = nng_listener_create(&l, tp->pull, url)) != 0)
		goto fail;
	if (is_tls(url)) {
		nng_tls_config *tls;

		if ((rv = tls_config(rt, NNG_TLS_MODE_SERVER, &tls)) != 0) {
			nng_listener_close(l);
			goto fail;
		}
		rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, tls);
		nng_tls_config_free(tls); /* the listener holds its own ref */
		if (rv != 0) {
			nng_listener_close(l);
			goto fail;
		}
	}
	if ((rv = nng_listener_start(l, 0)) != 0) {
		nng_listener_close(l);
		goto fail;
	}
	if (port != NULL && nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, port) != 0)
		*port = 0;
	if (start)
		strads__transport_recv_post(tp);
	uv_mutex_unlock(&tp->lock);
	return 0;
fail:
	uv_mutex_unlock(&tp->lock);
	strads_log(STRADS_LOG_ERROR, "listen %s: %s", url, nng_strerror(rv));
	return wrap_nng(rv);
}

/* ------------------------------------------------------------------ */
/* Sending.                                                             */

/* Sends frame on an idle link; called with the peer's lock held. Most
 * frames go at once: the push socket takes them (to a ready pipe, or
 * into its send buffer) and nng_sendmsg() with NNG_FLAG_NONBLOCK
 * returns with nothing left to complete. Through the aio, every frame's
 * completion is a task that NNG dispatches to one of its task threads
 * (it runs send_cb): a thread woken and its queue's lock taken for each
 * frame, on both sides of every hand-over. The aio remains for a frame
 * the socket cannot take now (its buffer full, or an error, which send_cb
 * reports): its completion starts the frames queued behind it. NNG never
 * calls send_cb inline, so the lock held is safe. */
static void
link_start(link_t *l, nng_msg *frame)
{
	if (nng_sendmsg(l->sock, frame, NNG_FLAG_NONBLOCK) == 0)
		return; /* NNG owns it now */
	atomic_fetch_add(&l->p->tp->aio_sends, 1);
	l->busy = 1;
	nng_aio_set_msg(l->aio, frame);
	nng_send_aio(l->sock, l->aio);
}

static void
send_cb(void *arg)
{
	link_t *l = arg;
	strads__peer_t *p = l->p;
	strads_runtime_t *rt = p->tp->rt;
	int rv = nng_aio_result(l->aio);

	if (rv != 0) {
		nng_msg_free(nng_aio_get_msg(l->aio));
		nng_aio_set_msg(l->aio, NULL);
		atomic_fetch_add(&rt->send_failed, 1);
		if (rv != NNG_ECLOSED && rv != NNG_ECANCELED)
			strads_log(STRADS_LOG_WARN, "send to node %u: %s", p->node,
			    nng_strerror(rv));
	}
	uv_mutex_lock(&p->lock);
	l->busy = 0;
	/* Frames the socket takes at once leave the link idle: go on
	 * until the queue is empty or one waits on the aio again. */
	while (l->qlen > 0 && !l->busy && !l->closed && rv != NNG_ECLOSED) {
		nng_msg *next = l->q[l->qhead];

		l->qhead = (l->qhead + 1) % l->qcap;
		l->qlen--;
		link_start(l, next);
	}
	uv_mutex_unlock(&p->lock);
}

void
strads__peer_submit(strads__peer_t *p, void *frame)
{
	strads_runtime_t *rt = p->tp->rt;
	nng_msg *msg = frame;
	link_t *l;

	atomic_fetch_add(&rt->frames_out, 1);
	atomic_fetch_add(&rt->bytes_out, nng_msg_len(msg));
	uv_mutex_lock(&p->lock);
	if ((l = p->link) == NULL)
		goto fail;
	if (p->tp->secret != NULL) {
		uint8_t a[AUTH_LEN];

		a[0] = 'S';
		a[1] = 'A';
		a[2] = 1;
		a[3] = 0;
		strads__put32(a + 4, rt->cfg.node_id);
		memcpy(a + 8, p->tp->nonce, STRADS__NONCE_LEN);
		if (p->have_token)
			memcpy(a + 8 + STRADS__NONCE_LEN, p->token, 32);
		else
			memset(a + 8 + STRADS__NONCE_LEN, 0, 32);
		if (nng_msg_header_append(msg, a, sizeof(a)) != 0)
			goto fail;
	}
	if (!l->busy) {
		link_start(l, msg);
		uv_mutex_unlock(&p->lock);
		return;
	}
	if (l->qlen == l->qcap) {
		size_t cap = l->qcap ? l->qcap * 2 : 16, i;
		nng_msg **q = malloc(cap * sizeof(*q));

		if (q == NULL)
			goto fail;
		for (i = 0; i < l->qlen; i++)
			q[i] = l->q[(l->qhead + i) % l->qcap];
		free(l->q);
		l->q = q;
		l->qhead = 0;
		l->qcap = cap;
	}
	l->q[(l->qhead + l->qlen) % l->qcap] = msg;
	l->qlen++;
	uv_mutex_unlock(&p->lock);
	return;
fail:
	uv_mutex_unlock(&p->lock);
	atomic_fetch_add(&rt->send_failed, 1);
	nng_msg_free(msg);
}

/* Shuts a link no peer points to any more, drops its queue, frees it. */
static void
link_free(link_t *l)
{
	if (l == NULL)
		return;
	/* The dialer first: it stops redialling before its socket goes. */
	nng_dialer_close(l->dialer);
	nng_close(l->sock);
	nng_aio_stop(l->aio);
	nng_aio_free(l->aio);
	while (l->qlen > 0) {
		nng_msg_free(l->q[l->qhead]);
		l->qhead = (l->qhead + 1) % l->qcap;
		l->qlen--;
	}
	free(l->q);
	free(l);
}

/* A new push socket dialing url, for peer p; errors are logged. */
static int
link_open(strads_runtime_t *rt, strads__peer_t *p, const char *url, link_t **out)
{
	link_t *l = calloc(1, sizeof(*l));
	nng_dialer d;
	int rv;

	*out = NULL;
	if (l == NULL)
		return STRADS_ENOMEM;
	l->p = p;
	if ((rv = nng_push0_open(&l->sock)) != 0) {
		free(l);
		strads_log(STRADS_LOG_ERROR, "dial %s: %s", url, nng_strerror(rv));
		return wrap_nng(rv);
	}
	nng_socket_set_ms(l->sock, NNG_OPT_RECONNMINT, 10);
	nng_socket_set_ms(l->sock, NNG_OPT_RECONNMAXT, 1000);
	nng_socket_set_int(l->sock, NNG_OPT_SENDBUF, 16);
	if ((rv = nng_aio_alloc(&l->aio, send_cb, l)) != 0)
		goto fail;
	if ((rv = nng_dialer_create(&d, l->sock, url)) != 0)
		goto fail;
	l->dialer = d;
	if (is_tls(url)) {
		nng_tls_config *tls;

		if ((rv = tls_config(rt, NNG_TLS_MODE_CLIENT, &tls)) != 0)
			goto fail;
		rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, tls);
		nng_tls_config_free(tls);
		if (rv != 0)
			goto fail;
	}
	if ((rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK)) != 0)
		goto fail;
	*out = l;
	return 0;
fail:
	strads_log(STRADS_LOG_ERROR, "dial %s: %s", url, nng_strerror(rv));
	nng_close(l->sock);
	if (l->aio != NULL)
		nng_aio_free(l->aio);
	free(l);
	return wrap_nng(rv);
}

int
strads_peer_add(strads_runtime_t *rt, uint32_t node, const char *url)
{
	if (url == NULL || node == 0 || node == rt->cfg.node_id)
		return STRADS_EINVAL;
	return strads__peer_add(rt, node, url, NULL);
}

static strads__peer_t *
peer_find(strads__transport_t *tp, uint32_t node)
{
	uint32_t i;

	for (i = 0; i < tp->npeers; i++)
		if (tp->peers[i]->node == node)
			return tp->peers[i];
	return NULL;
}

int
strads__peer_add(strads_runtime_t *rt, uint32_t node, const char *url,
    const uint8_t *nonce)
{
	strads__transport_t *tp = rt->tp;
	strads__peer_t *p;
	int rv;

	if (url == NULL || node == 0 || node == rt->cfg.node_id)
		return STRADS_EINVAL;
	/* Refuse a known node before dialing: a second socket that dials
	 * the peer and is closed at once can cost the first one a message
	 * in NNG 1.5.2 (seen over ipc://). Rechecked below for races. */
	uv_mutex_lock(&tp->lock);
	rv = atomic_load(&tp->closed) ? STRADS_ECLOSED
	    : peer_find(tp, node) != NULL ? STRADS_EBUSY : 0;
	uv_mutex_unlock(&tp->lock);
	if (rv != 0)
		return rv;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return STRADS_ENOMEM;
	p->tp = tp;
	p->node = node;
	if ((p->url = strdup(url)) == NULL) {
		free(p);
		return STRADS_ENOMEM;
	}
	if (uv_mutex_init(&p->lock) != 0) {
		free(p->url);
		free(p);
		return STRADS_ENOMEM;
	}
	if ((rv = link_open(rt, p, url, &p->link)) != 0)
		goto fail;
	if (nonce != NULL && tp->secret != NULL)
		strads__peer_set_nonce(tp, p, nonce);
	uv_mutex_lock(&tp->lock);
	if (atomic_load(&tp->closed) || peer_find(tp, node) != NULL) {
		rv = atomic_load(&tp->closed) ? STRADS_ECLOSED : STRADS_EBUSY;
		uv_mutex_unlock(&tp->lock);
		goto fail;
	}
	if (tp->npeers == tp->peer_cap) {
		uint32_t n = tp->peer_cap ? tp->peer_cap * 2 : 8;
		strads__peer_t **t = realloc(tp->peers, n * sizeof(*t));

		if (t == NULL) {
			uv_mutex_unlock(&tp->lock);
			rv = STRADS_ENOMEM;
			goto fail;
		}
		tp->peers = t;
		tp->peer_cap = n;
	}
	tp->peers[tp->npeers++] = p;
	uv_mutex_unlock(&tp->lock);
	return 0;
fail:
	link_free(p->link);
	uv_mutex_destroy(&p->lock);
	free(p->url);
	free(p);
	return rv;
}

/* Closes a peer's socket and drops its queued frames; once. */
static void
peer_shut(strads__peer_t *p)
{
	link_t *l;

	uv_mutex_lock(&p->lock);
	l = p->link;
	p->link = NULL;
	if (l != NULL)
		l->closed = 1;
	uv_mutex_unlock(&p->lock);
	link_free(l);
}

/* Replaces a peer's socket with a new one dialing url (NULL: the same
 * address), open or closed before: the frames queued on the old one,
 * and a send stuck on a dead pipe, are dropped. Its token is forgotten
 * (a restarted peer has a new nonce), or made from nonce when given. */
int
strads__peer_redial(strads_runtime_t *rt, uint32_t node, const char *url,
    const uint8_t *nonce)
{
	strads__peer_t *p = strads__transport_peer(rt->tp, node);
	link_t *l, *old;
	uint8_t tok[32];
	char *u;
	int rv, have = nonce != NULL && rt->tp->secret != NULL;

	if (p == NULL)
		return STRADS_EINVAL;
	if (atomic_load(&rt->tp->closed))
		return STRADS_ECLOSED;
	if (have)
		strads__link_token(rt->tp, rt->cfg.node_id, node, nonce, rt->tp->nonce, tok);
	uv_mutex_lock(&p->lock);
	u = strdup(url != NULL ? url : p->url);
	uv_mutex_unlock(&p->lock);
	if (u == NULL)
		return STRADS_ENOMEM;
	if ((rv = link_open(rt, p, u, &l)) != 0) {
		free(u);
		return rv;
	}
	uv_mutex_lock(&p->lock);
	old = p->link;
	if (old != NULL)
		old->closed = 1;
	p->link = l;
	free(p->url);
	p->url = u;
	/* The new token with the swap: no frame goes out between. */
	p->have_token = have;
	if (have) {
		memcpy(p->rnonce, nonce, STRADS__NONCE_LEN);
		memcpy(p->token, tok, sizeof(tok));
	}
	uv_mutex_unlock(&p->lock);
	atomic_fetch_add(&rt->tp->forgot, 1);
	link_free(old);
	return 0;
}

int
strads__peer_reset(strads_runtime_t *rt, uint32_t node)
{
	return strads__peer_redial(rt, node, NULL, NULL);
}

void
strads__peer_close(strads_runtime_t *rt, uint32_t node)
{
	strads__transport_t *tp = rt->tp;
	strads__peer_t *p;

	uv_mutex_lock(&tp->lock);
	p = peer_find(tp, node);
	uv_mutex_unlock(&tp->lock);
	if (p == NULL)
		return;
	/* The struct stays (loops cache it): sends to it now fail. */
	peer_shut(p);
}

strads__peer_t *
strads__transport_peer(strads__transport_t *tp, uint32_t node)
{
	strads__peer_t *p = NULL;

	uv_mutex_lock(&tp->lock);
	p = peer_find(tp, node);
	uv_mutex_unlock(&tp->lock);
	return p;
}

int
strads__peer_idle(strads_runtime_t *rt, uint32_t node)
{
	strads__peer_t *p = strads__transport_peer(rt->tp, node);
	int idle;

	if (p == NULL)
		return 1;
	uv_mutex_lock(&p->lock);
	idle = p->link == NULL || (!p->link->busy && p->link->qlen == 0);
	uv_mutex_unlock(&p->lock);
	return idle;
}

/* ------------------------------------------------------------------ */
/* Lifetime.                                                            */

static int
transport_new(strads__transport_t **tpp, strads_runtime_t *rt)
{
	strads__transport_t *tp = calloc(1, sizeof(*tp));

	if (tp == NULL)
		return STRADS_ENOMEM;
	tp->rt = rt;
	if (rt->cfg.secret != NULL && rt->cfg.secret_len > 0) {
		if ((tp->secret = malloc(rt->cfg.secret_len)) == NULL ||
		    strads__random_bytes(tp->nonce, sizeof(tp->nonce)) != 0) {
			free(tp->secret);
			free(tp);
			return STRADS_ENOMEM;
		}
		memcpy(tp->secret, rt->cfg.secret, rt->cfg.secret_len);
		tp->secret_len = rt->cfg.secret_len;
	}
	/* The caller's pointer is not kept. */
	rt->cfg.secret = NULL;
	tp->chain_first = calloc((size_t)rt->nloops, sizeof(*tp->chain_first));
	tp->chain_last = calloc((size_t)rt->nloops, sizeof(*tp->chain_last));
	if (tp->chain_first == NULL || tp->chain_last == NULL ||
	    uv_mutex_init(&tp->lock) != 0) {
		free(tp->chain_first);
		free(tp->chain_last);
		free(tp->secret);
		free(tp);
		return STRADS_ENOMEM;
	}
	*tpp = tp;
	return 0;
}

static void
transport_close(strads__transport_t *tp)
{
	uint32_t i;

	int pull_open;

	if (atomic_exchange(&tp->closed, 1))
		return;
	/* Listening is refused from now on (closed is set), so pull_open
	 * holds still; the receive callback may take tp->lock (a peer
	 * lookup), so it is stopped without it. */
	uv_mutex_lock(&tp->lock);
	pull_open = tp->pull_open;
	uv_mutex_unlock(&tp->lock);
	if (pull_open) {
		/* NNG 1.5.2 can block here for good when a peer's frame is
		 * arriving as the socket closes (nanomsg/nng#1636, fixed
		 * upstream): nodes stopped together should be quiet first,
		 * as t/check_transport.c's nodes_quiesce() makes them. */
		nng_close(tp->pull);
		if (tp->recv_aio != NULL)
			nng_aio_stop(tp->recv_aio);
	}
	uv_mutex_lock(&tp->lock);
	for (i = 0; i < tp->npeers; i++) {
		strads__peer_t *p = tp->peers[i];

		if (p != NULL)
			peer_shut(p);
	}
	uv_mutex_unlock(&tp->lock);
}

static void
transport_free(strads__transport_t *tp)
{
	uint32_t i;

	if (tp == NULL)
		return;
	for (i = 0; i < tp->npeers; i++) {
		strads__peer_t *p = tp->peers[i];

		if (p == NULL)
			continue;
		link_free(p->link); /* NULL once shut */
		uv_mutex_destroy(&p->lock);
		free(p->url);
		free(p);
	}
	if (tp->recv_aio != NULL)
		nng_aio_free(tp->recv_aio);
	free(tp->peers);
	free(tp->seen);
	if (tp->secret != NULL) {
		strads__wipe(tp->secret, tp->secret_len);
		free(tp->secret);
	}
	free(tp->chain_first);
	free(tp->chain_last);
	uv_mutex_destroy(&tp->lock);
	free(tp);
}

static const strads__net_ops_t transport_ops = {
	.send_remote = strads__loop_send_remote,
	.flush = strads__loop_flush,
	.loop_fini = strads__loop_out_fini,
	.close = transport_close,
	.free = transport_free,
};

int
strads_runtime_new(strads_runtime_t **rtp, const strads_config_t *cfg)
{
	strads_runtime_t *rt;
	int err;

	if ((err = strads__runtime_new(&rt, cfg)) != 0)
		return err;
	if ((err = transport_new(&rt->tp, rt)) != 0) {
		strads_runtime_free(rt);
		return err;
	}
	rt->net = &transport_ops;
	*rtp = rt;
	return 0;
}
