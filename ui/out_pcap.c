/* out_pcap.c - per-leg capture files (-w DIR): each leg's packets, byte
 * for byte as captured, with their timestamps, in a file of its own named
 * by leg id and endpoints, e.g. 0003_127.0.0.1.41154-127.0.0.1.3128.pcap.
 *
 * Formats: pcap with nanosecond timestamps (magic 0xa1b23c4d, what
 * `tcpdump --time-stamp-precision=nano -w` writes), or with --pcapng a
 * pcapng file (draft-ietf-opsawg-pcapng) whose interface block declares
 * if_tsresol 9 (nanoseconds).  pcapng carries the leg's verdict: the last
 * packet of the leg is held back until the leg ends and is written with
 * an opt_comment "wstap leg N: VERDICT: explanation", which Wireshark
 * shows as the packet comment (filter `frame.comment`).  Every file is
 * written little-endian, whatever the host.
 *
 * Thousands of legs can be alive at once, more than the open-file limit:
 * at most PCAP_MAX_OPEN files are open (fewer under a low `ulimit -n`),
 * the least recently written closed first and reopened in append mode
 * when their leg sends again.  A leg's
 * state is freed when the leg ends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "legmap.h"
#include "escape.h"
#include "outputs.h"

#ifdef HAVE_CONFIG_H
#include "config.h" /* PACKAGE_VERSION */
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0"
#endif

#define PCAP_MAX_OPEN 256         /* files open at once, at most */
#define PCAP_FD_RESERVE 16        /* descriptors left for everything else */
#define SNAPLEN 262144
#define MAX_IFACES 4             /* link types per leg (pcapng) */
#define COMMENT_MAX 1024

struct pleg {
	struct legmap_node node; /* first: the id and hash chain (legmap.h) */
	struct pleg *newer, *older; /* LRU list of open files */
	FILE *f;                 /* NULL when closed (or never opened) */
	bool started;            /* file created and its header written */
	bool failed;             /* a write failed: stop writing this leg */
	char name[192];          /* file name inside the directory */
	int linktype[MAX_IFACES]; /* pcapng: interface id -> link type */
	unsigned n_if;
	uint64_t packets;
	/* pcapng: the last packet, held back to carry the verdict comment */
	uint8_t *held;
	size_t held_cap;
	uint32_t held_caplen, held_wirelen, held_if;
	uint64_t held_ts;        /* nanoseconds since the epoch */
	bool has_held;
};

struct psplit {
	char dir[4096];
	bool pcapng;
	struct legmap legs;      /* struct pleg by leg id */
	struct pleg *newest, *oldest; /* open files, most recent first */
	unsigned n_open, max_open;
	struct pcap_split_result res;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void fail(struct psplit *s, struct pleg *p, const char *what)
{
	p->failed = true;
	s->res.write_errors++;
	/* a long directory name may cut the message: that is fine */
	if (!s->res.error[0] &&
	    snprintf(s->res.error, sizeof s->res.error, "%s %s/%s: %s", what,
		     s->dir, p->name, strerror(errno)) < 0)
		s->res.error[0] = 0;
}

static void wr(struct psplit *s, struct pleg *p, const void *b, size_t n)
{
	if (p->failed || !p->f)
		return;
	if (fwrite(b, 1, n, p->f) != n)
		fail(s, p, "cannot write");
}

static void lru_unlink(struct psplit *s, struct pleg *p)
{
	if (p->newer)
		p->newer->older = p->older;
	else
		s->newest = p->older;
	if (p->older)
		p->older->newer = p->newer;
	else
		s->oldest = p->newer;
	p->newer = p->older = NULL;
}

static void lru_front(struct psplit *s, struct pleg *p)
{
	p->older = s->newest;
	p->newer = NULL;
	if (s->newest)
		s->newest->newer = p;
	s->newest = p;
	if (!s->oldest)
		s->oldest = p;
}

static void close_file(struct psplit *s, struct pleg *p)
{
	if (!p->f)
		return;
	lru_unlink(s, p);
	s->n_open--;
	if (fclose(p->f) != 0 && !p->failed)
		fail(s, p, "cannot close");
	p->f = NULL;
}

static bool path_of(const struct psplit *s, const char *name, char *out,
		    size_t n)
{
	int w = snprintf(out, n, "%s/%s", s->dir, name);
	return w > 0 && (size_t)w < n;
}

/* Opens (or reopens, appending) the leg's file and makes it the most
 * recently used; closes the least recently used one when at the limit. */
static bool ensure_open(struct psplit *s, struct pleg *p)
{
	char path[sizeof s->dir + sizeof p->name + 2];

	if (p->failed)
		return false;
	if (p->f) {
		lru_unlink(s, p);
		lru_front(s, p);
		return true;
	}
	if (s->n_open >= s->max_open)
		close_file(s, s->oldest);
	if (!path_of(s, p->name, path, sizeof path)) {
		errno = ENAMETOOLONG;
		fail(s, p, "cannot open");
		return false;
	}
	p->f = fopen(path, p->started ? "ab" : "wb");
	if (!p->f) {
		fail(s, p, "cannot open");
		return false;
	}
	if (!p->started)
		s->res.files++;
	else
		s->res.reopens++;
	s->n_open++;
	lru_front(s, p);
	return true;
}

/* "127.0.0.1:41154" -> "127.0.0.1.41154", "[2001:db8::1]:443" ->
 * "2001_db8__1.443": only [A-Za-z0-9._-] reach the file name. */
static size_t endpoint_name(char *out, size_t n, const char *ep)
{
	const char *colon = strrchr(ep, ':');
	size_t o = 0;

	for (const char *c = ep; *c && o + 1 < n; c++) {
		char ch = *c;
		if (ch == '[' || ch == ']')
			continue;
		if (c == colon)
			ch = '.';
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			   (ch >= '0' && ch <= '9') || ch == '.' || ch == '-'))
			ch = '_';
		out[o++] = ch;
	}
	out[o] = 0;
	return o;
}

static void leg_file_name(const struct psplit *s, const struct leg *l,
			  char *out, size_t n)
{
	char c[80], v[80];

	endpoint_name(c, sizeof c, l->client.text[0] ? l->client.text : "unknown");
	endpoint_name(v, sizeof v, l->server.text[0] ? l->server.text : "unknown");
	snprintf(out, n, "%04llu_%s-%s.%s", (unsigned long long)l->id, c, v,
		 s->pcapng ? "pcapng" : "pcap");
}

static struct pleg *find(struct psplit *s, uint64_t id, bool create)
{
	return (struct pleg *)legmap_get(&s->legs, id, create, sizeof(struct pleg));
}

static void forget(struct psplit *s, struct pleg *p)
{
	legmap_remove(&s->legs, &p->node);
	free(p->held);
	free(p);
}

/* pcap file header (nanosecond variant). */
static void pcap_header(struct psplit *s, struct pleg *p, int linktype)
{
	uint8_t h[24];

	put32(h, 0xa1b23c4d);
	put16(h + 4, 2);
	put16(h + 6, 4);
	put32(h + 8, 0);         /* thiszone */
	put32(h + 12, 0);        /* sigfigs */
	put32(h + 16, SNAPLEN);
	put32(h + 20, (uint32_t)linktype);
	wr(s, p, h, sizeof h);
}

/* pcapng Section Header Block with shb_userappl (option 4). */
static void shb(struct psplit *s, struct pleg *p)
{
	static const char app[] = "wstap " PACKAGE_VERSION;
	size_t alen = sizeof app - 1, apad = (alen + 3) & ~(size_t)3;
	uint8_t b[64 + sizeof app];
	size_t len = 28 + 4 + apad + 4 + 4;

	memset(b, 0, sizeof b);
	put32(b, 0x0A0D0D0A);
	put32(b + 4, (uint32_t)len);
	put32(b + 8, 0x1A2B3C4D); /* byte-order magic */
	put16(b + 12, 1);
	put16(b + 14, 0);
	put32(b + 16, 0xffffffff); /* section length: not given (-1) */
	put32(b + 20, 0xffffffff);
	put16(b + 24, 4);
	put16(b + 26, (uint16_t)alen);
	memcpy(b + 28, app, alen);
	/* opt_endofopt is the zeroed 4 bytes after the padded value */
	put32(b + len - 4, (uint32_t)len);
	wr(s, p, b, len);
}

/* Interface Description Block with if_tsresol = 9 (nanoseconds). */
static void idb(struct psplit *s, struct pleg *p, int linktype)
{
	uint8_t b[32];

	memset(b, 0, sizeof b);
	put32(b, 1);
	put32(b + 4, sizeof b);
	put16(b + 8, (uint16_t)linktype);
	put32(b + 12, SNAPLEN);
	put16(b + 16, 9);        /* if_tsresol */
	put16(b + 18, 1);
	b[20] = 9;               /* 10^-9 s; then 3 bytes padding */
	/* opt_endofopt: b[24..27] zero */
	put32(b + 28, sizeof b);
	wr(s, p, b, sizeof b);
}

/* Enhanced Packet Block, with an opt_comment when `comment` is given. */
static void epb(struct psplit *s, struct pleg *p, uint32_t ifid, uint64_t ts,
		const uint8_t *data, uint32_t caplen, uint32_t wirelen,
		const char *comment, size_t clen)
{
	static const uint8_t zero[4];
	uint8_t h[28], t[4];
	size_t dpad = ((size_t)caplen + 3) & ~(size_t)3;
	size_t cpad = (clen + 3) & ~(size_t)3;
	size_t opts = comment ? 4 + cpad + 4 : 0;
	size_t len = 28 + dpad + opts + 4;

	put32(h, 6);
	put32(h + 4, (uint32_t)len);
	put32(h + 8, ifid);
	put32(h + 12, (uint32_t)(ts >> 32));
	put32(h + 16, (uint32_t)ts);
	put32(h + 20, caplen);
	put32(h + 24, wirelen);
	wr(s, p, h, sizeof h);
	wr(s, p, data, caplen);
	wr(s, p, zero, dpad - caplen);
	if (comment) {
		uint8_t oh[4];
		put16(oh, 1);    /* opt_comment */
		put16(oh + 2, (uint16_t)clen);
		wr(s, p, oh, 4);
		wr(s, p, comment, clen);
		wr(s, p, zero, cpad - clen);
		wr(s, p, zero, 4); /* opt_endofopt */
	}
	put32(t, (uint32_t)len);
	wr(s, p, t, 4);
}

static void write_held(struct psplit *s, struct pleg *p, const char *comment,
		       size_t clen)
{
	if (!p->has_held || !ensure_open(s, p))
		return;
	epb(s, p, p->held_if, p->held_ts, p->held, p->held_caplen,
	    p->held_wirelen, comment, clen);
	p->has_held = false;
}

static void on_packet(void *ctx, const struct leg *l,
		      const struct raw_packet *raw)
{
	struct psplit *s = ctx;
	struct pleg *p = find(s, l->id, true);
	uint32_t caplen = raw->caplen;

	if (!p) {
		s->res.dropped_nomem++;
		return;
	}
	if (p->failed)
		return;
	if (caplen > SNAPLEN)
		caplen = SNAPLEN;  /* cannot happen with libpcap's own caps */
	if (!p->started) {
		leg_file_name(s, l, p->name, sizeof p->name);
		if (!ensure_open(s, p))
			return;
		p->started = true;
		if (s->pcapng) {
			shb(s, p);
		} else {
			p->linktype[0] = raw->linktype;
			p->n_if = 1;
			pcap_header(s, p, raw->linktype);
		}
	}
	if (!s->pcapng) {
		/* A pcap file has one link type: a packet of another (a
		 * pcapng input with several interfaces) cannot go in. */
		if (raw->linktype != p->linktype[0]) {
			s->res.dropped_linktype++;
			return;
		}
		if (!ensure_open(s, p))
			return;
		uint8_t h[16];
		/* 32-bit seconds: good until 2106 */
		put32(h, (uint32_t)raw->ts_sec);
		put32(h + 4, raw->ts_nsec);
		put32(h + 8, caplen);
		put32(h + 12, raw->wirelen);
		wr(s, p, h, sizeof h);
		wr(s, p, raw->data, caplen);
		p->packets++;
		s->res.packets++;
		return;
	}
	unsigned ifid = 0;
	while (ifid < p->n_if && p->linktype[ifid] != raw->linktype)
		ifid++;
	if (ifid == p->n_if) {
		if (p->n_if == MAX_IFACES) {
			s->res.dropped_linktype++;
			return;
		}
		if (!ensure_open(s, p))
			return;
		idb(s, p, raw->linktype);
		p->linktype[p->n_if++] = raw->linktype;
	}
	/* Write the packet held so far; hold this one. */
	write_held(s, p, NULL, 0);
	if (caplen > p->held_cap) {
		uint8_t *n = realloc(p->held, caplen);
		if (!n) {
			s->res.dropped_nomem++;
			return;
		}
		p->held = n;
		p->held_cap = caplen;
	}
	memcpy(p->held, raw->data, caplen);
	p->held_caplen = caplen;
	p->held_wirelen = raw->wirelen;
	p->held_if = ifid;
	p->held_ts = raw->ts_sec * 1000000000ull + raw->ts_nsec;
	p->has_held = true;
	p->packets++;
	s->res.packets++;
}

struct cbuf {
	char *p;
	size_t len, cap;
};

static void cbuf_write(void *ctx, const char *p, size_t n)
{
	struct cbuf *c = ctx;

	if (n > c->cap - c->len)
		n = c->cap - c->len;
	memcpy(c->p + c->len, p, n);
	c->len += n;
}

/* The verdict as one escaped UTF-8 line for the pcapng comment. */
static size_t verdict_comment(const struct leg *l, char *buf, size_t cap)
{
	static struct obuf o;    /* large: keep it off the stack */
	struct cbuf c = { buf, 0, cap };

	obuf_init_fn(&o, cbuf_write, &c);
	obuf_printf(&o, "wstap leg %llu: ", (unsigned long long)l->id);
	esc_term(&o, (const uint8_t *)l->client.text, strlen(l->client.text));
	obuf_puts(&o, " > ");
	esc_term(&o, (const uint8_t *)l->server.text, strlen(l->server.text));
	obuf_puts(&o, " via ");
	obuf_puts(&o, via_name(l->via));
	if (l->linked)
		obuf_printf(&o, " (linked to leg %llu)",
			    (unsigned long long)l->linked);
	obuf_puts(&o, ": verdict ");
	obuf_puts(&o, verdict_code(l->verdict));
	obuf_puts(&o, ": ");
	esc_term(&o, (const uint8_t *)l->explanation, strlen(l->explanation));
	obuf_flush(&o);
	return c.len;
}

static void on_leg_end(void *ctx, const struct leg *l)
{
	struct psplit *s = ctx;
	struct pleg *p = find(s, l->id, false);
	char comment[COMMENT_MAX];

	if (!p)
		return;
	if (s->pcapng && p->has_held) {
		size_t n = verdict_comment(l, comment, sizeof comment);
		write_held(s, p, comment, n);
	}
	close_file(s, p);
	/* The endpoints may have been settled after the first packet (a
	 * midstream leg whose direction a later request told): name the
	 * file by what the leg turned out to be. */
	char final[sizeof p->name];
	leg_file_name(s, l, final, sizeof final);
	if (p->started && !p->failed && strcmp(final, p->name) != 0) {
		char from[sizeof s->dir + sizeof p->name + 2];
		char to[sizeof from];
		if (path_of(s, p->name, from, sizeof from) &&
		    path_of(s, final, to, sizeof to) && rename(from, to) != 0)
			fail(s, p, "cannot rename");
	}
	forget(s, p);
}

/* A leg wstap does not report (plain TCP, not proxy or WebSocket
 * traffic): its file goes, so the directory holds the reported legs. */
static void on_leg_drop(void *ctx, const struct leg *l)
{
	struct psplit *s = ctx;
	struct pleg *p = find(s, l->id, false);
	char path[sizeof s->dir + sizeof p->name + 2];

	if (!p)
		return;
	close_file(s, p);
	if (p->started) {
		if (path_of(s, p->name, path, sizeof path))
			unlink(path);
		s->res.files--;
		s->res.packets -= p->packets;
	}
	forget(s, p);
}

struct sess_sink output_pcap(const char *dir, bool pcapng, void **state,
			     char *err, size_t errsz)
{
	struct sess_sink sk = { 0 };
	struct stat st;

	*state = NULL;
	if (stat(dir, &st) != 0) {
		if (errno != ENOENT || mkdir(dir, 0777) != 0) {
			snprintf(err, errsz, "-w %s: cannot create the directory: %s",
				 dir, strerror(errno));
			return sk;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errsz, "-w %s: not a directory (give a directory "
			 "for the per-leg files)", dir);
		return sk;
	}
	struct psplit *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return sk;
	}
	if ((size_t)snprintf(s->dir, sizeof s->dir, "%s", dir) >= sizeof s->dir) {
		free(s);
		snprintf(err, errsz, "-w: directory name too long");
		return sk;
	}
	s->pcapng = pcapng;
	/* Stay well inside the process's descriptor limit (ulimit -n). */
	s->max_open = PCAP_MAX_OPEN;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 2 * PCAP_MAX_OPEN + PCAP_FD_RESERVE)
		s->max_open = rl.rlim_cur > PCAP_FD_RESERVE + 8 ?
			(unsigned)(rl.rlim_cur - PCAP_FD_RESERVE) / 2 : 4;
	*state = s;
	sk.ctx = s;
	sk.packet = on_packet;
	sk.leg_end = on_leg_end;
	sk.leg_drop = on_leg_drop;
	return sk;
}

void output_pcap_end(void *state, struct pcap_split_result *res)
{
	struct psplit *s = state;

	if (!s)
		return;
	/* Legs never reported (input ended badly): write what is held. */
	struct pleg *p;
	while ((p = (struct pleg *)legmap_pop(&s->legs)) != NULL) {
		write_held(s, p, NULL, 0);
		close_file(s, p);
		free(p->held);
		free(p);
	}
	if (res)
		*res = s->res;
	free(s);
}
