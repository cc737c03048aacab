/*
 * fuzz: what every libFuzzer target of trawl shares.  A target checks
 * invariants with fuzz_check(), which aborts so that libFuzzer keeps the
 * input that broke one.
 */
#ifndef TRAWL_FUZZ_H
#define TRAWL_FUZZ_H

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * For the checks of the harness itself: not traced for coverage, so that
 * they cost no more than they do and libFuzzer does not steer by them.
 */
#if defined(__clang__)
#define FUZZ_NOT_TRACED __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_NOT_TRACED /* gcc builds them for fuzz/replay.c, untraced */
#endif

/* Aborts, so that libFuzzer records the input, when an invariant fails. */
#define fuzz_check(cond)                                                                   \
	do {                                                                               \
		if (!(cond))                                                               \
			abort();                                                           \
	} while (0)

/*
 * The input as a file, for parsers that read a path: one memory file of
 * the process, rewritten on each call, whose name (/proc/self/fd/N) is
 * returned.  Aborts when it cannot be written.
 */
static inline const char *
fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	size_t done = 0;

	if (fd < 0) {
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0)
		abort();
	while (done < size) {
		ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);

		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	return path;
}

static inline int
fuzz_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static char fuzz_temp_path[4096];

static inline void
fuzz_temp_cleanup(void)
{
	if (*fuzz_temp_path)
		nftw(fuzz_temp_path, fuzz_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* TMPDIR, else /tmp. */
static inline const char *
fuzz_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

/* Whether dir is writable with at least 256 MB free. */
static inline int
fuzz_roomy(const char *dir)
{
	struct statvfs v;

	return access(dir, W_OK) == 0 && statvfs(dir, &v) == 0 &&
	       (unsigned long long)v.f_bavail * v.f_frsize >= 256ULL << 20;
}

/*
 * A directory of this process, <base>/<name>.<pid> (into dir), for targets
 * that need files with names, removed at exit.  libFuzzer ends a timed
 * run without running atexit() handlers, so the directories of processes
 * no longer running are removed here first.  Aborts when none can be made.
 */
static inline void
fuzz_temp_dir(char *dir, size_t n, const char *base, const char *name)
{
	DIR *d = opendir(base);
	struct dirent *e;
	size_t len = strlen(name);

	while (d && (e = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(e->d_name, name, len) || e->d_name[len] != '.')
			continue;
		pid = strtol(e->d_name + len + 1, &end, 10);
		if (*end || pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
			snprintf(dir, n, "%s/%s", base, e->d_name);
			nftw(dir, fuzz_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		}
	}
	if (d)
		closedir(d);
	snprintf(dir, n, "%s/%s.%ld", base, name, (long)getpid());
	nftw(dir, fuzz_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(dir, 0700) != 0)
		abort();
	snprintf(fuzz_temp_path, sizeof(fuzz_temp_path), "%s", dir);
	atexit(fuzz_temp_cleanup);
}

/*
 * Whether code point c must never reach the terminal: C0 and C1 controls
 * (ESC, CSI among them), DEL, bidi controls, line and paragraph
 * separators, surrogates, noncharacters.  The neutraliser's contract
 * (text.h) is that none of these is ever drawn.
 */
static inline FUZZ_NOT_TRACED int
fuzz_forbidden(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F || c == 0x061C ||
	       c == 0x2028 || c == 0x2029 || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF ||
	       (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

#endif
