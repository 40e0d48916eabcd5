/* browse_view.h - the browser's state, its commands and its screens,
 * without curses.
 *
 * The loop (browse.c) turns each key into a command (bv_command), lets
 * the view act on it (bv_apply), then renders the whole screen off-screen
 * (bv_render) and hands it to curses: one redraw per pass.  Tests drive
 * the same functions with scripted keys at a fixed size and compare the
 * screens as text.
 */
#ifndef WSTAP_BROWSE_VIEW_H
#define WSTAP_BROWSE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "browse_store.h"
#include "browse_text.h"

/* Keys beyond ASCII, as the curses layer reports them. */
enum bkey {
	BK_ESC = 27,
	BK_ENTER = '\n',
	BK_TAB = '\t',
	BK_BACKSPACE = 127,
	BK_UP = 0x10000, BK_DOWN, BK_LEFT, BK_RIGHT, BK_PGUP, BK_PGDN,
	BK_HOME, BK_END, BK_BTAB, BK_RESIZE,
	BK_WHEEL_UP, BK_WHEEL_DOWN, BK_CLICK, /* mouse: row in bv.click_row */
};

enum bcmd {
	CMD_NONE,
	CMD_UP, CMD_DOWN, CMD_PGUP, CMD_PGDN, CMD_HOME, CMD_END,
	CMD_OPEN,        /* Enter */
	CMD_NEXT_PANE,   /* Tab */
	CMD_PREV_PANE,   /* Shift-Tab */
	CMD_BACK,        /* Esc, q: back a level; quits from the list */
	CMD_QUIT,        /* Q */
	CMD_HELP,        /* ? */
	CMD_FAILURES,    /* f */
	CMD_SORT,        /* s: time, verdict, size */
	CMD_REVERSE,     /* r */
	CMD_SEARCH,      /* / opens the prompt */
	CMD_FIND_NEXT,   /* n */
	CMD_FIND_PREV,   /* N */
	CMD_LINKED,      /* l: the linked leg */
	CMD_VIEW_MODE,   /* v: payload as auto/text/hex/JSON */
	CMD_EXPORT,      /* x opens the prompt */
	CMD_REDRAW,      /* Ctrl-L */
	CMD_RESIZE,
	CMD_CLICK,
	/* while a prompt is open */
	CMD_PROMPT_CHAR, CMD_PROMPT_ERASE, CMD_PROMPT_DONE, CMD_PROMPT_CANCEL,
};

enum bv_screen { BV_LIST, BV_LEG };
enum bv_pane { PANE_DETAIL, PANE_MESSAGES, PANE_PAYLOAD };
enum bv_sort { SORT_TIME, SORT_VERDICT, SORT_SIZE };
enum bv_mode { MODE_AUTO, MODE_TEXT, MODE_HEX, MODE_JSON };
enum bv_prompt { PROMPT_NONE, PROMPT_SEARCH, PROMPT_EXPORT };

/* What bv_apply asks of the loop. */
#define BV_QUIT 1
#define BV_EXPORT 2      /* write bv.export_id to bv.input */
#define BV_REDRAW 4      /* repaint everything (Ctrl-L) */

struct bv_row {
	struct bs_leg *leg;
	bool child;              /* shown under its linked leg */
};

struct bview {
	struct bstore *store;
	char source[128];        /* shown in the title: the capture's name */
	int rows, cols;
	bool reading;            /* input still being read (or live) */
	uint64_t packets;        /* packets read so far */
	/* live capture (-i): what the status line shows */
	bool live;               /* the source is an interface */
	uint64_t drops;          /* dropped by the kernel and the interface */
	bool follow;             /* End on the list: the selection follows
	                            the last row as rows arrive */
	enum bv_screen screen;
	bool help;               /* the help overlay is up */
	size_t help_top;
	/* session list */
	struct bv_row *row;
	size_t n_rows, cap_rows;
	size_t sel, top;
	uint64_t sel_id;         /* keeps the selection across re-sorts */
	enum bv_sort sort;
	bool reverse, failures_only;
	uint64_t built;          /* store version the rows reflect */
	bool rebuild;
	uint8_t *placed;         /* scratch for grouping, by leg order */
	size_t cap_placed;
	size_t n_failed;
	int w_id, w_verdict, w_msgs, w_bytes; /* measured at each rebuild */
	/* one leg */
	struct bs_leg *leg;
	enum bv_pane pane;
	struct bdoc detail;
	size_t detail_top;
	uint64_t detail_version;
	int detail_width;
	size_t msg_sel, msg_top;
	struct bdoc payload;
	size_t payload_top;
	enum bv_mode mode;
	enum bv_mode shown_mode; /* what auto chose */
	size_t payload_msg;      /* message the payload doc shows */
	uint64_t payload_version;
	int payload_width;
	/* search */
	char search[128];
	size_t search_len;
	/* prompt */
	enum bv_prompt prompt;
	char input[256];
	size_t input_len;
	int prompt_char;         /* the character of CMD_PROMPT_CHAR */
	uint64_t export_id;
	/* a message for the status line until the next key */
	char status[256];
	bool status_bad;
	int click_row;           /* screen row of the last click */
};

void bv_init(struct bview *v, struct bstore *s, const char *source,
	     int rows, int cols);
void bv_free(struct bview *v);
/* A key (ASCII, UTF-8 byte or enum bkey) as a command. */
enum bcmd bv_command(struct bview *v, int key);
/* Acts on a command; returns BV_* flags. */
int bv_apply(struct bview *v, enum bcmd c);
/* Convenience for tests and the loop: bv_command then bv_apply. */
int bv_key(struct bview *v, int key);
void bv_resize(struct bview *v, int rows, int cols);
/* Renders the current state into `scr` (re-initialised to the size). */
void bv_render(struct bview *v, struct bscreen *scr);
/* Sets the status line (our own words, not captured bytes). */
void bv_say(struct bview *v, bool bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes the kept leg to `path` with the ordinary outputs: jsonl for
 * .jsonl/.json, HAR for .har, else the transcript.  Returns false with a
 * reason in msg (which is set either way). */
bool bv_export(struct bstore *s, const struct bs_leg *bl, const char *path,
	       char *msg, size_t msg_cap);

/* Pieces the leg screens are made of (browse_leg.c). */
void bv_build_detail(struct bview *v);
void bv_build_payload(struct bview *v);
void bv_render_messages(struct bview *v, struct bscreen *scr, int top,
			int height);
void bv_help_doc(struct bdoc *d);
const char *bv_time(double ts, bool ms, char *buf, size_t cap);
void bv_size(uint64_t n, char *buf, size_t cap);
enum battr bv_verdict_attr(const struct bs_leg *bl);
/* Case-insensitive search of the view's term in p[0..n). */
bool bv_match(const struct bview *v, const uint8_t *p, size_t n);

#endif
