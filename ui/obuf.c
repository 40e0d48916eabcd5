/* obuf.c - buffered output writer. */
#include "obuf.h"
#include "text.h"

#include <stdarg.h>
#include <string.h>

void obuf_init(struct obuf *o, FILE *f, bool line_flush)
{
	o->f = f;
	o->write = NULL;
	o->write_ctx = NULL;
	o->len = 0;
	o->failed = false;
	o->line_flush = line_flush;
	o->before_write = NULL;
}

void obuf_init_fn(struct obuf *o, void (*write)(void *, const char *, size_t),
		  void *ctx)
{
	obuf_init(o, NULL, false);
	o->write = write;
	o->write_ctx = ctx;
}

void obuf_flush(struct obuf *o)
{
	if (o->write) {
		if (o->len)
			o->write(o->write_ctx, o->buf, o->len);
		o->len = 0;
		return;
	}
	if (o->len && o->before_write)
		o->before_write();
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->failed = true;
	o->len = 0;
	if (fflush(o->f) != 0)
		o->failed = true;
}

void obuf_put_slow(struct obuf *o, const void *p, size_t n)
{
	obuf_flush(o);
	if (n > OBUF_SIZE) {
		if (o->write) {
			o->write(o->write_ctx, p, n);
			return;
		}
		if (o->before_write)
			o->before_write();
		if (fwrite(p, 1, n, o->f) != n)
			o->failed = true;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

char *obuf_reserve(struct obuf *o, size_t n)
{
	if (n > OBUF_SIZE - o->len)
		obuf_flush(o);
	return o->buf + o->len;
}

void obuf_commit(struct obuf *o, size_t n)
{
	o->len += n;
}

void obuf_printf(struct obuf *o, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];

	va_start(ap, fmt);
	int n = text_vformat(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* Longer results are cut: callers format bounded pieces only. */
	obuf_put(o, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void obuf_u64(struct obuf *o, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	obuf_put(o, tmp + i, sizeof tmp - i);
}

void obuf_fixed6(struct obuf *o, double v)
{
	/* Below 2^53 / 1e6 the product is within a quarter of a unit of
	 * v's exact value in millionths, so rounding it gives printf's digits
	 * unless that exact value lies near a half: those, negative and
	 * huge values go to printf, which rounds the exact binary value. */
	if (!(v >= 0 && v < 9.0e9)) {
		obuf_printf(o, "%.6f", v);
		return;
	}
	double m = v * 1e6;
	uint64_t k = (uint64_t)m; /* m >= 0: truncation is floor */
	double frac = m - (double)k;
	if (frac > 0.4 && frac < 0.6) {
		obuf_printf(o, "%.6f", v);
		return;
	}
	if (frac >= 0.6)
		k++;
	char tmp[32];
	size_t i = sizeof tmp;
	for (int d = 0; d < 6; d++) {
		tmp[--i] = (char)('0' + k % 10);
		k /= 10;
	}
	tmp[--i] = '.';
	do {
		tmp[--i] = (char)('0' + k % 10);
		k /= 10;
	} while (k);
	obuf_put(o, tmp + i, sizeof tmp - i);
}

void obuf_eol(struct obuf *o)
{
	obuf_putc(o, '\n');
	if (o->line_flush)
		obuf_flush(o);
}
