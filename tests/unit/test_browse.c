/* test_browse.c - the terminal browser without a terminal: the JSON
 * pretty-printer, off-screen text, the store's caps and replay, and whole
 * screens rendered at 80x24 and 120x40 from a real capture, driven by
 * scripted keys (tig's approach: compare screens as text). */
#include <CUnit/CUnit.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer.h"
#include "browse_json.h"
#include "browse_store.h"
#include "browse_text.h"
#include "browse_view.h"
#include "capture.h"
#include "suites.h"

/* ---- helpers ----------------------------------------------------------- */

struct membuf {
	char p[65536];
	size_t len;
};

static void mem_write(void *ctx, const char *p, size_t n)
{
	struct membuf *m = ctx;
	if (n > sizeof m->p - 1 - m->len)
		n = sizeof m->p - 1 - m->len;
	memcpy(m->p + m->len, p, n);
	m->len += n;
	m->p[m->len] = 0;
}

static struct membuf mb;
static struct obuf ob;

static const char *pretty(const char *json, size_t cap, bool *ok)
{
	mb.len = 0;
	mb.p[0] = 0;
	obuf_init_fn(&ob, mem_write, &mb);
	*ok = json_pretty(&ob, (const uint8_t *)json, strlen(json), cap);
	obuf_flush(&ob);
	return mb.p;
}

static char screen_text[1 << 18];

static const char *screen(struct bview *v, struct bscreen *s)
{
	bv_render(v, s);
	bscreen_text(s, screen_text, sizeof screen_text);
	return screen_text;
}

/* Line n (from 0) of the last screen, without its newline. */
static const char *line_of(int n)
{
	static char buf[BL_BYTES];
	const char *p = screen_text;
	for (int i = 0; i < n && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return "";
	const char *e = strchr(p, '\n');
	size_t len = e ? (size_t)(e - p) : strlen(p);
	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, p, len);
	buf[len] = 0;
	return buf;
}

static void keys(struct bview *v, const char *k)
{
	for (; *k; k++)
		bv_key(v, (unsigned char)*k);
}

static struct bstore *load(const char *name)
{
	char path[1024];
	const char *dir = getenv("SAMPLES");
	snprintf(path, sizeof path, "%s/%s", dir ? dir : "samples", name);
	struct bstore *s = bs_new(NULL);
	struct sess_sink k = bs_sink(s);
	struct analyzer_cfg cfg = { .max_message = 1 << 24, .max_inflate = 1 << 24,
				    .memcap = 1 << 28 };
	struct analyzer *a = analyzer_new(&cfg, &k);
	struct capture_opts co = { .path = path };
	struct capture_result res;
	capture_read_file(&co, a, &res);
	CU_ASSERT_EQUAL(res.status, CAP_OK);
	analyzer_finish(a);
	analyzer_free(a);
	return s;
}

/* ---- JSON -------------------------------------------------------------- */

static void test_json_pretty(void)
{
	bool ok;
	const char *out = pretty("{\"a\":[1,2.5e3,{}],\"b\":{\"c\":\"x\\\"y\"},"
				 "\"d\":[],\"e\":null}", 4096, &ok);
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_STRING_EQUAL(out,
		"{\n"
		"  \"a\": [\n"
		"    1,\n"
		"    2.5e3,\n"
		"    {}\n"
		"  ],\n"
		"  \"b\": {\n"
		"    \"c\": \"x\\\"y\"\n"
		"  },\n"
		"  \"d\": [],\n"
		"  \"e\": null\n"
		"}\n");
	out = pretty(" [ true , false ] ", 4096, &ok);
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_STRING_EQUAL(out, "[\n  true,\n  false\n]\n");
}

static void test_json_rejects(void)
{
	static const char *const bad[] = {
		"", "42", "\"just a string\"", "{", "[1,]", "{\"a\" 1}",
		"{\"a\":01}", "[1.]", "[-]", "[\"\x01\"]", "[\"\\x\"]",
		"[\"\\u12\"]", "[tru]", "[1] [2]", "{1:2}", "[1e]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_FALSE(json_is_container((const uint8_t *)bad[i],
						  strlen(bad[i])));
	}
	/* nesting deeper than the cap is shown as text, not recursed into */
	char deep[200];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	CU_ASSERT_FALSE(json_is_container((const uint8_t *)deep, sizeof deep));
	CU_ASSERT_TRUE(json_is_container((const uint8_t *)deep + 36, 128));
}

static void test_json_cap_and_escapes(void)
{
	bool ok;
	const char *out = pretty("[\"aaaaaaaaaaaaaaaaaaaaaaaa\",\"bbbbbbbbbbbbbbbbbb\"]",
				 20, &ok);
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "[JSON view cut at 20 bytes"));
	CU_ASSERT_PTR_NULL(strstr(out, "bbbb"));
	/* C1 control and a bidi override inside a string are escaped; the
	 * JSON escapes stay as written */
	out = pretty("[\"\xc2\x9b\xe2\x80\xae\\u001b\"]", 4096, &ok);
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\u{009b}\\u{202e}\\u001b"));
	CU_ASSERT_PTR_NULL(strstr(out, "\xc2\x9b"));
}

/* ---- text -------------------------------------------------------------- */

static void test_text_width(void)
{
	CU_ASSERT_EQUAL(text_width("abc", 3), 3);
	CU_ASSERT_EQUAL(text_width("\xe4\xb8\x96\xe7\x95\x8c", 6), 4); /* 世界 */
	CU_ASSERT_EQUAL(text_width("\xe2\x86\x92", 3), 1);            /* → */
	int used;
	/* never half a wide character */
	CU_ASSERT_EQUAL(text_fit("\xe4\xb8\x96\xe7\x95\x8c", 6, 3, &used), 3);
	CU_ASSERT_EQUAL(used, 2);
	struct bline l;
	bl_init(&l, 10, BA_NORMAL);
	bl_esc(&l, BA_NORMAL, (const uint8_t *)"\x1b[2Jabcdefgh", 12);
	CU_ASSERT_EQUAL(l.width, 10);
	CU_ASSERT_STRING_EQUAL(l.text, "\\x1b[2Jab~");
	struct bdoc d = { 0 };
	bdoc_reset(&d, 20);
	bdoc_wrap2(&d, BA_NORMAL, 2, 4, "one two three four five six", 27);
	CU_ASSERT_EQUAL(d.n, 2);
	struct bline out;
	out.max = 20;
	bdoc_get(&d, 0, &out);
	CU_ASSERT_STRING_EQUAL(out.text, "  one two three four");
	bdoc_get(&d, 1, &out);
	CU_ASSERT_STRING_EQUAL(out.text, "    five six");
	bdoc_free(&d);
}

/* ---- the store ------------------------------------------------------------ */

static void fake_leg(struct leg *l, uint64_t id)
{
	memset(l, 0, sizeof *l);
	l->id = id;
	snprintf(l->client.text, sizeof l->client.text, "192.0.2.1:4000%llu",
		 (unsigned long long)id);
	snprintf(l->server.text, sizeof l->server.text, "198.51.100.2:3128");
	snprintf(l->target, sizeof l->target, "203.0.113.5:443");
	l->via = VIA_CONNECT;
	l->first_ts = 1000.0 + (double)id;
	l->last_ts = l->first_ts + 1;
}

struct rec {
	char log[4096];
	size_t len;
};

static void rec_head(void *ctx, const struct leg *l, const struct http_head *h)
{
	struct rec *r = ctx;
	(void)l;
	r->len += (size_t)snprintf(r->log + r->len, sizeof r->log - r->len,
				   "H%d:%.*s;", h->dir, (int)h->raw_len, h->raw);
}

static void rec_msg(void *ctx, const struct leg *l, const struct leg_message *m)
{
	struct rec *r = ctx;
	(void)l;
	r->len += (size_t)snprintf(r->log + r->len, sizeof r->log - r->len,
				   "M%d:%.*s%s;", m->dir, (int)m->data_len,
				   m->data ? (const char *)m->data : "",
				   m->truncated ? "(cut)" : "");
}

static void rec_end(void *ctx, const struct leg *l)
{
	struct rec *r = ctx;
	r->len += (size_t)snprintf(r->log + r->len, sizeof r->log - r->len,
				   "E%llu:%s", (unsigned long long)l->id,
				   verdict_code(l->verdict));
}

static void test_store_caps_and_replay(void)
{
	struct bs_limits lim;
	bs_default_limits(&lim);
	lim.msg_payload = 8;
	lim.leg_payload = 40;
	lim.leg_messages = 4;
	struct bstore *s = bs_new(&lim);
	struct sess_sink k = bs_sink(s);
	static struct leg l;

	fake_leg(&l, 7);
	struct http_head h = { .dir = DIR_CLIENT, .is_request = true,
			       .raw = (const uint8_t *)"CONNECT x\r\n\r\n", .raw_len = 13 };
	k.http_head(k.ctx, &l, &h);
	const char *payloads[] = { "short", "a longer payload", "third one!", "4444",
				   "fifth" };
	for (int i = 0; i < 5; i++) {
		struct leg_message m = {
			.dir = (enum dir)(i & 1), .opcode = 1, .utf8_valid = true,
			.data = (const uint8_t *)payloads[i],
			.data_len = strlen(payloads[i]), .length = strlen(payloads[i]),
		};
		l.msgs[i & 1].text++;
		k.message(k.ctx, &l, &m);
	}
	l.verdict = V_OK;
	k.leg_end(k.ctx, &l);

	struct bs_leg *bl = bs_find(s, 7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bl);
	CU_ASSERT_EQUAL(bl->n_msg, 4);           /* leg_messages */
	CU_ASSERT_EQUAL(bl->messages_dropped, 1);
	CU_ASSERT_EQUAL(bl->payload_cut, 2);     /* 16 and 10 bytes > 8 */
	CU_ASSERT_TRUE(bl->msg[1].cut);
	CU_ASSERT_EQUAL(bl->msg[1].len, 8);
	/* 13 + 5 + 8 + 8 = 34 of 40: the fourth gets 4 of 4 bytes... */
	CU_ASSERT_EQUAL(bl->msg[3].len, 4);
	CU_ASSERT_FALSE(bl->msg[3].cut);
	CU_ASSERT_EQUAL(bl->msgs[0], 3);
	CU_ASSERT_EQUAL(bl->msgs[1], 2);
	CU_ASSERT_TRUE(bl->ended);
	CU_ASSERT_PTR_NOT_NULL(bl->packed);
	CU_ASSERT_TRUE(bl->packed_len < sizeof(struct leg) / 4);
	const struct bs_stats *st = bs_stats(s);
	CU_ASSERT_EQUAL(st->payload_cut, 2);
	CU_ASSERT_EQUAL(st->messages_dropped, 1);

	/* a second message burst overflows the leg's byte budget */
	static struct leg l2;
	fake_leg(&l2, 8);
	for (int i = 0; i < 4; i++) {
		struct leg_message m = { .opcode = 2, .data = (const uint8_t *)"0123456789",
					 .data_len = 10, .length = 10 };
		k.message(k.ctx, &l2, &m);
	}
	struct bs_leg *b2 = bs_find(s, 8);
	CU_ASSERT_EQUAL(b2->kept, 32);          /* 4 x 8 of 40 */
	struct leg_message m5 = { .opcode = 2, .data = (const uint8_t *)"0123456789",
				  .data_len = 10, .length = 10 };
	k.message(k.ctx, &l2, &m5);
	CU_ASSERT_EQUAL(b2->n_msg, 4);          /* capped at 4 records */

	/* replay hands the kept events on in their order, cuts marked */
	struct rec r = { .len = 0 };
	struct sess_sink to = { .ctx = &r, .http_head = rec_head,
				.message = rec_msg, .leg_end = rec_end };
	CU_ASSERT_TRUE(bs_replay(s, bl, &to));
	CU_ASSERT_STRING_EQUAL(r.log, "H0:CONNECT x\r\n\r\n;M0:short;"
			       "M1:a longer(cut);M0:third on(cut);M1:4444;E7:ok");
	/* the full leg comes back from its packed form */
	const struct leg *full = bs_full(s, bl);
	CU_ASSERT_PTR_NOT_NULL_FATAL(full);
	CU_ASSERT_STRING_EQUAL(full->target, "203.0.113.5:443");
	CU_ASSERT_EQUAL(full->msgs[0].text, 3);
	bs_free(s);
}

/* The store's leg cap: the leg beyond it is counted and the title says
 * the store is not whole (docs/caps.md). */
static void test_store_leg_cap(void)
{
	struct bs_limits lim;
	bs_default_limits(&lim);
	lim.legs = 1;
	struct bstore *s = bs_new(&lim);
	struct sess_sink k = bs_sink(s);
	static struct leg l1, l2;
	static struct bview v;
	struct bscreen scr = { 0 };

	bv_init(&v, s, "cap.pcap", 24, 80);
	screen(&v, &scr);
	CU_ASSERT_PTR_NULL(strstr(line_of(0), "store cap hit"));
	fake_leg(&l1, 1);
	fake_leg(&l2, 2);
	l1.verdict = l2.verdict = V_OK;
	k.leg_end(k.ctx, &l1);
	k.leg_end(k.ctx, &l2);
	CU_ASSERT_EQUAL(bs_count(s), 1);
	CU_ASSERT_PTR_NULL(bs_find(s, 2));
	CU_ASSERT_EQUAL(bs_stats(s)->legs_dropped, 1);
	screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(0),
				      "1 leg, 0 failed, store cap hit: not all kept"));
	bscreen_free(&scr);
	bv_free(&v);
	bs_free(s);
}

/* ---- whole screens --------------------------------------------------------- */

static void test_list_80x24(void)
{
	struct bstore *s = load("squid_407.pcap");
	static struct bview v;
	struct bscreen scr = { 0 };

	bv_init(&v, s, "squid_407.pcap", 24, 80);
	screen(&v, &scr);
	CU_ASSERT_STRING_EQUAL(line_of(0),
		" wstap squid_407.pcap  3 legs, 1 failed                               sort time");
	CU_ASSERT_STRING_EQUAL(line_of(1),
		"  # TIME     VERDICT             VIA  CLIENT \xe2\x86\x92 PROXY \xe2\x86\x92 TARGET      MSGS   BYTES");
	CU_ASSERT_STRING_EQUAL(line_of(2),
		"  1 13:19:26 proxy_auth_required conn ~0.0.1:3129 \xe2\x86\x92 127.0.0.1:9001  0/0 82/3.4K");
	CU_ASSERT_STRING_EQUAL(line_of(3),
		"  2 13:19:26 ok                  conn ~0.0.1:3129 \xe2\x86\x92 127.0.0.1:9001  2/2 358/267");
	CU_ASSERT_STRING_EQUAL(line_of(4),
		"  3 13:19:26 ok                  dir  \xe2\x94\x94 ~.1:42540 \xe2\x86\x92 127.0.0.1:9001  2/2 227/228");
	CU_ASSERT_STRING_EQUAL(line_of(5), "");
	CU_ASSERT_STRING_EQUAL(line_of(23),
		"Enter open  f failures  s sort  / search  x export  ? help  q quit");
	/* every line fits in 80 columns */
	for (int r = 0; r < 24; r++)
		CU_ASSERT_TRUE(scr.line[r].width <= 80);
	/* the verdict word carries its colour, the selected row is marked */
	CU_ASSERT_EQUAL(scr.line[2].base, BA_SEL);
	CU_ASSERT_EQUAL(scr.line[3].base, BA_NORMAL);
	const char *ok = strstr(scr.line[3].text, "ok");
	CU_ASSERT_EQUAL(bl_attr_at(&scr.line[3], (size_t)(ok - scr.line[3].text)),
			BA_OK);

	/* Enter: the 407's explanation with its realm, one key away */
	bv_key(&v, BK_ENTER);
	const char *t = screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(0), " leg 1  proxy_auth_required  connect"));
	CU_ASSERT_STRING_EQUAL(line_of(1), "Verdict     proxy_auth_required");
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "Basic realm=\"wstap-lab\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "Timeline"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "#6      proxy answered 407"));
	/* scrolled to the end: the proxy's head with the header lit */
	bv_key(&v, 'G');
	t = screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "  HTTP/1.1 407 Proxy Authentication Required"));
	bool lit = false;
	for (int r = 1; r < 23; r++)
		if (strstr(scr.line[r].text, "Proxy-Authenticate:"))
			lit = bl_attr_at(&scr.line[r], 3) == BA_HI;
	CU_ASSERT_TRUE(lit);
	/* Tab: the messages pane (none on a 407) */
	bv_key(&v, BK_TAB);
	t = screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "no WebSocket messages in this leg"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(0), "[messages]"));
	/* Esc twice: back to the list, the leg still selected */
	bv_key(&v, BK_ESC);
	bv_key(&v, BK_ESC);
	screen(&v, &scr);
	CU_ASSERT_EQUAL(v.screen, BV_LIST);
	CU_ASSERT_EQUAL(scr.line[2].base, BA_SEL);
	/* f: failures only */
	bv_key(&v, 'f');
	screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(2), "proxy_auth_required"));
	CU_ASSERT_STRING_EQUAL(line_of(3), "");
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(0), "failures"));
	bv_key(&v, 'f');
	screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(4), "ok"));
	/* ?: help lists every key; Esc closes it */
	bv_key(&v, '?');
	t = screen(&v, &scr);
	static const char *const every[] = { "j k", "Enter", "Tab", "q Esc", "/",
					     "n N", "f", "s", "x", "l", "v", "?" };
	for (size_t i = 0; i < sizeof every / sizeof every[0]; i++)
		CU_ASSERT_PTR_NOT_NULL(strstr(t, every[i]));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(0), "keys"));
	bv_key(&v, BK_ESC);
	CU_ASSERT_FALSE(v.help);
	/* quitting from the list */
	CU_ASSERT_EQUAL(bv_key(&v, 'q'), BV_QUIT);
	bv_free(&v);
	bscreen_free(&scr);
	bs_free(s);
}

static void test_messages_search_resize(void)
{
	struct bstore *s = load("squid_connect_ws.pcap");
	static struct bview v;
	struct bscreen scr = { 0 };

	bv_init(&v, s, "squid_connect_ws.pcap", 40, 120);
	screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(2),
		"127.0.0.1:37142 \xe2\x86\x92 127.0.0.1:3128 \xe2\x86\x92 127.0.0.1:9001"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(2), " 13:19:22."));
	/* search: a leg with the payload, then the message in it */
	keys(&v, "/grüße\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(v.status, "found in leg"));
	bv_key(&v, BK_ENTER);
	bv_key(&v, 'n');
	CU_ASSERT_EQUAL(v.pane, PANE_MESSAGES);
	CU_ASSERT_EQUAL(v.msg_sel, 2);
	const char *t = screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, " message 3/16  client \xe2\x86\x92 server text  27 bytes  view: text"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "gr\xc3\xbc\xc3\x9f" "e, \xd0\xbc\xd0\xb8\xd1\x80"));
	bv_key(&v, 'n');
	CU_ASSERT_EQUAL(v.msg_sel, 3);
	bv_key(&v, 'N');
	CU_ASSERT_EQUAL(v.msg_sel, 2);
	keys(&v, "/no such thing\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(v.status, "not found"));
	/* binary messages default to hex, v cycles the view */
	v.msg_sel = 4;
	t = screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "00000000  00 01 02 7f 80 fe ff"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "view: hex"));
	/* resize to 80x24: re-laid out, nothing wider than the screen */
	bv_resize(&v, 24, 80);
	t = screen(&v, &scr);
	for (int r = 0; r < 24; r++)
		CU_ASSERT_TRUE(scr.line[r].width <= 80);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "00000000  00 01 02 7f 80 fe ff"));
	/* too small a terminal says so instead of drawing garbage */
	bv_resize(&v, 5, 30);
	t = screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "terminal too small"));
	bv_resize(&v, 40, 120);
	/* the linked leg is one key away */
	bv_key(&v, BK_ESC);
	bv_key(&v, BK_ESC);
	CU_ASSERT_EQUAL(v.screen, BV_LIST);
	uint64_t from = v.row[v.sel].leg->id;
	uint64_t mate = v.row[v.sel].leg->linked;
	/* a squid CONNECT: its leg has the onward leg linked */
	CU_ASSERT_FATAL(mate != 0);
	bv_key(&v, 'l');
	CU_ASSERT_EQUAL(v.screen, BV_LEG);
	CU_ASSERT_EQUAL(v.leg->id, mate);
	CU_ASSERT_NOT_EQUAL(mate, from);
	/* sorting by size puts the biggest leg first */
	bv_key(&v, BK_ESC);
	bv_key(&v, 's');
	bv_key(&v, 's');
	screen(&v, &scr);
	CU_ASSERT_EQUAL(v.sort, SORT_SIZE);
	uint64_t b0 = v.row[0].leg->bytes[0] + v.row[0].leg->bytes[1];
	for (size_t i = 1; i < v.n_rows; i++)
		if (!v.row[i].child)
			CU_ASSERT_TRUE(b0 >= v.row[i].leg->bytes[0] + v.row[i].leg->bytes[1]);
	bv_free(&v);
	bscreen_free(&scr);
	bs_free(s);
}

/* Captured bytes that try to drive the terminal never reach a screen
 * line raw, in any pane or view. */
static void test_hostile_bytes(void)
{
	struct bstore *s = bs_new(NULL);
	struct sess_sink k = bs_sink(s);
	static struct leg l;
	static const char evil[] = "\x1b[2J\x1b]0;pwned\x07\xe2\x80\xae\xc2\x9b";

	fake_leg(&l, 1);
	memcpy(l.target, evil, sizeof evil);
	memcpy(l.explanation, evil, sizeof evil);
	memcpy(l.ws.key, evil, sizeof evil);
	l.ws.requested = true;
	leg_note(&l, NOTE_WARN, "x", "%s", evil);
	char head[256];
	int n = snprintf(head, sizeof head, "GET / HTTP/1.1\r\nX-Evil: %s\r\n\r\n", evil);
	struct http_head h = { .raw = (const uint8_t *)head, .raw_len = (size_t)n,
			       .is_request = true };
	k.http_head(k.ctx, &l, &h);
	char json[128];
	n = snprintf(json, sizeof json, "{\"a\":\"%s\"}", evil);
	const char *payloads[] = { evil, json };
	for (int i = 0; i < 2; i++) {
		struct leg_message m = { .opcode = 1, .data = (const uint8_t *)payloads[i],
					 .data_len = strlen(payloads[i]),
					 .length = strlen(payloads[i]) };
		k.message(k.ctx, &l, &m);
	}
	struct leg_message c = { .opcode = 8, .has_close_code = true, .close_code = 1000,
				 .reason = (const uint8_t *)evil, .reason_len = sizeof evil - 1 };
	k.message(k.ctx, &l, &c);
	l.verdict = V_PROTOCOL_ERROR;
	k.leg_end(k.ctx, &l);

	static struct bview v;
	struct bscreen scr = { 0 };
	bv_init(&v, s, evil, 30, 100);
	const char *script[] = { "", "\n", "G", "\t", "j", "\t", "v", "v", "v",
				 "k", "\t", "/\x1b", "?" };
	for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
		keys(&v, script[i]);
		const char *t = screen(&v, &scr);
		CU_ASSERT_PTR_NULL(strchr(t, 0x1b));
		CU_ASSERT_PTR_NULL(strchr(t, 0x07));
		CU_ASSERT_PTR_NULL(strstr(t, "\xe2\x80\xae"));
		CU_ASSERT_PTR_NULL(strstr(t, "\xc2\x9b"));
	}
	bv_free(&v);
	bscreen_free(&scr);
	bs_free(s);
}

/* Many legs: the first screen and scrolling stay cheap. */
static void test_many_legs(void)
{
	struct bstore *s = bs_new(NULL);
	struct sess_sink k = bs_sink(s);
	static struct leg l;

	for (uint64_t i = 1; i <= 10000; i++) {
		fake_leg(&l, i);
		l.verdict = i % 7 == 0 ? V_PROXY_DENIED : V_OK;
		k.leg_end(k.ctx, &l);
	}
	static struct bview v;
	struct bscreen scr = { 0 };
	bv_init(&v, s, "many", 24, 80);
	clock_t t0 = clock();
	screen(&v, &scr);
	for (int i = 0; i < 1000; i++) {
		bv_key(&v, BK_PGDN);
		bv_render(&v, &scr);
	}
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CU_ASSERT_EQUAL(v.n_rows, 10000);
	CU_ASSERT_EQUAL(v.n_failed, 10000 / 7);
	CU_ASSERT_TRUE(secs < 1.0);
	CU_ASSERT_TRUE(bs_stats(s)->bytes < 20u * 1024 * 1024);
	printf("\n  10,000 legs: first screen and 1000 page-downs in %.3f s; "
	       "store %zu bytes ", secs, (size_t)bs_stats(s)->bytes);
	bv_free(&v);
	bscreen_free(&scr);
	bs_free(s);
}

/* Live (wstap -b -i): legs arrive and change between frames.  Rows are
 * added and counts updated in place; the selected leg stays selected and
 * on the same screen row when legs sort in above it; End follows the
 * newest row; the status line gives the interface, packets and drops on
 * every screen, the key hints giving way whole at 80 columns. */
static void live_event(struct sess_sink *k, struct leg *l, uint8_t op)
{
	struct leg_message m = { .dir = DIR_CLIENT, .opcode = op,
				 .utf8_valid = true, .data = (const uint8_t *)"hi",
				 .data_len = 2, .length = 2 };
	if (op == 1)
		l->msgs[DIR_CLIENT].text++;
	k->message(k->ctx, l, &m);
}

static int row_of(uint64_t id)
{
	char want[32];
	/* the id column is 3 wide here (ids up to 99, and the group mark) */
	snprintf(want, sizeof want, "%3llu 00:", (unsigned long long)id);
	for (int r = 0; r < 40; r++)
		if (strncmp(line_of(r), want, strlen(want)) == 0)
			return r;
	return -1;
}

static void test_live_rows(void)
{
	struct bstore *s = bs_new(NULL);
	struct sess_sink k = bs_sink(s);
	static struct leg l[40];
	static struct bview v;
	struct bscreen scr = { 0 };

	bv_init(&v, s, "lo", 24, 100);
	v.live = v.reading = true;
	const char *t = screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(0), " wstap lo  0 legs, 0 failed, capturing"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "no legs yet"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(23), "live lo: 0 packets, 0 dropped"));
	/* a leg opens: its row appears, "open", and counts as it talks */
	fake_leg(&l[1], 1);
	live_event(&k, &l[1], 1);
	v.packets = 12;
	t = screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(2), " open "));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(2), " 1/0 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(23), "live lo: 12 packets, 0 dropped"));
	live_event(&k, &l[1], 1);
	live_event(&k, &l[1], 1);
	screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(2), " 3/0 "));
	CU_ASSERT_EQUAL(v.n_rows, 1);
	/* sort by verdict: an open leg is last, failures first */
	bv_key(&v, 's');
	screen(&v, &scr);
	CU_ASSERT_EQUAL(v.sel_id, 1);
	/* more legs end, failed ones sorting above the selection */
	for (uint64_t i = 2; i <= 6; i++) {
		fake_leg(&l[i], i);
		l[i].verdict = i % 2 ? V_PROXY_DENIED : V_OK;
		k.leg_end(k.ctx, &l[i]);
		screen(&v, &scr);
		CU_ASSERT_EQUAL(v.sel_id, 1); /* the selection stays on leg 1 */
		CU_ASSERT_EQUAL(v.row[v.sel].leg->id, 1);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(0), "6 legs, 2 failed, capturing"));
	CU_ASSERT_EQUAL(row_of(1), 2 + 5); /* below the 5 ended */
	/* many legs: the list scrolls; the selected leg keeps its screen
	 * row while legs sort in above it */
	for (uint64_t i = 7; i <= 30; i++) {
		fake_leg(&l[i], i);
		l[i].verdict = V_OK;
		k.leg_end(k.ctx, &l[i]);
	}
	screen(&v, &scr);
	int at = row_of(1);
	CU_ASSERT_TRUE(at >= 2 && at < 23);
	bv_key(&v, BK_UP);
	bv_key(&v, BK_UP);
	screen(&v, &scr);
	uint64_t sel = v.sel_id;
	at = row_of(sel);
	CU_ASSERT_TRUE(at >= 2 && at < 23);
	for (uint64_t i = 31; i <= 35; i++) {
		fake_leg(&l[i], i);
		l[i].verdict = V_PROXY_DENIED;
		k.leg_end(k.ctx, &l[i]);
		screen(&v, &scr);
		CU_ASSERT_EQUAL(v.sel_id, sel);
		CU_ASSERT_EQUAL(row_of(sel), at);
	}
	/* leg 1 ends: its row changes in place, verdict and counts */
	l[1].verdict = V_OK;
	live_event(&k, &l[1], 8);
	k.leg_end(k.ctx, &l[1]);
	screen(&v, &scr);
	CU_ASSERT_EQUAL(v.sel_id, sel);
	CU_ASSERT_EQUAL(bs_find(s, 1)->msgs[DIR_CLIENT], 3);
	/* End: the selection follows the newest row (sort by time) */
	bv_key(&v, 's');
	bv_key(&v, 's');
	CU_ASSERT_EQUAL(v.sort, SORT_TIME);
	bv_key(&v, BK_END);
	screen(&v, &scr);
	CU_ASSERT_EQUAL(v.sel_id, 35);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(0), "follow  sort time"));
	fake_leg(&l[36], 36);
	live_event(&k, &l[36], 1);
	screen(&v, &scr);
	CU_ASSERT_EQUAL(v.sel_id, 36);
	CU_ASSERT_EQUAL(row_of(36), 22); /* the last list row */
	/* any other move stops following */
	bv_key(&v, BK_UP);
	fake_leg(&l[37], 37);
	live_event(&k, &l[37], 1);
	screen(&v, &scr);
	CU_ASSERT_EQUAL(v.sel_id, 35);
	CU_ASSERT_PTR_NULL(strstr(line_of(0), "follow"));
	/* the leg screen keeps the live figures; drops are shown */
	v.drops = 7;
	v.packets = 4242;
	bv_key(&v, BK_ENTER);
	screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(0), " leg 35 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(23), "Tab pane"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(23), "live lo: 4242 packets, 7 dropped"));
	/* 80 columns: whole key hints give way to the figures */
	bv_resize(&v, 24, 80);
	bv_key(&v, BK_ESC);
	screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(23), "Enter open  q quit"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(23), "live lo: 4242 packets, 7 dropped"));
	CU_ASSERT_PTR_NULL(strstr(line_of(23), "? help"));
	CU_ASSERT_TRUE(scr.line[23].width <= 80);
	/* a message on the status line keeps the figures when they fit */
	bv_say(&v, false, "leg 3 written to x.txt");
	screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(23), "leg 3 written to x.txt"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(23), "4242 packets"));
	/* the capture stops (-c, -a): said in the title and status line */
	v.reading = false;
	bv_say(&v, false, "%s", "");
	screen(&v, &scr);
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(0), "capture stopped"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(23), "stopped lo: 4242 packets"));
	/* an interface name is shown as printable ASCII only */
	bv_resize(&v, 24, 100);
	snprintf(v.source, sizeof v.source, "e\x1b[2Jth0");
	screen(&v, &scr);
	CU_ASSERT_PTR_NULL(strchr(screen_text, 0x1b));
	CU_ASSERT_PTR_NOT_NULL(strstr(line_of(23), "stopped e?[2Jth0:"));
	bv_free(&v);
	bscreen_free(&scr);
	bs_free(s);
}

static int init(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return setlocale(LC_CTYPE, "C.UTF-8") ? 0 : -1;
}

int add_browse_suite(void)
{
	CU_pSuite s = CU_add_suite("browse", init, NULL);
	if (!s ||
	    !CU_add_test(s, "JSON pretty-printed", test_json_pretty) ||
	    !CU_add_test(s, "JSON that is not JSON", test_json_rejects) ||
	    !CU_add_test(s, "JSON cap and escapes", test_json_cap_and_escapes) ||
	    !CU_add_test(s, "text widths, escaping, wrapping", test_text_width) ||
	    !CU_add_test(s, "store caps and replay", test_store_caps_and_replay) ||
	    !CU_add_test(s, "list, detail, help at 80x24", test_list_80x24) ||
	    !CU_add_test(s, "messages, search, resize at 120x40",
			 test_messages_search_resize) ||
	    !CU_add_test(s, "hostile bytes never reach the screen",
			 test_hostile_bytes) ||
	    !CU_add_test(s, "10,000 legs", test_many_legs) ||
	    !CU_add_test(s, "store leg cap", test_store_leg_cap) ||
	    !CU_add_test(s, "live: rows added, selection kept, status line",
			 test_live_rows))
		return -1;
	return 0;
}
