/* browse.c - the browser's loop: read a chunk, take the keys, redraw.
 *
 * Only this file knows curses.  Keys are mapped to enum bkey, turned into
 * commands and applied by the view; the view renders the screen into
 * off-screen lines (browse_text.h), which are copied to curses once per
 * pass.  getch's timeout is the tick: short while the capture is being
 * read, longer once it is done.  No signal handler draws: SIGWINCH
 * reaches us as KEY_RESIZE.
 */
#include "browse.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "browse_view.h"
#include "utf8.h"

#define READ_SLICE_S 0.08    /* reading time per pass: the UI stays live */
#define READ_CHUNK 512       /* packets per feed call */
#define TICK_IDLE_MS 500

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- attributes -------------------------------------------------------- */

static attr_t attr_of[BA_COUNT];

/* Colour when the terminal has it and NO_COLOR (https://no-color.org) is
 * unset or empty; otherwise bold, reverse and underline carry the
 * meaning alone. */
static void init_attrs(void)
{
	const char *nc = getenv("NO_COLOR");
	bool color = has_colors() && !(nc && nc[0]);

	attr_of[BA_NORMAL] = A_NORMAL;
	attr_of[BA_TITLE] = A_REVERSE | A_BOLD;
	attr_of[BA_HEADER] = A_BOLD;
	attr_of[BA_SEL] = A_REVERSE;
	attr_of[BA_OK] = A_NORMAL;
	attr_of[BA_BAD] = A_BOLD;
	attr_of[BA_WARN] = A_NORMAL;
	attr_of[BA_DIM] = A_DIM;
	attr_of[BA_HI] = A_BOLD;
	attr_of[BA_MATCH] = A_UNDERLINE | A_BOLD;
	attr_of[BA_STATUS] = A_REVERSE;
	if (!color)
		return;
	start_color();
	use_default_colors();
	init_pair(1, COLOR_GREEN, -1);
	init_pair(2, COLOR_RED, -1);
	init_pair(3, COLOR_YELLOW, -1);
	init_pair(4, COLOR_CYAN, -1);
	init_pair(5, COLOR_BLACK, COLOR_YELLOW);
	init_pair(6, COLOR_WHITE, COLOR_BLUE);
	attr_of[BA_TITLE] = COLOR_PAIR(6) | A_BOLD;
	attr_of[BA_OK] = COLOR_PAIR(1);
	attr_of[BA_BAD] = COLOR_PAIR(2) | A_BOLD;
	attr_of[BA_WARN] = COLOR_PAIR(3);
	attr_of[BA_HI] = COLOR_PAIR(4) | A_BOLD;
	attr_of[BA_MATCH] = COLOR_PAIR(5);
}

/* ---- drawing ------------------------------------------------------------ */

static bool utf8_term;

static void draw_run(const char *s, size_t n)
{
	if (utf8_term) {
		addnstr(s, (int)n);
		return;
	}
	/* A terminal that is not UTF-8 gets '?' for each non-ASCII
	 * character (the layout counted them as one column each). */
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && (uint8_t)s[j] < 0x80)
			j++;
		if (j > i)
			addnstr(s + i, (int)(j - i));
		if (j < n) {
			uint32_t cp;
			size_t len = utf8_decode_one((const uint8_t *)s + j, n - j, &cp);
			addch('?');
			j += len ? len : 1;
		}
		i = j;
	}
}

static void draw(const struct bscreen *scr)
{
	erase();
	for (int r = 0; r < scr->rows && r < LINES; r++) {
		const struct bline *l = &scr->line[r];
		attr_t base = attr_of[l->base];
		size_t i = 0;
		move(r, 0);
		while (i < l->len) {
			enum battr a = bl_attr_at(l, i);
			size_t j = i + 1;
			while (j < l->len && bl_attr_at(l, j) == a)
				j++;
			attrset(a == (enum battr)l->base ? base : base | attr_of[a]);
			draw_run(l->text + i, j - i);
			i = j;
		}
		/* the rest of a coloured bar keeps its colour */
		attrset(base);
		if (l->base != BA_NORMAL)
			for (int c = l->width; c < scr->cols && c < COLS; c++)
				addch(' ');
		attrset(A_NORMAL);
	}
	refresh();
}

static int key_of(int ch, struct bview *v)
{
	switch (ch) {
	case KEY_UP: return BK_UP;
	case KEY_DOWN: return BK_DOWN;
	case KEY_LEFT: return BK_LEFT;
	case KEY_RIGHT: return BK_RIGHT;
	case KEY_PPAGE: return BK_PGUP;
	case KEY_NPAGE: return BK_PGDN;
	case KEY_HOME: return BK_HOME;
	case KEY_END: return BK_END;
	case KEY_BTAB: return BK_BTAB;
	case KEY_RESIZE: return BK_RESIZE;
	case KEY_ENTER: return BK_ENTER;
	case KEY_BACKSPACE: return BK_BACKSPACE;
	case KEY_MOUSE: {
		MEVENT me;
		if (getmouse(&me) != OK)
			return 0;
		if (me.bstate & BUTTON4_PRESSED)
			return BK_WHEEL_UP;
#ifdef BUTTON5_PRESSED
		if (me.bstate & BUTTON5_PRESSED)
			return BK_WHEEL_DOWN;
#endif
		if (me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) {
			v->click_row = me.y;
			return BK_CLICK;
		}
		return 0;
	}
	default:
		return ch >= 0 && ch < 0x100 ? ch : 0;
	}
}

/* ---- the loop ------------------------------------------------------------ */

struct reading {
	struct cap_source *src;
	struct analyzer *a;
	struct capture_result res;
	bool done;
};

/* Reads for about READ_SLICE_S, then lets the screen and keys have a
 * turn; at the end of input every open leg is ended. */
static void read_slice(struct reading *rd, struct bview *v)
{
	double t0 = now_s();

	while (!rd->done && now_s() - t0 < READ_SLICE_S)
		capture_source_feed(rd->src, rd->a, READ_CHUNK, &rd->done, &rd->res);
	v->packets = rd->res.packets;
	if (rd->done) {
		analyzer_finish(rd->a);
		v->reading = false;
		if (rd->res.status == CAP_DAMAGED)
			bv_say(v, true, "the capture is damaged after packet %llu; "
			       "legs before it are shown",
			       (unsigned long long)rd->res.packets);
	}
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

int browse_run(const struct capture_opts *o, const struct analyzer_cfg *cfg)
{
	struct reading rd = { 0 };
	int rc = 0;

	if (!isatty(STDOUT_FILENO)) {
		fputs("wstap: -b needs a terminal on standard output; use -T "
		      "summary, transcript or jsonl for files and pipes\n", stderr);
		return 2;
	}
	/* Keys come from the terminal even when the capture is stdin. */
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty) {
		fputs("wstap: -b needs a terminal (/dev/tty cannot be opened)\n",
		      stderr);
		return 2;
	}
	rd.src = capture_source_file(o, &rd.res);
	if (!rd.src) {
		fprintf(stderr, "wstap: %s\n", rd.res.message);
		fclose(tty);
		return rd.res.status == CAP_FILTER_FAILED ? 2 : 1;
	}
	struct bstore *store = bs_new(NULL);
	struct sess_sink sink = bs_sink(store);
	rd.a = store ? analyzer_new(cfg, &sink) : NULL;
	if (!rd.a) {
		fputs("wstap: out of memory\n", stderr);
		bs_free(store);
		capture_source_close(rd.src);
		fclose(tty);
		return 1;
	}

	setlocale(LC_ALL, "");
	utf8_term = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	set_escdelay(25); /* Esc alone should feel instant */
	SCREEN *scr_term = newterm(NULL, stdout, tty);
	if (!scr_term) {
		fputs("wstap: this terminal cannot be driven (check TERM)\n", stderr);
		analyzer_free(rd.a);
		bs_free(store);
		capture_source_close(rd.src);
		fclose(tty);
		return 2;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	init_attrs();
	mousemask(BUTTON1_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
		  | BUTTON5_PRESSED
#endif
		  , NULL);

	static struct bview v;
	struct bscreen screen = { 0 };
	bv_init(&v, store, strcmp(o->path, "-") == 0 ? "stdin" : base_name(o->path),
		LINES, COLS);
	v.reading = true;
	for (;;) {
		if (v.reading)
			read_slice(&rd, &v);
		bv_render(&v, &screen);
		draw(&screen);
		timeout(v.reading ? 0 : TICK_IDLE_MS);
		int flags = 0;
		/* every key waiting is taken before the next redraw, so held
		 * keys do not queue up behind frames */
		for (int k = 0; k < 64; k++) {
			int ch = getch();
			if (ch == ERR)
				break;
			int key = key_of(ch, &v);
			if (key == '\r')
				key = BK_ENTER;
			if (key == BK_RESIZE)
				bv_resize(&v, LINES, COLS);
			flags |= bv_key(&v, key);
			if (flags & BV_EXPORT) {
				char msg[256];
				struct bs_leg *bl = bs_find(store, v.export_id);
				bool ok = bl && bv_export(store, bl, v.input, msg,
							  sizeof msg);
				bv_say(&v, !ok, "%s", bl ? msg : "that leg is gone");
				flags &= ~BV_EXPORT;
			}
			if (flags & BV_QUIT)
				break;
			timeout(0);
		}
		if (flags & BV_QUIT)
			break;
		if (flags & BV_REDRAW)
			clearok(curscr, TRUE);
	}
	endwin();
	delscreen(scr_term);
	fclose(tty);
	if (rd.res.status == CAP_DAMAGED) {
		fprintf(stderr, "wstap: warning: %s\n", rd.res.message);
		rc = 1;
	}
	bv_free(&v);
	bscreen_free(&screen);
	analyzer_free(rd.a);
	capture_source_close(rd.src);
	bs_free(store);
	return rc;
}
