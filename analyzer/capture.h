/* capture.h - reading packets with libpcap (pcap and pcapng files, stdin)
 * into the analyzer. */
#ifndef WSTAP_CAPTURE_H
#define WSTAP_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

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
	CAP_DAMAGED,             /* stopped early: a damaged record */
	CAP_FILTER_FAILED,
};

struct capture_result {
	enum capture_status status;
	char message[512];       /* one line for the user when not CAP_OK */
	uint64_t packets;
	int linktype;
};

void capture_read_file(const struct capture_opts *o, struct analyzer *a,
		       struct capture_result *res);

#endif
