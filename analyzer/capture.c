/* capture.c - libpcap offline reading. */
#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pcap_records.h"

/* Progress on stderr: one line rewritten in place, at most 4 times a
 * second after the first second, only when asked (stderr is a terminal
 * and -q was not given).  It is cut to the terminal's width, so rewriting
 * it never scrolls, and erased before anything else reaches the terminal
 * (capture_progress_clear) and at the end of the read. */
struct progress {
	bool on;
	double started, last;
	long long file_size;     /* 0: unknown (a pipe) */
};

/* A progress line is on the screen now.  There is one stderr per
 * process, so this is per process too. */
static bool progress_visible;

void capture_progress_clear(void)
{
	if (!progress_visible)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress_visible = false;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* `consumed`: the bytes of the records read so far, for input without a
 * file position (a pipe): exact for pcap, a few bytes per packet short
 * for pcapng. */
static void progress_tick(struct progress *pr, pcap_t *p, uint64_t packets,
			  uint64_t consumed, const struct sess_stats *st)
{
	double t = now_s();
	if (!pr->on || t - pr->last < 0.25 || t - pr->started < 1.0)
		return;
	pr->last = t;
	FILE *f = pcap_file(p);
	long long pos = f ? (long long)ftell(f) : -1;
	if (pos < 0)
		pos = (long long)consumed;
	double mb = (double)pos / 1e6;
	double rate = mb / (t - pr->started);
	char line[200];
	int n;
	if (pr->file_size > 0 && pos <= pr->file_size)
		n = snprintf(line, sizeof line,
			     "%llu packets, %.1f MB (%.0f%%), %llu legs, %.1f MB/s",
			     (unsigned long long)packets, mb,
			     100.0 * (double)pos / (double)pr->file_size,
			     (unsigned long long)st->legs, rate);
	else
		n = snprintf(line, sizeof line,
			     "%llu packets, %.1f MB, %llu legs, %.1f MB/s",
			     (unsigned long long)packets, mb,
			     (unsigned long long)st->legs, rate);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
	/* Asked each time: the terminal may have been resized.  One column
	 * is left free, since writing the last one wraps on some terminals. */
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 &&
	    len > (size_t)ws.ws_col - 1)
		len = (size_t)ws.ws_col - 1;
	fprintf(stderr, "\r%.*s\033[K", (int)len, line);
	fflush(stderr);
	progress_visible = true;
}

/* ---- reading --------------------------------------------------------
 * One implementation: capture_read_file feeds a source to its end;
 * the terminal browser feeds the same source in chunks between screen
 * updates. */
struct cap_source {
	pcap_t *p;
	/* Classic files without a filter: the well-formed records come from
	 * pcap_records (no per-packet stdio); the first doubtful one and all
	 * after it from libpcap, positioned there, so damaged records get
	 * libpcap's checks and words. */
	struct pcap_records *fast;
	const char *shown;       /* the name in messages */
	/* In a classic pcap file each record is a 16-byte header and its
	 * captured bytes after the 24-byte file header, so the offset of the
	 * record being read is known without asking the file (pcapng blocks
	 * vary; there the file position is reported instead). */
	bool classic;
	uint64_t next_record;
	uint64_t max_packets;
	struct progress pr;
};

struct cap_source *capture_source_file(const struct capture_opts *o,
				       struct capture_result *res)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	bool std_in = strcmp(o->path, "-") == 0;
	const char *shown = std_in ? "standard input" : o->path;
	struct cap_source *s;

	memset(res, 0, sizeof *res);
	s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(res->message, sizeof res->message, "out of memory");
		res->status = CAP_OPEN_FAILED;
		return NULL;
	}
	s->p = pcap_open_offline_with_tstamp_precision(o->path,
						       PCAP_TSTAMP_PRECISION_NANO, err);
	if (!s->p) {
		struct stat sb;
		if (!std_in && stat(o->path, &sb) != 0)
			snprintf(res->message, sizeof res->message,
				 "%s: cannot open: %s", shown, strerror(errno));
		else
			snprintf(res->message, sizeof res->message,
				 "%s: not a readable pcap or pcapng capture (%s); "
				 "give a file written by tcpdump, dumpcap or "
				 "Wireshark", shown, err);
		res->status = CAP_OPEN_FAILED;
		free(s);
		return NULL;
	}
	res->linktype = pcap_datalink(s->p);
	if (o->filter) {
		struct bpf_program prog;
		if (pcap_compile(s->p, &prog, o->filter, 1,
				 PCAP_NETMASK_UNKNOWN) != 0 ||
		    pcap_setfilter(s->p, &prog) != 0) {
			snprintf(res->message, sizeof res->message,
				 "filter '%s': %s", o->filter, pcap_geterr(s->p));
			res->status = CAP_FILTER_FAILED;
			pcap_close(s->p);
			free(s);
			return NULL;
		}
		pcap_freecode(&prog);
	}
	s->shown = shown;
	s->classic = pcap_major_version(s->p) == 2;
	s->next_record = 24;
	s->max_packets = o->max_packets;
	if (s->classic && !o->filter && !std_in)
		s->fast = pcap_records_open(o->path);
	return s;
}

/* The next packet into *rp (borrowed until the next call): 1, or
 * pcap_next_ex's end (PCAP_ERROR_BREAK) or error (PCAP_ERROR). */
static int next_packet(struct cap_source *s, struct raw_packet *rp)
{
	while (s->fast) {
		uint64_t at;
		int fr = pcap_records_next(s->fast, rp, &at);
		if (fr == 1)
			return 1;
		pcap_records_close(s->fast);
		s->fast = NULL;
		FILE *f = pcap_file(s->p);
		if (!f)
			return PCAP_ERROR;
		if (fr == 0) {
			/* libpcap confirms the end */
			if (fseeko(f, 0, SEEK_END) != 0)
				return PCAP_ERROR;
		} else {
			if (fseeko(f, (off_t)at, SEEK_SET) != 0)
				return PCAP_ERROR;
			s->next_record = at;
		}
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(s->p, &h, &data);
	if (rc != 1)
		return rc;
	/* opened with nanosecond precision: tv_usec holds ns */
	rp->data = data;
	rp->caplen = h->caplen;
	rp->wirelen = h->len;
	rp->ts_sec = (uint64_t)h->ts.tv_sec;
	rp->ts_nsec = (uint32_t)h->ts.tv_usec;
	return 1;
}

unsigned capture_source_feed(struct cap_source *s, struct analyzer *a,
			     unsigned max, bool *done,
			     struct capture_result *res)
{
	unsigned n = 0;
	int rc = 1;

	*done = false;
	while (n < max) {
		if (s->max_packets && res->packets >= s->max_packets) {
			*done = true;
			return n;
		}
		/* Several link types in one pcapng file: asking each time is
		 * costly; libpcap reports the first interface's type, and
		 * files with mixed types are rare. */
		struct raw_packet rp = { .linktype = res->linktype };
		rc = next_packet(s, &rp);
		if (rc != 1)
			break;
		s->next_record += 16 + (uint64_t)rp.caplen;
		analyzer_packet(a, &rp);
		res->packets++;
		n++;
		if ((res->packets & 0x3ff) == 0)
			progress_tick(&s->pr, s->p, res->packets,
				      s->next_record, analyzer_stats(a));
	}
	if (rc == 1)
		return n;
	*done = true;
	if (rc == PCAP_ERROR) {
		FILE *f = pcap_file(s->p);
		long long pos = s->classic ? (long long)s->next_record :
				f ? (long long)ftell(f) : -1;
		snprintf(res->message, sizeof res->message,
			 "%s: the record of packet %llu at file offset %lld is "
			 "damaged (%s); the %llu packets before it are reported",
			 s->shown, (unsigned long long)res->packets + 1, pos,
			 pcap_geterr(s->p), (unsigned long long)res->packets);
		res->status = CAP_DAMAGED;
	}
	return n;
}

void capture_source_close(struct cap_source *s)
{
	if (!s)
		return;
	pcap_records_close(s->fast);
	pcap_close(s->p);
	free(s);
}

void capture_read_file(const struct capture_opts *o, struct analyzer *a,
		       struct capture_result *res)
{
	struct cap_source *s = capture_source_file(o, res);
	if (!s)
		return;
	s->pr.on = o->progress;
	s->pr.started = now_s();
	struct stat sb;
	if (strcmp(o->path, "-") != 0 && stat(o->path, &sb) == 0)
		s->pr.file_size = (long long)sb.st_size;
	/* `-r - < file`: the size of the file behind stdin. */
	else if (strcmp(o->path, "-") == 0 && fstat(STDIN_FILENO, &sb) == 0 &&
		 S_ISREG(sb.st_mode))
		s->pr.file_size = (long long)sb.st_size;
	bool done = false;
	while (!done)
		capture_source_feed(s, a, 1u << 16, &done, res);
	capture_progress_clear();
	capture_source_close(s);
}
