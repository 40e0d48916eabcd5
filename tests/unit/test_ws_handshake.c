/* test_ws_handshake.c - opening handshake checks (RFC 6455 §4.1, §4.2;
 * RFC 7692 §7.1): the accept computation against the RFC's example, each
 * request and response problem with its note code, permessage-deflate
 * parameters, and the HTTP list token matcher (RFC 9110 §5.6.1). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "ws_handshake.h"

/* The notes of one check: codes joined with spaces, levels, last text. */
struct notes {
	unsigned n;
	char codes[512];
	char levels[64];         /* one digit per note */
	char text[512];          /* the last note's text */
};

static void note_fn(void *ctx, int level, const char *code, const char *text)
{
	struct notes *ns = ctx;
	size_t l = strlen(ns->codes);

	snprintf(ns->codes + l, sizeof ns->codes - l, "%s%s", l ? " " : "",
		 code);
	if (ns->n < sizeof ns->levels - 1)
		ns->levels[ns->n] = (char)('0' + level);
	snprintf(ns->text, sizeof ns->text, "%s", text);
	ns->n++;
}

static const char rfc_key[] = "dGhlIHNhbXBsZSBub25jZQ==";
static const char rfc_accept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/* A valid request and its valid 101 (RFC 6455 §1.3's example). */
static struct ws_hs_request good_rq(void)
{
	return (struct ws_hs_request){
		.upgrade = "websocket", .connection = "Upgrade",
		.key = rfc_key, .version = "13", .protocols = "",
		.extensions = "", .key_seen = true,
	};
}

static struct ws_hs_response good_rs(void)
{
	return (struct ws_hs_response){
		.status = 101, .upgrade = "websocket",
		.connection = "Upgrade", .accept = rfc_accept,
		.protocol = "", .extensions = "", .accept_seen = true,
	};
}

static void check_rq(const struct ws_hs_request *rq, struct ws_hs_result *res,
		     struct notes *ns)
{
	memset(ns, 0, sizeof *ns);
	memset(res, 0xa5, sizeof *res); /* check_request must clear it */
	ws_hs_check_request(rq, res, note_fn, ns);
}

/* As the analyzer does it: the request's check, then the response's into
 * the same result; notes of the response only. */
static void check_rs(const struct ws_hs_request *rq,
		     const struct ws_hs_response *rs, struct ws_hs_result *res,
		     struct notes *ns)
{
	ws_hs_check_request(rq, res, NULL, NULL);
	memset(ns, 0, sizeof *ns);
	ws_hs_check_response(rq, rs, res, note_fn, ns);
}

static void test_accept(void)
{
	char out[40];

	memset(out, 'x', sizeof out);
	/* RFC 6455 §1.3 / §4.2.2's worked example. */
	ws_accept_for_key(rfc_key, strlen(rfc_key), out);
	CU_ASSERT_STRING_EQUAL(out, rfc_accept);
	CU_ASSERT_EQUAL(out[29], 'x'); /* 28 characters and a NUL only */
	/* The key of the seed capture. */
	static const char seed[] = "sDD3Wk7PMRCPE9+C0VyOcQ==";
	ws_accept_for_key(seed, strlen(seed), out);
	CU_ASSERT_STRING_EQUAL(out, "8TNIHr7bJHqQadjXYvqLql6RFEA=");
	/* The length counts, not the NUL: a prefix gives another value. */
	ws_accept_for_key(rfc_key, strlen(rfc_key) - 1, out);
	CU_ASSERT(strcmp(out, rfc_accept) != 0);
	CU_ASSERT_EQUAL(strlen(out), 28);
}

static void test_request(void)
{
	struct ws_hs_request rq = good_rq();
	struct ws_hs_result res;
	struct notes ns;

	check_rq(&rq, &res, &ns);
	CU_ASSERT_EQUAL(ns.n, 0);
	CU_ASSERT_TRUE(res.key_valid);
	CU_ASSERT_EQUAL(res.problem, WS_HS_OK);
	CU_ASSERT_FALSE(res.deflate.on);

	/* §4.1: the request MUST include Sec-WebSocket-Key. */
	rq.key = "";
	rq.key_seen = false;
	check_rq(&rq, &res, &ns);
	CU_ASSERT_STRING_EQUAL(ns.codes, "key_missing");
	CU_ASSERT_STRING_EQUAL(ns.levels, "2");
	CU_ASSERT_FALSE(res.key_valid);

	/* §4.1 item 7: a base64-encoded 16-byte value.  15, 17 and 0 bytes,
	 * non-base64 and non-canonical padding bits are all invalid. */
	static const char *const bad_keys[] = {
		"dGhlIHNhbXBsZSBub25j",         /* 15 bytes */
		"dGhlIHNhbXBsZSBub25jZXM=",     /* 17 bytes */
		"",                              /* present but empty */
		"dGhlIHNhbXBsZSBub25jZQ",       /* no padding */
		"dGhlIHNhbXBsZSBub25jZR==",     /* nonzero pad bits */
		"dGhlIHNhbXBsZSBub25j!Q==",     /* outside the alphabet */
		" dGhlIHNhbXBsZSBub25jZQ==",    /* leading space */
	};
	for (size_t i = 0; i < sizeof bad_keys / sizeof *bad_keys; i++) {
		rq = good_rq();
		rq.key = bad_keys[i];
		check_rq(&rq, &res, &ns);
		CU_ASSERT_STRING_EQUAL(ns.codes, "key_invalid");
		CU_ASSERT_FALSE(res.key_valid);
	}
	rq = good_rq();
	rq.key = "AAAAAAAAAAAAAAAAAAAAAA==";  /* 16 zero bytes: valid */
	check_rq(&rq, &res, &ns);
	CU_ASSERT_EQUAL(ns.n, 0);
	CU_ASSERT_TRUE(res.key_valid);

	/* §4.1 item 9: the version MUST be 13. */
	static const char *const bad_versions[] = { "8", "", "13, 8", "130",
						    "1" };
	for (size_t i = 0; i < sizeof bad_versions / sizeof *bad_versions;
	     i++) {
		rq = good_rq();
		rq.version = bad_versions[i];
		check_rq(&rq, &res, &ns);
		CU_ASSERT_STRING_EQUAL(ns.codes, "version_not_13");
		CU_ASSERT_STRING_EQUAL(ns.levels, "1");
		CU_ASSERT_TRUE(res.key_valid);
	}
	/* The value is quoted in the note, cut to a bounded length. */
	rq = good_rq();
	rq.version = "7";
	check_rq(&rq, &res, &ns);
	CU_ASSERT_PTR_NOT_NULL(strstr(ns.text, "'7'"));

	/* §4.1 item 6: Connection includes the token "Upgrade". */
	static const char *const bad_conn[] = { "", "keep-alive",
						"upgrade2", "keep-alive upgrade" };
	for (size_t i = 0; i < sizeof bad_conn / sizeof *bad_conn; i++) {
		rq = good_rq();
		rq.connection = bad_conn[i];
		check_rq(&rq, &res, &ns);
		CU_ASSERT_STRING_EQUAL(ns.codes, "connection_no_upgrade");
	}
	rq = good_rq();
	rq.connection = "keep-alive, UPGRADE";
	check_rq(&rq, &res, &ns);
	CU_ASSERT_EQUAL(ns.n, 0);

	/* §4.1 item 5: Upgrade includes the token "websocket". */
	rq = good_rq();
	rq.upgrade = "h2c";
	check_rq(&rq, &res, &ns);
	CU_ASSERT_STRING_EQUAL(ns.codes, "upgrade_no_websocket");
	rq.upgrade = "h2c, WebSocket";
	check_rq(&rq, &res, &ns);
	CU_ASSERT_EQUAL(ns.n, 0);

	/* Several problems: each one noted, in order. */
	rq = good_rq();
	rq.key = "";
	rq.key_seen = false;
	rq.version = "8";
	rq.connection = "close";
	check_rq(&rq, &res, &ns);
	CU_ASSERT_STRING_EQUAL(ns.codes,
			       "key_missing version_not_13 connection_no_upgrade");
	/* No callback: no crash, same result. */
	ws_hs_check_request(&rq, &res, NULL, NULL);
	CU_ASSERT_FALSE(res.key_valid);
}

static void test_response_status_accept(void)
{
	struct ws_hs_request rq = good_rq();
	struct ws_hs_response rs = good_rs();
	struct ws_hs_result res;
	struct notes ns;

	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_OK);
	CU_ASSERT_TRUE(res.accept_valid);
	CU_ASSERT_STRING_EQUAL(res.expected_accept, rfc_accept);
	CU_ASSERT_EQUAL(ns.n, 0);
	CU_ASSERT_FALSE(res.deflate.on);

	/* Not 101: refused, whatever else the response holds; the expected
	 * accept is still filled (for the report). */
	static const int statuses[] = { 200, 400, 403, 426, 100, 0 };
	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
		rs = good_rs();
		rs.status = statuses[i];
		rs.accept = "wrong";
		check_rs(&rq, &rs, &res, &ns);
		CU_ASSERT_EQUAL(res.problem, WS_HS_NOT_101);
		CU_ASSERT_STRING_EQUAL(res.expected_accept, rfc_accept);
	}

	/* §4.1: a wrong Sec-WebSocket-Accept fails the connection. */
	rs = good_rs();
	rs.accept = "8TNIHr7bJHqQadjXYvqLql6RFEA=";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_ACCEPT_MISMATCH);
	CU_ASSERT_FALSE(res.accept_valid);
	CU_ASSERT_STRING_EQUAL(res.expected_accept, rfc_accept);
	CU_ASSERT_STRING_EQUAL(ns.codes, "accept_mismatch");
	CU_ASSERT_STRING_EQUAL(ns.levels, "2");
	CU_ASSERT_PTR_NOT_NULL(strstr(ns.text, rfc_accept));
	CU_ASSERT_PTR_NOT_NULL(strstr(ns.text, "8TNIHr7bJHqQadjXYvqLql6RFEA="));
	CU_ASSERT_PTR_NOT_NULL(strstr(ns.text, rfc_key));

	/* The comparison is exact: case and whitespace matter (base64). */
	rs.accept = "S3PPLMBITXAQ9KYGZZHZRBK+XOO=";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_ACCEPT_MISMATCH);
	rs.accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_ACCEPT_MISMATCH);

	/* Missing accept. */
	rs = good_rs();
	rs.accept = "";
	rs.accept_seen = false;
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_ACCEPT_MISMATCH);
	CU_ASSERT_FALSE(res.accept_valid);
	CU_ASSERT_STRING_EQUAL(ns.codes, "accept_mismatch");
	CU_ASSERT_PTR_NOT_NULL(strstr(ns.text, rfc_accept));

	/* A hostile, very long accept value: the note stays bounded and
	 * still names the expected value. */
	static char longv[2000];
	memset(longv, 'A', sizeof longv - 1);
	rs = good_rs();
	rs.accept = longv;
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_ACCEPT_MISMATCH);
	CU_ASSERT_PTR_NOT_NULL(strstr(ns.text, rfc_accept));
}

static void test_response_upgrade_tokens(void)
{
	struct ws_hs_request rq = good_rq();
	struct ws_hs_response rs;
	struct ws_hs_result res;
	struct notes ns;

	static const struct {
		const char *upgrade, *connection;
		bool ok;
	} cases[] = {
		{ "websocket", "Upgrade", true },
		{ "WebSocket", "upgrade", true },
		{ " websocket ", "keep-alive, Upgrade", true },
		{ "", "Upgrade", false },
		{ "websocket", "", false },
		{ "websocket2", "Upgrade", false },
		{ "websocket", "Upgraded", false },
		{ "h2c", "Upgrade", false },
		{ "", "", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		rs = good_rs();
		rs.upgrade = cases[i].upgrade;
		rs.connection = cases[i].connection;
		check_rs(&rq, &rs, &res, &ns);
		if (cases[i].ok) {
			CU_ASSERT_EQUAL(res.problem, WS_HS_OK);
			CU_ASSERT_EQUAL(ns.n, 0);
		} else {
			CU_ASSERT_EQUAL(res.problem, WS_HS_BAD_UPGRADE);
			CU_ASSERT_STRING_EQUAL(ns.codes, "upgrade_tokens");
		}
	}
	/* A wrong accept as well: both noted; the accept is the problem. */
	rs = good_rs();
	rs.upgrade = "";
	rs.accept = "nope";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_ACCEPT_MISMATCH);
	CU_ASSERT_STRING_EQUAL(ns.codes, "accept_mismatch upgrade_tokens");
}

static void test_response_subprotocol(void)
{
	struct ws_hs_request rq = good_rq();
	struct ws_hs_response rs = good_rs();
	struct ws_hs_result res;
	struct notes ns;

	/* Offered and chosen. */
	rq.protocols = "chat, superchat";
	rs.protocol = "superchat";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_OK);
	CU_ASSERT_EQUAL(ns.n, 0);

	/* §4.1: not offered. */
	rs.protocol = "mqtt";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_SUBPROTOCOL);
	CU_ASSERT_STRING_EQUAL(ns.codes, "subprotocol_not_offered");
	CU_ASSERT_STRING_EQUAL(ns.levels, "2");
	CU_ASSERT_PTR_NOT_NULL(strstr(ns.text, "'mqtt'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(ns.text, "chat, superchat"));
	/* A prefix of an offered one is another token. */
	rs.protocol = "super";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_SUBPROTOCOL);

	/* Nothing offered, something chosen. */
	rq.protocols = "";
	rs.protocol = "chat";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_SUBPROTOCOL);
	CU_ASSERT_STRING_EQUAL(ns.codes, "subprotocol_not_offered");

	/* Offered, none chosen: a warning browsers treat as failure. */
	rq.protocols = "chat";
	rs.protocol = "";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_SUBPROTOCOL);
	CU_ASSERT_STRING_EQUAL(ns.codes, "subprotocol_none_chosen");
	CU_ASSERT_STRING_EQUAL(ns.levels, "1");

	/* Neither: fine. */
	rq.protocols = "";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_OK);
	CU_ASSERT_EQUAL(ns.n, 0);
}

static void test_response_extensions(void)
{
	struct ws_hs_request rq = good_rq();
	struct ws_hs_response rs = good_rs();
	struct ws_hs_result res;
	struct notes ns;

	/* §4.1: the server accepted what the client did not offer. */
	rs.extensions = "permessage-deflate";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_EXTENSION);
	CU_ASSERT_STRING_EQUAL(ns.codes, "extension_not_offered");
	CU_ASSERT_PTR_NOT_NULL(strstr(ns.text, "'permessage-deflate'"));
	CU_ASSERT_FALSE(res.deflate.on);

	rq.extensions = "x-webkit-deflate-frame";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_EXTENSION);
	CU_ASSERT_FALSE(res.deflate.on);

	/* A name that is a prefix of the offered one is another name. */
	rq.extensions = "permessage-deflate; client_max_window_bits";
	rs.extensions = "permessage";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_EXTENSION);

	/* Offered (with parameters, in a list) and accepted bare. */
	rq.extensions = "foo, permessage-deflate; client_max_window_bits, "
			"permessage-deflate";
	rs.extensions = "permessage-deflate";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_OK);
	CU_ASSERT_STRING_EQUAL(ns.codes, "deflate_negotiated");
	CU_ASSERT_STRING_EQUAL(ns.levels, "0");
	CU_ASSERT_TRUE(res.deflate.on);
	CU_ASSERT_TRUE(res.deflate.valid);
	/* A bare answer fits both offers: the first fitting one wins. */
	CU_ASSERT_EQUAL(res.deflate.offers, 2);
	CU_ASSERT_EQUAL(res.deflate.offer, 1);
	CU_ASSERT_FALSE(res.deflate.server_no_context_takeover);
	CU_ASSERT_FALSE(res.deflate.client_no_context_takeover);
	CU_ASSERT_EQUAL(res.deflate.server_max_window_bits, 15);
	CU_ASSERT_EQUAL(res.deflate.client_max_window_bits, 15);

	/* One accepted, one not: the second is noted. */
	rs.extensions = "permessage-deflate, bar";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_EXTENSION);
	CU_ASSERT_STRING_EQUAL(ns.codes,
			       "deflate_negotiated extension_not_offered");
	CU_ASSERT_PTR_NOT_NULL(strstr(ns.text, "'bar'"));
	CU_ASSERT_TRUE(res.deflate.on);
}

static void test_deflate_params(void)
{
	struct ws_hs_request rq = good_rq();
	struct ws_hs_response rs = good_rs();
	struct ws_hs_result res;
	struct notes ns;

	rq.extensions = "permessage-deflate; client_max_window_bits";

	/* RFC 7692 §7.1: every parameter, in one response. */
	rs.extensions = "permessage-deflate; server_no_context_takeover; "
			"client_no_context_takeover; server_max_window_bits=10; "
			"client_max_window_bits=12";
	check_rs(&rq, &rs, &res, &ns);
	CU_ASSERT_EQUAL(res.problem, WS_HS_OK);
	CU_ASSERT_STRING_EQUAL(ns.codes, "deflate_negotiated");
	CU_ASSERT_PTR_NOT_NULL(strstr(ns.text, "the server compresses with a "
				      "window of 10 bits and no context "
				      "takeover, the client with 12 bits and "
				      "no context takeover"));
	CU_ASSERT_TRUE(res.deflate.on);
	CU_ASSERT_TRUE(res.deflate.server_no_context_takeover);
	CU_ASSERT_TRUE(res.deflate.client_no_context_takeover);
	CU_ASSERT_EQUAL(res.deflate.server_max_window_bits, 10);
	CU_ASSERT_EQUAL(res.deflate.client_max_window_bits, 12);

	/* Each alone, in any case, with OWS and quoted values
	 * (RFC 7692 §7.1: a value may be a quoted-string). */
	static const struct {
		const char *ext;
		bool snct, cnct;
		int smwb, cmwb;
		const char *codes;
	} cases[] = {
		{ "permessage-deflate;server_no_context_takeover",
		  true, false, 15, 15, "deflate_negotiated" },
		{ "permessage-deflate ; Client_No_Context_Takeover ",
		  false, true, 15, 15, "deflate_negotiated" },
		{ "permessage-deflate; server_max_window_bits=10",
		  false, false, 10, 15, "deflate_negotiated" },
		{ "permessage-deflate; client_max_window_bits=12",
		  false, false, 15, 12, "deflate_negotiated" },
		{ "permessage-deflate; client_max_window_bits=\"9\"",
		  false, false, 15, 9, "deflate_negotiated" },
		/* zlib cannot compress with 8 bits: said. */
		{ "PerMessage-Deflate; server_max_window_bits=8",
		  false, false, 8, 15, "deflate_negotiated deflate_window_8" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		rs.extensions = cases[i].ext;
		check_rs(&rq, &rs, &res, &ns);
		CU_ASSERT_EQUAL(res.problem, WS_HS_OK);
		CU_ASSERT_STRING_EQUAL(ns.codes, cases[i].codes);
		CU_ASSERT_TRUE(res.deflate.on);
		CU_ASSERT_TRUE(res.deflate.valid);
		CU_ASSERT_EQUAL(res.deflate.server_no_context_takeover,
				cases[i].snct);
		CU_ASSERT_EQUAL(res.deflate.client_no_context_takeover,
				cases[i].cnct);
		CU_ASSERT_EQUAL(res.deflate.server_max_window_bits,
				cases[i].smwb);
		CU_ASSERT_EQUAL(res.deflate.client_max_window_bits,
				cases[i].cmwb);
	}

	/* §7.1.2: window bits outside 8..15 (or not a plain decimal) are
	 * noted as errors a client fails on, and taken as 15. */
	static const struct {
		const char *ext;
		int smwb, cmwb;
	} bad[] = {
		{ "permessage-deflate; server_max_window_bits=7", 15, 15 },
		{ "permessage-deflate; server_max_window_bits=16", 15, 15 },
		{ "permessage-deflate; client_max_window_bits=7", 15, 15 },
		{ "permessage-deflate; client_max_window_bits=16", 15, 15 },
		{ "permessage-deflate; client_max_window_bits=99999999999", 15, 15 },
		{ "permessage-deflate; server_max_window_bits=", 15, 15 },
		/* The good one is kept when only the other is bad. */
		{ "permessage-deflate; server_max_window_bits=16; "
		  "client_max_window_bits=9", 15, 9 },
		{ "permessage-deflate; server_max_window_bits=11; "
		  "client_max_window_bits=7", 11, 15 },
		/* Leading zeros, signs, no value in an answer. */
		{ "permessage-deflate; server_max_window_bits=010", 15, 15 },
		{ "permessage-deflate; server_max_window_bits=09", 15, 15 },
		{ "permessage-deflate; server_max_window_bits=+9", 15, 15 },
		{ "permessage-deflate; client_max_window_bits", 15, 15 },
		{ "permessage-deflate; server_max_window_bits", 15, 15 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		rs.extensions = bad[i].ext;
		check_rs(&rq, &rs, &res, &ns);
		CU_ASSERT_STRING_EQUAL(ns.codes,
				       "deflate_bad_window deflate_negotiated");
		CU_ASSERT_STRING_EQUAL(ns.levels, "20");
		CU_ASSERT_EQUAL(res.problem, WS_HS_EXTENSION);
		CU_ASSERT_FALSE(res.deflate.valid);
		CU_ASSERT_TRUE(res.deflate.on);
		CU_ASSERT_EQUAL(res.deflate.server_max_window_bits,
				bad[i].smwb);
		CU_ASSERT_EQUAL(res.deflate.client_max_window_bits,
				bad[i].cmwb);
	}
}

/* RFC 7692 §7.1: the answer against the client's offers, one case per
 * rule a client fails the connection on, and what each side uses. */
static void test_deflate_negotiation(void)
{
	static const struct {
		const char *offers, *answer;
		enum ws_hs_problem problem;
		const char *codes;       /* notes, in order */
		unsigned offer;          /* accepted offer, 0 none */
		int smwb, cmwb;          /* what each side uses */
		bool snct, cnct;
	} cases[] = {
		/* Chrome's offer, a bare answer. */
		{ "permessage-deflate; client_max_window_bits",
		  "permessage-deflate", WS_HS_OK, "deflate_negotiated", 1,
		  15, 15, false, false },
		/* Firefox's offer; the server picks the client's window:
		 * not allowed (§7.1.2.2: MUST NOT include it). */
		{ "permessage-deflate", "permessage-deflate; "
		  "client_max_window_bits=10", WS_HS_EXTENSION,
		  "deflate_param_not_offered deflate_negotiated", 0, 15, 10,
		  false, false },
		/* The server may always limit its own window or drop its
		 * context (§7.1.1.1, §7.1.2.1), and ask the client to. */
		{ "permessage-deflate", "permessage-deflate; "
		  "server_max_window_bits=9; server_no_context_takeover; "
		  "client_no_context_takeover", WS_HS_OK,
		  "deflate_negotiated", 1, 9, 15, true, true },
		/* The client asked for a server window of 10: 12 is too
		 * large, none is missing, 9 is fine. */
		{ "permessage-deflate; server_max_window_bits=10",
		  "permessage-deflate; server_max_window_bits=12",
		  WS_HS_EXTENSION, "deflate_window_too_large "
		  "deflate_negotiated", 0, 12, 15, false, false },
		{ "permessage-deflate; server_max_window_bits=10",
		  "permessage-deflate", WS_HS_EXTENSION,
		  "deflate_param_missing deflate_negotiated", 0, 15, 15,
		  false, false },
		{ "permessage-deflate; server_max_window_bits=10",
		  "permessage-deflate; server_max_window_bits=9", WS_HS_OK,
		  "deflate_negotiated", 1, 9, 15, false, false },
		/* server_no_context_takeover asked for, not granted. */
		{ "permessage-deflate; server_no_context_takeover",
		  "permessage-deflate", WS_HS_EXTENSION,
		  "deflate_param_missing deflate_negotiated", 0, 15, 15,
		  false, false },
		/* Two offers: the answer fits the second. */
		{ "permessage-deflate; server_max_window_bits=10; "
		  "client_max_window_bits, permessage-deflate; "
		  "client_max_window_bits", "permessage-deflate; "
		  "client_max_window_bits=12", WS_HS_OK,
		  "deflate_negotiated", 2, 15, 12, false, false },
		/* Two offers, fits neither: said against the first. */
		{ "permessage-deflate; server_max_window_bits=10, "
		  "permessage-deflate; server_no_context_takeover",
		  "permessage-deflate", WS_HS_EXTENSION,
		  "deflate_param_missing deflate_negotiated", 0, 15, 15,
		  false, false },
		/* An offered client window the answer leaves alone binds the
		 * client (§7.1.2.2). */
		{ "permessage-deflate; client_max_window_bits=11",
		  "permessage-deflate", WS_HS_OK, "deflate_negotiated", 1,
		  15, 11, false, false },
		/* A larger client window than offered: harmless, said. */
		{ "permessage-deflate; client_max_window_bits=11",
		  "permessage-deflate; client_max_window_bits=13", WS_HS_OK,
		  "deflate_window_too_large deflate_negotiated", 1, 15, 13,
		  false, false },
		/* Duplicates, unknown parameters, values where none go. */
		{ "permessage-deflate", "permessage-deflate; "
		  "server_no_context_takeover; server_no_context_takeover",
		  WS_HS_EXTENSION, "deflate_param_duplicate "
		  "deflate_negotiated", 1, 15, 15, true, false },
		{ "permessage-deflate; client_max_window_bits",
		  "permessage-deflate; client_max_window_bits=10; "
		  "client_max_window_bits=11", WS_HS_EXTENSION,
		  "deflate_param_duplicate deflate_negotiated", 1, 15, 10,
		  false, false },
		{ "permessage-deflate", "permessage-deflate; x-foo=3",
		  WS_HS_EXTENSION, "deflate_param_unknown deflate_negotiated",
		  1, 15, 15, false, false },
		{ "permessage-deflate", "permessage-deflate; "
		  "client_no_context_takeover=1", WS_HS_EXTENSION,
		  "deflate_param_value deflate_negotiated", 1, 15, 15,
		  false, false },
		{ "permessage-deflate", "permessage-deflate; ; =",
		  WS_HS_EXTENSION, "deflate_param_syntax deflate_negotiated",
		  1, 15, 15, false, false },
		/* An invalid offer (the server must decline it) next to a
		 * valid one the answer fits. */
		{ "permessage-deflate; server_max_window_bits, "
		  "permessage-deflate", "permessage-deflate", WS_HS_OK,
		  "deflate_offer_invalid deflate_negotiated", 2, 15, 15,
		  false, false },
		/* A quoted comma stays inside its value. */
		{ "permessage-deflate; x=\"a,permessage-deflate\", "
		  "permessage-deflate; client_max_window_bits",
		  "permessage-deflate; client_max_window_bits=9", WS_HS_OK,
		  "deflate_offer_invalid deflate_negotiated", 2, 15, 9,
		  false, false },
		/* permessage-deflate accepted twice. */
		{ "permessage-deflate", "permessage-deflate, "
		  "permessage-deflate", WS_HS_EXTENSION,
		  "deflate_negotiated deflate_duplicate_extension", 1, 15, 15,
		  false, false },
	};
	struct ws_hs_request rq = good_rq();
	struct ws_hs_response rs = good_rs();
	struct ws_hs_result res;
	struct notes ns;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		rq.extensions = cases[i].offers;
		rs.extensions = cases[i].answer;
		check_rs(&rq, &rs, &res, &ns);
		CU_ASSERT_EQUAL(res.problem, cases[i].problem);
		CU_ASSERT_STRING_EQUAL(ns.codes, cases[i].codes);
		CU_ASSERT_TRUE(res.deflate.on);
		CU_ASSERT_EQUAL(res.deflate.offer, cases[i].offer);
		CU_ASSERT_EQUAL(res.deflate.server_max_window_bits,
				cases[i].smwb);
		CU_ASSERT_EQUAL(res.deflate.client_max_window_bits,
				cases[i].cmwb);
		CU_ASSERT_EQUAL(res.deflate.server_no_context_takeover,
				cases[i].snct);
		CU_ASSERT_EQUAL(res.deflate.client_no_context_takeover,
				cases[i].cnct);
		if (res.problem != cases[i].problem ||
		    strcmp(ns.codes, cases[i].codes) != 0 ||
		    res.deflate.offer != cases[i].offer)
			fprintf(stderr, "\ncase %zu: problem %d codes '%s' "
				"offer %u\n", i, res.problem, ns.codes,
				res.deflate.offer);
	}

}

struct first_note {
	char text[512];
	bool have;
};

static void first_fn(void *ctx, int level, const char *code, const char *text)
{
	struct first_note *f = ctx;

	(void)code;
	if (level == 2 && !f->have) {
		snprintf(f->text, sizeof f->text, "%s", text);
		f->have = true;
	}
}

static void test_deflate_note_texts(void)
{
	static const struct {
		const char *offers, *answer, *says;
	} cases[] = {
		{ "permessage-deflate", "permessage-deflate; "
		  "client_max_window_bits=10", "has client_max_window_bits=10 "
		  "but the client did not offer client_max_window_bits" },
		{ "permessage-deflate; server_max_window_bits=10",
		  "permessage-deflate; server_max_window_bits=12",
		  "server_max_window_bits=12, larger than the 10 the client "
		  "asked for" },
		{ "permessage-deflate", "permessage-deflate; "
		  "server_max_window_bits=16", "gives 'server_max_window_bits' "
		  "the value '16'" },
		{ "permessage-deflate", "permessage-deflate; "
		  "server_no_context_takeover; Server_No_Context_Takeover",
		  "has 'Server_No_Context_Takeover' twice" },
		{ "permessage-deflate; server_max_window_bits=10, "
		  "permessage-deflate; server_no_context_takeover",
		  "permessage-deflate", "fits none of the client's 2 offers; "
		  "against offer 1 it lacks server_max_window_bits" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct ws_hs_request rq = good_rq();
		struct ws_hs_response rs = good_rs();
		struct ws_hs_result res;
		struct first_note f = { "", false };

		rq.extensions = cases[i].offers;
		rs.extensions = cases[i].answer;
		ws_hs_check_request(&rq, &res, NULL, NULL);
		ws_hs_check_response(&rq, &rs, &res, first_fn, &f);
		CU_ASSERT_TRUE(f.have);
		CU_ASSERT_PTR_NOT_NULL(strstr(f.text, cases[i].says));
		CU_ASSERT_PTR_NOT_NULL(strstr(f.text, "RFC 7692 §7.1"));
		if (!strstr(f.text, cases[i].says))
			fprintf(stderr, "\ncase %zu: '%s'\n", i, f.text);
	}
}

static void test_list_has_token(void)
{
	static const struct {
		const char *list, *tok;
		bool want;
	} cases[] = {
		{ "upgrade", "upgrade", true },
		{ "Upgrade", "upgrade", true },
		{ "UPGRADE", "Upgrade", true },
		{ "keep-alive, Upgrade", "upgrade", true },
		{ "keep-alive,Upgrade", "upgrade", true },
		{ "  \tupgrade\t , keep-alive", "upgrade", true },
		{ ", ,upgrade", "upgrade", true },
		{ ",,,upgrade,,,", "upgrade", true },
		{ "keep-alive, upgrade ", "upgrade", true },
		{ "upgrade2", "upgrade", false },
		{ "upgrade2, xupgrade, upgrad", "upgrade", false },
		{ "upgrade2, upgrade", "upgrade", true },
		{ "up grade", "upgrade", false },
		{ "keep-alive upgrade", "upgrade", false },
		{ "", "upgrade", false },
		{ ", , ,", "upgrade", false },
		{ "   ", "upgrade", false },
		{ "\"upgrade\"", "upgrade", false },
		{ "upgrade", "upgrade2", false },
		{ "websocket", "websocket", true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		bool got = http_list_has_token(cases[i].list, cases[i].tok);
		CU_ASSERT_EQUAL(got, cases[i].want);
		if (got != cases[i].want)
			fprintf(stderr, "\nlist '%s' token '%s': got %d\n",
				cases[i].list, cases[i].tok, got);
	}
	CU_ASSERT_FALSE(http_list_has_token(NULL, "upgrade"));
}

int add_ws_handshake_suite(void)
{
	CU_pSuite s = CU_add_suite("ws_handshake", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "accept for key", test_accept) ||
	    !CU_add_test(s, "request checks", test_request) ||
	    !CU_add_test(s, "response status and accept",
			 test_response_status_accept) ||
	    !CU_add_test(s, "response Upgrade/Connection",
			 test_response_upgrade_tokens) ||
	    !CU_add_test(s, "subprotocol", test_response_subprotocol) ||
	    !CU_add_test(s, "extensions", test_response_extensions) ||
	    !CU_add_test(s, "permessage-deflate parameters",
			 test_deflate_params) ||
	    !CU_add_test(s, "permessage-deflate negotiation",
			 test_deflate_negotiation) ||
	    !CU_add_test(s, "permessage-deflate note texts",
			 test_deflate_note_texts) ||
	    !CU_add_test(s, "http_list_has_token", test_list_has_token))
		return -1;
	return 0;
}
