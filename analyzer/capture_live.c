/* capture_live.c - sniffing an interface with libpcap into the analyzer:
 * opening it (with errors that say what to do), the capture loop with its
 * stop conditions (-c, -a, SIGINT/SIGTERM), idle expiry while nothing
 * arrives, the periodic stats line and the final pcap_stats figures. */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* 256 KiB: the largest frame libpcap expects on any link (its own
 * MAXIMUM_SNAPLEN), so no TCP segment, even with GRO/TSO on loopback
 * (64 KiB and more), is ever cut. */
#define LIVE_SNAPLEN 262144
/* How long one wait for packets may last, so the -a deadline, the idle
 * expiry and the stats line are served while the interface is quiet. */
#define LIVE_POLL_MS 250
/* Packets handled per pcap_dispatch call: on a busy interface a call
 * without a limit could run for as long as packets keep arriving. */
#define LIVE_BATCH 1024
#define STATS_EVERY_S 10.0

/* For the SIGINT/SIGTERM handler, which only records the signal and
 * breaks libpcap's loop (pcap_breakloop is documented as safe in a signal
 * handler).  The signals are blocked except while the loop waits for
 * packets (ppoll), so the handler runs only there and the wait ends. */
static pcap_t *volatile live_handle;
static volatile sig_atomic_t live_signalled;

static void on_signal(int sig)
{
	(void)sig;
	live_signalled = 1;
	if (live_handle)
		pcap_breakloop(live_handle);
}

static double clock_s(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Resident set size in bytes, from /proc/self/statm (0 if unreadable). */
static uint64_t rss_bytes(void)
{
	char buf[128];
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = buf, *end;
	strtoull(p, &end, 10);             /* total program size */
	unsigned long long pages = strtoull(end, &p, 10);
	if (p == end)
		return 0;
	long psz = sysconf(_SC_PAGESIZE);
	return pages * (uint64_t)(psz > 0 ? psz : 4096);
}

/* "lo, eth0, any": the interfaces libpcap can open, for error messages. */
static void iface_names(char *buf, size_t size)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_if_t *all = NULL;
	size_t len = 0;
	unsigned shown = 0, more = 0;

	buf[0] = 0;
	if (pcap_findalldevs(&all, err) != 0 || !all) {
		snprintf(buf, size, "(none found)");
		return;
	}
	for (pcap_if_t *d = all; d; d = d->next) {
		size_t need = strlen(d->name) + 2;
		/* Keep room for ", and N more". */
		if (len + need + 16 > size) {
			more++;
			continue;
		}
		int n = snprintf(buf + len, size - len, "%s%s",
				 shown ? ", " : "", d->name);
		if (n > 0)
			len += (size_t)n;
		shown++;
	}
	if (more)
		snprintf(buf + len, size - len, ", and %u more", more);
	pcap_freealldevs(all);
}

/* tcpdump's habit: "-i 2" means the second interface of "-D" unless an
 * interface is really called "2". */
static bool iface_by_number(const char *arg, char *name, size_t size)
{
	char *end;
	char err[PCAP_ERRBUF_SIZE];
	pcap_if_t *all = NULL;
	bool found = false;

	errno = 0;
	unsigned long want = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || want == 0)
		return false;
	if (pcap_findalldevs(&all, err) != 0)
		return false;
	unsigned long i = 1;
	for (pcap_if_t *d = all; d; d = d->next, i++) {
		if (strcmp(d->name, arg) == 0) {
			found = false; /* a real interface named so: use it */
			break;
		}
		if (i == want && strlen(d->name) < size) {
			snprintf(name, size, "%s", d->name);
			found = true;
		}
	}
	pcap_freealldevs(all);
	return found;
}

bool capture_list_ifaces(FILE *out, char *err, size_t err_size)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;

	if (pcap_findalldevs(&all, perr) != 0) {
		snprintf(err, err_size, "cannot list the interfaces: %s", perr);
		return false;
	}
	if (!all) {
		snprintf(err, err_size, "no interface can be captured on "
			 "(capturing needs root or CAP_NET_RAW)");
		return false;
	}
	unsigned i = 1;
	for (pcap_if_t *d = all; d; d = d->next, i++) {
		/* Same shape as "tcpdump -D": number, name, description,
		 * flags in brackets. */
		fprintf(out, "%u.%s", i, d->name);
		if (d->description)
			fprintf(out, " (%s)", d->description);
		bool any = false;
		fputs(" [", out);
		if (d->flags & PCAP_IF_UP) {
			fputs("Up", out);
			any = true;
		}
		if (d->flags & PCAP_IF_RUNNING) {
			fprintf(out, "%sRunning", any ? ", " : "");
			any = true;
		}
		if (d->flags & PCAP_IF_LOOPBACK) {
			fprintf(out, "%sLoopback", any ? ", " : "");
			any = true;
		}
		if (d->flags & PCAP_IF_WIRELESS) {
			fprintf(out, "%sWireless", any ? ", " : "");
			any = true;
		}
		switch (d->flags & PCAP_IF_CONNECTION_STATUS) {
		case PCAP_IF_CONNECTION_STATUS_CONNECTED:
			fprintf(out, "%sConnected", any ? ", " : "");
			break;
		case PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
			fprintf(out, "%sDisconnected", any ? ", " : "");
			break;
		default:
			break;
		}
		fputs("]\n", out);
	}
	pcap_freealldevs(all);
	return true;
}

/* The path of this program, for the setcap hint. */
static void self_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	if (n <= 0) {
		snprintf(buf, size, "$(command -v wstap)");
		return;
	}
	buf[n] = 0;
}

/* One line saying why the interface could not be opened and what to do. */
static void activate_error(pcap_t *p, int rc, const char *iface,
			   struct capture_result *res)
{
	char list[640], exe[PATH_MAX];

	switch (rc) {
	case PCAP_ERROR_PERM_DENIED:
		self_path(exe, sizeof exe);
		snprintf(res->message, sizeof res->message,
			 "%s: no permission to capture (%s); capturing needs "
			 "root, or the CAP_NET_RAW and CAP_NET_ADMIN "
			 "capabilities: run as root, or grant them with "
			 "'setcap cap_net_raw,cap_net_admin=eip %.300s'",
			 iface, pcap_geterr(p), exe);
		break;
	case PCAP_ERROR_NO_SUCH_DEVICE:
		iface_names(list, sizeof list);
		snprintf(res->message, sizeof res->message,
			 "%s: no such interface; this machine has: %s "
			 "(wstap -D lists them)", iface, list);
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(res->message, sizeof res->message,
			 "%s: the interface is down; bring it up ('ip link set "
			 "%s up') or pick another (wstap -D)", iface, iface);
		break;
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		snprintf(res->message, sizeof res->message,
			 "%s: no permission for promiscuous mode (%s); add -p "
			 "to capture without it", iface, pcap_geterr(p));
		break;
	default:
		snprintf(res->message, sizeof res->message,
			 "%s: cannot capture: %s", iface, pcap_geterr(p));
		break;
	}
	res->status = CAP_OPEN_FAILED;
}

/* Creates, configures and activates the handle; NULL with res set. */
static pcap_t *open_live(const struct live_opts *o, struct capture_result *res,
			 struct live_stats *ls)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	char byno[128];
	const char *iface = o->iface;

	if (iface_by_number(iface, byno, sizeof byno))
		iface = byno;
	snprintf(ls->iface, sizeof ls->iface, "%s", iface);
	pcap_t *p = pcap_create(iface, err);
	if (!p) {
		snprintf(res->message, sizeof res->message,
			 "%s: cannot capture: %s", iface, err);
		res->status = CAP_OPEN_FAILED;
		return NULL;
	}
	pcap_set_snaplen(p, LIVE_SNAPLEN);
	/* Immediate mode: each packet is handed over as it arrives, not
	 * when a kernel block fills, so records appear as things happen. */
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, (int)(o->buffer_kib * 1024u));
	/* "any" cannot be promiscuous; asking only earns a warning. */
	pcap_set_promisc(p, o->promisc && strcmp(iface, "any") != 0);
	/* Nanosecond timestamps where the kernel has them; checked after
	 * activation, when the precision in force is known. */
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(p);
	if (rc < 0) {
		activate_error(p, rc, iface, res);
		pcap_close(p);
		return NULL;
	}
	if (rc > 0)
		fprintf(stderr, "wstap: warning: %s: %s\n", iface,
			pcap_geterr(p));
	if (o->filter) {
		struct bpf_program prog;
		bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
		/* The netmask only matters for "ip broadcast" filters. */
		if (pcap_lookupnet(iface, &net, &mask, err) != 0)
			mask = PCAP_NETMASK_UNKNOWN;
		if (pcap_compile(p, &prog, o->filter, 1, mask) != 0) {
			snprintf(res->message, sizeof res->message,
				 "bad capture filter \"%s\": %s", o->filter,
				 pcap_geterr(p));
			res->status = CAP_FILTER_FAILED;
			pcap_close(p);
			return NULL;
		}
		rc = pcap_setfilter(p, &prog);
		pcap_freecode(&prog);
		if (rc != 0) {
			snprintf(res->message, sizeof res->message,
				 "%s: the kernel refused the filter \"%s\": %s",
				 iface, o->filter, pcap_geterr(p));
			res->status = CAP_OPEN_FAILED;
			pcap_close(p);
			return NULL;
		}
	}
	res->linktype = pcap_datalink(p);
	/* As tcpdump says it: scripts wait for this line before starting
	 * the traffic they want captured. */
	if (!o->quiet) {
		const char *dl = pcap_datalink_val_to_name(res->linktype);
		const char *dd = pcap_datalink_val_to_description(res->linktype);
		fprintf(stderr, "wstap: listening on %s, link-type %s (%s), "
			"snapshot length %d bytes\n", iface, dl ? dl : "?",
			dd ? dd : "?", LIVE_SNAPLEN);
	}
	return p;
}

struct live_ctx {
	struct analyzer *a;
	int linktype;
	bool nano;               /* tv_usec holds nanoseconds */
	uint64_t packets;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h,
		      const u_char *data)
{
	struct live_ctx *c = (struct live_ctx *)user;
	struct raw_packet rp = {
		.linktype = c->linktype, .data = data,
		.caplen = h->caplen, .wirelen = h->len,
		.ts_sec = (uint64_t)h->ts.tv_sec,
		.ts_nsec = c->nano ? (uint32_t)h->ts.tv_usec :
				     (uint32_t)h->ts.tv_usec * 1000u,
	};
	analyzer_packet(c->a, &rp);
	c->packets++;
}

static void read_stats(pcap_t *p, struct live_stats *ls)
{
	struct pcap_stat ps;

	if (pcap_stats(p, &ps) != 0)
		return;
	ls->have_stats = true;
	ls->received = ps.ps_recv;
	ls->dropped_kernel = ps.ps_drop;
	ls->dropped_iface = ps.ps_ifdrop;
}

static void stats_line(pcap_t *p, struct analyzer *a, double elapsed,
		       struct live_stats *ls)
{
	const struct sess_stats *st = analyzer_stats(a);

	read_stats(p, ls);
	fprintf(stderr, "wstap: stats after %.0f s: %llu packets, %llu legs "
		"open, %llu legs done, RSS %.1f MB, %llu dropped by kernel, "
		"%llu by interface\n", elapsed,
		(unsigned long long)st->packets,
		(unsigned long long)analyzer_legs_open(a),
		(unsigned long long)st->legs_reported,
		(double)rss_bytes() / 1e6,
		(unsigned long long)ls->dropped_kernel,
		(unsigned long long)ls->dropped_iface);
}

void stop_signals_catch(struct stop_signals *s, void (*handler)(int))
{
	struct sigaction sa;
	sigset_t stop;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &s->old_mask);
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
	s->wait_mask = s->old_mask;
	sigdelset(&s->wait_mask, SIGINT);
	sigdelset(&s->wait_mask, SIGTERM);
}

void stop_signals_restore(const struct stop_signals *s)
{
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
	sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
}

/* Waits up to LIVE_POLL_MS for packets with SIGINT and SIGTERM, blocked
 * everywhere else, let through: a signal either arrives during the wait
 * (which it ends) or is held until the next one, so none is missed
 * between checking the flag and waiting. */
static void wait_packets(int fd, const sigset_t *during)
{
	struct timespec ts = { 0, LIVE_POLL_MS * 1000000L };
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	ppoll(fd >= 0 ? &pfd : NULL, fd >= 0 ? 1 : 0, &ts, during);
}

/* ---- the capture in steps ----------------------------------------------
 * One open interface, read without blocking: capture_live below and the
 * terminal browser (which waits on the keyboard and this descriptor at
 * once) share it, so -c, -a, the idle expiry and the statistics behave
 * the same in both. */
struct live_source {
	pcap_t *p;
	int fd;                  /* pcap_get_selectable_fd, -1 if none */
	struct live_opts o;      /* a copy; the strings stay borrowed */
	struct live_ctx c;
	double start;            /* CLOCK_MONOTONIC at open */
	double last_tick;        /* last idle expiry */
	double next_stats;       /* next -v line */
	bool done;
};

struct live_source *capture_live_open(const struct live_opts *o,
				      struct capture_result *res,
				      struct live_stats *ls)
{
	char err[PCAP_ERRBUF_SIZE];

	memset(res, 0, sizeof *res);
	memset(ls, 0, sizeof *ls);
	struct live_source *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(res->message, sizeof res->message, "out of memory");
		res->status = CAP_OPEN_FAILED;
		return NULL;
	}
	s->p = open_live(o, res, ls);
	if (!s->p) {
		free(s);
		return NULL;
	}
	/* Non-blocking reads and our own wait: the stop conditions, the
	 * idle expiry and the stats line do not depend on how libpcap's
	 * read timeout behaves in immediate mode. */
	if (pcap_setnonblock(s->p, 1, err) != 0) {
		snprintf(res->message, sizeof res->message,
			 "%s: cannot capture: %s", ls->iface, err);
		res->status = CAP_OPEN_FAILED;
		pcap_close(s->p);
		free(s);
		return NULL;
	}
	s->fd = pcap_get_selectable_fd(s->p);
	s->o = *o;
	s->c.linktype = res->linktype;
	s->c.nano = pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO;
	s->start = clock_s(CLOCK_MONOTONIC);
	s->last_tick = s->start;
	s->next_stats = s->start + STATS_EVERY_S;
	return s;
}

int capture_live_fd(const struct live_source *s)
{
	return s->fd;
}

unsigned capture_live_feed(struct live_source *s, struct analyzer *a,
			   unsigned max, bool *done, struct capture_result *res,
			   struct live_stats *ls)
{
	*done = s->done;
	if (s->done)
		return 0;
	int want = max > LIVE_BATCH ? LIVE_BATCH : max ? (int)max : 1;
	if (s->o.max_packets && s->o.max_packets - s->c.packets < (uint64_t)want)
		want = (int)(s->o.max_packets - s->c.packets);
	s->c.a = a;
	int n = pcap_dispatch(s->p, want, on_packet, (u_char *)&s->c);
	res->packets = s->c.packets;
	if (n == PCAP_ERROR_BREAK) {
		s->done = true;
	} else if (n == PCAP_ERROR) {
		snprintf(res->message, sizeof res->message,
			 "%s: the capture stopped: %s", ls->iface,
			 pcap_geterr(s->p));
		res->status = CAP_DAMAGED;
		s->done = true;
	}
	if (s->o.max_packets && s->c.packets >= s->o.max_packets)
		s->done = true;
	double t = clock_s(CLOCK_MONOTONIC);
	if (s->o.duration > 0 && t - s->start >= s->o.duration)
		s->done = true;
	/* With the ring drained, time moves on by the wall clock even when
	 * no packet comes to move the capture clock (packet timestamps are
	 * the kernel's wall clock): idle legs expire, ended legs are
	 * reported. */
	if (!s->done && n < want && t - s->last_tick >= LIVE_POLL_MS / 1000.0) {
		s->last_tick = t;
		analyzer_expire(a, clock_s(CLOCK_REALTIME));
	}
	if (s->o.verbose && t >= s->next_stats) {
		s->next_stats += STATS_EVERY_S;
		if (s->next_stats <= t)
			s->next_stats = t + STATS_EVERY_S;
		stats_line(s->p, a, t - s->start, ls);
	}
	*done = s->done;
	return n > 0 ? (unsigned)n : 0;
}

void capture_live_stats(struct live_source *s, struct live_stats *ls)
{
	read_stats(s->p, ls);
}

void capture_live_close(struct live_source *s, struct live_stats *ls)
{
	if (!s)
		return;
	read_stats(s->p, ls);
	pcap_close(s->p);
	free(s);
}

void capture_live_report(FILE *f, const struct live_stats *ls,
			 uint64_t packets)
{
	fprintf(f, "wstap: %s: %llu packets captured", ls->iface,
		(unsigned long long)packets);
	if (ls->have_stats)
		fprintf(f, ", %llu received by filter, %llu dropped by "
			"kernel, %llu dropped by interface",
			(unsigned long long)ls->received,
			(unsigned long long)ls->dropped_kernel,
			(unsigned long long)ls->dropped_iface);
	fputs(ls->interrupted ? " (interrupted)\n" : "\n", f);
}

void capture_live(const struct live_opts *o, struct analyzer *a,
		  struct capture_result *res, struct live_stats *ls)
{
	struct live_source *s = capture_live_open(o, res, ls);
	if (!s)
		return;
	struct stop_signals sig;
	live_signalled = 0;
	live_handle = s->p;
	stop_signals_catch(&sig, on_signal);

	for (;;) {
		if (live_signalled) {
			ls->interrupted = true;
			break;
		}
		bool done;
		unsigned n = capture_live_feed(s, a, LIVE_BATCH, &done, res, ls);
		if (done) {
			/* a break that was not ours is not an interruption */
			ls->interrupted = live_signalled != 0;
			break;
		}
		if (n == 0)
			wait_packets(s->fd, &sig.wait_mask);
	}
	stop_signals_restore(&sig);
	live_handle = NULL;
	res->packets = s->c.packets;
	capture_live_close(s, ls);
}
