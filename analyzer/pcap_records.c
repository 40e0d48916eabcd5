/* pcap_records.c - classic pcap records straight from a read buffer. */
#include "pcap_records.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Room for the largest record this reader takes (libpcap's maximum
 * snaplen, 262144, plus its header) several times over. */
#define BUF_SIZE (1u << 20)
#define MAX_CAPLEN 262144u

struct pcap_records {
	int fd;
	bool swapped;            /* the file's byte order is not ours */
	bool nsec;               /* nanosecond timestamps */
	bool eof;
	uint32_t snaplen;
	uint8_t *buf;
	size_t start, end;       /* unread bytes are buf[start, end) */
	uint64_t offset;         /* file offset of buf[start] */
};

static uint32_t get32(const struct pcap_records *r, const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return r->swapped ? __builtin_bswap32(v) : v;
}

/* Makes at least `want` unread bytes available if the file has them. */
static void fill(struct pcap_records *r, size_t want)
{
	if (r->end - r->start >= want || r->eof)
		return;
	memmove(r->buf, r->buf + r->start, r->end - r->start);
	r->end -= r->start;
	r->start = 0;
	while (r->end - r->start < want && !r->eof) {
		ssize_t got = read(r->fd, r->buf + r->end, BUF_SIZE - r->end);
		if (got <= 0)
			r->eof = true; /* end, or an error libpcap will name */
		else
			r->end += (size_t)got;
	}
}

struct pcap_records *pcap_records_open(const char *path)
{
	struct pcap_records *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->fd = open(path, O_RDONLY);
	r->buf = malloc(BUF_SIZE);
	if (r->fd < 0 || !r->buf)
		goto no;
	fill(r, 24);
	if (r->end < 24)
		goto no;
	/* The file header (the pcap format, draft-ietf-opsawg-pcap §4):
	 * magic, version 2.4, reserved, snaplen, link type. */
	uint32_t magic = (uint32_t)r->buf[0] | (uint32_t)r->buf[1] << 8 |
			 (uint32_t)r->buf[2] << 16 | (uint32_t)r->buf[3] << 24;
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
		r->nsec = magic == 0xa1b23c4d;
	} else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
		r->swapped = true;
		r->nsec = magic == 0x4d3cb2a1;
	} else {
		goto no;
	}
	uint16_t major = (uint16_t)(r->buf[4] | r->buf[5] << 8);
	uint16_t minor = (uint16_t)(r->buf[6] | r->buf[7] << 8);
	if (r->swapped) {
		major = __builtin_bswap16(major);
		minor = __builtin_bswap16(minor);
	}
	/* Older versions put caplen and len the other way round, which
	 * libpcap sorts out. */
	if (major != 2 || minor != 4)
		goto no;
	r->snaplen = get32(r, r->buf + 16);
	r->start = 24;
	r->offset = 24;
	return r;
no:
	pcap_records_close(r);
	return NULL;
}

int pcap_records_next(struct pcap_records *r, struct raw_packet *rp,
		      uint64_t *offset)
{
	fill(r, 16);
	size_t have = r->end - r->start;
	if (have == 0 && r->eof)
		return 0;
	*offset = r->offset;
	if (have < 16)
		return -1;
	const uint8_t *h = r->buf + r->start;
	uint32_t caplen = get32(r, h + 8);
	/* Only what libpcap would pass on unchanged: a record within the
	 * file's snaplen and libpcap's own limit. */
	if (caplen > r->snaplen || caplen > MAX_CAPLEN)
		return -1;
	fill(r, 16 + (size_t)caplen);
	if (16 + (size_t)caplen > r->end - r->start)
		return -1;
	h = r->buf + r->start;
	uint32_t frac = get32(r, h + 4);
	rp->ts_sec = get32(r, h);
	rp->ts_nsec = r->nsec ? frac : frac * 1000u;
	rp->caplen = caplen;
	rp->wirelen = get32(r, h + 12);
	rp->data = h + 16;
	r->start += 16 + (size_t)caplen;
	r->offset += 16 + (uint64_t)caplen;
	return 1;
}

void pcap_records_close(struct pcap_records *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r);
}
