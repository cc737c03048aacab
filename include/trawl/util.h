/*
 * util: small helpers several modules share, with no state.
 */
#ifndef TRAWL_UTIL_H
#define TRAWL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Creates the missing directories above path (as mkdir -p on its dirname),
 * mode 0700; 0, or -1 with errno set by the one that could not be made.
 */
int util_mkdirs_for(const char *path);

/* Writes all len bytes to fd, retrying on EINTR; 0, or -1 with errno set. */
int util_write_all(int fd, const char *p, size_t len);

/*
 * The name of a temporary file beside path for this process ("path.PID",
 * talloc child of ctx), after removing the ones that processes no longer
 * running left there (killed between writing and renaming).
 */
char *util_tmp_name(void *ctx, const char *path);

/* FNV-1a, 64 bits, of len bytes at p (kept in files: it never changes). */
uint64_t util_hash(const void *p, size_t len);

/* Whether s is well-formed UTF-8 (no overlong form, surrogate or code point past U+10FFFF). */
int util_utf8_valid(const char *s);

/* argv[from..argc) joined with single spaces (child of ctx; "" when none). */
char *util_join(void *ctx, int argc, char **argv, int from);

/* Writes n with thousands separators ("1,234,567") into buf; returns buf. */
char *util_group_digits(char *buf, size_t len, unsigned long long n);

/*
 * Writes s as a JSON string in plain ASCII: everything else as \uXXXX
 * (surrogate pairs above the BMP), so the data stays exact while no
 * control, bidi override or invalid byte reaches a terminal; each
 * ill-formed UTF-8 byte becomes U+FFFD.
 */
void util_json_string(FILE *f, const char *s);

/*
 * When the file system holding path is full (less than 256 KiB left for
 * us: Xapian fails on it with a bare "Error writing block"), a line that
 * says so ("the disk is full (12 KiB free for PATH)", talloc child of
 * ctx); else NULL.
 */
char *util_disk_full(void *ctx, const char *path);

/* Removes path and everything below it (as rm -rf); 0, or -1 with errno set. */
int util_remove_tree(const char *path);

/*
 * Splits a command or directive line into words (quotes and backslashes
 * honoured).  Returns a NULL-terminated talloc array, or NULL with *error
 * set on an unterminated quote.
 */
char **util_split_words(void *ctx, const char *line, int *argc, char **error);

/*
 * The words of line from word number from (0 is the first) to the last,
 * as written: quotes and backslashes kept, the blanks around them and a
 * comment after them left out, so that util_split_words() of the result gives
 * those words.  "" when there are fewer words; NULL with *error set on an
 * unterminated quote.
 */
char *util_rest_words(void *ctx, const char *line, int from, char **error);

/* word written so that util_split_words() reads it back as that one word. */
char *util_quote_word(void *ctx, const char *word);

#endif
