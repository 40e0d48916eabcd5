/* pcap_records.h - the records of a classic pcap file, read in large
 * blocks and handed on in place.
 *
 * libpcap reads a file record by record through stdio: a call, a copy
 * from stdio's buffer into its own and a second call per packet, about a
 * tenth of wstap's time on a capture of short connections (perf, make
 * bench).  This reader takes the well-formed records of a classic pcap
 * file from a 1 MiB buffer filled with read(2), without copying them
 * again.  It never judges a doubtful record: at the first record that is
 * not plainly whole and within the file's snaplen it stops and says where,
 * and the caller hands that offset to libpcap, whose checks and words for
 * a damaged record stay the only ones.
 */
#ifndef WSTAP_PCAP_RECORDS_H
#define WSTAP_PCAP_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

struct pcap_records;

/* Opens `path` when it is a classic pcap file (either byte order,
 * microsecond or nanosecond timestamps) that can be read with read(2);
 * NULL otherwise (the caller reads it with libpcap). */
struct pcap_records *pcap_records_open(const char *path);

/* The next record, with rp->linktype left to the caller: 1 when one is
 * handed on (valid until the next call), 0 at a clean end of file, -1 at
 * a record this reader leaves to libpcap (a short or oversized record, a
 * read error); *offset is then the file offset of that record. */
int pcap_records_next(struct pcap_records *r, struct raw_packet *rp,
		      uint64_t *offset);

void pcap_records_close(struct pcap_records *r);

#endif
