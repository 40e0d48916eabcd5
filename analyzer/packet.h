/* packet.h - a captured packet as the capture layer hands it on. */
#ifndef WSTAP_PACKET_H
#define WSTAP_PACKET_H

#include <stdint.h>

/* A captured packet as libpcap gave it (borrowed). */
struct raw_packet {
	int linktype;
	const uint8_t *data;
	uint32_t caplen, wirelen;
	uint64_t ts_sec;         /* capture time: seconds and nanoseconds */
	uint32_t ts_nsec;
};

#endif
