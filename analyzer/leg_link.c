/* leg_link.c - linking the two legs of one proxy and comparing them:
 * who is the client's side, what the proxy added in time, which headers
 * it dropped or changed, and whether it delayed, merged or changed
 * messages.  Also ties a CONNECT retried after a 407 to the refused one. */
#include "leg.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool via_proxy(const struct leg *l)
{
	return l->via == VIA_CONNECT || l->via == VIA_FORWARD;
}

static double stage_ts(const struct leg *l, enum stage s)
{
	return l->stages[s].seen ? l->stages[s].ts : -1;
}

static void pair(struct leg_state *a, struct leg_state *b, const char *evidence)
{
	if (a->partner || b->partner || a->pub.linked || b->pub.linked)
		return; /* the first link found stands */
	struct leg_state *cs, *on;
	if (via_proxy(&a->pub) != via_proxy(&b->pub)) {
		cs = via_proxy(&a->pub) ? a : b;
	} else {
		/* A reverse proxy: the client's leg reached it first. */
		cs = a->pub.first_ts <= b->pub.first_ts ? a : b;
	}
	on = cs == a ? b : a;
	a->partner = b;
	b->partner = a;
	cs->pub.linked = on->pub.id;
	on->pub.linked = cs->pub.id;
	cs->pub.link.client_side = true;
	on->pub.link.client_side = false;
	for (int i = 0; i < 2; i++) {
		struct link_info *li = i ? &on->pub.link : &cs->pub.link;
		li->confidence = LINK_CERTAIN;
		text_copy(li->evidence, sizeof li->evidence, evidence);
		li->request_delay = li->response_delay = -1;
	}
	/* How each leg reached its server, now that both are known: the
	 * onward leg of a forward proxy is the proxy speaking directly; the
	 * client's leg to a reverse proxy goes through it. */
	if (via_proxy(&cs->pub))
		on->pub.via = VIA_DIRECT;
	else if (on->pub.via == VIA_REVERSE)
		cs->pub.via = VIA_REVERSE;
}

void leg_link_ws_key(struct leg_state *ls, const char *key)
{
	struct link_index *ix = analyzer_links(ls->an);

	ls->key_req_ts = ls->pm->ts;
	if (!key[0])
		return;
	struct leg_state *other = link_find(ix, ls, LK_WS_KEY, key,
					    strlen(key), 1);
	if (other)
		pair(ls, other, "identical Sec-WebSocket-Key");
}

void leg_link_tls_random(struct leg_state *ls, const uint8_t random[32])
{
	struct link_index *ix = analyzer_links(ls->an);
	struct leg_state *other = link_find(ix, ls, LK_TLS_RANDOM, random, 32, 1);

	if (other)
		pair(ls, other, "identical TLS ClientHello random");
}

/* client address (no port) | proxy address | target */
static size_t auth_key(const struct leg_state *ls, char *buf, size_t size)
{
	const char *c = ls->pub.client.text;
	const char *colon = strrchr(c, ':');
	int n = snprintf(buf, size, "%.*s|%s|%s",
			 (int)(colon ? colon - c : (long)strlen(c)), c,
			 ls->pub.server.text, ls->pub.target);
	return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}

void leg_link_407(struct leg_state *ls)
{
	char key[LINK_KEY_MAX];
	size_t n = auth_key(ls, key, sizeof key);

	link_find(analyzer_links(ls->an), ls, LK_AUTH_407, key, n, 1);
}

void leg_link_retry(struct leg_state *ls)
{
	char key[LINK_KEY_MAX];
	size_t n = auth_key(ls, key, sizeof key);
	struct leg_state *f = link_find(analyzer_links(ls->an), ls,
					LK_AUTH_407, key, n, 0);

	if (!f || ls->pub.retry_of)
		return;
	ls->pub.retry_of = f->pub.id;
	f->pub.retried_by = ls->pub.id;
	double t407 = stage_ts(&f->pub, ST_PROXY_ANSWER);
	ls->pub.retry_delay = t407 >= 0 ? ls->pm->ts - t407 : -1;
	f->pub.retry_delay = ls->pub.retry_delay;
}

void leg_link_sig(struct leg_state *ls, enum dir d, uint8_t opcode,
		  uint64_t length, double ts)
{
	if (!ls->pub.ws.requested)
		return;
	if (!ls->sigs) {
		ls->sigs = malloc(LINK_SIG_MAX * sizeof *ls->sigs);
		if (!ls->sigs)
			return;
	}
	if (ls->n_sigs >= LINK_SIG_MAX)
		return; /* enough to judge the proxy; the rest is counted */
	ls->sigs[ls->n_sigs++] = (struct msg_sig){ (uint8_t)d, opcode, length, ts };
}

static bool same_value(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* Names headers the proxy dropped, added or changed between the legs. */
static void header_changes(struct leg_state *cs, struct leg_state *on)
{
	char *out = cs->pub.link.header_changes;
	size_t size = sizeof cs->pub.link.header_changes, len = 0;
	const struct {
		const char *name;
		const char *c, *o;
	} req[] = {
		{ "Sec-WebSocket-Extensions", cs->upreq.extensions, on->upreq.extensions },
		{ "Sec-WebSocket-Protocol", cs->upreq.protocol, on->upreq.protocol },
		{ "Upgrade", cs->upreq.upgrade, on->upreq.upgrade },
		{ "Connection", cs->upreq.connection, on->upreq.connection },
		{ "101 Sec-WebSocket-Extensions", cs->upgrade_resp_ext, on->upgrade_resp_ext },
		{ "101 Sec-WebSocket-Protocol", cs->upgrade_resp_proto, on->upgrade_resp_proto },
	};
	out[0] = '\0';
	for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
		if (same_value(req[i].c, req[i].o))
			continue;
		const char *what = !req[i].o[0] ? "dropped" :
				   !req[i].c[0] ? "added" : "changed";
		int n = snprintf(out + len, size - len, "%s%s %s", len ? "; " : "",
				 req[i].name, what);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	memcpy(on->pub.link.header_changes, out, size);
}

/* Compares the two legs' messages in order per direction. */
static void compare_messages(struct leg_state *cs, struct leg_state *on)
{
	struct link_info *li = &cs->pub.link;
	for (int d = 0; d < 2; d++) {
		unsigned i = 0, j = 0;
		uint64_t compared = 0;
		for (;;) {
			while (i < cs->n_sigs && cs->sigs[i].dir != d)
				i++;
			while (j < on->n_sigs && on->sigs[j].dir != d)
				j++;
			if (i >= cs->n_sigs || j >= on->n_sigs)
				break;
			const struct msg_sig *a = &cs->sigs[i], *b = &on->sigs[j];
			if (a->opcode != b->opcode || a->length != b->length)
				li->changed++;
			/* client messages reach the onward leg later; server
			 * messages reach the client's leg later */
			double delay = d == DIR_CLIENT ? b->ts - a->ts : a->ts - b->ts;
			if (delay > li->max_delay)
				li->max_delay = delay;
			compared++;
			i++;
			j++;
		}
		li->compared[d] = compared;
		uint64_t na = 0, nb = 0;
		for (unsigned k = 0; k < cs->n_sigs; k++)
			na += cs->sigs[k].dir == d;
		for (unsigned k = 0; k < on->n_sigs; k++)
			nb += on->sigs[k].dir == d;
		li->missing += na > nb ? na - nb : nb - na;
	}
}

void leg_link_compare(struct leg_state *ls)
{
	struct leg_state *p = ls->partner;

	if (!p || !p->ended_here || !ls->ended_here)
		return;
	struct leg_state *cs = ls->pub.link.client_side ? ls : p;
	struct leg_state *on = cs == ls ? p : ls;
	struct link_info *li = &cs->pub.link;

	/* the requests carrying the shared key and their answers (the 101,
	 * or a refusal), whether or not the proxy kept the Upgrade */
	double rq_c = cs->key_req_ts > 0 ? cs->key_req_ts : -1;
	double rq_o = on->key_req_ts > 0 ? on->key_req_ts : -1;
	double rs_c = cs->key_resp_ts > 0 ? cs->key_resp_ts : -1;
	double rs_o = on->key_resp_ts > 0 ? on->key_resp_ts : -1;
	if (rq_c >= 0 && rq_o >= 0)
		li->request_delay = rq_o - rq_c;
	else if (stage_ts(&cs->pub, ST_PROXY_REQUEST) >= 0)
		/* a tunnel: the proxy's onward connection after the CONNECT */
		li->request_delay = on->pub.first_ts -
				    stage_ts(&cs->pub, ST_PROXY_REQUEST);
	if (rs_c >= 0 && rs_o >= 0)
		li->response_delay = rs_c - rs_o;
	header_changes(cs, on);
	compare_messages(cs, on);
	/* Both legs' TLS decrypted (or TLS 1.2, certificates in the clear):
	 * a proxy that shows the client another certificate than the
	 * server's is intercepting TLS and re-signing it. */
	const struct tls_info *tc = &cs->pub.tls, *to = &on->pub.tls;
	if (tc->cert_seen && to->cert_seen &&
	    (strcmp(tc->cert.issuer, to->cert.issuer) != 0 ||
	     strcmp(tc->cert.subject, to->cert.subject) != 0)) {
		li->cert_differs = true;
		text_copy(li->other_issuer, sizeof li->other_issuer,
			  to->cert.issuer);
		on->pub.link.cert_differs = true;
		text_copy(on->pub.link.other_issuer,
			 sizeof on->pub.link.other_issuer, tc->cert.issuer);
	}
	struct link_info keep = on->pub.link;
	on->pub.link = *li;
	on->pub.link.client_side = keep.client_side;
	text_copy(on->pub.link.other_issuer, sizeof on->pub.link.other_issuer,
		 keep.other_issuer);
}

void leg_link_unpair(struct leg_state *ls)
{
	if (ls->partner)
		ls->partner->partner = NULL;
	ls->partner = NULL;
	link_forget(analyzer_links(ls->an), ls);
	free(ls->sigs);
	ls->sigs = NULL;
}
