/* ws_handshake.c - WebSocket opening handshake checks (RFC 6455 §4). */
#include "ws_handshake.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "sha1.h"

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Compares [s, s+n) with a NUL-terminated token, ignoring case. */
static bool span_ieq(const char *s, size_t n, const char *tok)
{
	size_t tl = strlen(tok);
	if (n != tl)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != lower(tok[i]))
			return false;
	return true;
}

/* Calls fn for each element of a comma-separated list with OWS trimmed;
 * stops early when fn returns true.  Returns whether fn did. */
static bool list_each(const char *list, bool (*fn)(const char *e, size_t n,
						   void *arg), void *arg)
{
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *s = p;
		while (n && is_ows(*s)) {
			s++;
			n--;
		}
		while (n && is_ows(s[n - 1]))
			n--;
		if (n && fn(s, n, arg))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static bool tok_match(const char *e, size_t n, void *arg)
{
	return span_ieq(e, n, arg);
}

bool http_list_has_token(const char *list, const char *token)
{
	return list_each(list, tok_match, (void *)(uintptr_t)token);
}

struct ext_find {
	const char *name;
	size_t len;
};

static bool ext_offered_fn(const char *e, size_t n, void *arg)
{
	struct ext_find *f = arg;
	size_t nl = pmd_ext_name_len(e, n);
	if (nl != f->len)
		return false;
	for (size_t i = 0; i < nl; i++)
		if (lower(e[i]) != lower(f->name[i]))
			return false;
	return true;
}

void ws_accept_for_key(const char *key, size_t len, char *out)
{
	struct sha1_ctx c;
	uint8_t d[20];

	sha1_init(&c);
	sha1_update(&c, key, len);
	sha1_update(&c, WS_GUID, strlen(WS_GUID));
	sha1_final(&c, d);
	base64_encode(d, sizeof d, out);
}

static void note(ws_hs_note_fn fn, void *ctx, int level, const char *code,
		 const char *text)
{
	if (fn)
		fn(ctx, level, code, text);
}

void ws_hs_check_request(const struct ws_hs_request *rq,
			 struct ws_hs_result *res, ws_hs_note_fn fn, void *ctx)
{
	uint8_t raw[32];
	size_t n = 0;
	char buf[256];

	memset(res, 0, sizeof *res);
	/* §4.1 item 7: the key is a base64-encoded 16-byte nonce. */
	res->key_valid = rq->key_seen &&
			 base64_decode(rq->key, strlen(rq->key), raw, sizeof raw,
				       &n) &&
			 n == 16;
	if (!rq->key_seen)
		note(fn, ctx, 2, "key_missing",
		     "the Upgrade request has no Sec-WebSocket-Key (RFC 6455 "
		     "§4.1: the request MUST include it)");
	else if (!res->key_valid) {
		snprintf(buf, sizeof buf,
			 "Sec-WebSocket-Key does not decode to 16 bytes (RFC "
			 "6455 §4.1 item 7: a randomly selected 16-byte value "
			 "base64-encoded)");
		note(fn, ctx, 1, "key_invalid", buf);
	}
	/* §4.1 item 9: Sec-WebSocket-Version MUST be 13. */
	if (strcmp(rq->version, "13") != 0) {
		snprintf(buf, sizeof buf,
			 "Sec-WebSocket-Version is '%.20s', not 13 (RFC 6455 "
			 "§4.1 item 9)", rq->version);
		note(fn, ctx, 1, "version_not_13", buf);
	}
	/* §4.1 items 5 and 6: Upgrade contains "websocket", Connection
	 * contains "Upgrade". */
	if (!http_list_has_token(rq->upgrade, "websocket"))
		note(fn, ctx, 1, "upgrade_no_websocket",
		     "the request's Upgrade field lacks the token "
		     "\"websocket\" (RFC 6455 §4.1 item 5)");
	if (!http_list_has_token(rq->connection, "upgrade"))
		note(fn, ctx, 1, "connection_no_upgrade",
		     "the request's Connection field lacks the token "
		     "\"Upgrade\" (RFC 6455 §4.1 item 6)");
}

struct ext_answer {
	const struct ws_hs_request *rq;
	struct ws_hs_result *res;
	ws_hs_note_fn fn;
	void *ctx;
	unsigned deflates;       /* permessage-deflate elements so far */
};

static void ext_problem(struct ws_hs_result *res)
{
	if (res->problem == WS_HS_OK)
		res->problem = WS_HS_EXTENSION;
}

/* One element of the 101's Sec-WebSocket-Extensions. */
static bool answer_fn(const char *e, size_t n, void *arg)
{
	struct ext_answer *a = arg;
	struct ext_find f = { e, pmd_ext_name_len(e, n) };
	char buf[300];

	if (!f.len)
		return false;
	if (!pmd_ext_each(a->rq->extensions, ext_offered_fn, &f)) {
		snprintf(buf, sizeof buf,
			 "the server accepted extension '%.*s', which "
			 "the client did not offer (RFC 6455 §4.1)",
			 (int)(f.len > 60 ? 60 : f.len), f.name);
		note(a->fn, a->ctx, 2, "extension_not_offered", buf);
		ext_problem(a->res);
		return false;
	}
	if (!span_ieq(e, f.len, "permessage-deflate"))
		return false;
	if (a->deflates++) {
		/* RFC 6455 §9.1: the server lists the extensions it accepts,
		 * and two permessage-deflates would both claim RSV1. */
		note(a->fn, a->ctx, 2, "deflate_duplicate_extension",
		     "the 101 accepts permessage-deflate twice; a client "
		     "fails the connection (RFC 7692 §7.1: one offer is "
		     "accepted); the first one is used");
		ext_problem(a->res);
		return false;
	}
	if (!pmd_negotiate(a->rq->extensions, e, n, &a->res->deflate, a->fn,
			   a->ctx))
		ext_problem(a->res);
	return false;
}

void ws_hs_check_response(const struct ws_hs_request *rq,
			  const struct ws_hs_response *rs,
			  struct ws_hs_result *res, ws_hs_note_fn fn, void *ctx)
{
	char buf[400];

	ws_accept_for_key(rq->key, strlen(rq->key), res->expected_accept);
	if (rs->status != 101) {
		res->problem = WS_HS_NOT_101;
		return;
	}
	/* §4.1 (client side, items 1-4 of the response checks): the 101
	 * must carry Upgrade: websocket, Connection: Upgrade and the right
	 * Sec-WebSocket-Accept, else the client MUST fail the connection. */
	res->accept_valid = rs->accept_seen &&
			    strcmp(rs->accept, res->expected_accept) == 0;
	if (!res->accept_valid) {
		if (rs->accept_seen)
			snprintf(buf, sizeof buf,
				 "Sec-WebSocket-Accept is '%.40s' but the key "
				 "'%.40s' requires '%s' (RFC 6455 §4.2.2: "
				 "base64 of SHA-1 of the key and the GUID)",
				 rs->accept, rq->key, res->expected_accept);
		else
			snprintf(buf, sizeof buf,
				 "the 101 has no Sec-WebSocket-Accept; the key "
				 "'%.40s' requires '%s' (RFC 6455 §4.1)",
				 rq->key, res->expected_accept);
		note(fn, ctx, 2, "accept_mismatch", buf);
		res->problem = WS_HS_ACCEPT_MISMATCH;
	}
	if (!http_list_has_token(rs->upgrade, "websocket") ||
	    !http_list_has_token(rs->connection, "upgrade")) {
		note(fn, ctx, 2, "upgrade_tokens",
		     "the 101 lacks 'Upgrade: websocket' or 'Connection: "
		     "Upgrade' (RFC 6455 §4.1: the client MUST fail the "
		     "connection)");
		if (res->problem == WS_HS_OK)
			res->problem = WS_HS_BAD_UPGRADE;
	}
	/* §4.1: a subprotocol not offered by the client fails the
	 * connection; browsers also fail when they offered some and got
	 * none back. */
	if (rs->protocol[0] && !http_list_has_token(rq->protocols, rs->protocol)) {
		snprintf(buf, sizeof buf,
			 "the server chose subprotocol '%.60s', which the client "
			 "did not offer (offered: '%.100s'; RFC 6455 §4.1)",
			 rs->protocol, rq->protocols);
		note(fn, ctx, 2, "subprotocol_not_offered", buf);
		if (res->problem == WS_HS_OK)
			res->problem = WS_HS_SUBPROTOCOL;
	} else if (!rs->protocol[0] && rq->protocols[0]) {
		snprintf(buf, sizeof buf,
			 "the client offered subprotocols '%.100s' and the 101 "
			 "chose none; browsers fail the connection then",
			 rq->protocols);
		note(fn, ctx, 1, "subprotocol_none_chosen", buf);
		if (res->problem == WS_HS_OK)
			res->problem = WS_HS_SUBPROTOCOL;
	}
	/* §4.1: an extension not present in the client's handshake fails the
	 * connection.  Check each accepted extension's name. */
	struct ext_answer ea = { rq, res, fn, ctx, 0 };
	pmd_ext_each(rs->extensions, answer_fn, &ea);
}
