/* test_out_har.c - the HAR writer (ui/out_har.c) fed through its sink:
 * what the sample captures do not hold.  Pipelined requests answered in
 * order, a 100 Continue before the final answer, a request never
 * answered, a response whose request is not in the capture, an obs-fold
 * header joined with SP (RFC 9112 §5.2), a bare-LF head, a Cookie split
 * into cookies, a query string, ping/pong/close left out of
 * _webSocketMessages and counted in the comment, binary data in base64,
 * text as sent, wss:// for a WebSocket read from decrypted TLS, and the
 * per-leg message cap said in the comment. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outputs.h"
#include "suites.h"

struct mem {
	char *b;
	size_t len, cap;
};

static void mem_write(void *ctx, const char *p, size_t n)
{
	struct mem *m = ctx;

	if (n + 1 > m->cap - m->len) {
		size_t nc = m->cap ? m->cap : 4096;
		while (n + 1 > nc - m->len)
			nc *= 2;
		char *nb = realloc(m->b, nc);
		if (!nb)
			return;
		m->b = nb;
		m->cap = nc;
	}
	memcpy(m->b + m->len, p, n);
	m->len += n;
	m->b[m->len] = 0;
}

static struct obuf ob;   /* large: not on the stack */
static struct mem out;
static struct sess_sink sink;
static void *state;

static void start(void)
{
	struct output_opts oo = { 0 };

	free(out.b);
	memset(&out, 0, sizeof out);
	obuf_init_fn(&ob, mem_write, &out);
	sink = output_har(&ob, &oo, &state);
	CU_ASSERT_PTR_NOT_NULL_FATAL(state);
}

static void finish(void)
{
	struct sess_stats st = { 0 };

	sink.finish(sink.ctx, &st);
	obuf_flush(&ob);
	output_free(state);
	state = NULL;
}

static void head(struct leg *l, enum dir d, double ts, int status,
		 const char *raw)
{
	struct http_head h = {
		.dir = d, .is_request = d == DIR_CLIENT, .ts = ts, .pkt = 1,
		.raw = (const uint8_t *)raw, .raw_len = strlen(raw),
		.status = status,
	};
	sink.http_head(sink.ctx, l, &h);
}

static void msg(struct leg *l, enum dir d, double ts, uint8_t op,
		const void *data, size_t n)
{
	struct leg_message m = {
		.dir = d, .ts = ts, .pkt = 1, .opcode = op, .utf8_valid = true,
		.length = n, .wire_length = n, .frames = 1,
		.data = data, .data_len = n,
	};
	sink.message(sink.ctx, l, &m);
}

static struct leg *new_leg(uint64_t id)
{
	static struct leg l;     /* large: not on the stack */

	memset(&l, 0, sizeof l);
	l.id = id;
	snprintf(l.client.text, sizeof l.client.text, "192.0.2.1:40000");
	snprintf(l.server.text, sizeof l.server.text, "[2001:db8::1]:8080");
	l.stages[ST_TCP].seen = true;
	l.stages[ST_TCP].ts = 100.0;
	snprintf(l.explanation, sizeof l.explanation, "test leg");
	return &l;
}

static bool has(const char *needle)
{
	bool ok = out.b && strstr(out.b, needle);

	if (!ok)
		fprintf(stderr, "\nnot found: %s\n", needle);
	return ok;
}

static size_t count(const char *needle)
{
	size_t n = 0;

	for (const char *p = out.b; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_pairing(void)
{
	start();
	struct leg *l = new_leg(7);
	head(l, DIR_SERVER, 100.05, 200, "HTTP/1.1 200 OK\r\n\r\n");
	head(l, DIR_CLIENT, 100.1, 0,
	     "GET /a?x=1&y HTTP/1.1\r\nHost: example.test\r\n"
	     "Cookie: s=1; t=2\r\n\r\n");
	head(l, DIR_CLIENT, 100.2, 0,
	     "POST /b HTTP/1.1\nHost: example.test\nContent-Length: 5\n"
	     "X-Long: one\n two\n\n");
	head(l, DIR_CLIENT, 100.3, 0, "GET /c HTTP/1.1\r\n\r\n");
	head(l, DIR_SERVER, 100.4, 200,
	     "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	     "Content-Length: 12\r\nSet-Cookie: id=9; Path=/\r\n\r\n");
	head(l, DIR_SERVER, 100.5, 100, "HTTP/1.1 100 Continue\r\n\r\n");
	head(l, DIR_SERVER, 100.6, 201, "HTTP/1.1 201 Created\r\n\r\n");
	sink.leg_end(sink.ctx, l);
	finish();

	CU_ASSERT(has("{\"log\":{\"version\":\"1.2\""));
	CU_ASSERT_EQUAL(count("\"request\":"), 3);
	/* in order: /a answered 200 after 300 ms, /b by 201 after its 100 */
	CU_ASSERT(has("\"url\":\"http://example.test/a?x=1&y\""));
	CU_ASSERT(has("\"queryString\":[{\"name\":\"x\",\"value\":\"1\"},"
		      "{\"name\":\"y\",\"value\":\"\"}]"));
	CU_ASSERT(has("\"cookies\":[{\"name\":\"s\",\"value\":\"1\"},"
		      "{\"name\":\"t\",\"value\":\"2\"}]"));
	CU_ASSERT(has("\"cookies\":[{\"name\":\"id\",\"value\":\"9\"}]"));
	CU_ASSERT(has("\"mimeType\":\"text/plain\""));
	CU_ASSERT(has("\"connect\":100.000,\"send\":0,\"wait\":300.000"));
	CU_ASSERT(has("\"status\":201,\"statusText\":\"Created\""));
	CU_ASSERT(has("1 interim 1xx response(s) came before this one."));
	/* obs-fold joined with one SP; bare LF ends lines */
	CU_ASSERT(has("{\"name\":\"X-Long\",\"value\":\"one two\"}"));
	CU_ASSERT(has("\"method\":\"POST\""));
	CU_ASSERT(has("\"bodySize\":5}"));
	/* /c has no answer */
	CU_ASSERT(has("\"_error\":\"no response in the capture\""));
	CU_ASSERT(has("1 responses whose request is not in the capture, "
		      "left out."));
	CU_ASSERT(has("\"serverIPAddress\":\"2001:db8::1\""));
	CU_ASSERT(has("\"startedDateTime\":\"1970-01-01T00:01:40.000Z\""));
}

static void test_websocket(void)
{
	static const uint8_t bin[] = { 0x00, 0xff, 0x10 };

	start();
	struct leg *l = new_leg(3);
	l->via = VIA_CONNECT;
	head(l, DIR_CLIENT, 100.1, 0,
	     "CONNECT ws.example.test:80 HTTP/1.1\r\nHost: ws.example.test:80\r\n\r\n");
	head(l, DIR_SERVER, 100.2, 200, "HTTP/1.1 200 Connection established\r\n\r\n");
	head(l, DIR_CLIENT, 100.3, 0,
	     "GET /chat HTTP/1.1\r\nHost: ws.example.test\r\n"
	     "Upgrade: WebSocket\r\nConnection: Upgrade\r\n\r\n");
	head(l, DIR_SERVER, 100.4, 101,
	     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
	msg(l, DIR_CLIENT, 100.5, 0x1, "h\xc3\xa9", 3);
	msg(l, DIR_SERVER, 100.6, 0x2, bin, sizeof bin);
	msg(l, DIR_CLIENT, 100.7, 0x9, "p", 1);
	msg(l, DIR_SERVER, 100.8, 0xA, "p", 1);
	l->close.seen = true;
	l->close.has_code = true;
	l->close.code = 1000;
	msg(l, DIR_CLIENT, 100.9, 0x8, NULL, 0);
	sink.leg_end(sink.ctx, l);
	finish();

	CU_ASSERT(has("\"method\":\"CONNECT\",\"url\":\"http://ws.example.test:80\""));
	CU_ASSERT(has("\"url\":\"ws://ws.example.test/chat\""));
	CU_ASSERT_EQUAL(count("\"_resourceType\":\"websocket\""), 1);
	CU_ASSERT(has("\"_webSocketMessages\":["
		      "{\"type\":\"send\",\"time\":100.500000,\"opcode\":1,"
		      "\"data\":\"h\xc3\xa9\"},"
		      "{\"type\":\"receive\",\"time\":100.600000,\"opcode\":2,"
		      "\"data\":\"AP8Q\"}]"));
	CU_ASSERT(has("1 ping from the client, 1 close from the client, "
		      "1 pong from the server."));
	CU_ASSERT(has("Closed by the client with code 1000."));
	/* the CONNECT entry is first, then the WebSocket */
	const char *conn = strstr(out.b, "CONNECT"), *ws = strstr(out.b, "websocket");
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	CU_ASSERT(conn < ws);
}

/* Regression: a WebSocket opened inside decrypted TLS was written as
 * ws://; DevTools writes wss:// (samples/chromium_wss_deflate.devtools.har).
 * A plain request inside the same TLS is https://. */
static void test_wss_url(void)
{
	start();
	struct leg *l = new_leg(4);
	l->via = VIA_CONNECT;
	head(l, DIR_CLIENT, 100.1, 0,
	     "CONNECT ws.example.test:443 HTTP/1.1\r\nHost: ws.example.test:443\r\n\r\n");
	head(l, DIR_SERVER, 100.2, 200, "HTTP/1.1 200 Connection established\r\n\r\n");
	l->tls.seen = true;  /* TLS inside the tunnel, decrypted */
	l->tls.decrypted = true;
	head(l, DIR_CLIENT, 100.3, 0,
	     "GET /chat HTTP/1.1\r\nHost: ws.example.test\r\n"
	     "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
	head(l, DIR_SERVER, 100.4, 101,
	     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
	head(l, DIR_CLIENT, 100.5, 0,
	     "GET /plain HTTP/1.1\r\nHost: ws.example.test\r\n\r\n");
	sink.leg_end(sink.ctx, l);
	finish();

	/* the CONNECT's URL says what its tunnel carried */
	CU_ASSERT(has("\"method\":\"CONNECT\",\"url\":\"https://ws.example.test:443\""));
	CU_ASSERT(has("\"url\":\"wss://ws.example.test/chat\""));
	CU_ASSERT(has("\"url\":\"https://ws.example.test/plain\""));
	CU_ASSERT_EQUAL(count("\"url\":\"ws://"), 0);
}

static void test_message_cap(void)
{
	size_t n = 1u << 20;
	uint8_t *big = calloc(1, n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	start();
	struct leg *l = new_leg(5);
	head(l, DIR_CLIENT, 100.1, 0,
	     "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n");
	head(l, DIR_SERVER, 100.2, 101, "HTTP/1.1 101 Switching Protocols\r\n\r\n");
	/* 1 MiB of binary is 1398104 bytes of base64 plus ~60 of JSON: 11
	 * fit in the 16 MiB kept per leg */
	for (int i = 0; i < 20; i++)
		msg(l, DIR_SERVER, 101.0 + i, 0x2, big, n);
	sink.leg_end(sink.ctx, l);
	finish();
	free(big);
	CU_ASSERT_EQUAL(count("\"type\":\"receive\""), 11);
	CU_ASSERT(has("9 messages left out: the 16 MiB kept per leg was reached."));
	CU_ASSERT(has("9 WebSocket messages left out at the 16 MiB kept per leg."));
}

static int har_cleanup(void)
{
	free(out.b);
	out.b = NULL;
	return 0;
}

int add_out_har_suite(void)
{
	CU_pSuite s = CU_add_suite("out_har", NULL, har_cleanup);

	if (!s)
		return -1;
	if (!CU_add_test(s, "exchanges paired in order, heads read", test_pairing) ||
	    !CU_add_test(s, "websocket entry as DevTools", test_websocket) ||
	    !CU_add_test(s, "wss:// for a WebSocket inside TLS", test_wss_url) ||
	    !CU_add_test(s, "per-leg message cap said", test_message_cap))
		return -1;
	return 0;
}
