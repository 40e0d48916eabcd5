/* browse.c - the browser's loop: read a chunk, take the keys, redraw.
 *
 * Only this file knows curses.  Keys are mapped to enum bkey, turned into
 * commands and applied by the view; the view renders the screen into
 * off-screen lines (browse_text.h), which are copied to curses once per
 * pass.  The loop waits in ppoll on the terminal and, live, on the
 * capture's descriptor at once: a key or a packet ends the wait, and the
 * timeout is the tick (none while a file is being read, a quarter second
 * live, for the idle expiry and the drop figures).  No signal handler
 * draws: SIGWINCH reaches us as KEY_RESIZE, SIGINT and SIGTERM only set
 * a flag the loop reads.
 */
#include "browse.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
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
#define TICK_LIVE_MS 250     /* live and quiet: idle expiry, -a, drops */
#define NOFD_MS 20           /* live without a pollable descriptor */
#define FRAME_S 0.05         /* without keys, at most 20 frames a second:
                                a busy interface does not turn into a
                                redraw per packet */
#define STATS_S 0.5          /* how often the drop figures are asked for */
#define BV_KEYED 0x100       /* the loop's own flag: a key was taken */

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

/* SIGINT and SIGTERM quit the browser as q does: the handler only sets
 * the flag; the signals are blocked except while the loop waits in
 * ppoll, so one arriving anywhere else is held until then and the wait
 * ends at once. */
static volatile sig_atomic_t quit_signalled;

static void on_quit_signal(int sig)
{
	(void)sig;
	quit_signalled = 1;
}

struct reading {
	struct cap_source *src;      /* a file, or */
	struct live_source *live;    /* an interface (NULL once stopped) */
	struct analyzer *a;
	struct capture_result res;
	struct live_stats ls;
	double stats_at;             /* when pcap_stats was last asked */
	bool is_live;
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

static void show_drops(struct reading *rd, struct bview *v)
{
	v->drops = rd->ls.dropped_kernel + rd->ls.dropped_iface;
}

/* Takes what the interface has waiting (never blocking), for at most
 * READ_SLICE_S; when -c, -a or an error stops the capture, the open legs
 * end as they do without -b and the browser stays for reading. */
static void live_slice(struct reading *rd, struct bview *v)
{
	double t0 = now_s();
	bool done = false;

	do {
		unsigned n = capture_live_feed(rd->live, rd->a, READ_CHUNK, &done,
					       &rd->res, &rd->ls);
		if (!n)
			break;
	} while (!done && now_s() - t0 < READ_SLICE_S);
	v->packets = rd->res.packets;
	if (!done) {
		if (t0 - rd->stats_at >= STATS_S) {
			rd->stats_at = t0;
			capture_live_stats(rd->live, &rd->ls);
			show_drops(rd, v);
		}
		return;
	}
	rd->done = true;
	capture_live_close(rd->live, &rd->ls); /* final figures */
	rd->live = NULL;
	show_drops(rd, v);
	analyzer_finish(rd->a);
	v->reading = false;
	if (rd->res.status == CAP_DAMAGED)
		bv_say(v, true, "%s", rd->res.message);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* What a frame shows besides the keys' effects: a change in any of
 * these is worth a redraw. */
struct shown {
	uint64_t version, packets, drops;
	bool reading;
};

static void take_keys(struct bview *v, struct bstore *store, int *flags)
{
	timeout(0);
	/* every key waiting is taken before the next redraw, so held keys
	 * do not queue up behind frames */
	for (int k = 0; k < 64; k++) {
		int ch = getch();
		if (ch == ERR)
			break;
		int key = key_of(ch, v);
		if (key == '\r')
			key = BK_ENTER;
		if (key == BK_RESIZE)
			bv_resize(v, LINES, COLS);
		*flags |= bv_key(v, key) | BV_KEYED;
		if (*flags & BV_EXPORT) {
			char msg[256];
			struct bs_leg *bl = bs_find(store, v->export_id);
			bool ok = bl && bv_export(store, bl, v->input, msg,
						  sizeof msg);
			bv_say(v, !ok, "%s", bl ? msg : "that leg is gone");
			*flags &= ~BV_EXPORT;
		}
		if (*flags & BV_QUIT)
			break;
	}
}

int browse_run(const struct capture_opts *o, const struct live_opts *live,
	       const struct analyzer_cfg *cfg)
{
	struct reading rd = { .is_live = live != NULL };
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
	if (live)
		rd.live = capture_live_open(live, &rd.res, &rd.ls);
	else
		rd.src = capture_source_file(o, &rd.res);
	if (!rd.src && !rd.live) {
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
		capture_live_close(rd.live, &rd.ls);
		fclose(tty);
		return 1;
	}

	/* Our handler before newterm: curses installs its own SIGINT and
	 * SIGTERM handlers (which exit) only where none is set. */
	struct stop_signals sig;
	quit_signalled = 0;
	stop_signals_catch(&sig, on_quit_signal);

	setlocale(LC_ALL, "");
	utf8_term = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	set_escdelay(25); /* Esc alone should feel instant */
	SCREEN *scr_term = newterm(NULL, stdout, tty);
	if (!scr_term) {
		fputs("wstap: this terminal cannot be driven (check TERM)\n", stderr);
		rc = 2;
		goto out;
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
	bv_init(&v, store, live ? rd.ls.iface :
		strcmp(o->path, "-") == 0 ? "stdin" : base_name(o->path),
		LINES, COLS);
	v.reading = true;
	v.live = rd.is_live;
	struct shown drawn = { .version = UINT64_MAX };
	double drawn_at = 0;
	int flags = BV_KEYED; /* the first frame */
	for (;;) {
		if (quit_signalled)
			break;
		if (rd.src && !rd.done)
			read_slice(&rd, &v);
		else if (rd.live)
			live_slice(&rd, &v);
		struct shown now = { bs_version(store), v.packets, v.drops,
				     v.reading };
		bool changed = now.version != drawn.version ||
			       now.packets != drawn.packets ||
			       now.drops != drawn.drops ||
			       now.reading != drawn.reading;
		double t = now_s();
		bool pending = false;
		if (flags & BV_KEYED || (changed && t - drawn_at >= FRAME_S)) {
			if (flags & BV_REDRAW)
				clearok(curscr, TRUE);
			bv_render(&v, &screen);
			draw(&screen);
			drawn = now;
			drawn_at = t;
		} else if (changed) {
			pending = true; /* drawn when the frame time comes */
		}
		/* Wait for a key, a packet or the tick. */
		int wait_ms = rd.src && !rd.done ? 0 :
			      rd.live ? TICK_LIVE_MS : TICK_IDLE_MS;
		if (pending) {
			int left = (int)((drawn_at + FRAME_S - t) * 1000) + 1;
			if (left < wait_ms)
				wait_ms = left;
		}
		struct pollfd pfd[2] = {
			{ .fd = fileno(tty), .events = POLLIN },
			{ .fd = rd.live ? capture_live_fd(rd.live) : -1,
			  .events = POLLIN },
		};
		if (rd.live && pfd[1].fd < 0 && wait_ms > NOFD_MS)
			wait_ms = NOFD_MS;
		struct timespec ts = { wait_ms / 1000,
				       (long)(wait_ms % 1000) * 1000000L };
		ppoll(pfd, pfd[1].fd >= 0 ? 2 : 1, &ts, &sig.wait_mask);
		flags = 0;
		take_keys(&v, store, &flags);
		if (flags & BV_QUIT)
			break;
	}
	endwin();
	delscreen(scr_term);
	bv_free(&v);
	bscreen_free(&screen);
out:
	stop_signals_restore(&sig);
	fclose(tty);
	if (rd.is_live) {
		/* Quitting stops the capture; its figures as without -b. */
		if (rd.live)
			capture_live_close(rd.live, &rd.ls);
		rd.ls.interrupted = quit_signalled != 0;
		if (rc != 2)
			capture_live_report(stderr, &rd.ls, rd.res.packets);
	} else {
		capture_source_close(rd.src);
	}
	if (rd.res.status == CAP_DAMAGED) {
		fprintf(stderr, "wstap: warning: %s\n", rd.res.message);
		rc = 1;
	}
	analyzer_free(rd.a);
	bs_free(store);
	return rc;
}
