/* wstap.c - the command line: options, input, output format, exit codes.
 *
 * Exit codes (../shared/CONTRACT.md): 0 success whatever the verdicts,
 * 1 the capture could not be read or was damaged, 2 usage error. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "analyzer.h"
#include "browse.h"
#include "capture.h"
#include "keylog.h"
#include "obuf.h"
#include "outputs.h"
#include "pcapng_dsb.h"
#include "version.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0"
#endif

#define MAX_ONLY 64

enum format { FMT_SUMMARY, FMT_TRANSCRIPT, FMT_JSONL, FMT_HAR };

struct options {
	const char *read;
	const char *iface;
	const char *filter;
	const char *out;
	const char *write_dir;
	const char *keylog;
	enum format format;
	uint64_t count;
	bool quiet, hex, browse;
	bool pcapng;             /* -w writes pcapng with the verdict */
	bool linked;             /* --linked: transcript pairs linked legs */
	/* live capture */
	bool list_ifaces, verbose, no_promisc, idle_set;
	double duration, idle;
	unsigned buffer_kib;
	uint64_t max_message, max_inflate, memcap;
	uint64_t only[MAX_ONLY];
	size_t n_only;
};

static void usage(FILE *f)
{
	fputs("usage: wstap [options] -r FILE\n"
	      "       wstap [options] -i IFACE\n"
	      "Reads a capture and tells the story of each WebSocket session\n"
	      "through HTTP proxies (CONNECT tunnels, forward and reverse).\n"
	      "\n"
	      "  -r FILE          read a pcap or pcapng capture ('-' = stdin)\n"
	      "  -i IFACE         sniff a live interface (name or number of -D)\n"
	      "  -D               list the interfaces that can be sniffed\n"
	      "  -f FILTER        BPF capture filter (as tcpdump)\n"
	      "  -c COUNT         stop after COUNT packets\n"
	      "  -a duration:SEC  live: stop after SEC seconds (or packets:N)\n"
	      "  --idle SECONDS   live: stop following a connection idle this\n"
	      "                   long and report it (default 300; 0 = never)\n"
	      "  -B KIB           live: kernel capture buffer (default 32768)\n"
	      "  -p               live: not in promiscuous mode\n"
	      "  -v               live: a stats line on stderr every 10 s\n"
	      "  -T FORMAT        summary (default) | transcript | jsonl | har\n"
	      "  -o FILE          write the output to FILE instead of stdout\n"
	      "  -w DIR           also write one capture file per leg into DIR\n"
	      "  -b               browse the legs in the terminal, from -r or live\n"
	      "                   from -i (? lists the keys)\n"
	      "  --pcapng         -w writes pcapng, the verdict as a packet comment\n"
	      "  -s SESSION       only this leg id (repeatable)\n"
	      "  -x               transcript: full hex dumps of payloads\n"
	      "  --linked         transcript: both legs of a proxy together,\n"
	      "                   in time order\n"
	      "  -q               no progress line, only results\n"
	      "  --max-message BYTES  cap on one kept message (default 16MiB)\n"
	      "  --max-inflate BYTES  cap on one inflated message (default 16MiB)\n"
	      "  --memcap BYTES       cap on buffered stream data (default 256MiB)\n"
	      "  --keylog FILE    TLS key log (NSS format) to decrypt wss; default\n"
	      "                   $SSLKEYLOGFILE; pcapng-embedded secrets are used too\n"
	      "  -h, --help       this help;  -V, --version  versions\n"
	      "Exit status: 0 success, 1 capture unreadable or damaged, 2 usage.\n"
	      "Every option, verdict and JSONL key: man wstap (wstap(1)).\n",
	      f);
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("wstap: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("; see 'wstap -h'\n", stderr);
	return 2;
}

/* "16M", "16MiB", "1G", "4096": bytes.  Returns false on junk. */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return false;
	uint64_t mul = 1;
	if (*end == 'k' || *end == 'K')
		mul = 1024;
	else if (*end == 'm' || *end == 'M')
		mul = 1024 * 1024;
	else if (*end == 'g' || *end == 'G')
		mul = 1024ull * 1024 * 1024;
	if (mul != 1) {
		end++;
		if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)
			end += strlen(end);
	}
	if (*end)
		return false;
	if (v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		return false;
	*out = v;
	return true;
}

static void version(void)
{
	version_print(stdout);
}

enum { OPT_MAX_MESSAGE = 1000, OPT_MAX_INFLATE, OPT_MEMCAP, OPT_KEYLOG,
       OPT_IDLE, OPT_PCAPNG, OPT_LINKED };

/* Seconds: a finite number >= 0 ("2.5" allowed). */
static bool parse_seconds(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e9)
		return false;
	*out = v;
	return true;
}

/* -a as tshark takes it: duration:SEC, packets:N. */
static int parse_autostop(const char *arg, struct options *o)
{
	uint64_t n;

	if (strncmp(arg, "duration:", 9) == 0) {
		if (!parse_seconds(arg + 9, &o->duration) || o->duration <= 0)
			return usage_error("-a '%s': the duration is a positive "
					   "number of seconds", arg);
		return 0;
	}
	if (strncmp(arg, "packets:", 8) == 0) {
		if (!parse_u64(arg + 8, &n) || n == 0)
			return usage_error("-a '%s': give a positive packet "
					   "count", arg);
		if (!o->count || n < o->count)
			o->count = n;
		return 0;
	}
	return usage_error("-a '%s': give duration:SEC or packets:N", arg);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "max-message", required_argument, NULL, OPT_MAX_MESSAGE },
		{ "max-inflate", required_argument, NULL, OPT_MAX_INFLATE },
		{ "memcap", required_argument, NULL, OPT_MEMCAP },
		{ "keylog", required_argument, NULL, OPT_KEYLOG },
		{ "idle", required_argument, NULL, OPT_IDLE },
		{ "pcapng", no_argument, NULL, OPT_PCAPNG },
		{ "linked", no_argument, NULL, OPT_LINKED },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	uint64_t n;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:i:f:c:a:T:o:w:bs:qxhVDB:pv", longs,
				NULL)) != -1) {
		switch (c) {
		case 'r': o->read = optarg; break;
		case 'i': o->iface = optarg; break;
		case 'f': o->filter = optarg; break;
		case 'o': o->out = optarg; break;
		case 'w': o->write_dir = optarg; break;
		case 'b': o->browse = true; break;
		case 'q': o->quiet = true; break;
		case 'x': o->hex = true; break;
		case 'c':
			if (!parse_u64(optarg, &o->count) || o->count == 0)
				return usage_error("-c needs a positive packet count, "
						   "not '%s'", optarg);
			break;
		case 'a':
			if (parse_autostop(optarg, o))
				return 2;
			break;
		case 'B':
			/* KiB as tcpdump's -B; libpcap takes an int of bytes. */
			if (!parse_u64(optarg, &n) || n < 256 || n > 2097151)
				return usage_error("-B '%s': give the buffer in KiB, "
						   "256 to 2097151", optarg);
			o->buffer_kib = (unsigned)n;
			break;
		case 'p': o->no_promisc = true; break;
		case 'v': o->verbose = true; break;
		case OPT_IDLE:
			if (!parse_seconds(optarg, &o->idle))
				return usage_error("--idle '%s': give seconds (0 = "
						   "never expire)", optarg);
			o->idle_set = true;
			break;
		case 'T':
			if (strcmp(optarg, "summary") == 0)
				o->format = FMT_SUMMARY;
			else if (strcmp(optarg, "transcript") == 0)
				o->format = FMT_TRANSCRIPT;
			else if (strcmp(optarg, "jsonl") == 0)
				o->format = FMT_JSONL;
			else if (strcmp(optarg, "har") == 0)
				o->format = FMT_HAR;
			else
				return usage_error("-T '%s': unknown format (summary, "
						   "transcript, jsonl, har)", optarg);
			break;
		case 's':
			if (o->n_only == MAX_ONLY)
				return usage_error("-s %s: at most 64 sessions", optarg);
			if (!parse_u64(optarg, &o->only[o->n_only]))
				return usage_error("-s '%s': a session id is a number "
						   "(see the summary)", optarg);
			o->n_only++;
			break;
		case OPT_MAX_MESSAGE:
			if (!parse_size(optarg, &o->max_message))
				return usage_error("--max-message '%s': give bytes, "
						   "e.g. 16M", optarg);
			break;
		case OPT_MAX_INFLATE:
			if (!parse_size(optarg, &o->max_inflate))
				return usage_error("--max-inflate '%s': give bytes, "
						   "e.g. 16M", optarg);
			break;
		case OPT_MEMCAP:
			if (!parse_size(optarg, &o->memcap) || o->memcap < 65536)
				return usage_error("--memcap '%s': give bytes, at "
						   "least 64K", optarg);
			break;
		case OPT_KEYLOG: o->keylog = optarg; break;
		case OPT_PCAPNG: o->pcapng = true; break;
		case OPT_LINKED: o->linked = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': version(); exit(0);
		case 'D': o->list_ifaces = true; break;
		case ':':
			return usage_error("option -%c needs a value",
					   (char[]){ (char)optopt, 0 });
		default:
			if (optopt)
				return usage_error("unknown option -%s",
						   (char[]){ (char)optopt, 0 });
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s' (the capture file "
				   "goes after -r)", argv[optind]);
	if (o->list_ifaces)
		return 0;
	if (o->iface && o->read)
		return usage_error("%s: give one input, -r FILE or -i IFACE",
				   "-r and -i");
	if (o->duration > 0 && !o->iface)
		return usage_error("%s: stopping after a duration applies to "
				   "live capture (-i)", "-a duration");
	if (o->browse && (o->out || o->write_dir))
		return usage_error("%s: the browser shows the legs on the terminal "
				   "(x exports one); -o and -w are for the other "
				   "formats", "-b");
	if (o->pcapng && !o->write_dir)
		return usage_error("%s: pcapng is the format of the per-leg files; "
				   "give -w DIR too", "--pcapng");
	if (!o->read && !o->iface)
		return usage_error("%s", "no input: give a capture with -r FILE "
				   "or an interface with -i IFACE (-D lists them)");
	return 0;
}

/* TLS secrets: --keylog FILE, else $SSLKEYLOGFILE, plus any Decryption
 * Secrets Blocks of a pcapng input.  *out stays NULL when there are none
 * (the verdicts then suggest a key log).  Lines that do not parse are
 * reported, never fatal. */
static int load_keys(const struct options *o, struct keylog **out)
{
	const char *path = o->keylog;
	const char *env = getenv("SSLKEYLOGFILE");
	bool from_env = !path && env && env[0];
	struct keylog *kl = keylog_new();

	*out = NULL;
	if (!kl) {
		fputs("wstap: out of memory\n", stderr);
		return 1;
	}
	if (from_env)
		path = env;
	if (path && !keylog_load_file(kl, path)) {
		if (!from_env) {
			fprintf(stderr, "wstap: cannot read the key log %s: %s\n",
				path, strerror(errno));
			keylog_free(kl);
			return 2;
		}
		/* The variable often names a file a browser has not written
		 * yet: say so and go on without it. */
		fprintf(stderr, "wstap: warning: SSLKEYLOGFILE=%s cannot be read "
			"(%s); TLS is not decrypted\n", path, strerror(errno));
		path = NULL;
	}
	struct dsb_result dr = { 0 };
	if (o->read && strcmp(o->read, "-") != 0)
		pcapng_dsb_load(o->read, kl, &dr);
	const struct keylog_stats *st = keylog_stats(kl);
	if (st->bad)
		fprintf(stderr, "wstap: warning: %s: %llu line(s) are not key log "
			"lines (the first is line %llu); they were skipped\n",
			path ? path : "the capture's secrets",
			(unsigned long long)st->bad,
			(unsigned long long)st->first_bad);
	if (st->cap_hits)
		fprintf(stderr, "wstap: warning: the key logs hold more than %u "
			"sessions; %llu secret(s) beyond that were dropped\n",
			KEYLOG_MAX_ENTRIES, (unsigned long long)st->cap_hits);
	if (dr.too_big)
		fprintf(stderr, "wstap: warning: %s: %llu decryption secrets "
			"block(s) over %u bytes were skipped\n", o->read,
			(unsigned long long)dr.too_big, DSB_MAX);
	if (path && !st->secrets)
		fprintf(stderr, "wstap: warning: %s holds no TLS secrets\n", path);
	if (!path && !dr.blocks) {
		keylog_free(kl);
		return 0;
	}
	*out = kl;
	return 0;
}

/* The capture's own figures, as tcpdump gives them when it stops. */
static void live_report(const struct live_stats *ls, uint64_t packets)
{
	capture_live_report(stderr, ls, packets);
}

int main(int argc, char **argv)
{
	struct options o = {
		.max_message = 16u * 1024 * 1024,
		.max_inflate = 16u * 1024 * 1024,
		.memcap = 256u * 1024 * 1024,
	};
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	if (o.list_ifaces) {
		char err[256];
		if (capture_list_ifaces(stdout, err, sizeof err))
			return 0;
		fprintf(stderr, "wstap: %s\n", err);
		return 1;
	}
	/* Legs come and go by the thousand, each with a few tens of KB of
	 * state: keep freed memory in the heap instead of handing it back to
	 * the kernel and faulting it in again (measured: system time on a
	 * capture of many short legs fell from 40% of the run to 5%). */
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
	struct keylog *keys = NULL;
	rc = load_keys(&o, &keys);
	if (rc)
		return rc;
	struct analyzer_cfg cfg = {
		.max_message = o.max_message,
		.max_inflate = o.max_inflate,
		.memcap = o.memcap,
		.only_ids = o.only,
		.n_only = o.n_only,
		/* Live runs last for days: a connection silent for 5 minutes
		 * is reported and its memory released.  Files keep every
		 * connection to the end unless --idle asks otherwise. */
		.idle_timeout = o.idle_set ? o.idle : o.iface ? 300.0 : 0.0,
		.keylog = keys,
	};
	struct capture_opts co = {
		.path = o.read,
		.filter = o.filter,
		.max_packets = o.count,
		.progress = !o.quiet && isatty(STDERR_FILENO),
	};
	struct live_opts lo = {
		.iface = o.iface,
		.filter = o.filter,
		.max_packets = o.count,
		.duration = o.duration,
		.buffer_kib = o.buffer_kib ? o.buffer_kib : 32768,
		.promisc = !o.no_promisc,
		.verbose = o.verbose,
		.quiet = o.quiet,
	};
	if (o.browse) {
		/* Nothing goes to stderr while the screen is the browser's (no
		 * "listening on" or -v lines: the status line has them). */
		co.progress = false;
		lo.verbose = false;
		lo.quiet = true;
		return browse_run(&co, o.iface ? &lo : NULL, &cfg);
	}

	FILE *out = stdout;
	if (o.out) {
		out = fopen(o.out, "w");
		if (!out) {
			fprintf(stderr, "wstap: cannot write %s: %s\n", o.out,
				strerror(errno));
			return 1;
		}
	}
	static struct obuf ob;
	/* A pipe or terminal gets each record as it completes (so `| jq`
	 * and live tails work); a regular file gets big buffered writes. */
	bool line_flush = !o.out && (isatty(fileno(out)) || ftell(out) < 0);
	/* Live, every record is written as it completes, even to a file
	 * (tail -f, log shippers, and nothing lost when the run is killed). */
	if (o.iface)
		line_flush = true;
	obuf_init(&ob, out, line_flush);
	/* Output to the terminal that shows the progress line: erase the
	 * line first, so the two never share a screen line. */
	if (!o.out && isatty(STDOUT_FILENO))
		ob.before_write = capture_progress_clear;

	struct output_opts oo = { .hex = o.hex, .quiet = o.quiet,
				  .linked = o.linked };
	void *state = NULL;
	struct sess_sink sink;
	switch (o.format) {
	case FMT_JSONL: sink = output_jsonl(&ob, &oo, &state); break;
	case FMT_TRANSCRIPT: sink = output_transcript(&ob, &oo, &state); break;
	case FMT_HAR: sink = output_har(&ob, &oo, &state); break;
	default: sink = output_summary(&ob, &oo, &state); break;
	}
	if (!state) {
		fputs("wstap: out of memory\n", stderr);
		return 1;
	}
	/* -w: the per-leg capture files, beside whatever -T writes. */
	void *pstate = NULL, *tstate = NULL;
	if (o.write_dir) {
		char err[512];
		struct sess_sink ps = output_pcap(o.write_dir, o.pcapng, &pstate,
						  err, sizeof err);
		if (!pstate) {
			fprintf(stderr, "wstap: %s\n", err);
			output_free(state); /* LeakSanitizer: exit paths too */
			return 1;
		}
		struct sess_sink fmt = sink;
		sink = sink_tee(&fmt, &ps, &tstate);
		if (!tstate) {
			fputs("wstap: out of memory\n", stderr);
			return 1;
		}
	}

	struct analyzer *a = analyzer_new(&cfg, &sink);
	if (!a) {
		fputs("wstap: out of memory\n", stderr);
		return 1;
	}
	struct capture_result res;
	struct live_stats ls;
	if (o.iface)
		capture_live(&lo, a, &res, &ls);
	else
		capture_read_file(&co, a, &res);
	if (res.status == CAP_OPEN_FAILED || res.status == CAP_FILTER_FAILED) {
		fprintf(stderr, "wstap: %s\n", res.message);
		analyzer_free(a);
		output_free(state);
		output_pcap_end(pstate, NULL);
		output_free(tstate);
		return res.status == CAP_FILTER_FAILED ? 2 : 1;
	}
	analyzer_finish(a);
	obuf_flush(&ob);
	if (o.iface)
		live_report(&ls, res.packets);
	analyzer_free(a);
	output_free(state);
	output_free(tstate);
	if (pstate) {
		struct pcap_split_result pr;
		output_pcap_end(pstate, &pr);
		if (pr.error[0]) {
			fprintf(stderr, "wstap: -w: %s (%llu write errors)\n",
				pr.error, (unsigned long long)pr.write_errors);
			rc = 1;
		}
		if (pr.dropped_linktype)
			fprintf(stderr, "wstap: -w: warning: %llu packets of a "
				"second link type left out of pcap files; use "
				"--pcapng to keep them\n",
				(unsigned long long)pr.dropped_linktype);
		if (pr.dropped_nomem)
			fprintf(stderr, "wstap: -w: warning: %llu packets left out "
				"(out of memory)\n",
				(unsigned long long)pr.dropped_nomem);
	}
	if (res.status == CAP_DAMAGED) {
		fprintf(stderr, "wstap: warning: %s\n", res.message);
		rc = 1;
	}
	if (ob.failed) {
		fprintf(stderr, "wstap: writing the output failed: %s\n",
			strerror(errno));
		rc = 1;
	}
	if (o.out && fclose(out) != 0 && rc == 0) {
		fprintf(stderr, "wstap: closing %s failed\n", o.out);
		rc = 1;
	}
	keylog_free(keys);
	return rc;
}
