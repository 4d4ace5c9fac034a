/* fuzz_client.c - libFuzzer target for the daemon client's response parser
 * (agentvisor/client.h): whatever a process listening on the socket sends.
 * Invariants beyond "no crash": an accepted response has a status in
 * 100..599 and a body that lies inside the input. */
#include <stdint.h>
#include <stdlib.h>

#include "agentvisor/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int status;
	size_t off, len;
	char why[128];
	if (av_client_parse_response((const char *)data, size, &status, &off, &len, why,
	                             sizeof(why)) == 0) {
		if (status < 100 || status > 599 || off > size || len > size - off)
			abort();
	}
	return 0;
}
