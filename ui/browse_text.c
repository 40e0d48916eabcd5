/* browse_text.c - off-screen lines, screens and documents. */
#include "browse_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "escape.h"
#include "obuf.h"
#include "utf8.h"

/* Escaped captured bytes land here first (one UI thread). */
struct esc_buf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void esc_write(void *ctx, const char *p, size_t n)
{
	struct esc_buf *b = ctx;

	if (b->len + n > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		while (nc < b->len + n)
			nc *= 2;
		char *np = realloc(b->p, nc);
		if (!np) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static struct esc_buf ebuf;
static struct obuf eob;

/* The escaped form of p[0..n), valid until the next call. */
static const char *escaped(const uint8_t *p, size_t n, size_t *len)
{
	ebuf.len = 0;
	obuf_init_fn(&eob, esc_write, &ebuf);
	esc_term(&eob, p, n);
	obuf_flush(&eob);
	*len = ebuf.len;
	return ebuf.p ? ebuf.p : "";
}

static int cp_width(uint32_t cp)
{
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

size_t text_fit(const char *s, size_t n, int cols, int *used)
{
	size_t i = 0;
	int w = 0;

	while (i < n) {
		uint8_t c = (uint8_t)s[i];
		uint32_t cp = c;
		size_t len = 1;
		if (c >= 0x80) {
			len = utf8_decode_one((const uint8_t *)s + i, n - i, &cp);
			if (!len)
				len = 1; /* never happens for escaped text */
		}
		int cw = c < 0x80 ? 1 : cp_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		i += len;
	}
	if (used)
		*used = w;
	return i;
}

int text_width(const char *s, size_t n)
{
	int w;

	text_fit(s, n, 1 << 30, &w);
	return w;
}

void bl_init(struct bline *l, int max, enum battr base)
{
	l->len = 0;
	l->width = 0;
	l->max = max;
	l->base = (uint8_t)base;
	l->n_span = 0;
	l->text[0] = 0;
}

static void add_span(struct bline *l, enum battr a, size_t from, size_t to)
{
	if (a == BA_NORMAL || from == to)
		return;
	if (l->n_span > 0) {
		struct bl_span *last = &l->span[l->n_span - 1];
		if (last->attr == a && last->end == from) {
			last->end = (uint16_t)to;
			return;
		}
	}
	if (l->n_span == BL_SPANS)
		return; /* shown in the line's base attribute instead */
	l->span[l->n_span++] = (struct bl_span){ (uint16_t)from, (uint16_t)to,
						  (uint8_t)a };
}

int bl_add(struct bline *l, enum battr a, const char *s, size_t n, bool ellipsis)
{
	int room = l->max - l->width, used;
	size_t take = text_fit(s, n, room, &used);

	if (take < n && ellipsis && room > 0) {
		take = text_fit(s, n, room - 1, &used);
	}
	if (take > BL_BYTES - 1 - l->len - 3)
		take = 0; /* cannot happen within 500 columns */
	size_t from = l->len;
	memcpy(l->text + l->len, s, take);
	l->len += take;
	l->width += used;
	if (take < n && ellipsis && l->width < l->max) {
		l->text[l->len++] = '~';
		l->width++;
	}
	l->text[l->len] = 0;
	add_span(l, a, from, l->len);
	return used;
}

int bl_puts(struct bline *l, enum battr a, const char *s)
{
	return bl_add(l, a, s, strlen(s), false);
}

int bl_printf(struct bline *l, enum battr a, const char *fmt, ...)
{
	char tmp[BL_BYTES];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return bl_add(l, a, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1,
		      false);
}

int bl_esc(struct bline *l, enum battr a, const uint8_t *p, size_t n)
{
	size_t len;

	/* A line shows at most ~500 columns; escaping at most quadruples. */
	if (n > BL_BYTES)
		n = BL_BYTES;
	const char *e = escaped(p, n, &len);
	return bl_add(l, a, e, len, true);
}

void bl_pad(struct bline *l, int col)
{
	static const char sp[] = "                                ";

	if (col > l->max)
		col = l->max;
	while (l->width < col) {
		int k = col - l->width;
		if (k > 32)
			k = 32;
		bl_add(l, BA_NORMAL, sp, (size_t)k, false);
	}
}

void bl_right(struct bline *l, enum battr a, int col, const char *s)
{
	int w = text_width(s, strlen(s));

	bl_pad(l, col - w);
	bl_puts(l, a, s);
}

enum battr bl_attr_at(const struct bline *l, size_t i)
{
	for (int k = 0; k < l->n_span; k++)
		if (i >= l->span[k].start && i < l->span[k].end)
			return (enum battr)l->span[k].attr;
	return (enum battr)l->base;
}

bool bscreen_init(struct bscreen *s, int rows, int cols)
{
	if (rows < 1)
		rows = 1;
	if (cols < 1)
		cols = 1;
	if (cols > 500)
		cols = 500;
	struct bline *nl = realloc(s->line, (size_t)rows * sizeof *nl);
	if (!nl)
		return false;
	s->line = nl;
	s->rows = rows;
	s->cols = cols;
	for (int i = 0; i < rows; i++)
		bl_init(&s->line[i], cols, BA_NORMAL);
	return true;
}

void bscreen_free(struct bscreen *s)
{
	free(s->line);
	s->line = NULL;
}

size_t bscreen_text(const struct bscreen *s, char *out, size_t cap)
{
	size_t o = 0;

	for (int r = 0; r < s->rows; r++) {
		size_t n = s->line[r].len;
		while (n && s->line[r].text[n - 1] == ' ')
			n--;
		if (o + n + 2 > cap)
			break;
		memcpy(out + o, s->line[r].text, n);
		o += n;
		out[o++] = '\n';
	}
	if (o < cap)
		out[o] = 0;
	return o;
}

void bdoc_reset(struct bdoc *d, int width)
{
	d->len = 0;
	d->n = 0;
	d->n_spans = 0;
	d->left_out = 0;
	d->width = width;
}

void bdoc_free(struct bdoc *d)
{
	free(d->buf);
	free(d->lines);
	free(d->spans);
	memset(d, 0, sizeof *d);
}

static bool reserve(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return false;
	*p = np;
	*cap = nc;
	return true;
}

void bdoc_push(struct bdoc *d, const struct bline *l, int tag)
{
	if (d->n >= BDOC_LINES) {
		d->left_out++;
		return;
	}
	if (!reserve((void **)&d->buf, &d->cap, d->len + l->len, 1) ||
	    !reserve((void **)&d->lines, &d->cap_lines, d->n + 1, sizeof *d->lines) ||
	    !reserve((void **)&d->spans, &d->cap_spans,
		     d->n_spans + (size_t)l->n_span, sizeof *d->spans)) {
		d->left_out++;
		return;
	}
	struct bdoc_line *dl = &d->lines[d->n++];
	dl->off = d->len;
	dl->len = l->len;
	dl->span0 = d->n_spans;
	dl->n_span = (size_t)l->n_span;
	dl->base = l->base;
	dl->tag = tag;
	/* memcpy's pointers must be valid even for 0 bytes (C11 7.24.1):
	 * an empty line may have no text or spans (UBSan) */
	if (l->len)
		memcpy(d->buf + d->len, l->text, l->len);
	d->len += l->len;
	if (l->n_span)
		memcpy(d->spans + d->n_spans, l->span,
		       (size_t)l->n_span * sizeof *l->span);
	d->n_spans += (size_t)l->n_span;
}

void bdoc_wrap(struct bdoc *d, enum battr a, int indent, const char *s, size_t n)
{
	bdoc_wrap2(d, a, 0, indent, s, n);
}

void bdoc_wrap2(struct bdoc *d, enum battr a, int first_indent, int indent,
		const char *s, size_t n)
{
	static struct bline l;
	size_t i = 0;

	if (d->width < indent + 8 || d->width < first_indent + 8)
		indent = first_indent = 0;
	for (;;) {
		size_t e = i;
		while (e < n && s[e] != '\n')
			e++;
		bool first = true;
		size_t p = i;
		do {
			int in = first ? first_indent : indent, used;
			int room = d->width - in;
			size_t take = text_fit(s + p, e - p, room, &used);
			bool broke = p + take < e;
			if (broke && s[p + take] != ' ') {
				/* break after the last space when there is one
				 * in the second half of the line */
				size_t k = take;
				while (k > take / 2 && s[p + k - 1] != ' ')
					k--;
				if (k > take / 2)
					take = k;
			}
			if (broke && take == 0)
				take = 1;
			size_t shown = take;
			while (broke && shown > 1 && s[p + shown - 1] == ' ')
				shown--;
			bl_init(&l, d->width, BA_NORMAL);
			bl_pad(&l, in);
			bl_add(&l, a, s + p, shown, false);
			bdoc_push(d, &l, -1);
			p += take;
			/* the spaces at a break are not carried to the next line */
			while (broke && p < e && s[p] == ' ')
				p++;
			first = false;
		} while (p < e);
		if (e >= n)
			break;
		i = e + 1;
	}
}

void bdoc_wrap_esc(struct bdoc *d, enum battr a, int indent,
		   const uint8_t *p, size_t n)
{
	bdoc_wrap_esc2(d, a, 0, indent, p, n);
}

void bdoc_wrap_esc2(struct bdoc *d, enum battr a, int first_indent, int indent,
		    const uint8_t *p, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t e = i;
		while (e < n && p[e] != '\n')
			e++;
		size_t len;
		const char *t = escaped(p + i, e - i, &len);
		bdoc_wrap2(d, a, first_indent, indent, t, len);
		if (e >= n)
			break;
		i = e + 1;
	}
}

void bdoc_get(const struct bdoc *d, size_t i, struct bline *out)
{
	const struct bdoc_line *dl = &d->lines[i];

	bl_init(out, out->max, (enum battr)dl->base);
	size_t n = dl->len < BL_BYTES - 1 ? dl->len : BL_BYTES - 1;
	memcpy(out->text, d->buf + dl->off, n);
	out->len = n;
	out->text[n] = 0;
	out->width = text_width(out->text, n);
	for (size_t k = 0; k < dl->n_span && k < BL_SPANS; k++)
		out->span[k] = d->spans[dl->span0 + k];
	out->n_span = (int)(dl->n_span < BL_SPANS ? dl->n_span : BL_SPANS);
}
