/* obuf.h - a buffered output writer: one fixed buffer, written out with
 * fwrite when full or on demand.  Formatting goes straight into it. */
#ifndef WSTAP_OBUF_H
#define WSTAP_OBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OBUF_SIZE (64 * 1024)

struct obuf {
	FILE *f;                 /* borrowed; NULL when `write` is set */
	/* instead of a FILE: where full buffers go (memory targets) */
	void (*write)(void *ctx, const char *p, size_t n);
	void *write_ctx;
	size_t len;
	bool failed;             /* a write failed (disk full, closed pipe) */
	bool line_flush;         /* flush at each obuf_eol (pipes, terminals) */
	/* called before bytes go to f, when set: erases a progress line
	 * from the terminal that f shares with stderr */
	void (*before_write)(void);
	char buf[OBUF_SIZE];
};

void obuf_init(struct obuf *o, FILE *f, bool line_flush);
void obuf_init_fn(struct obuf *o, void (*write)(void *, const char *, size_t),
		  void *ctx);
void obuf_flush(struct obuf *o);
/* Bytes that do not fit in the buffer (obuf.c). */
void obuf_put_slow(struct obuf *o, const void *p, size_t n);

/* The common calls are inline: the writers make millions of small ones
 * (a JSON key, a comma), and an inline obuf_puts of a string literal has
 * its length computed by the compiler. */
static inline void obuf_put(struct obuf *o, const void *p, size_t n)
{
	if (n > OBUF_SIZE - o->len) {
		obuf_put_slow(o, p, n);
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static inline void obuf_puts(struct obuf *o, const char *s)
{
	obuf_put(o, s, strlen(s));
}

static inline void obuf_putc(struct obuf *o, char c)
{
	if (o->len == OBUF_SIZE)
		obuf_flush(o);
	o->buf[o->len++] = c;
}

/* Room for n more bytes (n <= OBUF_SIZE), written out first if need be:
 * the caller writes at most n bytes there and says how many with
 * obuf_commit.  For writers that produce bytes one by one (escaping,
 * base64) without a call per piece. */
char *obuf_reserve(struct obuf *o, size_t n);
void obuf_commit(struct obuf *o, size_t n);
void obuf_printf(struct obuf *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void obuf_u64(struct obuf *o, uint64_t v);
/* v as printf's "%.6f" writes it, without printf's cost in the common
 * case (capture timestamps). */
void obuf_fixed6(struct obuf *o, double v);
/* Ends a record: a newline, then a flush when line_flush is set. */
void obuf_eol(struct obuf *o);

#endif
