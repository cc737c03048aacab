/*
 * replay: a main() for the fuzz targets when libFuzzer is not there (gcc,
 * the plain and sanitizer builds).  Each argument is an input file, or a
 * directory whose files are inputs; every input goes once through
 * LLVMFuzzerTestOneInput(), as libFuzzer would run a seed.  So `make
 * check` builds every target with the compiler it uses, and replays the
 * seeds and the crashes kept as seeds: a target that no longer compiles,
 * or a fixed crash that returns, fails the ordinary test suite.
 *
 * The input is in a buffer of exactly its size, so that an overread is an
 * overread under AddressSanitizer too.  Prints "N inputs" on stdout.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned long replay_count;

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *b = realloc(buf, cap = cap ? 2 * cap : 4096);

			if (!b)
				abort();
			buf = b;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	/* Exactly len bytes, so that one byte past the input is caught. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact)
			abort();
		memcpy(exact, buf, len);
		free(buf);
		fprintf(stderr, "replay: %s\n", path);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	replay_count++;
	return 0;
}

static int
replay_entry_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
replay_path(const char *path)
{
	struct stat st;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	DIR *d;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? replay_file(path) : 0;
	if (!(d = opendir(path))) {
		perror(path);
		return -1;
	}
	/* In name order, so that a failure names the same input each run. */
	while ((e = readdir(d))) {
		char **more;

		if (e->d_name[0] == '.')
			continue;
		if (!(more = realloc(names, (n + 1) * sizeof(*names))))
			abort();
		names = more;
		if (!(names[n] = malloc(strlen(path) + strlen(e->d_name) + 2)))
			abort();
		sprintf(names[n++], "%s/%s", path, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), replay_entry_cmp);
	for (size_t i = 0; i < n; i++) {
		if (replay_path(names[i]) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i]) != 0)
			rc = 1;
	printf("%lu inputs\n", replay_count);
	return rc;
}
