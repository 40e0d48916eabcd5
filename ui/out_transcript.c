/* out_transcript.c - the transcript (-T transcript): per leg, the HTTP
 * heads verbatim in `client > proxy` / `proxy > client` blocks, then one
 * line per WebSocket message, then the verdict and notes.
 *
 * Legs run concurrently, so each leg's text is kept until the leg ends
 * (capped per leg; the rest is counted and said to be elided). */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "outputs.h"
#include "render.h"

#define LEG_TEXT_MAX (4u * 1024 * 1024)
#define NBUCKETS 1024
#define PREVIEW 200

struct leg_text {
	struct leg_text *next;
	uint64_t id;
	char *text;
	size_t len, cap;
	uint64_t elided;         /* bytes left out beyond LEG_TEXT_MAX */
};

struct transcript {
	struct obuf *o;
	struct output_opts opt;
	struct leg_text *buckets[NBUCKETS];
	struct leg_text *cur;    /* target of `mem` */
	struct obuf mem;         /* renders into cur */
};

static void mem_write(void *ctx, const char *p, size_t n)
{
	struct transcript *t = ctx;
	struct leg_text *lt = t->cur;

	if (n > LEG_TEXT_MAX - lt->len) {
		lt->elided += n - (LEG_TEXT_MAX - lt->len);
		n = LEG_TEXT_MAX - lt->len;
	}
	if (lt->len + n > lt->cap) {
		size_t nc = lt->cap ? lt->cap : 4096;
		while (nc < lt->len + n)
			nc *= 2;
		char *nt = realloc(lt->text, nc);
		if (!nt) {
			lt->elided += n;
			return;
		}
		lt->text = nt;
		lt->cap = nc;
	}
	memcpy(lt->text + lt->len, p, n);
	lt->len += n;
}

static struct leg_text *find(struct transcript *t, uint64_t id, bool create)
{
	struct leg_text **pp = &t->buckets[id % NBUCKETS];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id)
			return *pp;
	if (!create)
		return NULL;
	struct leg_text *lt = calloc(1, sizeof *lt);
	if (lt) {
		lt->id = id;
		*pp = lt;
	}
	return lt;
}

static struct obuf *begin(struct transcript *t, uint64_t id)
{
	t->cur = find(t, id, true);
	return t->cur ? &t->mem : NULL;
}

static void end(struct transcript *t)
{
	obuf_flush(&t->mem);
	t->cur = NULL;
}

static void http_head(void *ctx, const struct leg *l, const struct http_head *h)
{
	struct transcript *t = ctx;
	struct obuf *o = begin(t, l->id);

	if (!o)
		return;
	obuf_puts(o, render_head_label(l, h->dir));
	obuf_putc(o, '\n');
	render_head(o, h->raw, h->raw_len, h->raw_truncated);
	end(t);
}

static void message(void *ctx, const struct leg *l, const struct leg_message *m)
{
	struct transcript *t = ctx;
	struct obuf *o = begin(t, l->id);

	if (!o)
		return;
	render_message_line(o, m, t->opt.hex ? 0 : PREVIEW);
	obuf_putc(o, '\n');
	if (t->opt.hex && m->data)
		render_hexdump(o, m->data, m->data_len, "    ");
	end(t);
}

static void leg_end(void *ctx, const struct leg *l)
{
	struct transcript *t = ctx;
	struct obuf *o = t->o;
	struct leg_text *lt = find(t, l->id, false);

	obuf_printf(o, "=== leg %llu: ", (unsigned long long)l->id);
	esc_term(o, (const uint8_t *)l->client.text, strlen(l->client.text));
	obuf_puts(o, " > ");
	esc_term(o, (const uint8_t *)l->server.text, strlen(l->server.text));
	obuf_puts(o, " via ");
	obuf_puts(o, via_name(l->via));
	if (l->target[0]) {
		obuf_puts(o, " to ");
		esc_term(o, (const uint8_t *)l->target, strlen(l->target));
	}
	obuf_puts(o, " ===\n\n");
	if (lt) {
		obuf_put(o, lt->text, lt->len);
		if (lt->elided)
			obuf_printf(o, "[%llu bytes of transcript elided]\n",
				    (unsigned long long)lt->elided);
		/* unlink and free */
		struct leg_text **pp = &t->buckets[l->id % NBUCKETS];
		while (*pp != lt)
			pp = &(*pp)->next;
		*pp = lt->next;
		free(lt->text);
		free(lt);
	}
	obuf_puts(o, "\nverdict: ");
	obuf_puts(o, verdict_code(l->verdict));
	obuf_puts(o, "\n  ");
	esc_term(o, (const uint8_t *)l->explanation, strlen(l->explanation));
	obuf_putc(o, '\n');
	render_notes(o, l, "  ");
	obuf_eol(o);
}

static void finish(void *ctx, const struct sess_stats *st)
{
	struct transcript *t = ctx;

	obuf_printf(t->o, "%llu legs reported, %llu packets read\n",
		    (unsigned long long)st->legs_reported,
		    (unsigned long long)st->packets);
	for (size_t i = 0; i < NBUCKETS; i++) {
		struct leg_text *lt = t->buckets[i], *nx;
		for (; lt; lt = nx) {
			nx = lt->next;
			free(lt->text);
			free(lt);
		}
		t->buckets[i] = NULL;
	}
}

struct sess_sink output_transcript(struct obuf *o,
				   const struct output_opts *opt, void **state)
{
	struct transcript *t = calloc(1, sizeof *t);
	struct sess_sink s = { 0 };

	*state = t;
	if (!t)
		return s;
	t->o = o;
	t->opt = *opt;
	obuf_init_fn(&t->mem, mem_write, t);
	s.ctx = t;
	s.http_head = http_head;
	s.message = message;
	s.leg_end = leg_end;
	s.finish = finish;
	s.want_payload = true;
	return s;
}
