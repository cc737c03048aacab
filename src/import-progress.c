/*
 * import-progress: the progress meter of `trawl import` and `trawl
 * export` (importer.h), and the lines the import prints on stderr over it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "trawl/importer.h"
#include "trawl/text.h"
#include "import-int.h"

struct importer_progress {
	char *what;
	unsigned long total;
	unsigned long long total_units;
	struct timespec start, last;
	int shown;
};

/* Prints one line on stderr, neutralised: paths and reasons come from anywhere. */
void
importer_say(struct importer_progress *p, const char *fmt, ...)
{
	va_list ap;

	if (p && p->shown)
		fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	text_vwarn(fmt, ap);
	va_end(ap);
}

double
import_seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* "2h05m", "3m07s", "12s". */
static void
importer_duration(char *buf, size_t n, double s)
{
	unsigned long t = s > 0 ? (unsigned long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, n, "%luh%02lum", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, n, "%lum%02lus", t / 60, t % 60);
	else
		snprintf(buf, n, "%lus", t);
}

struct importer_progress *
importer_progress_new(TALLOC_CTX *ctx, const char *what, unsigned long total,
                      unsigned long long total_units, int force)
{
	struct importer_progress *p;

	if (!force && !isatty(STDERR_FILENO))
		return NULL;
	p = talloc_zero(ctx, struct importer_progress);
	if (!p)
		return NULL;
	p->what = talloc_strdup(p, what);
	p->total = total;
	p->total_units = total_units;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	return p;
}

void
importer_progress_update(struct importer_progress *p, unsigned long done,
                         unsigned long long units_done, unsigned long messages)
{
	struct timespec now;
	double elapsed, frac, rate;
	char bar[21], left[32] = "";
	size_t fill;

	if (!p)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (p->shown && import_seconds(&p->last, &now) < 0.1 && done < p->total)
		return;
	p->last = now;
	elapsed = import_seconds(&p->start, &now);
	if (p->total_units)
		frac = (double)units_done / (double)p->total_units;
	else
		frac = p->total ? (double)done / (double)p->total : 1.0;
	if (frac > 1.0)
		frac = 1.0;
	fill = (size_t)(frac * 20.0);
	memset(bar, '#', fill);
	memset(bar + fill, '.', 20 - fill);
	bar[20] = '\0';
	rate = elapsed > 0 ? (double)messages / elapsed : 0.0;
	if (frac > 0.0 && elapsed > 1.0) {
		importer_duration(left, sizeof(left) - 6, elapsed * (1.0 - frac) / frac);
		strcat(left, " left");
	}
	fprintf(stderr, "\r%s %lu/%lu [%s] %.0f messages/s %s\033[K", p->what, done, p->total, bar,
	        rate, left);
	fflush(stderr);
	p->shown = 1;
}

void
importer_progress_end(struct importer_progress *p)
{
	if (p && p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->shown = 0;
	}
}
