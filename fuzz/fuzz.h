/*
 * fuzz: what every libFuzzer target of trawl shares.  A target checks
 * invariants with fuzz_check(), which aborts so that libFuzzer keeps the
 * input that broke one.
 */
#ifndef TRAWL_FUZZ_H
#define TRAWL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts, so that libFuzzer records the input, when an invariant fails. */
#define fuzz_check(cond)                                                                   \
	do {                                                                               \
		if (!(cond))                                                               \
			abort();                                                           \
	} while (0)

#endif
