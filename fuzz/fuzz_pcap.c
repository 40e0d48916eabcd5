/* fuzz_pcap.c - libFuzzer harness for the whole pipeline: the input is a
 * capture file (pcap or pcapng) read by libpcap, decoded, reassembled,
 * analysed by every layer and written as JSON Lines to nowhere (so the
 * escaping and JSON writers run too).
 *
 * libpcap reads a FILE: the input is written to one temporary file,
 * reused for every execution.  Caps are set low so the cap paths run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer.h"
#include "capture.h"
#include "obuf.h"
#include "outputs.h"

static char path[64];
static int fd = -1;

static void discard(void *ctx, const char *p, size_t n)
{
	volatile char x = 0;

	(void)ctx;
	if (n)
		x ^= p[n - 1];
	(void)x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fd < 0) {
		snprintf(path, sizeof path, "/tmp/wstap-fuzz-XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		unlink(path); /* read through /proc/self/fd below */
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();

	static struct obuf ob;
	obuf_init_fn(&ob, discard, NULL);
	struct output_opts oo = { .hex = false, .quiet = true };
	void *state = NULL;
	struct sess_sink sink = output_jsonl(&ob, &oo, &state);
	if (!state)
		return 0;
	struct analyzer_cfg cfg = {
		.max_message = 4096,
		.max_inflate = 65536,
		.memcap = 1u << 20,
	};
	struct analyzer *a = analyzer_new(&cfg, &sink);
	if (!a) {
		output_free(state);
		return 0;
	}
	struct capture_opts co = { .path = path, .max_packets = 100000 };
	struct capture_result res;
	capture_read_file(&co, a, &res);
	analyzer_finish(a);
	obuf_flush(&ob);
	analyzer_free(a);
	output_free(state);
	return 0;
}
