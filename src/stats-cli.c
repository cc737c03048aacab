/*
 * stats-cli: `trawl stats`.  See include/trawl/stats-cli.h.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trawl/config.h"
#include "trawl/stats-cli.h"
#include "trawl/stats.h"
#include "trawl/text.h"
#include "trawl/util.h"

/* Columns of the bars in the timeline table. */
#define STATS_CLI_BAR 40
/* Columns an address or a name may take in a table. */
#define STATS_CLI_ADDR 44
#define STATS_CLI_NAME 32
#define STATS_CLI_KEY 80

static const char stats_cli_usage_text[] =
	"usage: trawl stats [--json] [--by day|week|month|year] [--top N] [--cache DIR] QUERY...\n"
	"\n"
	"Prints, for the messages matching QUERY (from the index; no message file is\n"
	"read, except once each message's header block for its recipients, kept\n"
	"beside the database): messages per period with the reviewed ones, the peak,\n"
	"and the top senders, recipients (To/Cc/Bcc), sender domains, sender ->\n"
	"recipient pairs, tags, attachment types, folders and years, with the\n"
	"messages not reviewed yet and the query that narrows to each.\n"
	"\n"
	"  --json        one JSON object instead of tables\n"
	"  --by UNIT     the timeline's period: day, week, month (default) or year\n"
	"  --top N       entries per list (default 10)\n"
	"  --cache DIR   the cache in DIR (DIR/notmuch-config)\n";

static int
stats_cli_usage(FILE *f, int status)
{
	fputs(stats_cli_usage_text, f);
	return status;
}

/* s neutralised, cut to width columns and padded to them (or not padded: pad 0). */
static char *
stats_cli_cell(TALLOC_CTX *ctx, const char *s, size_t width, int pad)
{
	char *t = text_truncate(ctx, s ? s : "", width);
	size_t w = t ? text_width(t, strlen(t)) : 0;

	while (t && pad && w < width) {
		t = talloc_strdup_append(t, " ");
		w++;
	}
	return t;
}

/* The widest cell of a column, for alignment (at most max). */
/* How a key is printed: the top folder has no name. */
static const char *
stats_cli_key(enum stats_list l, const char *key)
{
	return l == STATS_FOLDERS && !*key ? "(top)" : key;
}

static size_t
stats_cli_width(enum stats_list l, const struct stats_item *v, size_t n, int second, size_t max)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		const char *s = second ? v[i].key2 : stats_cli_key(l, v[i].key);
		TALLOC_CTX *tmp = talloc_new(NULL);
		char *t = text_truncate(tmp, s, max);
		size_t tw = t ? text_width(t, strlen(t)) : 0;

		if (tw > w)
			w = tw;
		talloc_free(tmp);
	}
	return w;
}

/* A horizontal bar of value/peak of width columns: eighths with Unicode, '#' without. */
static char *
stats_cli_bar(TALLOC_CTX *ctx, unsigned long value, unsigned long peak, int width)
{
	static const char *const eighths[] = {"", "\u258f", "\u258e", "\u258d", "\u258c",
					      "\u258b", "\u258a", "\u2589"};
	unsigned long units = peak ? (value * (unsigned long)width * 8 + peak / 2) / peak : 0;
	char *s = talloc_strdup(ctx, "");

	if (value && !units)
		units = 1; /* a message is never drawn as nothing */
	if (!text_graphics()) {
		unsigned long cells = (units + 4) / 8;

		if (value && !cells)
			cells = 1;
		for (unsigned long i = 0; s && i < cells; i++)
			s = talloc_strdup_append(s, "#");
		return s;
	}
	for (unsigned long i = 0; s && i < units / 8; i++)
		s = talloc_strdup_append(s, "\u2588");
	if (s)
		s = talloc_strdup_append(s, eighths[units % 8]);
	return s;
}

static char *
stats_cli_num(char *buf, size_t len, unsigned long n)
{
	return util_group_digits(buf, len, n);
}

static void
stats_cli_text_timeline(TALLOC_CTX *ctx, const struct stats *st, enum stats_by by)
{
	size_t n, peak;
	struct stats_period *v = stats_periods(ctx, st, by, &n, &peak);
	char a[32], b[32];

	printf("\nMessages by %s\n", stats_by_name(by));
	if (!n) {
		printf("  (%s)\n", st->n_days    ? "too many periods: try --by year"
				  : st->undated ? "no message has a date"
						: "no messages");
		return;
	}
	printf("  %-10s %9s %9s\n", "period", "messages", "reviewed");
	for (size_t i = 0; i < n; i++) {
		char *label = stats_period_label(ctx, by, v[i].first);

		printf("  %-10s %9s %9s  %s\n", label, stats_cli_num(a, sizeof(a), v[i].total),
		       stats_cli_num(b, sizeof(b), v[i].reviewed),
		       stats_cli_bar(ctx, v[i].total, v[peak].total, STATS_CLI_BAR));
	}
	printf("  peak: %s, %s messages\n", stats_period_label(ctx, by, v[peak].first),
	       stats_cli_num(a, sizeof(a), v[peak].total));
}

static void
stats_cli_text_list(TALLOC_CTX *ctx, const struct stats *st, enum stats_list l, size_t top)
{
	const struct stats_item *v = st->items[l];
	size_t n = st->n_items[l] < top ? st->n_items[l] : top;
	int people = l == STATS_SENDERS || l == STATS_RECIPIENTS || l == STATS_PAIRS;
	size_t w1 = stats_cli_width(l, v, n, 0, people ? STATS_CLI_ADDR : STATS_CLI_KEY);
	size_t w2 = l == STATS_PAIRS ? stats_cli_width(l, v, n, 1, STATS_CLI_ADDR) : 0;
	char a[32], b[32];

	printf("\n%s\n", stats_list_title(l));
	if (!n) {
		printf("  (none)\n");
		return;
	}
	printf("  %4s %9s %11s%s\n", "", "messages", "unreviewed",
	       l == STATS_PAIRS ? "  from \u2192 to" : "");
	for (size_t i = 0; i < n; i++) {
		const struct stats_item *it = &v[i];
		char *line = talloc_asprintf(ctx, "  %3zu. %9s %11s  %s", i + 1,
					     stats_cli_num(a, sizeof(a), it->total),
					     stats_cli_num(b, sizeof(b), it->unreviewed),
					     stats_cli_cell(ctx, stats_cli_key(l, it->key),
							    people ? w1 : STATS_CLI_KEY, people));

		if (l == STATS_PAIRS) {
			line = talloc_asprintf_append(line, " \u2192 %s",
						      stats_cli_cell(ctx, it->key2, w2, 1));
			/* Both names or none, so a lone one is never read as the wrong side's. */
			if (*it->name || *it->name2)
				line = talloc_asprintf_append(
					line, "  %s \u2192 %s",
					stats_cli_cell(ctx, *it->name ? it->name : "-", STATS_CLI_NAME, 0),
					stats_cli_cell(ctx, *it->name2 ? it->name2 : "-", STATS_CLI_NAME,
						       0));
		} else if (people && *it->name) {
			line = talloc_asprintf_append(line, "  %s",
						      stats_cli_cell(ctx, it->name, STATS_CLI_NAME, 0));
		}
		/* Trailing padding is noise when pasted. */
		if (line) {
			size_t len = strlen(line);

			while (len && line[len - 1] == ' ')
				line[--len] = '\0';
			printf("%s\n", line);
		}
	}
}

static void
stats_cli_text(TALLOC_CTX *ctx, const struct stats *st, enum stats_by by, size_t top)
{
	char a[32], b[32];
	char *q = text_sanitize(ctx, st->query, strlen(st->query));

	printf("trawl stats: %s\n", q);
	printf("%s messages, %s reviewed (%ld%%)", stats_cli_num(a, sizeof(a), (unsigned long)st->messages),
	       stats_cli_num(b, sizeof(b), (unsigned long)st->reviewed),
	       st->messages > 0 ? st->reviewed * 100 / st->messages : 0L);
	if (st->n_days) {
		printf(", %s to %s", stats_period_label(ctx, STATS_BY_DAY, st->days[0].day),
		       stats_period_label(ctx, STATS_BY_DAY, st->days[st->n_days - 1].day));
	}
	if (st->undated)
		printf(", %s without a date", stats_cli_num(a, sizeof(a), st->undated));
	printf("\n");
	stats_cli_text_timeline(ctx, st, by);
	for (int l = 0; l < STATS_LIST_COUNT; l++)
		stats_cli_text_list(ctx, st, l, top);
}

static void
stats_cli_json_field(const char *name, const char *value, int comma)
{
	printf("%s\"%s\": ", comma ? ", " : "", name);
	util_json_string(stdout, value);
}

static void
stats_cli_json(TALLOC_CTX *ctx, const struct stats *st, enum stats_by by, size_t top)
{
	size_t n, peak;
	struct stats_period *v = stats_periods(ctx, st, by, &n, &peak);

	printf("{");
	stats_cli_json_field("query", st->query, 0);
	printf(", \"messages\": %ld, \"reviewed\": %ld, \"undated\": %lu", st->messages,
	       st->reviewed, st->undated);
	stats_cli_json_field("by", stats_by_name(by), 1);
	printf(",\n \"timeline\": [");
	for (size_t i = 0; i < n; i++) {
		printf("%s\n  {", i ? "," : "");
		stats_cli_json_field("period", stats_period_label(ctx, by, v[i].first), 0);
		stats_cli_json_field("query", stats_period_query(ctx, by, v[i].first), 1);
		printf(", \"messages\": %lu, \"reviewed\": %lu}", v[i].total, v[i].reviewed);
	}
	printf("%s]", n ? "\n " : "");
	if (n) {
		printf(",\n \"peak\": {");
		stats_cli_json_field("period", stats_period_label(ctx, by, v[peak].first), 0);
		printf(", \"messages\": %lu}", v[peak].total);
	}
	for (int l = 0; l < STATS_LIST_COUNT; l++) {
		size_t k = st->n_items[l] < top ? st->n_items[l] : top;

		printf(",\n \"%s\": [", stats_list_key(l));
		for (size_t i = 0; i < k; i++) {
			const struct stats_item *it = &st->items[l][i];

			printf("%s\n  {", i ? "," : "");
			if (l == STATS_PAIRS) {
				stats_cli_json_field("from", it->key, 0);
				stats_cli_json_field("from_name", it->name, 1);
				stats_cli_json_field("to", it->key2, 1);
				stats_cli_json_field("to_name", it->name2, 1);
			} else if (l == STATS_SENDERS || l == STATS_RECIPIENTS) {
				stats_cli_json_field("address", it->key, 0);
				stats_cli_json_field("name", it->name, 1);
			} else {
				stats_cli_json_field("key", it->key, 0);
			}
			printf(", \"messages\": %lu, \"unreviewed\": %lu", it->total, it->unreviewed);
			stats_cli_json_field("query", index_query_and(ctx, st->query, it->query), 1);
			printf("}");
		}
		printf("%s]", k ? "\n " : "");
	}
	printf("\n}\n");
}

/*
 * Benchmarks set TRAWL_BENCH_MARK=FILE: each snapshot taken is appended as
 * "stats PHASE SCANNED SECONDS" (seconds since the epoch, so a harness
 * can subtract its own start time), the end as "stats-done SECONDS".
 */
static void
stats_cli_mark(const struct stats *st, const char *what)
{
	const char *path = getenv("TRAWL_BENCH_MARK");
	struct timespec ts;
	FILE *f;

	if (!path || !(f = fopen(path, "a")))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (what)
		fprintf(f, "%s %lld.%09ld\n", what, (long long)ts.tv_sec, ts.tv_nsec);
	else
		fprintf(f, "stats %s %lu %lld.%09ld\n", st->phase, st->scanned, (long long)ts.tv_sec,
			ts.tv_nsec);
	fclose(f);
}

/* Counts, saying how far on stderr when it is a terminal. */
static int
stats_cli_wait(struct stats *st)
{
	int tty = isatty(STDERR_FILENO), said = 0;
	unsigned serial = st->serial;

	while (st->state == STATS_COUNTING) {
		struct pollfd pfd = {.fd = stats_fd(st), .events = POLLIN};

		if (pfd.fd >= 0 && poll(&pfd, 1, 200) < 0 && errno != EINTR)
			return -1;
		if (pfd.fd < 0)
			usleep(50000);
		stats_poll(st, 1 << 20);
		if (st->serial != serial) {
			serial = st->serial;
			stats_cli_mark(st, NULL);
		}
		if (tty && st->state == STATS_COUNTING) {
			fprintf(stderr, "\rtrawl stats: counting %s %3.0f%%  ", st->phase,
				st->progress * 100);
			said = 1;
		}
	}
	if (said)
		fprintf(stderr, "\r%*s\r", 40, "");
	stats_cli_mark(st, "stats-done");
	return st->state == STATS_DONE ? 0 : -1;
}

int
stats_cli_main(TALLOC_CTX *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},       {"by", required_argument, NULL, 'b'},
		{"top", required_argument, NULL, 't'},  {"cache", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
	};
	const char *cache = NULL;
	char *query, *err = NULL, *end;
	int json = 0, by = STATS_BY_MONTH, c;
	long top = 10;
	index_t *idx;
	struct stats *st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'b':
			by = stats_by_parse(optarg);
			if (by < 0) {
				text_warn("stats: --by: day, week, month or year, not %s", optarg);
				return stats_cli_usage(stderr, 2);
			}
			break;
		case 't':
			top = strtol(optarg, &end, 10);
			if (*end || top < 1 || top > 100000) {
				text_warn("stats: --top: a number from 1, not %s", optarg);
				return stats_cli_usage(stderr, 2);
			}
			break;
		case 'C':
			cache = optarg;
			break;
		case 'h':
			return stats_cli_usage(stdout, 0);
		default:
			return stats_cli_usage(stderr, 2);
		}
	}
	if (optind >= argc) {
		text_warn("stats: a QUERY is needed ('*' for every message)");
		return stats_cli_usage(stderr, 2);
	}
	query = talloc_strdup(ctx, "");
	for (int i = optind; query && i < argc; i++)
		query = talloc_asprintf_append(query, "%s%s", i > optind ? " " : "", argv[i]);
	if (index_open_case(ctx, cache, &idx, &err) != TRAWL_OK) {
		text_warn("%s", err ? err : "cannot open the notmuch database");
		return 1;
	}
	/* The reviewed tag of the reader's config, so both count the same. */
	{
		struct config *cfg = config_new(ctx);
		char *cfg_errors = NULL;

		if (cfg) {
			config_load_file(cfg, config_default_path(ctx), &cfg_errors);
			index_set_reviewed_tag(idx, cfg->reviewed_tag);
		}
	}
	st = stats_new(ctx, idx, query, (size_t)top);
	if (stats_cli_wait(st) < 0) {
		text_warn("%s", st->error ? st->error : "counting failed");
		return 1;
	}
	if (json)
		stats_cli_json(ctx, st, by, (size_t)top);
	else
		stats_cli_text(ctx, st, by, (size_t)top);
	talloc_free(st);
	fflush(stdout);
	return ferror(stdout) ? 1 : 0;
}
