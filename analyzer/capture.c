/* capture.c - libpcap offline reading. */
#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Progress on stderr: one line rewritten in place, at most 4 times a
 * second, only when asked (stderr is a terminal and -q was not given). */
struct progress {
	bool on;
	bool shown;
	double started, last;
	long long file_size;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void progress_tick(struct progress *pr, pcap_t *p, uint64_t packets,
			  const struct sess_stats *st)
{
	double t = now_s();
	if (!pr->on || t - pr->last < 0.25 || t - pr->started < 1.0)
		return;
	pr->last = t;
	pr->shown = true;
	FILE *f = pcap_file(p);
	long pos = f ? ftell(f) : -1;
	double mb = pos > 0 ? (double)pos / 1e6 : 0;
	double rate = mb / (t - pr->started);
	if (pr->file_size > 0 && pos >= 0)
		fprintf(stderr, "\r%llu packets, %.1f MB (%.0f%%), %llu legs, %.1f MB/s   ",
			(unsigned long long)packets, mb,
			100.0 * (double)pos / (double)pr->file_size,
			(unsigned long long)st->legs, rate);
	else
		fprintf(stderr, "\r%llu packets, %.1f MB, %llu legs, %.1f MB/s   ",
			(unsigned long long)packets, mb,
			(unsigned long long)st->legs, rate);
}

void capture_read_file(const struct capture_opts *o, struct analyzer *a,
		       struct capture_result *res)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	const char *shown = strcmp(o->path, "-") == 0 ? "standard input" : o->path;
	pcap_t *p = pcap_open_offline_with_tstamp_precision(
		o->path, PCAP_TSTAMP_PRECISION_NANO, err);

	memset(res, 0, sizeof *res);
	if (!p) {
		struct stat sb;
		if (strcmp(o->path, "-") != 0 && stat(o->path, &sb) != 0)
			snprintf(res->message, sizeof res->message,
				 "%s: cannot open: %s", shown, strerror(errno));
		else
			snprintf(res->message, sizeof res->message,
				 "%s: not a readable pcap or pcapng capture (%s); "
				 "give a file written by tcpdump, dumpcap or "
				 "Wireshark", shown, err);
		res->status = CAP_OPEN_FAILED;
		return;
	}
	res->linktype = pcap_datalink(p);
	if (o->filter) {
		struct bpf_program prog;
		if (pcap_compile(p, &prog, o->filter, 1,
				 PCAP_NETMASK_UNKNOWN) != 0 ||
		    pcap_setfilter(p, &prog) != 0) {
			snprintf(res->message, sizeof res->message,
				 "filter '%s': %s", o->filter, pcap_geterr(p));
			res->status = CAP_FILTER_FAILED;
			pcap_close(p);
			return;
		}
		pcap_freecode(&prog);
	}
	struct progress pr = { .on = o->progress, .started = now_s() };
	struct stat sb;
	if (strcmp(o->path, "-") != 0 && stat(o->path, &sb) == 0)
		pr.file_size = (long long)sb.st_size;

	/* In a classic pcap file each record is a 16-byte header and its
	 * captured bytes after the 24-byte file header, so the offset of the
	 * record being read is known without asking the file (pcapng blocks
	 * vary; there the file position is reported instead). */
	bool classic = pcap_major_version(p) == 2;
	uint64_t next_record = 24;
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		next_record += 16 + (uint64_t)h->caplen;
		/* Several link types in one pcapng file: ask each time is
		 * costly; libpcap reports the first interface's type, and
		 * files with mixed types are rare. */
		/* opened with nanosecond precision: tv_usec holds ns */
		struct raw_packet rp = {
			.linktype = res->linktype, .data = data,
			.caplen = h->caplen, .wirelen = h->len,
			.ts_sec = (uint64_t)h->ts.tv_sec,
			.ts_nsec = (uint32_t)h->ts.tv_usec,
		};
		analyzer_packet(a, &rp);
		res->packets++;
		if ((res->packets & 0x3ff) == 0)
			progress_tick(&pr, p, res->packets, analyzer_stats(a));
		if (o->max_packets && res->packets >= o->max_packets)
			break;
	}
	if (pr.shown)
		fputs("\r\033[K", stderr);
	if (rc == PCAP_ERROR) {
		FILE *f = pcap_file(p);
		long long pos = classic ? (long long)next_record :
				f ? (long long)ftell(f) : -1;
		snprintf(res->message, sizeof res->message,
			 "%s: the record of packet %llu at file offset %lld is "
			 "damaged (%s); the %llu packets before it are reported",
			 shown, (unsigned long long)res->packets + 1, pos,
			 pcap_geterr(p), (unsigned long long)res->packets);
		res->status = CAP_DAMAGED;
	}
	pcap_close(p);
}
