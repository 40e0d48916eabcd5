/* browse_view.c - the browser's state machine and the session list. */
#include "browse_view.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "obuf.h"
#include "outputs.h"

#define MIN_ROWS 10
#define MIN_COLS 40

void bv_init(struct bview *v, struct bstore *s, const char *source,
	     int rows, int cols)
{
	memset(v, 0, sizeof *v);
	v->store = s;
	snprintf(v->source, sizeof v->source, "%s", source ? source : "");
	v->rows = rows;
	v->cols = cols;
	v->rebuild = true;
	v->payload_msg = SIZE_MAX;
}

void bv_free(struct bview *v)
{
	free(v->row);
	free(v->placed);
	bdoc_free(&v->detail);
	bdoc_free(&v->payload);
}

void bv_say(struct bview *v, bool bad, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->status, sizeof v->status, fmt, ap);
	va_end(ap);
	v->status_bad = bad;
}

const char *bv_time(double ts, bool ms, char *buf, size_t cap)
{
	time_t t = (time_t)ts;
	struct tm tm;

	if (ts <= 0 || !localtime_r(&t, &tm)) {
		snprintf(buf, cap, "%s", ms ? "--:--:--.---" : "--:--:--");
		return buf;
	}
	if (ms)
		snprintf(buf, cap, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (int)((ts - (double)t) * 1000) % 1000);
	else
		snprintf(buf, cap, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
	return buf;
}

/* 4 characters at most: 999, 1.2K, 12K, 123K, 1.2M ... */
void bv_size(uint64_t n, char *buf, size_t cap)
{
	static const char units[] = "KMGTP";
	double d = (double)n;
	int u = -1;

	if (n < 1000) {
		snprintf(buf, cap, "%llu", (unsigned long long)n);
		return;
	}
	while (d >= 999.5 && u < 4) {
		d /= 1024;
		u++;
	}
	if (d < 9.95)
		snprintf(buf, cap, "%.1f%c", d, units[u]);
	else
		snprintf(buf, cap, "%.0f%c", d, units[u]);
}

enum battr bv_verdict_attr(const struct bs_leg *bl)
{
	if (!bl->ended)
		return BA_DIM;
	if (bl->verdict == V_OK)
		return BA_OK;
	return bs_verdict_failed(bl->verdict) ? BA_BAD : BA_WARN;
}

static const char *verdict_word(const struct bs_leg *bl)
{
	return bl->ended ? verdict_code(bl->verdict) : "open";
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

bool bv_match(const struct bview *v, const uint8_t *p, size_t n)
{
	size_t k = v->search_len;

	if (!k || !p || n < k)
		return false;
	int first = lower((uint8_t)v->search[0]);
	for (size_t i = 0; i + k <= n; i++) {
		if (lower(p[i]) != first)
			continue;
		size_t j = 1;
		while (j < k && lower(p[i + j]) == lower((uint8_t)v->search[j]))
			j++;
		if (j == k)
			return true;
	}
	return false;
}

/* ---- the session list ------------------------------------------------ */

static int verdict_rank(const struct bs_leg *bl)
{
	if (!bl->ended)
		return 3;
	if (bs_verdict_failed(bl->verdict))
		return 0;
	return bl->verdict == V_OK ? 2 : 1;
}

static enum bv_sort sort_key;
static bool sort_reverse;

static int cmp_legs(const void *a, const void *b)
{
	const struct bs_leg *x = ((const struct bv_row *)a)->leg;
	const struct bs_leg *y = ((const struct bv_row *)b)->leg;
	int c = 0;

	if (sort_key == SORT_VERDICT) {
		c = verdict_rank(x) - verdict_rank(y);
		if (!c)
			c = strcmp(verdict_word(x), verdict_word(y));
	} else if (sort_key == SORT_SIZE) {
		uint64_t sx = x->bytes[0] + x->bytes[1];
		uint64_t sy = y->bytes[0] + y->bytes[1];
		c = sx > sy ? -1 : sx < sy ? 1 : 0; /* biggest first */
	}
	if (!c)
		c = x->first_ts < y->first_ts ? -1 : x->first_ts > y->first_ts;
	if (sort_reverse)
		c = -c;
	if (!c)
		c = x->order < y->order ? -1 : x->order > y->order;
	return c;
}

static void measure(struct bview *v);

static bool grow_rows(struct bview *v, size_t n)
{
	if (n <= v->cap_rows)
		return true;
	size_t nc = v->cap_rows ? v->cap_rows : 256;
	while (nc < n)
		nc *= 2;
	struct bv_row *nr = realloc(v->row, nc * sizeof *nr);
	if (!nr)
		return false;
	v->row = nr;
	v->cap_rows = nc;
	return true;
}

/* Sorts, filters and groups the legs: a linked leg goes right under the
 * first of its pair to appear, and with `f` a pair stays when either of
 * its legs failed (the other side of the proxy is the context). */
static void build_rows(struct bview *v)
{
	size_t n = bs_count(v->store);
	/* Rows that arrive (live, or while a file is read) must not move
	 * the selected leg on the screen: remember its row on screen. */
	bool arrived = !v->rebuild && v->n_rows;
	size_t on_screen = v->sel >= v->top ? v->sel - v->top : 0;

	v->built = bs_version(v->store);
	v->rebuild = false;
	if (!grow_rows(v, n * 2 + 1))
		return;
	if (n > v->cap_placed) {
		uint8_t *np = realloc(v->placed, n);
		if (!np)
			return;
		v->placed = np;
		v->cap_placed = n;
	}
	/* sort all legs into the second half, then place into the first */
	struct bv_row *sorted = v->row + n;
	v->n_failed = 0;
	for (size_t i = 0; i < n; i++) {
		sorted[i].leg = bs_at(v->store, i);
		sorted[i].child = false;
		v->placed[i] = 0;
		if (sorted[i].leg->ended && bs_verdict_failed(sorted[i].leg->verdict))
			v->n_failed++;
	}
	sort_key = v->sort;
	sort_reverse = v->reverse;
	qsort(sorted, n, sizeof *sorted, cmp_legs);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		struct bs_leg *bl = sorted[i].leg;
		if (v->placed[bl->order])
			continue;
		struct bs_leg *mate = bl->linked ? bs_find(v->store, bl->linked) : NULL;
		if (mate && (v->placed[mate->order] || mate == bl))
			mate = NULL;
		if (v->failures_only) {
			bool f = bl->ended && bs_verdict_failed(bl->verdict);
			if (mate)
				f = f || (mate->ended && bs_verdict_failed(mate->verdict));
			if (!f)
				continue;
		}
		v->placed[bl->order] = 1;
		v->row[out++] = (struct bv_row){ bl, false };
		if (mate) {
			v->placed[mate->order] = 1;
			v->row[out++] = (struct bv_row){ mate, true };
		}
	}
	v->n_rows = out;
	/* keep the selected leg selected, or, after End, the last row */
	v->sel = v->sel < out ? v->sel : out ? out - 1 : 0;
	for (size_t i = 0; i < out && v->sel_id && !v->follow; i++)
		if (v->row[i].leg->id == v->sel_id) {
			v->sel = i;
			break;
		}
	if (v->follow && out)
		v->sel = out - 1;
	if (out)
		v->sel_id = v->row[v->sel].leg->id;
	if (arrived && !v->follow) {
		/* the selected leg stays on its screen row; the list still
		 * fills the screen when it can */
		int h = v->rows - 3;
		v->top = v->sel >= on_screen ? v->sel - on_screen : 0;
		if (h > 0 && out > (size_t)h && v->top > out - (size_t)h)
			v->top = out - (size_t)h;
		if (h > 0 && out <= (size_t)h)
			v->top = 0;
	}
	measure(v);
}

static int list_height(const struct bview *v)
{
	return v->rows - 3; /* title, column heads, status */
}

struct cols {
	int id, time, verdict, via, path, msgs, bytes;
	bool ms, short_via;
};

static int digits(uint64_t n)
{
	int d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* Widths the rows' contents need, measured once per rebuild (not per
 * frame: with 10,000 legs that would be most of a frame's work). */
static void measure(struct bview *v)
{
	uint64_t max_id = 1;
	int vw = 7; /* "VERDICT" */
	int mw = 4, bw = 5;
	char a[16], b[16];

	for (size_t i = 0; i < v->n_rows; i++) {
		const struct bs_leg *bl = v->row[i].leg;
		if (bl->id > max_id)
			max_id = bl->id;
		int w = (int)strlen(verdict_word(bl));
		if (w > vw)
			vw = w;
		int m = digits(bl->msgs[0]) + 1 + digits(bl->msgs[1]);
		if (m > mw)
			mw = m;
		bv_size(bl->bytes[0], a, sizeof a);
		bv_size(bl->bytes[1], b, sizeof b);
		int bb = (int)(strlen(a) + 1 + strlen(b));
		if (bb > bw)
			bw = bb;
	}
	v->w_id = digits(max_id);
	v->w_verdict = vw;
	v->w_msgs = mw;
	v->w_bytes = bw;
}

/* Column widths from the terminal's width and what the rows hold. */
static void layout(const struct bview *v, struct cols *c)
{
	c->id = v->w_id + 1; /* room for the group mark */
	if (c->id < 3)
		c->id = 3;
	c->ms = v->cols >= 120;
	c->time = c->ms ? 12 : 8;
	c->verdict = v->w_verdict;
	c->short_via = v->cols < 100;
	c->via = c->short_via ? 4 : 7;
	c->msgs = v->w_msgs;
	c->bytes = v->w_bytes;
	c->path = v->cols - (c->id + 1 + c->time + 1 + c->verdict + 1 + c->via +
			      1 + 1 + c->msgs + 1 + c->bytes + 1);
	if (c->path < 10)
		c->path = 10;
}

static const char *via_short(enum via w)
{
	switch (w) {
	case VIA_CONNECT: return "conn";
	case VIA_FORWARD: return "fwd";
	case VIA_REVERSE: return "rev";
	default: return "dir";
	}
}

/* client → proxy → target, shortened from the left when it must be:
 * the proxy and the target say more than the client's port. */
static void path_cell(struct bline *l, const struct bs_leg *bl, bool child,
		      int width)
{
	static const char arrow[] = " \xe2\x86\x92 "; /* → */
	char full[512];
	bool proxy = bl->via == VIA_CONNECT || bl->via == VIA_FORWARD;
	int n;

	if (proxy && bl->target[0])
		n = snprintf(full, sizeof full, "%s%s%s%s%s", bl->client, arrow,
			     bl->server, arrow, bl->target);
	else if (bl->target[0] && strcmp(bl->target, bl->server) != 0)
		n = snprintf(full, sizeof full, "%s%s%s%s%s", bl->client, arrow,
			     bl->server, arrow, bl->target);
	else
		n = snprintf(full, sizeof full, "%s%s%s", bl->client, arrow,
			     bl->server);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof full ? (size_t)n : sizeof full - 1;
	int start = l->width;
	if (child) {
		bl_puts(l, BA_DIM, "\xe2\x94\x94 "); /* └ */
		width -= 2;
	}
	const char *p = full;
	if (text_width(full, len) > width && (proxy || bl->target[0])) {
		/* first drop the client: "~proxy → target" */
		const char *s = strstr(full, arrow);
		if (s) {
			p = s + strlen(arrow);
			len -= (size_t)(p - full);
		}
	}
	/* client, server and target are captured text: escape them */
	struct bline tmp;
	bl_init(&tmp, 500, BA_NORMAL);
	bl_esc(&tmp, BA_NORMAL, (const uint8_t *)p, len);
	const char *t = tmp.text;
	size_t tl = tmp.len;
	if (p != full || tmp.width > width) {
		/* then cut from the left: the target stays whole */
		bl_puts(l, BA_DIM, "~");
		width--;
		while (tl && text_width(t, tl) > width) {
			t++;
			tl--;
			while (tl && ((uint8_t)*t & 0xc0) == 0x80) {
				t++;
				tl--;
			}
		}
	}
	bl_add(l, BA_NORMAL, t, tl, false);
	bl_pad(l, start + width + (child ? 2 : 0));
}

static void list_row(const struct bview *v, const struct cols *c,
		     struct bline *l, const struct bs_leg *bl, bool child,
		     bool sel)
{
	char buf[64], a[16], b[16];
	int col = 0;

	bl_init(l, v->cols, sel ? BA_SEL : BA_NORMAL);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)bl->id);
	bl_right(l, BA_NORMAL, c->id, buf);
	col += c->id + 1;
	bl_pad(l, col);
	bl_puts(l, BA_NORMAL, bv_time(bl->first_ts, c->ms, buf, sizeof buf));
	col += c->time + 1;
	bl_pad(l, col);
	bl_puts(l, sel ? BA_SEL : bv_verdict_attr(bl), verdict_word(bl));
	col += c->verdict + 1;
	bl_pad(l, col);
	bl_puts(l, BA_NORMAL, c->short_via ? via_short(bl->via) : via_name(bl->via));
	col += c->via + 1;
	bl_pad(l, col);
	path_cell(l, bl, child, c->path);
	col += c->path + 1;
	snprintf(buf, sizeof buf, "%llu/%llu", (unsigned long long)bl->msgs[0],
		 (unsigned long long)bl->msgs[1]);
	bl_right(l, BA_NORMAL, col + c->msgs, buf);
	col += c->msgs + 1;
	bv_size(bl->bytes[0], a, sizeof a);
	bv_size(bl->bytes[1], b, sizeof b);
	snprintf(buf, sizeof buf, "%s/%s", a, b);
	bl_right(l, BA_NORMAL, col + c->bytes, buf);
	if (sel)
		bl_pad(l, v->cols);
}

static const char *sort_name(enum bv_sort s)
{
	return s == SORT_VERDICT ? "verdict" : s == SORT_SIZE ? "size" : "time";
}

static void title_bar(struct bview *v, struct bline *l)
{
	size_t n = bs_count(v->store);

	bl_init(l, v->cols, BA_TITLE);
	bl_puts(l, BA_TITLE, " wstap ");
	bl_esc(l, BA_TITLE, (const uint8_t *)v->source, strlen(v->source));
	bl_printf(l, BA_TITLE, "  %zu leg%s, %zu failed", n, n == 1 ? "" : "s",
		  v->n_failed);
	if (v->live)
		bl_puts(l, BA_TITLE, v->reading ? ", capturing" : ", capture stopped");
	else if (v->reading)
		bl_printf(l, BA_TITLE, ", reading (%llu packets)",
			  (unsigned long long)v->packets);
	/* The store's own caps (legs kept, bytes in all) cut whole legs or
	 * payloads out of the browser: say so where every screen shows it
	 * (docs/caps.md); the per-leg caps are noted in the leg's view. */
	const struct bs_stats *bst = bs_stats(v->store);
	if (bst->legs_dropped || bst->total_cap_hits)
		bl_puts(l, BA_TITLE, ", store cap hit: not all kept");
	char right[64];
	snprintf(right, sizeof right, "%ssort %s%s%s ",
		 v->follow && v->reading ? "follow  " : "", sort_name(v->sort),
		 v->reverse ? " (rev)" : "", v->failures_only ? "  failures" : "");
	if (l->width + 2 + text_width(right, strlen(right)) <= v->cols)
		bl_right(l, BA_TITLE, v->cols, right);
	bl_pad(l, v->cols);
}

static void render_list(struct bview *v, struct bscreen *scr)
{
	struct cols c;
	int h = list_height(v);

	layout(v, &c);
	title_bar(v, &scr->line[0]);
	struct bline *hd = &scr->line[1];
	bl_init(hd, v->cols, BA_HEADER);
	bl_right(hd, BA_HEADER, c.id, "#");
	bl_pad(hd, c.id + 1);
	bl_puts(hd, BA_HEADER, "TIME");
	int col = c.id + 1 + c.time + 1;
	bl_pad(hd, col);
	bl_puts(hd, BA_HEADER, "VERDICT");
	col += c.verdict + 1;
	bl_pad(hd, col);
	bl_puts(hd, BA_HEADER, "VIA");
	col += c.via + 1;
	bl_pad(hd, col);
	bl_puts(hd, BA_HEADER, "CLIENT \xe2\x86\x92 PROXY \xe2\x86\x92 TARGET");
	col += c.path + 1;
	bl_right(hd, BA_HEADER, col + c.msgs, "MSGS");
	col += c.msgs + 1;
	bl_right(hd, BA_HEADER, col + c.bytes, "BYTES");
	bl_pad(hd, v->cols);

	if (v->sel < v->top)
		v->top = v->sel;
	if (h > 0 && v->sel >= v->top + (size_t)h)
		v->top = v->sel - (size_t)h + 1;
	for (int r = 0; r < h; r++) {
		size_t i = v->top + (size_t)r;
		struct bline *l = &scr->line[2 + r];
		if (i >= v->n_rows) {
			bl_init(l, v->cols, BA_NORMAL);
			if (r == 0) {
				bl_puts(l, BA_DIM, v->failures_only ?
					"  no failed legs (f shows all)" :
					v->reading ? "  no legs yet" :
					"  no WebSocket or proxy legs in this capture");
			}
			continue;
		}
		list_row(v, &c, l, v->row[i].leg, v->row[i].child, i == v->sel);
	}
}

/* ---- the bottom line ------------------------------------------------- */

/* Key hints, as many whole ones as fit in `cols` columns. */
static void hints(struct bline *l, const char *const *h, size_t n, int cols)
{
	for (size_t i = 0; i < n; i++) {
		int w = text_width(h[i], strlen(h[i])) + (i ? 2 : 0);
		if (l->width + w > cols)
			break;
		bl_puts(l, BA_STATUS, i ? "  " : "");
		bl_puts(l, BA_STATUS, h[i]);
	}
}

static void status_bar(struct bview *v, struct bline *l)
{
	static const char *const list_keys[] = {
		"Enter open", "q quit", "f failures", "s sort", "/ search",
		"x export", "? help",
	};
	static const char *const leg_keys[] = {
		"Tab pane", "q back", "l linked", "v view", "/ search",
		"x export", "? help",
	};
	char live[192] = "", name[32];
	int lw = 0;

	/* Live: the interface's figures at the right, on every screen. */
	if (v->live) {
		/* the interface's name is the user's or the kernel's, not
		 * captured bytes, but it is printable ASCII all the same */
		size_t i = 0;
		for (; v->source[i] && i < sizeof name - 1; i++)
			name[i] = v->source[i] > 0x20 && v->source[i] < 0x7f ?
				  v->source[i] : '?';
		name[i] = 0;
		snprintf(live, sizeof live, "%s %s: %llu packets, %llu dropped ",
			 v->reading ? "live" : "stopped", name,
			 (unsigned long long)v->packets,
			 (unsigned long long)v->drops);
		lw = text_width(live, strlen(live)) + 2;
		if (lw > v->cols / 2)
			lw = 0; /* too narrow: the keys matter more */
	}
	bl_init(l, v->cols, BA_STATUS);
	if (v->prompt) {
		lw = 0;
		const char *what = v->prompt == PROMPT_SEARCH ? "/" : "export to: ";
		bl_puts(l, BA_STATUS, what);
		/* the user's own typing, escaped all the same */
		bl_esc(l, BA_STATUS, (const uint8_t *)v->input, v->input_len);
		bl_puts(l, BA_STATUS, "_");
	} else if (v->status[0]) {
		bl_puts(l, v->status_bad ? BA_BAD : BA_STATUS, v->status);
		if (l->width + lw > v->cols)
			lw = 0;
	} else if (v->help) {
		bl_puts(l, BA_STATUS, "Esc/q/? close help  j/k scroll");
	} else if (!v->live) {
		/* the file browser's line, as it always read */
		bl_puts(l, BA_STATUS, v->screen == BV_LIST ?
			"Enter open  f failures  s sort  / search  x export  "
			"? help  q quit" :
			"Tab pane  l linked  v view  / search  x export  "
			"? help  q back");
	} else if (v->screen == BV_LIST) {
		hints(l, list_keys, sizeof list_keys / sizeof *list_keys,
		      v->cols - lw);
	} else {
		hints(l, leg_keys, sizeof leg_keys / sizeof *leg_keys,
		      v->cols - lw);
	}
	if (lw)
		bl_right(l, v->drops ? BA_BAD : BA_STATUS, v->cols, live);
	bl_pad(l, v->cols);
}

/* ---- help ------------------------------------------------------------ */

static void render_doc(struct bscreen *scr, const struct bdoc *d, int from,
		       int height, size_t *top)
{
	if (d->n > (size_t)height && *top > d->n - (size_t)height)
		*top = d->n - (size_t)height;
	if (d->n <= (size_t)height)
		*top = 0;
	for (int r = 0; r < height; r++) {
		struct bline *l = &scr->line[from + r];
		bl_init(l, scr->cols, BA_NORMAL);
		if (*top + (size_t)r < d->n)
			bdoc_get(d, *top + (size_t)r, l);
	}
}

static void render_help(struct bview *v, struct bscreen *scr)
{
	struct bdoc d = { 0 };

	bdoc_reset(&d, v->cols);
	bv_help_doc(&d);
	struct bline *t = &scr->line[0];
	bl_init(t, v->cols, BA_TITLE);
	bl_puts(t, BA_TITLE, " wstap: keys");
	bl_pad(t, v->cols);
	render_doc(scr, &d, 1, v->rows - 2, &v->help_top);
	bdoc_free(&d);
}

/* ---- the leg screens ------------------------------------------------- */

static int split_row(const struct bview *v)
{
	/* messages get ~40% of the body, the payload the rest */
	int body = v->rows - 2;
	int m = body * 2 / 5;
	return m < 4 ? 4 : m;
}

static void leg_title(struct bview *v, struct bline *l)
{
	struct bs_leg *bl = v->leg;

	bl_init(l, v->cols, BA_TITLE);
	bl_printf(l, BA_TITLE, " leg %llu  ", (unsigned long long)bl->id);
	bl_puts(l, bv_verdict_attr(bl) == BA_BAD ? BA_BAD : BA_TITLE,
		verdict_word(bl));
	bl_puts(l, BA_TITLE, "  ");
	bl_puts(l, BA_TITLE, via_name(bl->via));
	bl_puts(l, BA_TITLE, "  ");
	int w = v->cols - l->width - 12; /* room for "[messages] " */
	struct bline tmp;
	bl_init(&tmp, w > 10 ? w : 10, BA_NORMAL);
	path_cell(&tmp, bl, false, w > 10 ? w : 10);
	size_t n = tmp.len;
	while (n && tmp.text[n - 1] == ' ')
		n--;
	bl_add(l, BA_TITLE, tmp.text, n, false);
	static const char *const names[] = { "detail", "messages", "payload" };
	char right[48];
	snprintf(right, sizeof right, "[%s] ", names[v->pane]);
	if (l->width + 1 + (int)strlen(right) <= v->cols)
		bl_right(l, BA_TITLE, v->cols, right);
	bl_pad(l, v->cols);
}

static void render_leg(struct bview *v, struct bscreen *scr)
{
	int body = v->rows - 2;

	leg_title(v, &scr->line[0]);
	if (v->pane == PANE_DETAIL) {
		bv_build_detail(v);
		render_doc(scr, &v->detail, 1, body, &v->detail_top);
		return;
	}
	int m = split_row(v);
	bv_render_messages(v, scr, 1, m);
	bv_build_payload(v);
	struct bline *sep = &scr->line[1 + m];
	bl_init(sep, v->cols, BA_HEADER);
	if (v->leg->n_msg) {
		const struct bs_msg *k = &v->leg->msg[v->msg_sel];
		static const char *const mode[] = { "auto", "text", "hex", "json" };
		char sz[16];
		bv_size(k->length, sz, sizeof sz);
		bl_printf(sep, BA_HEADER, " message %zu/%zu  %s %s  %s bytes  view: %s",
			  v->msg_sel + 1, v->leg->n_msg, k->dir == DIR_CLIENT ?
			  "client \xe2\x86\x92 server" : "server \xe2\x86\x92 client",
			  opcode_name(k->opcode), sz, mode[v->shown_mode]);
		if (v->pane == PANE_PAYLOAD)
			bl_puts(sep, BA_HEADER, " *");
	} else {
		bl_puts(sep, BA_HEADER, " no messages");
	}
	bl_pad(sep, v->cols);
	int ph = body - m - 1;
	render_doc(scr, &v->payload, 2 + m, ph, &v->payload_top);
	/* search matches lit up in the visible payload lines */
	for (int r = 0; r < ph && v->search_len; r++) {
		struct bline *l = &scr->line[2 + m + r];
		for (size_t i = 0; i + v->search_len <= l->len; i++) {
			if (!bv_match(v, (const uint8_t *)l->text + i, v->search_len))
				continue;
			if (l->n_span < BL_SPANS) {
				memmove(l->span + 1, l->span,
					(size_t)l->n_span * sizeof *l->span);
				l->span[0] = (struct bl_span){ (uint16_t)i,
					(uint16_t)(i + v->search_len), BA_MATCH };
				l->n_span++;
			}
			i += v->search_len - 1;
		}
	}
}

void bv_render(struct bview *v, struct bscreen *scr)
{
	if (!bscreen_init(scr, v->rows, v->cols))
		return;
	if (v->rows < MIN_ROWS || v->cols < MIN_COLS) {
		bl_printf(&scr->line[0], BA_BAD, "terminal too small: %dx%d, "
			  "need %dx%d", v->cols, v->rows, MIN_COLS, MIN_ROWS);
		return;
	}
	if (v->rebuild || v->built != bs_version(v->store))
		build_rows(v);
	if (v->help)
		render_help(v, scr);
	else if (v->screen == BV_LEG && v->leg)
		render_leg(v, scr);
	else
		render_list(v, scr);
	status_bar(v, &scr->line[v->rows - 1]);
}

void bv_resize(struct bview *v, int rows, int cols)
{
	v->rows = rows;
	v->cols = cols > 500 ? 500 : cols;
	v->detail_width = 0; /* documents re-wrap */
	v->payload_width = 0;
}

/* ---- keys to commands ------------------------------------------------ */

enum bcmd bv_command(struct bview *v, int key)
{
	if (key == BK_RESIZE)
		return CMD_RESIZE;
	if (v->prompt) {
		switch (key) {
		case BK_ENTER: case '\r': return CMD_PROMPT_DONE;
		case BK_ESC: return CMD_PROMPT_CANCEL;
		case BK_BACKSPACE: case 8: return CMD_PROMPT_ERASE;
		default:
			if (key >= 0x20 && key < 0x100 && key != 0x7f) {
				v->prompt_char = key;
				return CMD_PROMPT_CHAR;
			}
			return CMD_NONE;
		}
	}
	switch (key) {
	case BK_UP: case 'k': case BK_WHEEL_UP: return CMD_UP;
	case BK_DOWN: case 'j': case BK_WHEEL_DOWN: return CMD_DOWN;
	case BK_PGUP: case 'b': case 2: return CMD_PGUP;           /* ^B */
	case BK_PGDN: case ' ': case 6: return CMD_PGDN;           /* ^F */
	case BK_HOME: case 'g': return CMD_HOME;
	case BK_END: case 'G': return CMD_END;
	case BK_ENTER: case '\r': case BK_RIGHT: return CMD_OPEN;
	case BK_TAB: return CMD_NEXT_PANE;
	case BK_BTAB: return CMD_PREV_PANE;
	case BK_ESC: case 'q': case BK_LEFT: return CMD_BACK;
	case 'Q': return CMD_QUIT;
	case '?': case 'h': return CMD_HELP;
	case 'f': return CMD_FAILURES;
	case 's': return CMD_SORT;
	case 'r': return CMD_REVERSE;
	case '/': return CMD_SEARCH;
	case 'n': return CMD_FIND_NEXT;
	case 'N': return CMD_FIND_PREV;
	case 'l': case 'L': return CMD_LINKED;
	case 'v': return CMD_VIEW_MODE;
	case 'x': return CMD_EXPORT;
	case 12: return CMD_REDRAW;                                /* ^L */
	case BK_CLICK: return CMD_CLICK;
	default: return CMD_NONE;
	}
}

/* ---- acting on commands ---------------------------------------------- */

static void open_leg(struct bview *v, struct bs_leg *bl)
{
	v->leg = bl;
	v->screen = BV_LEG;
	v->follow = false; /* back on the list, this leg stays selected */
	v->pane = PANE_DETAIL;
	v->detail_top = 0;
	v->detail_width = 0;
	v->msg_sel = 0;
	v->msg_top = 0;
	v->payload_top = 0;
	v->payload_msg = SIZE_MAX;
	v->mode = MODE_AUTO;
}

static void select_leg(struct bview *v, uint64_t id)
{
	for (size_t i = 0; i < v->n_rows; i++)
		if (v->row[i].leg->id == id) {
			v->sel = i;
			v->sel_id = id;
			v->follow = false;
			return;
		}
}

static size_t step(size_t cur, size_t n, long delta)
{
	if (!n)
		return 0;
	if (delta < 0 && (size_t)-delta > cur)
		return 0;
	size_t t = (size_t)((long)cur + delta);
	return t >= n ? n - 1 : t;
}

static bool leg_matches(const struct bview *v, const struct bs_leg *bl)
{
	/* each head and payload on its own: no match across two */
	for (size_t i = 0; i < bl->n_heads; i++)
		if (bv_match(v, bl->heads[i].raw, bl->heads[i].len))
			return true;
	for (size_t i = 0; i < bl->n_msg; i++)
		if (bv_match(v, bl->msg[i].data, bl->msg[i].len) ||
		    bv_match(v, bl->msg[i].reason, bl->msg[i].reason_len))
			return true;
	return false;
}

/* n/N: in the list the next leg with a match in its heads or payloads;
 * in a leg the next message whose payload matches. */
static void find(struct bview *v, int dir)
{
	if (!v->search_len) {
		bv_say(v, true, "no search yet: / starts one");
		return;
	}
	if (v->screen == BV_LIST) {
		size_t n = v->n_rows;
		for (size_t k = 1; k <= n; k++) {
			size_t i = dir > 0 ? (v->sel + k) % n : (v->sel + n - k % n) % n;
			if (leg_matches(v, v->row[i].leg)) {
				v->sel = i;
				v->sel_id = v->row[i].leg->id;
				v->follow = false;
				bv_say(v, false, "found in leg %llu%s",
				       (unsigned long long)v->row[i].leg->id,
				       k == n ? " (the only one)" : "");
				return;
			}
		}
		bv_say(v, true, "not found in any leg's kept bytes");
		return;
	}
	struct bs_leg *bl = v->leg;
	size_t n = bl->n_msg;
	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (v->msg_sel + k) % n : (v->msg_sel + n - k % n) % n;
		const struct bs_msg *m = &bl->msg[i];
		if (bv_match(v, m->data, m->len)) {
			bool wrapped = dir > 0 ? i <= v->msg_sel : i >= v->msg_sel;
			v->msg_sel = i;
			if (v->pane == PANE_DETAIL)
				v->pane = PANE_MESSAGES;
			bv_say(v, false, "message %zu%s", i + 1,
			       wrapped ? " (wrapped)" : "");
			return;
		}
	}
	bv_say(v, true, "not found in this leg's messages");
}

static void move(struct bview *v, long delta, bool to_end)
{
	int page = v->rows - 3;

	if (delta == 2)
		delta = page;
	if (delta == -2)
		delta = -page;
	if (v->help) {
		v->help_top = to_end ? (delta < 0 ? 0 : SIZE_MAX / 2) :
			      step(v->help_top, SIZE_MAX / 2, delta);
		return;
	}
	if (v->screen == BV_LIST) {
		/* End: follow the last row as rows arrive; any other move
		 * stops following */
		v->follow = to_end && delta > 0;
		if (to_end)
			v->sel = delta < 0 ? 0 : v->n_rows ? v->n_rows - 1 : 0;
		else
			v->sel = step(v->sel, v->n_rows, delta);
		if (v->n_rows)
			v->sel_id = v->row[v->sel].leg->id;
		return;
	}
	/* Documents are (re)built when drawn, possibly after this key:
	 * scroll freely here, render_doc clamps to the document. */
	if (v->pane == PANE_DETAIL) {
		v->detail_top = to_end ? (delta < 0 ? 0 : SIZE_MAX / 2) :
				step(v->detail_top, SIZE_MAX / 2, delta);
	} else if (v->pane == PANE_MESSAGES) {
		size_t n = v->leg->n_msg;
		v->msg_sel = to_end ? (delta < 0 ? 0 : n ? n - 1 : 0) :
			     step(v->msg_sel, n, delta);
	} else {
		v->payload_top = to_end ? (delta < 0 ? 0 : SIZE_MAX / 2) :
				 step(v->payload_top, SIZE_MAX / 2, delta);
	}
}

static void prompt_open(struct bview *v, enum bv_prompt p)
{
	v->prompt = p;
	v->input_len = 0;
	v->input[0] = 0;
	if (p == PROMPT_EXPORT) {
		struct bs_leg *bl = v->screen == BV_LEG ? v->leg :
				    v->n_rows ? v->row[v->sel].leg : NULL;
		if (!bl) {
			v->prompt = PROMPT_NONE;
			bv_say(v, true, "no leg to export");
			return;
		}
		v->export_id = bl->id;
		int n = snprintf(v->input, sizeof v->input, "wstap-leg-%llu.txt",
				 (unsigned long long)bl->id);
		v->input_len = n > 0 ? (size_t)n : 0;
	}
}

static int prompt_done(struct bview *v)
{
	enum bv_prompt p = v->prompt;

	v->prompt = PROMPT_NONE;
	v->input[v->input_len] = 0;
	if (p == PROMPT_EXPORT) {
		if (!v->input_len) {
			bv_say(v, true, "export cancelled: no file name");
			return 0;
		}
		return BV_EXPORT;
	}
	if (!v->input_len) /* an empty search repeats the last one */
		return v->search_len ? (find(v, 1), 0) : 0;
	memcpy(v->search, v->input, v->input_len + 1);
	v->search_len = v->input_len;
	find(v, 1);
	return 0;
}

int bv_apply(struct bview *v, enum bcmd c)
{
	if (c != CMD_NONE && c != CMD_RESIZE && c != CMD_PROMPT_CHAR &&
	    c != CMD_PROMPT_ERASE)
		v->status[0] = 0;
	switch (c) {
	case CMD_NONE: case CMD_RESIZE: return 0;
	case CMD_UP: move(v, -1, false); return 0;
	case CMD_DOWN: move(v, 1, false); return 0;
	case CMD_PGUP: move(v, -2, false); return 0;
	case CMD_PGDN: move(v, 2, false); return 0;
	case CMD_HOME: move(v, -1, true); return 0;
	case CMD_END: move(v, 1, true); return 0;
	case CMD_REDRAW: return BV_REDRAW;
	case CMD_QUIT: return BV_QUIT;
	case CMD_HELP:
		v->help = !v->help;
		v->help_top = 0;
		return 0;
	case CMD_BACK:
		if (v->help) {
			v->help = false;
			return 0;
		}
		if (v->screen == BV_LEG) {
			if (v->pane != PANE_DETAIL) {
				v->pane = PANE_DETAIL;
				return 0;
			}
			v->screen = BV_LIST;
			select_leg(v, v->leg->id);
			return 0;
		}
		return BV_QUIT;
	default:
		break;
	}
	if (v->help && c != CMD_PROMPT_CHAR)
		v->help = false;
	switch (c) {
	case CMD_OPEN:
		if (v->screen == BV_LIST) {
			if (v->n_rows)
				open_leg(v, v->row[v->sel].leg);
		} else if (v->pane == PANE_DETAIL) {
			v->pane = PANE_MESSAGES;
		} else if (v->pane == PANE_MESSAGES) {
			v->pane = PANE_PAYLOAD;
		}
		return 0;
	case CMD_NEXT_PANE:
	case CMD_PREV_PANE:
		if (v->screen == BV_LIST) {
			if (v->n_rows)
				open_leg(v, v->row[v->sel].leg);
			return 0;
		}
		v->pane = (enum bv_pane)((v->pane + (c == CMD_NEXT_PANE ? 1 : 2)) % 3);
		return 0;
	case CMD_FAILURES:
		v->failures_only = !v->failures_only;
		v->rebuild = true;
		if (v->screen == BV_LEG)
			v->screen = BV_LIST;
		bv_say(v, false, v->failures_only ? "showing failed legs only "
		       "(and their linked legs); f shows all" : "showing all legs");
		return 0;
	case CMD_SORT:
		v->sort = (enum bv_sort)((v->sort + 1) % 3);
		v->rebuild = true;
		bv_say(v, false, "sorted by %s", sort_name(v->sort));
		return 0;
	case CMD_REVERSE:
		v->reverse = !v->reverse;
		v->rebuild = true;
		return 0;
	case CMD_SEARCH: prompt_open(v, PROMPT_SEARCH); return 0;
	case CMD_EXPORT: prompt_open(v, PROMPT_EXPORT); return 0;
	case CMD_FIND_NEXT: find(v, 1); return 0;
	case CMD_FIND_PREV: find(v, -1); return 0;
	case CMD_LINKED: {
		struct bs_leg *cur = v->screen == BV_LEG ? v->leg :
				     v->n_rows ? v->row[v->sel].leg : NULL;
		struct bs_leg *mate = cur && cur->linked ?
				      bs_find(v->store, cur->linked) : NULL;
		if (!mate) {
			bv_say(v, true, "this leg is not linked to another");
			return 0;
		}
		select_leg(v, mate->id);
		open_leg(v, mate);
		return 0;
	}
	case CMD_VIEW_MODE:
		v->mode = (enum bv_mode)((v->mode + 1) % 4);
		v->payload_msg = SIZE_MAX;
		if (v->screen == BV_LEG && v->pane == PANE_DETAIL)
			v->pane = PANE_PAYLOAD;
		return 0;
	case CMD_CLICK:
		if (v->screen == BV_LIST && v->click_row >= 2) {
			size_t i = v->top + (size_t)(v->click_row - 2);
			if (i < v->n_rows) {
				v->sel = i;
				v->sel_id = v->row[i].leg->id;
				v->follow = false;
			}
		} else if (v->screen == BV_LEG && v->pane != PANE_DETAIL &&
			   v->click_row >= 2 && v->click_row < 1 + split_row(v)) {
			size_t i = v->msg_top + (size_t)(v->click_row - 2);
			if (i < v->leg->n_msg) {
				v->msg_sel = i;
				v->pane = PANE_MESSAGES;
			}
		}
		return 0;
	case CMD_PROMPT_CHAR:
		if (v->input_len + 1 < sizeof v->input &&
		    (v->prompt != PROMPT_SEARCH || v->input_len + 1 < sizeof v->search))
			v->input[v->input_len++] = (char)v->prompt_char;
		v->input[v->input_len] = 0;
		return 0;
	case CMD_PROMPT_ERASE:
		if (v->input_len)
			v->input_len--;
		/* drop a whole UTF-8 sequence */
		while (v->input_len && ((uint8_t)v->input[v->input_len] & 0xc0) == 0x80)
			v->input_len--;
		v->input[v->input_len] = 0;
		return 0;
	case CMD_PROMPT_CANCEL:
		v->prompt = PROMPT_NONE;
		return 0;
	case CMD_PROMPT_DONE:
		return prompt_done(v);
	default:
		return 0;
	}
}

int bv_key(struct bview *v, int key)
{
	return bv_apply(v, bv_command(v, key));
}

/* ---- export ---------------------------------------------------------- */

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

bool bv_export(struct bstore *s, const struct bs_leg *bl, const char *path,
	       char *msg, size_t msg_cap)
{
	bool jsonl = ends_with(path, ".jsonl") || ends_with(path, ".json");
	bool har = ends_with(path, ".har");

	if (ends_with(path, ".pcap") || ends_with(path, ".pcapng")) {
		/* The browser keeps messages, not packets. */
		snprintf(msg, msg_cap, "packets are not kept here: run wstap -r "
			 "FILE -s %llu -w DIR for this leg's capture file",
			 (unsigned long long)bl->id);
		return false;
	}
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(msg, msg_cap, "cannot write %.150s: %s", path,
			 strerror(errno));
		return false;
	}
	static struct obuf ob;
	obuf_init(&ob, f, false);
	struct output_opts oo = { .quiet = true };
	void *state = NULL;
	struct sess_sink k = jsonl ? output_jsonl(&ob, &oo, &state) :
			     har ? output_har(&ob, &oo, &state) :
				   output_transcript(&ob, &oo, &state);
	bool ok = state && bs_replay(s, bl, &k);
	obuf_flush(&ob);
	output_free(state);
	long size = ftell(f);
	if (fclose(f) != 0 || ob.failed)
		ok = false;
	if (ok)
		snprintf(msg, msg_cap, "leg %llu written to %.150s (%s, %ld bytes)",
			 (unsigned long long)bl->id, path,
			 jsonl ? "jsonl" : har ? "HAR" : "transcript", size);
	else
		snprintf(msg, msg_cap, "writing %.150s failed", path);
	return ok;
}
