/* sink_tee.c - one sink that hands every event to two others, so -w
 * (per-leg capture files) works beside any -T format. */
#include <stdlib.h>

#include "outputs.h"

struct tee {
	struct sess_sink a, b;   /* copies; their ctx stay owned by the caller */
};

static void t_head(void *ctx, const struct leg *l, const struct http_head *h)
{
	struct tee *t = ctx;

	if (t->a.http_head)
		t->a.http_head(t->a.ctx, l, h);
	if (t->b.http_head)
		t->b.http_head(t->b.ctx, l, h);
}

static void t_message(void *ctx, const struct leg *l,
		      const struct leg_message *m)
{
	struct tee *t = ctx;

	if (t->a.message)
		t->a.message(t->a.ctx, l, m);
	if (t->b.message)
		t->b.message(t->b.ctx, l, m);
}

static void t_leg_end(void *ctx, const struct leg *l)
{
	struct tee *t = ctx;

	if (t->a.leg_end)
		t->a.leg_end(t->a.ctx, l);
	if (t->b.leg_end)
		t->b.leg_end(t->b.ctx, l);
}

static void t_finish(void *ctx, const struct sess_stats *st)
{
	struct tee *t = ctx;

	if (t->a.finish)
		t->a.finish(t->a.ctx, st);
	if (t->b.finish)
		t->b.finish(t->b.ctx, st);
}

static void t_leg_drop(void *ctx, const struct leg *l)
{
	struct tee *t = ctx;

	if (t->a.leg_drop)
		t->a.leg_drop(t->a.ctx, l);
	if (t->b.leg_drop)
		t->b.leg_drop(t->b.ctx, l);
}

static void t_packet(void *ctx, const struct leg *l,
		     const struct raw_packet *raw)
{
	struct tee *t = ctx;

	if (t->a.packet)
		t->a.packet(t->a.ctx, l, raw);
	if (t->b.packet)
		t->b.packet(t->b.ctx, l, raw);
}

struct sess_sink sink_tee(const struct sess_sink *a, const struct sess_sink *b,
			  void **state)
{
	struct tee *t = calloc(1, sizeof *t);
	struct sess_sink s = { 0 };

	*state = t;
	if (!t)
		return s;
	t->a = *a;
	t->b = *b;
	s.ctx = t;
	/* Only forward the callbacks someone wants: the analyzer skips work
	 * (payload copies, per-packet calls) for NULL ones. */
	if (a->http_head || b->http_head)
		s.http_head = t_head;
	if (a->message || b->message)
		s.message = t_message;
	if (a->leg_end || b->leg_end)
		s.leg_end = t_leg_end;
	if (a->finish || b->finish)
		s.finish = t_finish;
	if (a->packet || b->packet)
		s.packet = t_packet;
	if (a->leg_drop || b->leg_drop)
		s.leg_drop = t_leg_drop;
	s.want_payload = a->want_payload || b->want_payload;
	return s;
}
