/* fuzz_audit.c - the audit log readers on hostile bytes: the input is taken
 * as one segment file (frames, checkpoints, the hash chain and tree, via the
 * pure verifier), as a proof for check-proof, as a result report for the
 * strict result decoder, and as JSON for the redactor, which must keep valid
 * JSON valid (and whose prefilter must agree with it). Nothing may crash, leak or read
 * out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "audit/audit_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char pk[32], sk[64];
	static bool init;
	if (!init) {
		unsigned char seed[32] = { 6 };
		if (sodium_init() < 0)
			abort();
		crypto_sign_seed_keypair(pk, sk, seed);
		init = true;
	}
	struct av_audit_verify_result res;
	struct av_verifier v;
	av_verifier_init(&v, pk, &res);
	av_verifier_segment(&v, "fuzz", 1, data, size, true);
	av_verifier_finish(&v);

	struct av_error err;
	av_audit_check_proof((const char *)data, size, pk, &err);

	struct av_arena arena;
	struct av_result result;
	av_arena_init(&arena, (size_t)8 << 20);
	av_result_decode((const char *)data, size, &arena, &result, &err);
	av_arena_free(&arena);

	size_t n;
	unsigned count;
	char *red = av_redact_json((const char *)data, size, &n, &count);
	if (red != NULL && count > 0 && !av_redact_needed((const char *)data, size))
		abort(); /* the prefilter hid a secret the patterns found */
	json_t *in = json_loadb((const char *)data, size, 0, NULL);
	if (red != NULL && in != NULL) {
		json_t *out = json_loadb(red, n, 0, NULL);
		if (out == NULL)
			abort(); /* redaction broke valid JSON */
		json_decref(out);
	}
	json_decref(in);
	free(red);
	return 0;
}
