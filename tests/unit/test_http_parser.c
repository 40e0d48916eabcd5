/* test_http_parser.c - CUnit suite for dissectors/http_parser.c.
 *
 * Every input is fed whole, one byte at a time and split at every point
 * (every pair of points for the seed request and a chunked response); the
 * normalized event logs (consecutive pieces of one span event joined) must
 * be identical.  Each piece fed is first copied so that it ends right
 * before a PROT_NONE page: reading one byte past what was fed crashes.
 * A few expected logs are written out in full, llhttp style.
 */
#define _DEFAULT_SOURCE
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "http_parser.h"
#include "suites.h"

/* --- guard page --- */

#define GUARD_SPAN (96u * 4096u) /* room for the largest input */

static uint8_t *guard_base;  /* GUARD_SPAN readable bytes */
static size_t guard_page;

static int guard_setup(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *m;

	if (pg <= 0)
		return -1;
	guard_page = (size_t)pg;
	m = mmap(NULL, GUARD_SPAN + guard_page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	guard_base = m;
	if (mprotect(guard_base + GUARD_SPAN, guard_page, PROT_NONE) != 0)
		return -1;
	return 0;
}

static int guard_teardown(void)
{
	if (guard_base)
		munmap(guard_base, GUARD_SPAN + guard_page);
	guard_base = NULL;
	return 0;
}

/* Copies n bytes to end right before the unreadable page. */
static const uint8_t *guarded(const uint8_t *src, size_t n)
{
	uint8_t *dst = guard_base + GUARD_SPAN - n;

	if (n)
		memcpy(dst, src, n);
	return dst;
}

/* --- event recorder --- */

struct rec_ev {
	enum http_ev type;
	uint64_t off;
	int num;
	const char *code;
	size_t dstart; /* data in rec.data */
	size_t dlen;
};

#define REC_EVS 1024
#define REC_DATA (256u * 1024u)

struct rec {
	struct rec_ev ev[REC_EVS];
	size_t n;
	uint8_t data[REC_DATA];
	size_t dn;
	size_t raw;             /* callbacks before joining */
	bool overflow;
	bool bad_span;          /* a span event with at == NULL or len 0 */
	int hd_ret;             /* what HEADERS_DONE returns */
	struct http_parser *p;  /* to snapshot the results */
};

static struct rec rec;

static bool is_span(enum http_ev t)
{
	return t == HTTP_EV_METHOD || t == HTTP_EV_TARGET ||
	       t == HTTP_EV_VERSION || t == HTTP_EV_REASON ||
	       t == HTTP_EV_FIELD_NAME || t == HTTP_EV_FIELD_VALUE ||
	       t == HTTP_EV_BODY || t == HTTP_EV_STATUS;
}

static void rec_data(const void *d, size_t n)
{
	if (n > REC_DATA - rec.dn) {
		rec.overflow = true;
		return;
	}
	memcpy(rec.data + rec.dn, d, n);
	rec.dn += n;
}

static int rec_cb(void *user, const struct http_event *ev)
{
	struct rec_ev *last = rec.n ? &rec.ev[rec.n - 1] : NULL;
	struct rec_ev *e;

	(void)user;
	rec.raw++;
	if (is_span(ev->type) && (!ev->at || !ev->len))
		rec.bad_span = true;
	/* join consecutive pieces of one span event (not STATUS) */
	if (last && last->type == ev->type && is_span(ev->type) &&
	    ev->type != HTTP_EV_STATUS) {
		/* pieces of one element are contiguous, except a folded
		 * value (the SP of an obs-fold) and body pieces of
		 * different chunks */
		if (ev->type != HTTP_EV_FIELD_VALUE &&
		    ev->type != HTTP_EV_BODY &&
		    last->off + last->dlen != ev->offset)
			rec.bad_span = true;
		rec_data(ev->at, ev->len);
		last->dlen += ev->len;
		return 0;
	}
	if (rec.n == REC_EVS) {
		rec.overflow = true;
		return 0;
	}
	e = &rec.ev[rec.n++];
	e->type = ev->type;
	e->off = ev->offset;
	e->num = ev->num;
	e->code = ev->code;
	e->dstart = rec.dn;
	e->dlen = 0;
	if (is_span(ev->type)) {
		rec_data(ev->at, ev->len);
		e->dlen = ev->len;
	}
	if (ev->type == HTTP_EV_HEADERS_DONE) {
		const struct http_parser *p = rec.p;
		char buf[256];
		char len[32];
		int k;

		if (p->has_length)
			snprintf(len, sizeof len, "%llu",
				 (unsigned long long)p->content_length);
		else
			snprintf(len, sizeof len, "-");
		k = snprintf(buf, sizeof buf,
			     "minor=%d status=%d connect=%d head=%d chunked=%d "
			     "length=%s close=%d conn_upgrade=%d upgrade=%d",
			     p->version_minor, p->status, p->is_connect,
			     p->is_head, p->chunked, len, p->conn_close,
			     p->conn_upgrade, p->has_upgrade);
		if (k > 0 && (size_t)k < sizeof buf) {
			rec_data(buf, (size_t)k);
			e->dlen = (size_t)k;
		}
		return rec.hd_ret;
	}
	return 0;
}

static const char *ev_name(enum http_ev t)
{
	switch (t) {
	case HTTP_EV_MESSAGE_BEGIN: return "message_begin";
	case HTTP_EV_METHOD: return "method";
	case HTTP_EV_TARGET: return "target";
	case HTTP_EV_VERSION: return "version";
	case HTTP_EV_STATUS: return "status";
	case HTTP_EV_REASON: return "reason";
	case HTTP_EV_FIELD_NAME: return "field_name";
	case HTTP_EV_FIELD_VALUE: return "field_value";
	case HTTP_EV_FIELD_DONE: return "field_done";
	case HTTP_EV_HEADERS_DONE: return "headers_done";
	case HTTP_EV_BODY: return "body";
	case HTTP_EV_MESSAGE_DONE: return "message_done";
	case HTTP_EV_NOTE: return "note";
	case HTTP_EV_ERROR: return "error";
	}
	return "?";
}

/* A growable string for logs (test code, not a hot path). */
struct sbuf {
	char *s;
	size_t n, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (n + 1 > b->cap - b->n) {
		size_t cap = (b->cap + n + 1) * 2;
		char *t = realloc(b->s, cap);

		if (!t)
			abort();
		b->s = t;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_esc(struct sbuf *b, const uint8_t *d, size_t n)
{
	char t[8];

	for (size_t i = 0; i < n; i++) {
		uint8_t c = d[i];

		if (c == '\r')
			sb_str(b, "\\r");
		else if (c == '\n')
			sb_str(b, "\\n");
		else if (c == '\t')
			sb_str(b, "\\t");
		else if (c == '"' || c == '\\') {
			t[0] = '\\';
			t[1] = (char)c;
			sb_put(b, t, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(t, sizeof t, "\\x%02x", c);
			sb_str(b, t);
		} else {
			sb_put(b, (const char *)&c, 1);
		}
	}
}

/* --- driver --- */

struct opts {
	enum http_kind kind;
	bool req_head;
	bool req_connect;
	int hd_ret;
	bool finish;     /* call http_finish at the end */
};

static struct http_parser last_parser; /* state after the last run */

/* Feeds in[0..len) cut at cuts[0..ncuts) (ascending), returns the
 * normalized log (malloc'd). */
static char *run(const struct opts *o, const uint8_t *in, size_t len,
		 const size_t *cuts, size_t ncuts)
{
	struct http_parser p;
	struct sbuf b = {0};
	size_t consumed = 0;
	size_t from = 0;
	char t[160];

	memset(&rec, 0, sizeof rec);
	rec.hd_ret = o->hd_ret;
	rec.p = &p;
	http_init(&p, o->kind, rec_cb, NULL);
	p.request_was_head = o->req_head;
	p.request_was_connect = o->req_connect;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;
		size_t n = to - from;
		size_t got = http_feed(&p, guarded(in + from, n), n);

		consumed += got;
		if (got < n)
			break;
		from = to;
	}
	if (o->finish)
		http_finish(&p);
	/* sticky: nothing more is consumed once stopped or failed */
	if (p.pstate != HTTP_PARSING && len > 0 &&
	    http_feed(&p, guarded(in, 1), 1) != 0)
		sb_str(&b, "FED AFTER STOP/FAIL\n");
	for (size_t i = 0; i < rec.n; i++) {
		const struct rec_ev *e = &rec.ev[i];

		snprintf(t, sizeof t, "off=%llu %s", (unsigned long long)e->off,
			 ev_name(e->type));
		sb_str(&b, t);
		if (e->type == HTTP_EV_STATUS) {
			snprintf(t, sizeof t, " %d", e->num);
			sb_str(&b, t);
		}
		if (e->type == HTTP_EV_NOTE || e->type == HTTP_EV_ERROR) {
			sb_str(&b, " ");
			sb_str(&b, e->code ? e->code : "(null)");
		}
		if (e->type == HTTP_EV_HEADERS_DONE) {
			sb_str(&b, " ");
			sb_put(&b, (const char *)rec.data + e->dstart, e->dlen);
		} else if (is_span(e->type)) {
			sb_str(&b, " \"");
			sb_esc(&b, rec.data + e->dstart, e->dlen);
			sb_str(&b, "\"");
		}
		sb_str(&b, "\n");
	}
	snprintf(t, sizeof t, "consumed=%zu state=%d messages=%llu offset=%llu%s%s\n",
		 consumed, (int)p.pstate, (unsigned long long)p.messages,
		 (unsigned long long)p.offset, rec.overflow ? " OVERFLOW" : "",
		 rec.bad_span ? " BAD_SPAN" : "");
	sb_str(&b, t);
	last_parser = p;
	last_parser.cb = NULL;
	return b.s;
}

static bool same_log(const char *want, const char *got, const char *how,
		     size_t a, size_t b)
{
	if (strcmp(want, got) == 0)
		return true;
	fprintf(stderr, "\nlog differs (%s %zu %zu)\n--- whole:\n%s--- split:\n%s",
		how, a, b, want, got);
	return false;
}

/* Whole, one byte at a time, every split point; every pair of split
 * points when pairs.  Returns the whole-feed log (caller frees); the
 * parser state of the whole-feed run is left in last_parser. */
static char *check_splits(const struct opts *o, const char *in, size_t len,
			  bool every, bool pairs)
{
	const uint8_t *u = (const uint8_t *)in;
	char *whole;
	char *got;
	struct http_parser whole_state;
	size_t *cuts = calloc(len ? len : 1, sizeof *cuts);
	bool ok = true;

	if (!cuts)
		abort();
	whole = run(o, u, len, NULL, 0);
	whole_state = last_parser;
	CU_ASSERT_PTR_NULL(strstr(whole, "OVERFLOW"));
	CU_ASSERT_PTR_NULL(strstr(whole, "BAD_SPAN"));
	CU_ASSERT_PTR_NULL(strstr(whole, "FED AFTER"));

	for (size_t i = 1; i < len; i++)
		cuts[i - 1] = i;
	got = run(o, u, len, cuts, len ? len - 1 : 0);
	ok = same_log(whole, got, "bytes", 0, 0);
	CU_ASSERT(ok);
	free(got);

	for (size_t i = 1; every && ok && i < len; i++) {
		cuts[0] = i;
		got = run(o, u, len, cuts, 1);
		ok = same_log(whole, got, "split", i, 0);
		CU_ASSERT(ok);
		free(got);
	}
	for (size_t i = 1; pairs && ok && i < len; i++) {
		for (size_t j = i + 1; ok && j < len; j++) {
			cuts[0] = i;
			cuts[1] = j;
			got = run(o, u, len, cuts, 2);
			ok = same_log(whole, got, "pair", i, j);
			if (!ok)
				CU_FAIL("pair split differs");
			free(got);
		}
	}
	free(cuts);
	last_parser = whole_state;
	return whole;
}

static const struct opts REQ = {HTTP_KIND_REQUEST, false, false, 0, false};
static const struct opts RES = {HTTP_KIND_RESPONSE, false, false, 0, false};

#define S(lit) lit, sizeof(lit) - 1

/* Asserts the whole log equals want, after split checks. */
static void expect_log(const struct opts *o, const char *in, size_t len,
		       bool pairs, const char *want)
{
	char *got = check_splits(o, in, len, true, pairs);

	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n--- want:\n%s--- got:\n%s", want, got);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

/* Runs the split checks and asserts that the log contains each needle. */
static char *log_of(const struct opts *o, const char *in, size_t len)
{
	return check_splits(o, in, len, true, false);
}

static void assert_has(const char *log, const char *needle)
{
	if (!strstr(log, needle))
		fprintf(stderr, "\nmissing \"%s\" in:\n%s", needle, log);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, needle));
}

static void assert_lacks(const char *log, const char *needle)
{
	if (strstr(log, needle))
		fprintf(stderr, "\nunexpected \"%s\" in:\n%s", needle, log);
	CU_ASSERT_PTR_NULL(strstr(log, needle));
}

/* --- the seed request --- */

static const char seed[] =
	"GET / HTTP/1.1\r\n"
	"Connection: Upgrade\r\n"
	"Host: echo.websocket.org\r\n"
	"Origin: echo.websocket.org\r\n"
	"Sec-WebSocket-Key : dGhlIHNhbXBsZSBub25jZQ==\r\n"
	"Sec-WebSocket-Version: 13\r\n"
	"Upgrade: websocket\r\n"
	"\r\n";

static void test_seed_request(void)
{
	static const char want[] =
		"off=0 message_begin\n"
		"off=0 method \"GET\"\n"
		"off=4 target \"/\"\n"
		"off=6 version \"HTTP/1.1\"\n"
		"off=16 field_name \"Connection\"\n"
		"off=28 field_value \"Upgrade\"\n"
		"off=37 field_done\n"
		"off=37 field_name \"Host\"\n"
		"off=43 field_value \"echo.websocket.org\"\n"
		"off=63 field_done\n"
		"off=63 field_name \"Origin\"\n"
		"off=71 field_value \"echo.websocket.org\"\n"
		"off=91 field_done\n"
		"off=91 field_name \"Sec-WebSocket-Key\"\n"
		"off=108 note ws_before_colon\n"
		"off=111 field_value \"dGhlIHNhbXBsZSBub25jZQ==\"\n"
		"off=137 field_done\n"
		"off=137 field_name \"Sec-WebSocket-Version\"\n"
		"off=160 field_value \"13\"\n"
		"off=164 field_done\n"
		"off=164 field_name \"Upgrade\"\n"
		"off=173 field_value \"websocket\"\n"
		"off=184 field_done\n"
		"off=186 headers_done minor=1 status=0 connect=0 head=0 "
		"chunked=0 length=- close=0 conn_upgrade=1 upgrade=1\n"
		"off=186 message_done\n"
		"consumed=186 state=0 messages=1 offset=186\n";

	CU_ASSERT_EQUAL(sizeof seed - 1, 186);
	expect_log(&REQ, S(seed), true, want);
	CU_ASSERT_TRUE(last_parser.conn_upgrade);
	CU_ASSERT_TRUE(last_parser.has_upgrade);
	CU_ASSERT_FALSE(last_parser.conn_close);
	CU_ASSERT_EQUAL(last_parser.version_minor, 1);
	CU_ASSERT_EQUAL(last_parser.offset, 186);

	/* fed whole, each element is one callback, not one per byte: as
	 * many callbacks as lines in the normalized log */
	{
		char *w = run(&REQ, (const uint8_t *)seed, sizeof seed - 1,
			      NULL, 0);
		size_t lines = 0;

		for (const char *c = want; *c; c++)
			lines += *c == '\n';
		CU_ASSERT_EQUAL(rec.raw, lines - 1);
		free(w);
	}
}

/* The note carries its stable code and an RFC citation. */
static int note_cb(void *user, const struct http_event *ev)
{
	const struct http_event **out = user;

	if (ev->type == HTTP_EV_NOTE && !*out) {
		static struct http_event keep;

		keep = *ev;
		*out = &keep;
	}
	return 0;
}

static void test_note_text(void)
{
	struct http_parser p;
	const struct http_event *ev = NULL;

	http_init(&p, HTTP_KIND_REQUEST, note_cb, &ev);
	CU_ASSERT_EQUAL(http_feed(&p, (const uint8_t *)seed, sizeof seed - 1),
			sizeof seed - 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(ev->code, "ws_before_colon");
	CU_ASSERT_PTR_NOT_NULL(strstr(ev->text, "RFC 9112 §5.1"));
	CU_ASSERT_EQUAL(ev->offset, 108);
}

/* --- responses that end HTTP --- */

static void test_101_stop(void)
{
	static const char in[] =
		"HTTP/1.1 101 Switching Protocols\r\n"
		"Upgrade: websocket\r\n"
		"Connection: Upgrade\r\n"
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
		"\r\n"
		"\x81\x05hello";
	static const char want[] =
		"off=0 message_begin\n"
		"off=0 version \"HTTP/1.1\"\n"
		"off=9 status 101 \"101\"\n"
		"off=13 reason \"Switching Protocols\"\n"
		"off=34 field_name \"Upgrade\"\n"
		"off=43 field_value \"websocket\"\n"
		"off=54 field_done\n"
		"off=54 field_name \"Connection\"\n"
		"off=66 field_value \"Upgrade\"\n"
		"off=75 field_done\n"
		"off=75 field_name \"Sec-WebSocket-Accept\"\n"
		"off=97 field_value \"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\"\n"
		"off=127 field_done\n"
		"off=129 headers_done minor=1 status=101 connect=0 head=0 "
		"chunked=0 length=- close=0 conn_upgrade=1 upgrade=1\n"
		"off=129 message_done\n"
		"consumed=129 state=1 messages=1 offset=129\n";

	/* DEFAULT from the callback: the parser still stops */
	expect_log(&RES, S(in), false, want);
	CU_ASSERT_EQUAL(last_parser.pstate, HTTP_STOPPED);
	CU_ASSERT_EQUAL(last_parser.status, 101);
}

static void test_connect(void)
{
	static const char req[] =
		"CONNECT echo.websocket.org:443 HTTP/1.1\r\n"
		"Host: echo.websocket.org:443\r\n"
		"\r\n"
		"\x16\x03\x01\x00\x05hello";
	static const char res[] =
		"HTTP/1.1 200 Connection established\r\n"
		"\r\n"
		"\x16\x03\x03\x00\x02hi";
	static const char denied[] =
		"HTTP/1.1 407 Proxy Authentication Required\r\n"
		"Content-Length: 3\r\n"
		"\r\n"
		"no!"
		"HTTP/1.1 200 OK\r\n\r\n";
	struct opts o = REQ;
	char *log;

	o.hd_ret = HTTP_NEXT_STOP;
	log = log_of(&o, S(req));
	assert_has(log, "off=0 method \"CONNECT\"\n"
			"off=8 target \"echo.websocket.org:443\"\n");
	assert_has(log, "connect=1");
	assert_has(log, "off=73 message_done\nconsumed=73 state=1 ");
	CU_ASSERT_TRUE(last_parser.is_connect);
	CU_ASSERT_EQUAL(last_parser.offset, 73);
	free(log);

	o = RES;
	o.req_connect = true;
	log = log_of(&o, S(res));
	assert_has(log, "off=9 status 200 \"200\"\n"
			"off=13 reason \"Connection established\"\n");
	assert_has(log, "off=39 message_done\nconsumed=39 state=1 ");
	assert_lacks(log, "body");
	free(log);

	/* a refusal keeps HTTP going: its body is framed, the next
	 * response (here the 2xx) stops the parser */
	log = log_of(&o, S(denied));
	assert_has(log, "off=65 body \"no!\"\noff=68 message_done\n");
	assert_has(log, "off=87 message_done\nconsumed=87 state=1 messages=2");
	free(log);
}

static void test_resume(void)
{
	static const char a[] = "CONNECT [::1]:8443 HTTP/1.1\r\n\r\n";
	static const char b[] = "GET /x HTTP/1.0\r\n\r\n";
	struct http_parser p;

	memset(&rec, 0, sizeof rec);
	rec.hd_ret = HTTP_NEXT_STOP;
	rec.p = &p;
	http_init(&p, HTTP_KIND_REQUEST, rec_cb, NULL);
	CU_ASSERT_EQUAL(http_feed(&p, (const uint8_t *)a, sizeof a - 1),
			sizeof a - 1);
	CU_ASSERT_EQUAL(p.pstate, HTTP_STOPPED);
	CU_ASSERT_EQUAL(http_feed(&p, (const uint8_t *)b, sizeof b - 1), 0);
	http_resume(&p);
	CU_ASSERT_EQUAL(p.pstate, HTTP_PARSING);
	rec.hd_ret = HTTP_NEXT_DEFAULT;
	CU_ASSERT_EQUAL(http_feed(&p, (const uint8_t *)b, sizeof b - 1),
			sizeof b - 1);
	CU_ASSERT_EQUAL(p.pstate, HTTP_PARSING);
	CU_ASSERT_EQUAL(p.messages, 2);
	CU_ASSERT_EQUAL(p.version_minor, 0);
	CU_ASSERT_FALSE(p.is_connect);
	CU_ASSERT_EQUAL(p.offset, sizeof a - 1 + sizeof b - 1);
}

/* --- bodies --- */

static const char chunked_res[] =
	"HTTP/1.1 200 OK\r\n"
	"Transfer-Encoding: gzip, Chunked\r\n"
	"\r\n"
	"5;name=val\r\n"
	"hello\r\n"
	"6 ; x=\"y\"\r\n"
	" world\r\n"
	"0\r\n"
	"X-Trailer: yes\r\n"
	"\r\n"
	"HTTP/1.1 204 No Content\r\n\r\n";

static void test_chunked(void)
{
	static const char want[] =
		"off=0 message_begin\n"
		"off=0 version \"HTTP/1.1\"\n"
		"off=9 status 200 \"200\"\n"
		"off=13 reason \"OK\"\n"
		"off=17 field_name \"Transfer-Encoding\"\n"
		"off=36 field_value \"gzip, Chunked\"\n"
		"off=51 field_done\n"
		"off=53 headers_done minor=1 status=200 connect=0 head=0 "
		"chunked=1 length=- close=0 conn_upgrade=0 upgrade=0\n"
		"off=65 body \"hello world\"\n"
		"off=94 field_name \"X-Trailer\"\n"
		"off=105 field_value \"yes\"\n"
		"off=110 field_done\n"
		"off=112 message_done\n"
		"off=112 message_begin\n"
		"off=112 version \"HTTP/1.1\"\n"
		"off=121 status 204 \"204\"\n"
		"off=125 reason \"No Content\"\n"
		"off=139 headers_done minor=1 status=204 connect=0 head=0 "
		"chunked=0 length=- close=0 conn_upgrade=0 upgrade=0\n"
		"off=139 message_done\n"
		"consumed=139 state=0 messages=2 offset=139\n";

	expect_log(&RES, S(chunked_res), true, want);
}

static void test_cl_keepalive(void)
{
	static const char in[] =
		"POST /submit HTTP/1.1\r\n"
		"Content-Length: 5\r\n"
		"Connection: keep-alive, Upgrade\r\n"
		"\r\n"
		"a=1&b"
		"GET /next HTTP/1.1\r\n"
		"Connection: Close\r\n"
		"Content-Length: 0\r\n"
		"\r\n";
	char *log = log_of(&REQ, S(in));

	assert_has(log, "off=77 body \"a=1&b\"\noff=82 message_done\n"
			"off=82 message_begin\noff=82 method \"GET\"\n");
	assert_has(log, "length=5 close=0 conn_upgrade=1");
	assert_has(log, "length=0 close=1 conn_upgrade=0");
	assert_has(log, "messages=2");
	CU_ASSERT_TRUE(last_parser.conn_close);
	CU_ASSERT_EQUAL(last_parser.messages, 2);
	free(log);
}

static void test_head_response(void)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\n"
		"Content-Length: 1234\r\n"
		"\r\n"
		"HTTP/1.1 404 Not Found\r\n"
		"Content-Length: 0\r\n"
		"\r\n";
	struct opts o = RES;
	char *log;

	o.req_head = true;
	log = log_of(&o, S(in));
	assert_lacks(log, "body");
	assert_has(log, "length=1234");
	assert_has(log, "status 404");
	assert_has(log, "consumed=86 state=0 messages=2");
	free(log);

	/* the same bytes with the HEAD flag unset: the 404 is body */
	log = log_of(&RES, S(in));
	assert_has(log, "off=41 body \"HTTP/1.1 404");
	assert_lacks(log, "status 404");
	free(log);
}

static void test_no_body_status(void)
{
	static const char in[] =
		"HTTP/1.1 204 No Content\r\n"
		"Content-Length: 5\r\n"
		"\r\n"
		"HTTP/1.1 304 Not Modified\r\n"
		"Content-Length: 100\r\n"
		"\r\n"
		"HTTP/1.1 200 OK\r\n"
		"Content-Length: 2\r\n"
		"\r\n"
		"ok";
	char *log = log_of(&RES, S(in));

	assert_has(log, "status 204");
	assert_has(log, "status 304");
	assert_has(log, "body \"ok\"");
	assert_lacks(log, "body \"HTTP");
	assert_has(log, "messages=3");
	free(log);
}

static void test_1xx(void)
{
	static const char in[] =
		"HTTP/1.1 100 Continue\r\n"
		"\r\n"
		"HTTP/1.1 103 Early Hints\r\n"
		"Link: </s.css>; rel=preload\r\n"
		"\r\n"
		"HTTP/1.1 200 OK\r\n"
		"Content-Length: 2\r\n"
		"\r\n"
		"hi";
	char *log = log_of(&RES, S(in));

	assert_has(log, "off=25 message_done\noff=25 message_begin\n");
	assert_has(log, "status 103");
	assert_has(log, "body \"hi\"\noff=122 message_done\n");
	assert_has(log, "consumed=122 state=0 messages=3");
	free(log);
}

static void test_close_delimited(void)
{
	static const char in[] =
		"HTTP/1.0 200 OK\r\n"
		"Server: x\r\n"
		"\r\n"
		"hello world";
	static const char want[] =
		"off=0 message_begin\n"
		"off=0 version \"HTTP/1.0\"\n"
		"off=9 status 200 \"200\"\n"
		"off=13 reason \"OK\"\n"
		"off=17 field_name \"Server\"\n"
		"off=25 field_value \"x\"\n"
		"off=28 field_done\n"
		"off=30 headers_done minor=0 status=200 connect=0 head=0 "
		"chunked=0 length=- close=0 conn_upgrade=0 upgrade=0\n"
		"off=30 body \"hello world\"\n"
		"off=41 message_done\n"
		"consumed=41 state=0 messages=1 offset=41\n";
	struct opts o = RES;
	char *log;

	o.finish = true;
	expect_log(&o, S(in), false, want);
	CU_ASSERT_EQUAL(last_parser.messages, 1);

	/* without the end of stream the message is not done */
	log = log_of(&RES, S(in));
	assert_lacks(log, "message_done");
	free(log);

	/* TE not ending in chunked: close-delimited response too */
	log = log_of(&o, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
			   "\r\nxyz"));
	assert_has(log, "body \"xyz\"\noff=47 message_done\n");
	free(log);
}

static void test_reason(void)
{
	struct opts o = RES;
	char *log;

	o.finish = true;
	/* reason absent (no SP): accepted */
	log = log_of(&o, S("HTTP/1.1 200\r\n\r\n"));
	assert_has(log, "off=9 status 200 \"200\"\noff=16 headers_done");
	assert_lacks(log, "reason");
	assert_lacks(log, "error");
	free(log);
	/* reason empty */
	log = log_of(&o, S("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n"));
	assert_has(log, "off=9 status 404 \"404\"\noff=15 field_name");
	assert_lacks(log, "error");
	free(log);
	/* obs-text in the reason */
	log = log_of(&o, S("HTTP/1.1 200 D\xc3\xa9j\xc3\xa0\tvu\r\n\r\n"));
	assert_has(log, "reason \"D\\xc3\\xa9j\\xc3\\xa0\\tvu\"");
	free(log);
}

static void test_no_body_override(void)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
		"HTTP/1.1 201 Created\r\n\r\n";
	struct opts o = RES;
	char *log;

	o.hd_ret = HTTP_NEXT_NO_BODY;
	log = log_of(&o, S(in));
	assert_lacks(log, "body");
	assert_has(log, "status 201");
	assert_has(log, "messages=2");
	free(log);
}

/* --- field values and notes --- */

static void test_ows(void)
{
	char in[300];
	int n = snprintf(in, sizeof in,
			 "GET / HTTP/1.1\r\n"
			 "X-A:  \t a \t b \t  \r\n"
			 "X-B: \t \r\n"
			 "X-C:a%70s\r\n"
			 "X-D: a%64sb%64s\r\n"
			 "\r\n", "", "", "");
	char *log;

	CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof in);
	log = log_of(&REQ, in, (size_t)n);
	assert_has(log, "field_name \"X-A\"\noff=24 field_value \"a \\t b\"\n");
	/* empty value: no value event at all */
	assert_has(log, "field_name \"X-B\"\noff=44 field_done\n");
	/* a run longer than ows_buf is emitted even when trailing; the
	 * rule depends on the run length only, so splits agree */
	assert_has(log, "field_value \"a                                   "
			"                                   \"\n");
	/* 64 trailing blanks fit: held back and dropped */
	assert_has(log, "field_value \"a                                   "
			"                             b\"\n");
	assert_lacks(log, "error");
	free(log);
}

static void test_notes(void)
{
	char *log;
	struct opts o = RES;

	/* bare LF line endings, noted once */
	log = log_of(&REQ, S("GET / HTTP/1.1\nHost: a\nX: b\r\n\n"));
	assert_has(log, "off=14 note bare_lf\n");
	CU_ASSERT_PTR_NULL(strstr(strstr(log, "bare_lf") + 1, "bare_lf"));
	assert_has(log, "field_value \"a\"");
	assert_has(log, "messages=1");
	free(log);

	/* obs-fold joins with one SP */
	log = log_of(&REQ, S("GET / HTTP/1.1\r\n"
			     "X-A: one  \r\n"
			     "  two \r\n"
			     "\tthree\r\n"
			     "Host: h\r\n\r\n"));
	/* pieces of one value; the notes sit between them */
	assert_has(log, "off=21 field_value \"one\"\n"
			"off=28 note obs_fold\n"
			"off=28 field_value \" two\"\n"
			"off=36 note obs_fold\n"
			"off=36 field_value \" three\"\n"
			"off=44 field_done\n");
	free(log);

	/* obs-fold inside Connection: still two tokens */
	log = log_of(&REQ, S("GET / HTTP/1.1\r\nConnection: close,\r\n upgrade"
			     "\r\n\r\n"));
	assert_has(log, "close=1 conn_upgrade=1");
	free(log);
	/* "close upgrade" is not a list of two tokens: neither is set */
	log = log_of(&REQ, S("GET / HTTP/1.1\r\nConnection: close\r\n upgrade"
			     "\r\n\r\n"));
	assert_has(log, "close=0 conn_upgrade=0");
	free(log);

	/* RFC 9110 §5.5: control characters other than NUL, CR and LF are
	 * kept for robustness and noted once per message; the value is the
	 * same however the input is split */
	log = log_of(&REQ, S("GET / HTTP/1.1\r\nX: a\x01z\r\n"
			     "Y: \x1b[2J\x7f\r\n\r\n"));
	assert_has(log, "off=19 field_value \"a\"\n"
			"off=20 note ctl_in_value\n"
			"off=20 field_value \"\\x01z\"\n");
	assert_has(log, "off=27 field_value \"\\x1b[2J\\x7f\"\n");
	CU_ASSERT_PTR_NULL(strstr(strstr(log, "ctl_in_value") + 1,
				  "ctl_in_value"));
	assert_has(log, "messages=1");
	assert_lacks(log, " error ");
	free(log);

	/* leading empty lines */
	log = log_of(&REQ, S("\r\n\nGET / HTTP/1.1\r\n\r\n"));
	assert_has(log, "off=3 message_begin\noff=0 note leading_crlf\n");
	free(log);

	/* TE and CL: TE wins, noted */
	o.finish = true;
	log = log_of(&o, S("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
			   "Transfer-Encoding: chunked\r\n\r\n"
			   "2\r\nok\r\n0\r\n\r\n"));
	assert_has(log, "note te_and_cl\n");
	assert_has(log, "chunked=1 length=100");
	assert_has(log, "body \"ok\"\n");
	assert_has(log, "consumed=80 state=0 messages=1");
	free(log);

	/* the same in a request */
	log = log_of(&REQ, S("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
			     "Content-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
	assert_has(log, "note te_and_cl\n");
	assert_has(log, "body \"abc\"");
	free(log);
}

static void test_targets(void)
{
	char *log;
	struct opts o = REQ;

	log = log_of(&REQ, S("GET http://example.com:8080/p?q=1 HTTP/1.1\r\n"
			     "\r\n"));
	assert_has(log, "target \"http://example.com:8080/p?q=1\"");
	assert_lacks(log, "error");
	free(log);
	log = log_of(&REQ, S("OPTIONS * HTTP/1.1\r\n\r\n"));
	assert_has(log, "target \"*\"");
	assert_lacks(log, "error");
	free(log);
	o.hd_ret = HTTP_NEXT_STOP;
	log = log_of(&o, S("CONNECT [2001:db8::1]:443 HTTP/1.1\r\n\r\n"));
	assert_has(log, "target \"[2001:db8::1]:443\"");
	assert_lacks(log, "error");
	free(log);

	static const char *const bad[] = {
		"GET * HTTP/1.1\r\n\r\n",
		"OPTIONS *x HTTP/1.1\r\n\r\n",
		"CONNECT / HTTP/1.1\r\n\r\n",
		"CONNECT example.com HTTP/1.1\r\n\r\n",
		"CONNECT example.com:https HTTP/1.1\r\n\r\n",
		"CONNECT user@example.com:443 HTTP/1.1\r\n\r\n",
		"GET /a\x01z HTTP/1.1\r\n\r\n",
		"GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n",
		"GET 1http://x/ HTTP/1.1\r\n\r\n",
		"GET http HTTP/1.1\r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		log = log_of(&REQ, bad[i], strlen(bad[i]));
		assert_has(log, " error bad_target\n");
		assert_has(log, "state=2");
		free(log);
	}
}

/* --- errors --- */

struct err_case {
	enum http_kind kind;
	const char *in;
	size_t len;
	const char *want; /* "off=N error code" */
};

#define EC(k, lit, w) {k, lit, sizeof(lit) - 1, w}
#define RQ HTTP_KIND_REQUEST
#define RS HTTP_KIND_RESPONSE

static const struct err_case err_cases[] = {
	EC(RQ, "G(T / HTTP/1.1\r\n\r\n", "off=1 error bad_method"),
	EC(RQ, " GET / HTTP/1.1\r\n\r\n", "off=0 error bad_method"),
	EC(RQ, "\x16\x03\x01\x02\x00", "off=0 error bad_method"),
	EC(RQ, "\r\rGET / HTTP/1.1\r\n\r\n", "off=1 error bad_method"),
	EC(RQ, "GET / HTTP/2.0\r\n\r\n", "off=11 error bad_version"),
	EC(RQ, "GET / http/1.1\r\n\r\n", "off=6 error bad_version"),
	EC(RQ, "GET / HTTP/1.10\r\n\r\n", "off=14 error bad_version"),
	EC(RQ, "GET / HTTP/1.1\rX\n\r\n", "off=15 error bad_version"),
	EC(RQ, "GET /\r\n\r\n", "off=5 error bad_version"),
	EC(RS, "HTTP/1.1  200 OK\r\n\r\n", "off=9 error bad_status"),
	EC(RS, "HTTP/1.1 2x0 OK\r\n\r\n", "off=10 error bad_status"),
	EC(RS, "HTTP/1.1 2000 OK\r\n\r\n", "off=12 error bad_status"),
	EC(RS, "HTTP/1.1 099 Low\r\n\r\n", "off=9 error bad_status"),
	EC(RS, "HTTP/1.1 600 High\r\n\r\n", "off=9 error bad_status"),
	EC(RS, "HTTP/1.1 200 O\x01K\r\n\r\n", "off=14 error bad_status"),
	EC(RS, "HTTP/1.1 200 OK\rX\r\n\r\n", "off=16 error bad_status"),
	EC(RS, "HTTP/2 200\r\n\r\n", "off=5 error bad_version"),
	EC(RQ, "GET / HTTP/1.1\r\nFo@o: x\r\n\r\n", "off=18 error bad_field_name"),
	EC(RQ, "GET / HTTP/1.1\r\nFoo Bar: x\r\n\r\n", "off=20 error bad_field_name"),
	EC(RQ, "GET / HTTP/1.1\r\n: x\r\n\r\n", "off=16 error bad_field_name"),
	EC(RQ, "GET / HTTP/1.1\r\n Host: x\r\n\r\n", "off=16 error bad_field_name"),
	EC(RQ, "GET / HTTP/1.1\r\nHost\r\n\r\n", "off=20 error bad_field_name"),
	EC(RQ, "GET / HTTP/1.1\r\nX: a\0z\r\n\r\n", "off=20 error bad_field_value"),
	EC(RQ, "GET / HTTP/1.1\r\nX: a\rz\r\n\r\n", "off=21 error bad_field_value"),
	EC(RQ, "GET / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n",
	   "off=34 error bad_content_length"),
	EC(RQ, "GET / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
	   "off=34 error bad_content_length"),
	EC(RQ, "GET / HTTP/1.1\r\nContent-Length:\r\n\r\n",
	   "off=33 error bad_content_length"),
	EC(RQ, "GET / HTTP/1.1\r\nContent-Length: 5,\r\n\r\n",
	   "off=36 error bad_content_length"),
	EC(RQ, "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
	   "off=32 error bad_content_length"),
	EC(RQ, "GET / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n",
	   "off=38 error bad_content_length"),
	EC(RQ, "GET / HTTP/1.1\r\ncontent-length: 5\r\nCONTENT-LENGTH: 6\r\n\r\n",
	   "off=54 error bad_content_length"),
	/* UINT64_MAX + 1 */
	EC(RQ, "GET / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n",
	   "off=51 error bad_content_length"),
	EC(RQ, "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
	   "off=51 error bad_content_length"),
	EC(RS, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	   "off=47 error bad_chunk"),
	EC(RS, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;x\r\n",
	   "off=47 error bad_chunk"),
	/* 2^64: 17 hex digits */
	EC(RS, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "10000000000000000\r\n", "off=63 error bad_chunk"),
	EC(RS, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "5\r\nhelloX\r\n", "off=55 error bad_chunk"),
	EC(RS, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "5\rX", "off=49 error bad_chunk"),
	EC(RS, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "1;a\x01\r\n", "off=50 error bad_chunk"),
	EC(RQ, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
	   "off=44 error bad_transfer_encoding"),
	EC(RQ, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
	   "off=53 error bad_transfer_encoding"),
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
		const struct err_case *c = &err_cases[i];
		struct opts o = {c->kind, false, false, 0, false};
		char *log = log_of(&o, c->in, c->len);
		const char *e = strstr(log, " error ");

		assert_has(log, c->want);
		assert_has(log, "state=2");
		/* exactly one error event */
		CU_ASSERT(e && !strstr(e + 1, " error "));
		free(log);
	}
}

static int err_cb(void *user, const struct http_event *ev)
{
	int *count = user;

	if (ev->type == HTTP_EV_ERROR) {
		(*count)++;
		if (!ev->code || !ev->text || !strstr(ev->text, "RFC"))
			(*count) += 100;
	}
	return 0;
}

static void test_error_sticky(void)
{
	struct http_parser p;
	int count = 0;
	static const char in[] = "GET / HTTP/1.1\r\nX: a\0z\r\n\r\n";

	http_init(&p, HTTP_KIND_REQUEST, err_cb, &count);
	CU_ASSERT_EQUAL(http_feed(&p, (const uint8_t *)in, sizeof in - 1), 20);
	CU_ASSERT_EQUAL(p.pstate, HTTP_FAILED);
	CU_ASSERT_EQUAL(http_feed(&p, (const uint8_t *)in, sizeof in - 1), 0);
	http_finish(&p);
	http_resume(&p);
	CU_ASSERT_EQUAL(p.pstate, HTTP_FAILED);
	CU_ASSERT_EQUAL(count, 1);
}

static void test_content_length_max(void)
{
	/* UINT64_MAX itself is representable: accepted, then truncated */
	static const char in[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n"
		"\r\nabc";
	struct opts o = RES;
	char *log;

	o.finish = true;
	log = log_of(&o, S(in));
	assert_has(log, "length=18446744073709551615");
	assert_has(log, "body \"abc\"\noff=60 error truncated\n");
	free(log);

	/* identical duplicates are one value (RFC 9110 §8.6) */
	log = log_of(&REQ, S("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n"
			     "Content-Length: 3\r\n\r\nabc"));
	assert_has(log, "length=3");
	assert_has(log, "body \"abc\"");
	assert_lacks(log, "error");
	free(log);

	/* the largest chunk size, 16 hex digits, is fine until the end */
	log = log_of(&o, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
			   "\r\nffffffffffffffff\r\nxy"));
	assert_has(log, "body \"xy\"\noff=67 error truncated\n");
	free(log);
}

static void test_truncated(void)
{
	struct opts o = REQ;
	char *log;

	o.finish = true;
	log = log_of(&o, S("GET / HTTP/1.1\r\nHost: a"));
	assert_has(log, "off=23 error truncated\n");
	free(log);
	log = log_of(&o, S("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"));
	assert_has(log, "body \"abc\"\noff=42 error truncated\n");
	free(log);
	log = log_of(&o, S("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
			   "\r\n5\r\nhello\r\n"));
	assert_has(log, "off=57 error truncated\n");
	free(log);
	log = log_of(&o, S("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
			   "\r\n0\r\nX-T: 1\r\n"));
	assert_has(log, "off=58 error truncated\n");
	free(log);
	/* a clean end between messages is not truncation */
	log = log_of(&o, S("GET / HTTP/1.1\r\n\r\n\r\n"));
	assert_lacks(log, "error");
	assert_has(log, "messages=1");
	free(log);
}

static void test_head_too_large(void)
{
	static const char start[] = "GET / HTTP/1.1\r\nX-Big: ";
	size_t fill = HTTP_MAX_HEAD - (sizeof start - 1) - 4;
	size_t len = (sizeof start - 1) + fill + 4;
	char *in = malloc(len + 1);
	struct opts o = REQ;
	char *log;
	char want[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	memcpy(in, start, sizeof start - 1);
	memset(in + sizeof start - 1, 'a', fill);
	memcpy(in + sizeof start - 1 + fill, "\r\n\r\n", 4);
	/* exactly HTTP_MAX_HEAD bytes: accepted */
	CU_ASSERT_EQUAL(len, HTTP_MAX_HEAD);
	log = check_splits(&o, in, len, false, false);
	assert_lacks(log, "error");
	assert_has(log, "messages=1");
	free(log);

	/* one byte more: error on the first byte over the cap */
	memmove(in + 1, in, len);
	in[0] = '\n';
	log = check_splits(&o, in, len + 1, false, false);
	snprintf(want, sizeof want, "off=%u error head_too_large\n",
		 (unsigned)HTTP_MAX_HEAD);
	assert_has(log, want);
	assert_has(log, "state=2");
	free(log);
	/* a few split points near the cap */
	{
		size_t cuts[] = {HTTP_MAX_HEAD - 3, HTTP_MAX_HEAD - 1};
		char *w = run(&o, (const uint8_t *)in, len + 1, NULL, 0);
		char *g = run(&o, (const uint8_t *)in, len + 1, cuts, 2);

		CU_ASSERT_STRING_EQUAL(w, g);
		free(w);
		free(g);
	}
	free(in);

	/* endless empty lines are bounded as well */
	in = malloc(HTTP_MAX_HEAD + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	memset(in, '\n', HTTP_MAX_HEAD + 2);
	log = run(&o, (const uint8_t *)in, HTTP_MAX_HEAD + 2, NULL, 0);
	assert_has(log, want);
	free(log);
	free(in);
}

int add_http_parser_suite(void)
{
	CU_pSuite s = CU_add_suite("http_parser", guard_setup, guard_teardown);

	if (!s)
		return -1;
	if (!CU_add_test(s, "seed request (all split pairs)", test_seed_request) ||
	    !CU_add_test(s, "note code and text", test_note_text) ||
	    !CU_add_test(s, "101 stops after the head", test_101_stop) ||
	    !CU_add_test(s, "CONNECT and 2xx stop offsets", test_connect) ||
	    !CU_add_test(s, "resume after stop", test_resume) ||
	    !CU_add_test(s, "chunked, extensions, trailer", test_chunked) ||
	    !CU_add_test(s, "Content-Length, keep-alive", test_cl_keepalive) ||
	    !CU_add_test(s, "response to HEAD", test_head_response) ||
	    !CU_add_test(s, "204 and 304", test_no_body_status) ||
	    !CU_add_test(s, "1xx then final", test_1xx) ||
	    !CU_add_test(s, "close-delimited body", test_close_delimited) ||
	    !CU_add_test(s, "reason absent/empty", test_reason) ||
	    !CU_add_test(s, "HEADERS_DONE returns NO_BODY", test_no_body_override) ||
	    !CU_add_test(s, "OWS held back", test_ows) ||
	    !CU_add_test(s, "leniency notes", test_notes) ||
	    !CU_add_test(s, "request-target forms", test_targets) ||
	    !CU_add_test(s, "error codes and offsets", test_errors) ||
	    !CU_add_test(s, "errors are sticky", test_error_sticky) ||
	    !CU_add_test(s, "length limits", test_content_length_max) ||
	    !CU_add_test(s, "truncated", test_truncated) ||
	    !CU_add_test(s, "head_too_large", test_head_too_large))
		return -1;
	return 0;
}
