/* fuzz_tls_hello.c - libFuzzer harness for the TLS ClientHello /
 * ServerHello reader: the input is one handshake message. */
#include <stddef.h>
#include <stdint.h>

#include "tls_hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_hello h;

	(void)tls_hello_parse(data, size, &h);
	return 0;
}
