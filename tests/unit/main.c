/* main.c - runs every CUnit suite; exit status 1 when any test failed. */
#include <CUnit/Basic.h>
#include <stdio.h>

#include "suites.h"

typedef int (*suite_adder)(void);

static const suite_adder adders[] = {
	add_cursor_suite,      add_sha1_suite,     add_base64_suite,
	add_utf8_suite,        add_http_parser_suite, add_ws_frame_suite,
	add_ws_message_suite,  add_pmd_suite,      add_ws_handshake_suite,
	add_deflate_scan_suite,
	add_decode_suite,      add_tcp_reasm_suite, add_escape_suite,
	add_ipfrag_suite,      add_ws_resync_suite, add_http_resync_suite,
	add_tls_hello_suite, add_legmap_suite,    add_browse_suite,
	add_keylog_suite,      add_tls_keys_suite, add_tls_decrypt_suite,
	add_tls_cert_suite,    add_out_har_suite,  add_pcap_records_suite,
	add_text_suite,
};

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t i = 0; i < sizeof adders / sizeof adders[0]; i++) {
		if (adders[i]() != 0) {
			fprintf(stderr, "unit: could not register suite %zu\n", i);
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	/* A test fails when any of its assertions fails; a suite whose
	 * set-up failed counts too, so nothing fails silently. */
	unsigned failed = CU_get_number_of_tests_failed() +
			  CU_get_number_of_suites_failed();
	unsigned run = CU_get_number_of_tests_run();
	unsigned asserts = CU_get_number_of_asserts();
	CU_cleanup_registry();
	printf("unit: %u tests run, %u failures (%u assertions)\n", run,
	       failed, asserts);
	return failed || run == 0 ? 1 : 0;
}
