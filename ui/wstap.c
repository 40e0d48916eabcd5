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
#include "capture.h"
#include "obuf.h"
#include "outputs.h"

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
	uint64_t max_message, max_inflate, memcap;
	uint64_t only[MAX_ONLY];
	size_t n_only;
};

static void usage(FILE *f)
{
	fputs("usage: wstap [options] -r FILE\n"
	      "Reads a capture and tells the story of each WebSocket session\n"
	      "through HTTP proxies (CONNECT tunnels, forward and reverse).\n"
	      "\n"
	      "  -r FILE          read a pcap or pcapng capture ('-' = stdin)\n"
	      "  -f FILTER        BPF filter applied while reading (as tcpdump)\n"
	      "  -c COUNT         stop after COUNT packets\n"
	      "  -T FORMAT        summary (default) | transcript | jsonl\n"
	      "  -o FILE          write the output to FILE instead of stdout\n"
	      "  -s SESSION       only this leg id (repeatable)\n"
	      "  -x               transcript: full hex dumps of payloads\n"
	      "  -q               no progress line, only results\n"
	      "  --max-message BYTES  cap on one kept message (default 16MiB)\n"
	      "  --max-inflate BYTES  cap on one inflated message (default 16MiB)\n"
	      "  --memcap BYTES       cap on buffered stream data (default 256MiB)\n"
	      "  -h, --help       this help;  -V, --version  versions\n"
	      "Exit status: 0 success, 1 capture unreadable or damaged, 2 usage.\n"
	      "See the README and docs/jsonl.md for the output formats.\n",
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
	printf("wstap %s\n%s\nzlib %s\n", PACKAGE_VERSION, pcap_lib_version(),
	       zlibVersion());
}

enum { OPT_MAX_MESSAGE = 1000, OPT_MAX_INFLATE, OPT_MEMCAP, OPT_KEYLOG };

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "max-message", required_argument, NULL, OPT_MAX_MESSAGE },
		{ "max-inflate", required_argument, NULL, OPT_MAX_INFLATE },
		{ "memcap", required_argument, NULL, OPT_MEMCAP },
		{ "keylog", required_argument, NULL, OPT_KEYLOG },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:i:f:c:a:T:o:w:bs:qxhVD", longs,
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
			return usage_error("-a %s: stopping after a duration "
					   "applies to live capture, which this "
					   "build does not have yet", optarg);
		case 'T':
			if (strcmp(optarg, "summary") == 0)
				o->format = FMT_SUMMARY;
			else if (strcmp(optarg, "transcript") == 0)
				o->format = FMT_TRANSCRIPT;
			else if (strcmp(optarg, "jsonl") == 0)
				o->format = FMT_JSONL;
			else if (strcmp(optarg, "har") == 0)
				return usage_error("-T %s: HAR export is not in "
						   "this build yet; use jsonl or "
						   "transcript", optarg);
			else
				return usage_error("-T '%s': unknown format (summary, "
						   "transcript, jsonl)", optarg);
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
		case 'h': usage(stdout); exit(0);
		case 'V': version(); exit(0);
		case 'D':
			return usage_error("%s: listing interfaces belongs to live "
					   "capture, which this build does not have "
					   "yet", "-D");
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
	if (o->iface)
		return usage_error("-i %s: live capture is not in this build yet; "
				   "capture with tcpdump -w and read with -r",
				   o->iface);
	if (o->browse)
		return usage_error("%s: the terminal browser is not in this build "
				   "yet; use -T transcript", "-b");
	if (o->write_dir)
		return usage_error("-w %s: per-session pcap export is not in this "
				   "build yet", o->write_dir);
	if (o->keylog)
		return usage_error("--keylog %s: TLS decryption is not in this "
				   "build yet", o->keylog);
	if (!o->read)
		return usage_error("%s", "no input: give a capture with -r FILE");
	return 0;
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
	/* Legs come and go by the thousand, each with a few tens of KB of
	 * state: keep freed memory in the heap instead of handing it back to
	 * the kernel and faulting it in again (measured: system time on a
	 * capture of many short legs fell from 40% of the run to 5%). */
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);

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
	obuf_init(&ob, out, line_flush);

	struct output_opts oo = { .hex = o.hex, .quiet = o.quiet };
	void *state = NULL;
	struct sess_sink sink;
	switch (o.format) {
	case FMT_JSONL: sink = output_jsonl(&ob, &oo, &state); break;
	case FMT_TRANSCRIPT: sink = output_transcript(&ob, &oo, &state); break;
	default: sink = output_summary(&ob, &oo, &state); break;
	}
	if (!state) {
		fputs("wstap: out of memory\n", stderr);
		return 1;
	}

	struct analyzer_cfg cfg = {
		.max_message = o.max_message,
		.max_inflate = o.max_inflate,
		.memcap = o.memcap,
		.only_ids = o.only,
		.n_only = o.n_only,
	};
	struct analyzer *a = analyzer_new(&cfg, &sink);
	if (!a) {
		fputs("wstap: out of memory\n", stderr);
		return 1;
	}
	struct capture_opts co = {
		.path = o.read,
		.filter = o.filter,
		.max_packets = o.count,
		.progress = !o.quiet && isatty(STDERR_FILENO),
	};
	struct capture_result res;
	capture_read_file(&co, a, &res);
	if (res.status == CAP_OPEN_FAILED || res.status == CAP_FILTER_FAILED) {
		fprintf(stderr, "wstap: %s\n", res.message);
		analyzer_free(a);
		output_free(state);
		return res.status == CAP_FILTER_FAILED ? 2 : 1;
	}
	analyzer_finish(a);
	obuf_flush(&ob);
	analyzer_free(a);
	output_free(state);
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
	return rc;
}
