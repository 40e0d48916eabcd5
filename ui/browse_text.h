/* browse_text.h - off-screen text for the browser: lines measured in
 * terminal columns with attribute spans, screens of such lines, and
 * scrollable documents.  Nothing here knows curses: the browser renders
 * into these and the curses layer only copies them out, so every screen
 * can be tested as plain text.
 *
 * Text added with bl_add is trusted (our own words); captured bytes go
 * through bl_esc, which escapes them (escape.h) first.  A line never
 * grows past its width: what does not fit is dropped and, where the
 * caller asks, marked with an ellipsis.
 */
#ifndef WSTAP_BROWSE_TEXT_H
#define WSTAP_BROWSE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum battr {
	BA_NORMAL,
	BA_TITLE,      /* the top bar */
	BA_HEADER,     /* column headings, section titles */
	BA_SEL,        /* the selected row */
	BA_OK,         /* verdict ok, checks that passed */
	BA_BAD,        /* failed verdicts and checks */
	BA_WARN,       /* incomplete, notes */
	BA_DIM,        /* secondary text */
	BA_HI,         /* interesting headers */
	BA_MATCH,      /* search matches */
	BA_STATUS,     /* the bottom bar */
	BA_COUNT
};

#define BL_BYTES 2048        /* bytes of one line (wide enough for 500 columns) */
#define BL_SPANS 32

struct bl_span {
	uint16_t start, end;     /* byte offsets in text */
	uint8_t attr;
};

struct bline {
	char text[BL_BYTES];
	size_t len;
	int width;               /* columns used */
	int max;                 /* columns available */
	uint8_t base;            /* attribute of the whole line */
	struct bl_span span[BL_SPANS];
	int n_span;
};

void bl_init(struct bline *l, int max, enum battr base);
/* Appends trusted UTF-8 text, cut at the line's width; returns the
 * columns added.  With `ellipsis`, a cut is shown by a final '~'. */
int bl_add(struct bline *l, enum battr a, const char *s, size_t n, bool ellipsis);
int bl_puts(struct bline *l, enum battr a, const char *s);
int bl_printf(struct bline *l, enum battr a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Captured bytes, escaped, then added (cut with an ellipsis). */
int bl_esc(struct bline *l, enum battr a, const uint8_t *p, size_t n);
/* Spaces up to column `col` (no-op when already there). */
void bl_pad(struct bline *l, int col);
/* Right-aligned text ending at column `col`. */
void bl_right(struct bline *l, enum battr a, int col, const char *s);
/* Attribute of the byte at offset i. */
enum battr bl_attr_at(const struct bline *l, size_t i);

/* Columns taken by UTF-8 text (wcwidth; 1 for what it cannot tell). */
int text_width(const char *s, size_t n);
/* Bytes of s that fit in `cols` columns (never splitting a character). */
size_t text_fit(const char *s, size_t n, int cols, int *used);

/* A screen: `rows` lines of `cols` columns. */
struct bscreen {
	int rows, cols;
	struct bline *line;
};

bool bscreen_init(struct bscreen *s, int rows, int cols);
void bscreen_free(struct bscreen *s);
/* The whole screen as text, one '\n' per row, trailing blanks kept off
 * (for tests and for the dump mode). */
size_t bscreen_text(const struct bscreen *s, char *out, size_t cap);

/* A document: many lines, scrolled through a window of the screen.
 * Lines live in one buffer; at most BDOC_LINES are kept, then one line
 * says how many more were left out. */
#define BDOC_LINES 200000

struct bdoc_line {
	size_t off, len;         /* in buf */
	size_t span0, n_span;    /* in spans */
	uint8_t base;
	int tag;                 /* caller's mark (e.g. a message index) */
};

struct bdoc {
	char *buf;
	size_t len, cap;
	struct bdoc_line *lines;
	size_t n, cap_lines;
	struct bl_span *spans;
	size_t n_spans, cap_spans;
	uint64_t left_out;       /* lines beyond BDOC_LINES */
	int width;               /* columns lines were made for */
};

void bdoc_reset(struct bdoc *d, int width);
void bdoc_free(struct bdoc *d);
/* Appends a finished line. */
void bdoc_push(struct bdoc *d, const struct bline *l, int tag);
/* Appends trusted text wrapped at the width, continuation lines indented
 * by `indent` columns; '\n' in the text starts a new line. */
void bdoc_wrap(struct bdoc *d, enum battr a, int indent, const char *s, size_t n);
/* The same with the first line indented by `first_indent` columns. */
void bdoc_wrap2(struct bdoc *d, enum battr a, int first_indent, int indent,
		const char *s, size_t n);
/* Appends captured bytes, escaped, wrapped like bdoc_wrap ('\n' splits
 * lines before escaping). */
void bdoc_wrap_esc(struct bdoc *d, enum battr a, int indent,
		   const uint8_t *p, size_t n);
void bdoc_wrap_esc2(struct bdoc *d, enum battr a, int first_indent, int indent,
		    const uint8_t *p, size_t n);
/* Copies doc line i into a screen line. */
void bdoc_get(const struct bdoc *d, size_t i, struct bline *out);

#endif
