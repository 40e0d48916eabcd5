/* test_pcap_records.c - the classic pcap reader against libpcap on the
 * same files: every record equal (bytes, lengths, nanosecond time) in
 * both byte orders and both timestamp resolutions, across the reader's
 * buffer refills; and the records it must leave to libpcap (oversized,
 * truncated, trailing bytes) stop it at their exact offset. */
#include <CUnit/CUnit.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcap_records.h"
#include "suites.h"

#define SNAPLEN 65535u

static void put32(FILE *f, uint32_t v, bool swap)
{
	if (swap)
		v = __builtin_bswap32(v);
	fwrite(&v, 4, 1, f);
}

static void put16(FILE *f, uint16_t v, bool swap)
{
	if (swap)
		v = __builtin_bswap16(v);
	fwrite(&v, 2, 1, f);
}

/* Record i: caplen varies 0..4999 (and one of 60000), len caplen + i%3,
 * bytes a function of (i, j), time 1700000000 + i s and i*997 frac. */
static uint32_t rec_caplen(int i)
{
	return i == 7 ? 60000u : (uint32_t)(i * 37 % 5000);
}

static void write_header(FILE *f, bool swap, bool nsec, uint16_t minor,
			 uint32_t snaplen)
{
	put32(f, nsec ? 0xa1b23c4d : 0xa1b2c3d4, swap);
	put16(f, 2, swap);
	put16(f, minor, swap);
	put32(f, 0, swap);
	put32(f, 0, swap);
	put32(f, snaplen, swap);
	put32(f, 1, swap); /* Ethernet */
}

static void write_record(FILE *f, bool swap, int i, uint32_t caplen)
{
	put32(f, 1700000000u + (uint32_t)i, swap);
	put32(f, (uint32_t)i * 997u, swap);
	put32(f, caplen, swap);
	put32(f, caplen + (uint32_t)(i % 3), swap);
	for (uint32_t j = 0; j < caplen; j++)
		fputc((int)((i * 31 + j) & 0xff), f);
}

/* A file of n records (over 1 MiB for n = 500: several refills). */
static char *make_file(bool swap, bool nsec, int n)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/wstap_pcaprec_XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	write_header(f, swap, nsec, 4, SNAPLEN);
	for (int i = 0; i < n; i++)
		write_record(f, swap, i, rec_caplen(i));
	fclose(f);
	return path;
}

static void same_as_libpcap(bool swap, bool nsec)
{
	char *path = make_file(swap, nsec, 500);
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcap_records *r = pcap_records_open(path);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	int n = 0, mismatches = 0;
	uint64_t off = 24, at = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(p, &h, &d) == 1) {
		struct raw_packet rp;
		int rc = pcap_records_next(r, &rp, &at);
		CU_ASSERT_EQUAL_FATAL(rc, 1);
		if (rp.caplen != h->caplen || rp.wirelen != h->len ||
		    rp.ts_sec != (uint64_t)h->ts.tv_sec ||
		    rp.ts_nsec != (uint32_t)h->ts.tv_usec ||
		    memcmp(rp.data, d, h->caplen) != 0)
			mismatches++;
		off += 16 + h->caplen;
		n++;
	}
	CU_ASSERT_EQUAL(n, 500);
	CU_ASSERT_EQUAL(mismatches, 0);
	struct raw_packet rp;
	CU_ASSERT_EQUAL(pcap_records_next(r, &rp, &at), 0); /* clean end */
	pcap_records_close(r);
	pcap_close(p);
	unlink(path);
}

static void test_native_usec(void) { same_as_libpcap(false, false); }
static void test_swapped_usec(void) { same_as_libpcap(true, false); }
static void test_native_nsec(void) { same_as_libpcap(false, true); }
static void test_swapped_nsec(void) { same_as_libpcap(true, true); }

/* Reads until the reader stops; returns its last rc and counts. */
static int read_all(const char *path, int *count, uint64_t *at)
{
	struct pcap_records *r = pcap_records_open(path);
	struct raw_packet rp;
	int rc;

	*count = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	while ((rc = pcap_records_next(r, &rp, at)) == 1)
		(*count)++;
	pcap_records_close(r);
	return rc;
}

/* Records libpcap must judge: the reader stops right at them. */
static void test_left_to_libpcap(void)
{
	char path[] = "/tmp/wstap_pcaprec_bad_XXXXXX";
	int count;
	uint64_t at;

	for (int kind = 0; kind < 4; kind++) {
		int fd = mkstemp(path);
		FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		write_header(f, false, false, 4, kind == 3 ? 100 : SNAPLEN);
		write_record(f, false, 1, 60);
		write_record(f, false, 2, 90);
		uint64_t bad = 24 + 16 + 60 + 16 + 90;
		if (kind == 0) {         /* caplen beyond the snaplen */
			write_record(f, false, 3, SNAPLEN + 1);
		} else if (kind == 1) {  /* the last record cut short */
			put32(f, 1, false);
			put32(f, 2, false);
			put32(f, 500, false);
			put32(f, 500, false);
			for (int j = 0; j < 100; j++)
				fputc(j, f);
		} else if (kind == 2) {  /* 5 trailing bytes */
			fwrite("abcde", 1, 5, f);
		} else {                 /* a 200-byte record, snaplen 100 */
			write_record(f, false, 3, 200);
		}
		fclose(f);
		CU_ASSERT_EQUAL(read_all(path, &count, &at), -1);
		CU_ASSERT_EQUAL(count, 2);
		CU_ASSERT_EQUAL(at, bad);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
}

/* Not classic pcap 2.4: libpcap reads it. */
static void test_not_taken(void)
{
	char path[] = "/tmp/wstap_pcaprec_hdr_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	write_header(f, false, false, 3, SNAPLEN); /* version 2.3 */
	write_record(f, false, 1, 60);
	fclose(f);
	CU_ASSERT_PTR_NULL(pcap_records_open(path));
	f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	put32(f, 0x0a0d0d0a, false); /* a pcapng section header */
	for (int i = 0; i < 6; i++)
		put32(f, 28, false);
	fclose(f);
	CU_ASSERT_PTR_NULL(pcap_records_open(path));
	CU_ASSERT_PTR_NULL(pcap_records_open("/nonexistent/wstap.pcap"));
	unlink(path);
}

int add_pcap_records_suite(void)
{
	CU_pSuite s = CU_add_suite("pcap_records", NULL, NULL);
	if (!s ||
	    !CU_add_test(s, "same as libpcap, native, usec", test_native_usec) ||
	    !CU_add_test(s, "same as libpcap, swapped, usec", test_swapped_usec) ||
	    !CU_add_test(s, "same as libpcap, native, nsec", test_native_nsec) ||
	    !CU_add_test(s, "same as libpcap, swapped, nsec", test_swapped_nsec) ||
	    !CU_add_test(s, "stops at records left to libpcap", test_left_to_libpcap) ||
	    !CU_add_test(s, "other formats left to libpcap", test_not_taken))
		return -1;
	return 0;
}
