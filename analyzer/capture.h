/* capture.h - reading packets with libpcap (pcap and pcapng files, stdin)
 * into the analyzer. */
#ifndef WSTAP_CAPTURE_H
#define WSTAP_CAPTURE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer.h"

struct capture_opts {
	const char *path;        /* file, or "-" for stdin */
	const char *filter;      /* BPF filter or NULL */
	uint64_t max_packets;    /* -c; 0 = all */
	bool progress;           /* progress line on stderr */
};

enum capture_status {
	CAP_OK,                  /* read to the end */
	CAP_OPEN_FAILED,         /* not readable or not a capture */
	CAP_DAMAGED,             /* stopped early: a damaged record, or a
	                            live capture failed midway */
	CAP_FILTER_FAILED,
};

struct capture_result {
	enum capture_status status;
	char message[1024];      /* one line for the user when not CAP_OK */
	uint64_t packets;
	int linktype;
};

void capture_read_file(const struct capture_opts *o, struct analyzer *a,
		       struct capture_result *res);
/* Erases the progress line from stderr if one is showing; call it before
 * writing anything to the terminal that stderr shows (the output, when
 * stdout is that terminal). */
void capture_progress_clear(void);

/* SIGINT and SIGTERM for a loop that waits with ppoll: `handler` catches
 * them, and they stay blocked except during the wait (ppoll with
 * wait_mask), so one arriving between a check of the handler's flag and
 * the wait is held until the wait, never lost.  stop_signals_restore puts
 * back the former handlers and mask. */
struct stop_signals {
	struct sigaction old_int, old_term;
	sigset_t old_mask;       /* the mask before */
	sigset_t wait_mask;      /* for ppoll: the old one, both let in */
};
void stop_signals_catch(struct stop_signals *s, void (*handler)(int));
void stop_signals_restore(const struct stop_signals *s);

/* Live capture (capture_live.c). */
struct live_opts {
	const char *iface;       /* name, or a number from capture_list_ifaces */
	const char *filter;      /* BPF filter or NULL */
	uint64_t max_packets;    /* -c / -a packets:N; 0 = no limit */
	double duration;         /* -a duration:SEC; 0 = until interrupted */
	unsigned buffer_kib;     /* kernel capture buffer (-B) */
	bool promisc;            /* promiscuous mode (off with -p) */
	bool verbose;            /* -v: a stats line on stderr every 10 s */
	bool quiet;              /* -q: no "listening on" line */
};

struct live_stats {
	char iface[128];         /* the interface actually opened */
	bool interrupted;        /* stopped by SIGINT or SIGTERM */
	bool have_stats;         /* pcap_stats answered */
	uint64_t received, dropped_kernel, dropped_iface;
};

/* Sniffs o->iface into the analyzer until -c, -a, SIGINT/SIGTERM or an
 * error; SIGINT and SIGTERM only break the capture loop (their former
 * handlers are restored on return).  res->status: CAP_OPEN_FAILED (the
 * interface could not be opened: exit 1), CAP_FILTER_FAILED (the filter
 * does not compile: exit 2), CAP_DAMAGED (the capture failed midway).
 * Does not call analyzer_finish. */
void capture_live(const struct live_opts *o, struct analyzer *a,
		  struct capture_result *res, struct live_stats *ls);
/* The same capture in steps, for a caller with its own loop (the
 * terminal browser waits on the keyboard and the capture at once).
 * capture_live_open opens and configures the interface as capture_live
 * does (NULL with res set when it cannot); its descriptor (-1 when the
 * platform has none: then poll with a short timeout) becomes readable
 * when packets wait.  capture_live_feed never blocks: it hands at most
 * `max` waiting packets to the analyzer, returns how many, keeps
 * res->packets, runs the idle expiry by the wall clock while the
 * interface is quiet, and sets *done once -c or -a is reached or the
 * capture failed (res->status CAP_DAMAGED).  Signals are the caller's
 * business.  capture_live_close reads the final pcap_stats into ls. */
struct live_source;
struct live_source *capture_live_open(const struct live_opts *o,
				      struct capture_result *res,
				      struct live_stats *ls);
int capture_live_fd(const struct live_source *s);
unsigned capture_live_feed(struct live_source *s, struct analyzer *a,
			   unsigned max, bool *done, struct capture_result *res,
			   struct live_stats *ls);
/* Refreshes ls from pcap_stats (the kernel's and interface's drops). */
void capture_live_stats(struct live_source *s, struct live_stats *ls);
void capture_live_close(struct live_source *s, struct live_stats *ls);
/* The line tcpdump prints when it stops: packets captured, received by
 * the filter, dropped by the kernel and the interface. */
void capture_live_report(FILE *f, const struct live_stats *ls,
			 uint64_t packets);
/* Prints the interfaces as "tcpdump -D" does; returns false (with a
 * message in err) when libpcap cannot list them. */
bool capture_list_ifaces(FILE *out, char *err, size_t err_size);

/* Reading in steps, for a caller that interleaves reading with other work
 * (the terminal browser reads a chunk of packets between screen ticks).
 * A source is opened once, fed in chunks, then closed. */
struct cap_source;
/* Opens a file as capture_read_file does (o->progress is ignored); NULL
 * with res->status and res->message set when it cannot be read. */
struct cap_source *capture_source_file(const struct capture_opts *o,
				       struct capture_result *res);
/* Hands at most `max` packets to the analyzer; returns how many.  Sets
 * *done at the end of input (or at o->max_packets, or on a damaged record:
 * res->status and res->message say which).  res->packets counts all
 * packets fed so far.  Does not call analyzer_finish. */
unsigned capture_source_feed(struct cap_source *s, struct analyzer *a,
			     unsigned max, bool *done,
			     struct capture_result *res);
void capture_source_close(struct cap_source *s);

#endif
