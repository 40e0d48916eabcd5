/* out_transcript.c - the transcript (-T transcript): per leg, the HTTP
 * heads verbatim in `client > proxy` / `proxy > client` blocks, then one
 * line per WebSocket message, then the verdict and notes.
 *
 * Legs run concurrently, so each leg's text is kept until the leg ends
 * (capped per leg; the rest is counted and said to be elided).
 *
 * With --linked, the two legs of one proxy are shown together: both
 * headings, then every head and message of both in time order, each
 * marked with its leg, then both verdicts.  A leg waits for its partner
 * to end; one whose partner never does is shown alone at the end. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "legmap.h"
#include "outputs.h"
#include "render.h"

#define LEG_TEXT_MAX (4u * 1024 * 1024)
#define PREVIEW 200

/* One head or message block of a leg's text, for merging linked legs. */
struct entry {
	double ts;
	size_t off, len;         /* in the leg's text */
};

#define ENTRIES_MAX 200000   /* beyond this, blocks join the last one */

struct leg_text {
	struct legmap_node node; /* first: the id and hash chain (legmap.h) */
	char *text;
	size_t len, cap;
	uint64_t elided;         /* bytes left out beyond LEG_TEXT_MAX */
	struct entry *ents;      /* --linked only */
	size_t n_ents, cap_ents;
	bool done;               /* the leg ended; title and footer below */
	size_t title_off, title_len, footer_off, footer_len;
	uint64_t partner;        /* linked leg id, 0 when none */
	bool client_side;
};

struct transcript {
	struct obuf *o;
	struct output_opts opt;
	struct legmap legs;      /* struct leg_text by leg id */
	struct leg_text *cur;    /* target of `mem` */
	struct obuf mem;         /* renders into cur */
	bool uncapped;           /* headings and verdicts always fit */
};

static void mem_write(void *ctx, const char *p, size_t n)
{
	struct transcript *t = ctx;
	struct leg_text *lt = t->cur;

	if (!t->uncapped && n > LEG_TEXT_MAX - lt->len) {
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
	return (struct leg_text *)legmap_get(&t->legs, id, create,
					     sizeof(struct leg_text));
}

/* Starts a block of a leg's text at capture time ts. */
static struct obuf *begin(struct transcript *t, uint64_t id, double ts)
{
	struct leg_text *lt = find(t, id, true);

	t->cur = lt;
	if (!lt)
		return NULL;
	if (t->opt.linked) {
		if (lt->n_ents == lt->cap_ents && lt->cap_ents < ENTRIES_MAX) {
			size_t nc = lt->cap_ents ? lt->cap_ents * 2 : 64;
			struct entry *ne = realloc(lt->ents, nc * sizeof *ne);
			if (ne) {
				lt->ents = ne;
				lt->cap_ents = nc;
			}
		}
		if (lt->n_ents < lt->cap_ents)
			lt->ents[lt->n_ents++] = (struct entry){ ts, lt->len, 0 };
	}
	return &t->mem;
}

static void end(struct transcript *t)
{
	struct leg_text *lt = t->cur;

	obuf_flush(&t->mem);
	if (t->opt.linked && lt->n_ents)
		lt->ents[lt->n_ents - 1].len = lt->len - lt->ents[lt->n_ents - 1].off;
	t->cur = NULL;
}

static void http_head(void *ctx, const struct leg *l, const struct http_head *h)
{
	struct transcript *t = ctx;
	struct obuf *o = begin(t, l->id, h->ts);

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
	struct obuf *o = begin(t, l->id, m->ts);

	if (!o)
		return;
	render_message_line(o, m, t->opt.hex ? 0 : PREVIEW);
	obuf_putc(o, '\n');
	if (t->opt.hex && m->data)
		render_hexdump(o, m->data, m->data_len, "    ");
	end(t);
}

static void print_title(struct obuf *o, const struct leg *l)
{
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
	if (l->linked)
		obuf_printf(o, " (linked to leg %llu)", (unsigned long long)l->linked);
	obuf_puts(o, " ===\n");
}

static void print_footer(struct obuf *o, const struct leg *l)
{
	obuf_printf(o, "\nverdict of leg %llu: ", (unsigned long long)l->id);
	obuf_puts(o, verdict_code(l->verdict));
	obuf_puts(o, "\n  ");
	esc_term(o, (const uint8_t *)l->explanation, strlen(l->explanation));
	obuf_putc(o, '\n');
	render_notes(o, l, "  ");
}

static void unlink_free(struct transcript *t, struct leg_text *lt)
{
	legmap_remove(&t->legs, &lt->node);
	free(lt->text);
	free(lt->ents);
	free(lt);
}

static void put_elided(struct obuf *o, const struct leg_text *lt)
{
	if (lt->elided)
		obuf_printf(o, "[%llu bytes of leg %llu's transcript elided]\n",
			    (unsigned long long)lt->elided,
			    (unsigned long long)lt->node.id);
}

/* A leg on its own: title, its blocks, its verdict. */
static void print_single(struct transcript *t, struct leg_text *lt)
{
	struct obuf *o = t->o;
	size_t body_end = lt->title_off;

	obuf_put(o, lt->text + lt->title_off, lt->title_len);
	obuf_putc(o, '\n');
	obuf_put(o, lt->text, body_end);
	put_elided(o, lt);
	obuf_put(o, lt->text + lt->footer_off, lt->footer_len);
	obuf_eol(o);
	unlink_free(t, lt);
}

/* Both legs of a proxy: the client's side first, blocks in time order. */
static void print_pair(struct transcript *t, struct leg_text *a,
		       struct leg_text *b)
{
	struct obuf *o = t->o;
	size_t i = 0, j = 0;

	obuf_put(o, a->text + a->title_off, a->title_len);
	obuf_put(o, b->text + b->title_off, b->title_len);
	obuf_putc(o, '\n');
	while (i < a->n_ents || j < b->n_ents) {
		bool take_a = j >= b->n_ents ||
			      (i < a->n_ents && a->ents[i].ts <= b->ents[j].ts);
		struct leg_text *lt = take_a ? a : b;
		struct entry *e = take_a ? &a->ents[i++] : &b->ents[j++];
		size_t end = e->off + e->len;
		if (end > lt->title_off)
			end = lt->title_off; /* cut by the cap */
		if (e->off >= end)
			continue;
		obuf_printf(o, "[leg %llu] ", (unsigned long long)lt->node.id);
		obuf_put(o, lt->text + e->off, end - e->off);
	}
	put_elided(o, a);
	put_elided(o, b);
	obuf_put(o, a->text + a->footer_off, a->footer_len);
	obuf_put(o, b->text + b->footer_off, b->footer_len);
	obuf_eol(o);
	unlink_free(t, a);
	unlink_free(t, b);
}

static void leg_end(void *ctx, const struct leg *l)
{
	struct transcript *t = ctx;
	struct leg_text *lt = find(t, l->id, true);

	if (!lt)
		return;
	/* title and verdict go after the blocks, outside the cap */
	t->uncapped = true;
	t->cur = lt;
	lt->title_off = lt->len;
	print_title(&t->mem, l);
	obuf_flush(&t->mem);
	lt->title_len = lt->len - lt->title_off;
	lt->footer_off = lt->len;
	print_footer(&t->mem, l);
	obuf_flush(&t->mem);
	lt->footer_len = lt->len - lt->footer_off;
	t->uncapped = false;
	t->cur = NULL;
	lt->done = true;
	lt->partner = l->linked;
	lt->client_side = l->link.client_side;

	if (!t->opt.linked || !l->linked) {
		print_single(t, lt);
		return;
	}
	struct leg_text *p = find(t, l->linked, false);
	if (p && p->done)
		lt->client_side ? print_pair(t, lt, p) : print_pair(t, p, lt);
	/* else the partner is still running: wait for it */
}

static int by_id(const void *x, const void *y)
{
	const struct leg_text *a = *(const struct leg_text *const *)x;
	const struct leg_text *b = *(const struct leg_text *const *)y;
	return a->node.id < b->node.id ? -1 : a->node.id > b->node.id;
}

static void finish(void *ctx, const struct sess_stats *st)
{
	struct transcript *t = ctx;
	size_t n = 0;

	/* Legs whose partner never ended (or was not reported): alone, in
	 * id order; legs that never ended were never reported. */
	struct legmap_node *nd = NULL;
	while ((nd = legmap_next(&t->legs, nd)) != NULL)
		n += ((struct leg_text *)nd)->done;
	struct leg_text **waiting = n ? malloc(n * sizeof *waiting) : NULL;
	size_t k = 0;
	while (waiting && (nd = legmap_next(&t->legs, nd)) != NULL)
		if (((struct leg_text *)nd)->done)
			waiting[k++] = (struct leg_text *)nd;
	if (waiting) {
		qsort(waiting, k, sizeof *waiting, by_id);
		for (size_t i = 0; i < k; i++)
			print_single(t, waiting[i]);
		free(waiting);
	}
	obuf_printf(t->o, "%llu legs reported, %llu packets read\n",
		    (unsigned long long)st->legs_reported,
		    (unsigned long long)st->packets);
	struct leg_text *lt;
	while ((lt = (struct leg_text *)legmap_pop(&t->legs)) != NULL) {
		free(lt->text);
		free(lt->ents);
		free(lt);
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
