/* test_http_resync.c - dissectors/http_resync.c: request and status lines
 * recognised (RFC 9112 §3, §4), need-more at every prefix, and the
 * look-alikes rejected. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "http_resync.h"
#include "suites.h"

static enum http_resync_result judge(const char *s)
{
	return http_resync_line((const uint8_t *)s, strlen(s));
}

static void test_lines(void)
{
	CU_ASSERT_EQUAL(judge("GET /chat HTTP/1.1\r\nHost: x\r\n"),
			HTTP_RESYNC_REQUEST);
	CU_ASSERT_EQUAL(judge("CONNECT example.org:443 HTTP/1.1\r\n"),
			HTTP_RESYNC_REQUEST);
	CU_ASSERT_EQUAL(judge("POST http://a/b?c HTTP/1.0\n"),
			HTTP_RESYNC_REQUEST);
	CU_ASSERT_EQUAL(judge("HTTP/1.1 101 Switching Protocols\r\n"),
			HTTP_RESYNC_RESPONSE);
	CU_ASSERT_EQUAL(judge("HTTP/1.0 200\r\n"), HTTP_RESYNC_RESPONSE);
	/* Look-alikes. */
	CU_ASSERT_EQUAL(judge("GETS / HTTP/1.1\r\n"), HTTP_RESYNC_NO);
	CU_ASSERT_EQUAL(judge("get / HTTP/1.1\r\n"), HTTP_RESYNC_NO);
	CU_ASSERT_EQUAL(judge("GET  / HTTP/1.1\r\n"), HTTP_RESYNC_NO);
	CU_ASSERT_EQUAL(judge("GET / HTTP/2.0\r\n"), HTTP_RESYNC_NO);
	CU_ASSERT_EQUAL(judge("GET / HTTP/1.1 \r\n"), HTTP_RESYNC_NO);
	CU_ASSERT_EQUAL(judge("GET /a\x01 HTTP/1.1\r\n"), HTTP_RESYNC_NO);
	CU_ASSERT_EQUAL(judge("HTTP/1.1 099 x\r\n"), HTTP_RESYNC_NO);
	CU_ASSERT_EQUAL(judge("HTTP/1.1 2000\r\n"), HTTP_RESYNC_NO);
	CU_ASSERT_EQUAL(judge("HTTP/1.1 20x\r\n"), HTTP_RESYNC_NO);
	CU_ASSERT_EQUAL(judge("\x81\x05Hello"), HTTP_RESYNC_NO);
}

/* Every proper prefix of a start line needs more; the whole decides. */
static void test_prefixes(void)
{
	const char *lines[] = { "GET /x HTTP/1.1\r\n", "HEAD / HTTP/1.0\r\n",
				"HTTP/1.1 407 Proxy Authentication Required\r\n" };

	for (size_t k = 0; k < 3; k++) {
		size_t n = strlen(lines[k]);
		size_t decided = k == 2 ? 13 : n;
		for (size_t i = 0; i < decided; i++)
			CU_ASSERT_EQUAL(http_resync_line(
				(const uint8_t *)lines[k], i), HTTP_RESYNC_MORE);
		CU_ASSERT_EQUAL(http_resync_line((const uint8_t *)lines[k],
						 decided),
				k == 2 ? HTTP_RESYNC_RESPONSE : HTTP_RESYNC_REQUEST);
	}
}

static void test_long_target(void)
{
	static char line[HTTP_RESYNC_TARGET_MAX + 64];

	memcpy(line, "GET /", 5);
	memset(line + 5, 'a', HTTP_RESYNC_TARGET_MAX);
	memcpy(line + 5 + HTTP_RESYNC_TARGET_MAX, " HTTP/1.1\r\n", 12);
	CU_ASSERT_EQUAL(judge(line), HTTP_RESYNC_NO);
	line[5 + 100] = ' ';
	memcpy(line + 5 + 101, "HTTP/1.1\r\n", 11);
	CU_ASSERT_EQUAL(judge(line), HTTP_RESYNC_REQUEST);
}

int add_http_resync_suite(void)
{
	CU_pSuite s = CU_add_suite("http_resync", NULL, NULL);

	if (s == NULL)
		return -1;
	if (CU_add_test(s, "start lines", test_lines) == NULL ||
	    CU_add_test(s, "prefixes need more", test_prefixes) == NULL ||
	    CU_add_test(s, "long target", test_long_target) == NULL)
		return -1;
	return 0;
}
