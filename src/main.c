/*
 * main: argument parsing, subcommands and the event loop.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>

#include <talloc.h>

#include "trawl/app.h"
#include "trawl/cmd.h"
#include "trawl/demo.h"
#include "trawl/derive.h"
#include "trawl/exporter.h"
#include "trawl/importer.h"
#include "trawl/index.h"
#include "trawl/journal.h"
#include "trawl/paths.h"
#include "trawl/extract.h"
#include "trawl/render.h"
#include "trawl/stats-cli.h"
#include "trawl/review.h"
#include "trawl/text.h"
#include "trawl/ui-curses.h"
#include "trawl/util.h"
#include "trawl/versions.h"
#include "trawl/view.h"

static const char usage_text[] =
	"usage: trawl [--cache DIR] [--search NAME] [QUERY...]\n"
	"       trawl --demo [QUERY...]\n"
	"       trawl show [--headers | --raw | --html] [--attachments] [--width N] [--cache DIR]\n"
	"                  QUERY...\n"
	"       trawl search (list [--json] | save NAME QUERY... | delete NAME) [--cache DIR]\n"
	"       trawl log [--csv] [--cache DIR] [TEXT]\n"
	"       trawl versions [--json] [--cache DIR] QUERY...\n"
	"       trawl stats [--json] [--by day|week|month|year] [--top N] [--cache DIR] QUERY...\n"
	"       trawl import [--into DIR] SOURCE...\n"
	"       trawl export [--cache DIR] QUERY... (--mbox FILE | --dir DIR) [--csv FILE] [--force]\n"
	"       trawl extract [--cache DIR] [QUERY...]\n"
	"       trawl --help | --version\n"
	"\n"
	"Opens the notmuch database named by NOTMUCH_CONFIG (or the default notmuch\n"
	"config), or a cache made by trawl, and shows the threads matching QUERY\n"
	"(default: the first saved search, else every message). trawl never\n"
	"modifies, renames or deletes mail files.\n"
	"\n"
	"  --cache DIR     open the cache in DIR (DIR/notmuch-config)\n"
	"  --demo          make (once) and open the bundled demo cache\n"
	"  --search NAME   open the saved search NAME (same as QUERY query:NAME)\n"
	"  --help          show this help\n"
	"  --version       show the version\n"
	"\n"
	"trawl show prints the messages as the reader renders them; --attachments\n"
	"adds the text of each attachment (PDF, office documents, text), read in a\n"
	"child process with limits, or a line saying what it is.\n"
	"\n"
	"trawl extract makes that text searchable by any notmuch client: for each\n"
	"message of QUERY (default: all) with attachments it writes a derived file\n"
	"(same Message-ID, the text as its body) under MAIL_ROOT/.trawl-derived/ and\n"
	"indexes it into the message; mail files are never changed, and a second run\n"
	"does nothing (see trawl extract --help).\n"
	"\n"
	"In the reader, ? lists every key binding.\n";

struct options {
	const char *cache;
	const char *search;
	int demo;
};

static int
main_usage(FILE *f, int status)
{
	fputs(usage_text, f);
	return status;
}

/* The demo cache's directory: $XDG_CACHE_HOME/trawl/demo. */
static char *
main_demo_dir(TALLOC_CTX *ctx)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg == '/')
		return talloc_asprintf(ctx, "%s/trawl/demo", xdg);
	return talloc_asprintf(ctx, "%s/.cache/trawl/demo", home ? home : ".");
}

/* Opens the database the options name; prints the error and returns NULL on failure. */
static index_t *
main_open_index(TALLOC_CTX *ctx, const struct options *o)
{
	index_t *idx = NULL;
	char *err = NULL;
	const char *cache = o->cache;
	trawl_status_t ts;

	if (o->demo) {
		char *dir = main_demo_dir(ctx);
		struct stat st;

		if (stat(talloc_asprintf(ctx, "%s/notmuch-config", dir), &st) != 0)
			fprintf(stderr, "trawl: making the demo cache in %s (once)…\n", dir);
		if (demo_make_cache(ctx, dir, DEMO_DEFAULT_COUNT, &err) != TRAWL_OK) {
			text_warn("%s", err ? err : "cannot make the demo cache");
			return NULL;
		}
		cache = dir;
	}
	ts = index_open_case(ctx, cache, &idx, &err);
	if (ts == TRAWL_OK)
		return idx;
	if (ts == TRAWL_USAGE)
		text_warn("%s", err);
	else
		text_warn("%s; run 'notmuch setup' and 'notmuch new', or use --cache DIR or --demo",
			  err ? err : "cannot open the notmuch database");
	return NULL;
}

/* The query to start with: the arguments, --search, the first saved search, or '*'. */
static char *
main_initial_query(TALLOC_CTX *ctx, index_t *idx, const struct options *o, int argc, char **argv,
		   int from)
{
	struct index_search *searches;
	size_t n;

	if (from < argc)
		return util_join(ctx, argc, argv, from);
	if (o->search)
		return index_quote_term(ctx, "query", o->search);
	if (index_saved_searches(idx, ctx, &searches, &n) == TRAWL_OK && n > 0)
		return index_quote_term(ctx, "query", searches[0].name);
	return talloc_strdup(ctx, "*");
}

/*
 * Benchmarks set TRAWL_BENCH_MARK=FILE: the time the first full screen of
 * the thread list is drawn is appended to FILE ("first-screen SECONDS"),
 * as is the time the list is complete ("loaded SECONDS"), measured from
 * the epoch so a harness can subtract its own start time.  With
 * TRAWL_BENCH_EXIT=first-screen or loaded, trawl quits right after.
 * Each frame drawn after a key is marked "key NAME SECONDS", for latency,
 * and each key as it is read "read NAME SECONDS".
 */
static void
main_bench_write(const char *what)
{
	const char *path = getenv("TRAWL_BENCH_MARK");
	struct timespec ts;
	FILE *f;

	if (!path)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "%s %lld.%09ld\n", what, (long long)ts.tv_sec, ts.tv_nsec);
		fclose(f);
	}
}

static void
main_bench_mark(struct app *app, int *marked)
{
	const char *path = getenv("TRAWL_BENCH_MARK");
	const char *exit_at = getenv("TRAWL_BENCH_EXIT");
	const struct threadlist *tl = app->list->tl;
	struct timespec ts;
	FILE *f;
	int full = tl->n_rows >= (size_t)(app->scr->h - 2) || tl->state != THREADLIST_LOADING;
	int done = tl->state != THREADLIST_LOADING;
	const char *what = NULL;

	if (!path)
		return;
	if (!(*marked & 1) && full)
		what = "first-screen", *marked |= 1;
	else if (!(*marked & 2) && done)
		what = "loaded", *marked |= 2;
	if (!what)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	f = fopen(path, "a");
	if (f) {
		/* The loaded mark also says how many rows and how many loader restarts. */
		if (!strcmp(what, "loaded"))
			fprintf(f, "rows %zu restarts-notice %s\n", tl->n_rows,
				*tl->notice ? "yes" : "no");
		fprintf(f, "%s %lld.%09ld\n", what, (long long)ts.tv_sec, ts.tv_nsec);
		fclose(f);
	}
	if (exit_at && !strcmp(exit_at, what))
		app->quit = 1;
}

/* Seconds between redraws caused only by background work. */
#define MAIN_REDRAW_INTERVAL 0.1
/* The same while the first screen fills: rows stream in, the screen shows them. */
#define MAIN_FILL_INTERVAL 0.03
/* How often the change feed looks for commits (a stat of one file). */
#define MAIN_FEED_INTERVAL_MS 200
/*
 * The job fds waited on besides the terminal; app_fds() never gives more.
 * A job beyond them is still polled at the feed interval.
 */
#define MAIN_MAX_FDS 16
/* Seconds without keys or background news after which freed memory goes back. */
#define MAIN_TRIM_IDLE 2.0

static double
main_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whether the thread list already fills its pane (so new rows land out of sight). */
static int
main_screen_full(const struct app *app)
{
	/* The pane is the screen less the status and message lines (app_draw). */
	size_t rows = app->scr->h > 3 ? (size_t)app->scr->h - 2 : 1;

	return app->list->tl->state != THREADLIST_LOADING ||
	       threadlist_len(app->list->tl) >= app->list->top + rows;
}

/* The first line of what f holds (from its start), at most len - 1 bytes; "" if none. */
static char *
main_first_line(FILE *f, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!f || fseek(f, 0, SEEK_SET) != 0)
		return buf;
	while (fgets(buf, (int)len, f)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		if (buf[strspn(buf, " \t")])
			break;
	}
	return buf;
}

/* Waits for one key on the terminal (after an external program's output). */
static void
main_wait_key(void)
{
	struct termios old, raw;
	char c;

	fputs("\n[press any key to return to trawl]", stdout);
	fflush(stdout);
	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return;
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	while (read(STDIN_FILENO, &c, 1) < 0 && errno == EINTR)
		;
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
}

/*
 * Runs the program app->external names with the terminal handed over
 * (never through a shell unless the user typed the command line), waits
 * for it, and says on the status line how it ended.
 * A program that does not wait for a key has its standard error kept
 * in a file, so the status line can say why it failed (its first line)
 * instead of the message being lost when trawl redraws.
 */
static void
main_run_external(struct app *app)
{
	struct app_external *x = app->external;
	pid_t pid;
	int status = 0;
	FILE *err = tmpfile();
	char line[512];

	app->external = NULL;
	ui_suspend();
	pid = fork();
	if (pid == 0) {
		/* The UI's signal dispositions are not the program's. */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		if (x->stdin_fd >= 0 && x->stdin_fd != STDIN_FILENO) {
			dup2(x->stdin_fd, STDIN_FILENO);
			close(x->stdin_fd);
		}
		if (err && !x->wait_key)
			dup2(fileno(err), STDERR_FILENO);
		execvp(x->argv[0], x->argv);
		fprintf(stderr, "cannot run %s: %s\n", x->argv[0], strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (x->wait_key)
		main_wait_key();
	ui_resume();
	main_first_line(err, line, sizeof(line));
	if (pid < 0)
		app_message(app, 1, "%s: cannot start it: %s", x->what, strerror(errno));
	else if (WIFSIGNALED(status))
		app_message(app, 1, "%s: killed by signal %d%s%s", x->what, WTERMSIG(status),
			    *line ? ": " : "", line);
	else if (WEXITSTATUS(status) == 127)
		app_message(app, 1, "%s: cannot run %s%s%s", x->what, x->argv[0], *line ? ": " : "",
			    line);
	else if (WEXITSTATUS(status) != 0)
		app_message(app, 1, "%s: exit status %d%s%s", x->what, WEXITSTATUS(status),
			    *line ? ": " : "", line);
	else
		app_message(app, 0, "%s: done", x->what);
	if (err)
		fclose(err);
	talloc_free(x);
}

static volatile sig_atomic_t main_got_signal;

static void
main_on_signal(int sig)
{
	main_got_signal = sig;
}

static int
main_reader(TALLOC_CTX *ctx, index_t *idx, struct config *cfg, const char *query,
	    const char *config_errors)
{
	struct app *app;
	int w, h;
	const char *now = getenv("TRAWL_TEST_NOW");
	struct sigaction sa;
	char *kept_line = NULL;

	switch (ui_init(cfg)) {
	case 0:
		break;
	case -2:
		text_warn("unknown terminal type TERM=%s: set TERM to your terminal's "
			  "(e.g. xterm-256color)", getenv("TERM") ? getenv("TERM") : "");
		return 1;
	case -3:
		text_warn("TERM=%s cannot move the cursor: trawl needs a full-screen terminal "
			  "(set TERM, e.g. xterm-256color); trawl show prints messages as text",
			  getenv("TERM"));
		return 1;
	default:
		text_warn("standard input and output must be a terminal");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	ui_size(&w, &h);
	app = app_new(ctx, idx, cfg, w, h);
	view_start(app, query);
	if (now)
		app->now = (time_t)strtoll(now, NULL, 10);
	if (config_errors)
		app_message(app, 1, "%s", config_errors);
	int marked = 0, dirty = 1, keyed = 0, drawn_full = 0, trimmed = 1;
	uint64_t drawn_sig = 0;
	double last_draw = 0, last_busy = main_now();
	char bench_key[80] = "";

	int mouse = -1;

	while (!app->quit && !main_got_signal) {
		/* Mouse reports on or off as the config says (`set mouse`), before a frame shows. */
		if (mouse != app->cfg->mouse)
			ui_mouse(mouse = app->cfg->mouse);
		struct pollfd pfd[MAIN_MAX_FDS + 1];
		int fds[MAIN_MAX_FDS], n, nf = 0, timeout = MAIN_FEED_INTERVAL_MS, full = main_screen_full(app);
		char key[64];
		double t = main_now();
		uint64_t sig = view_list_sig(app);
		int seen_change = sig != drawn_sig;
		double interval = seen_change && !full ? MAIN_FILL_INTERVAL : MAIN_REDRAW_INTERVAL;

		/*
		 * Redraw after every key, when the rows on screen change and the
		 * pane is full (the first screen, the last one after G) or was
		 * empty, and when the pane becomes full with its rows drawn
		 * already (a short list's rows, then its end).  Other redraws
		 * caused by loading are spaced out: rows streaming into a pane
		 * that is filling, every 30 ms (on two cores a frame per row takes
		 * the CPU from the loader and the terminal, so the screen would
		 * fill later); counts and rows out of sight, every 100 ms.
		 */
		if (dirty && (keyed || (seen_change && (full || last_draw == 0)) ||
			      (full && !drawn_full) || t - last_draw >= interval)) {
			view_draw(app);
			if (app->repaint) {
				ui_invalidate();
				app->repaint = 0;
			}
			ui_blit(app->scr, app->prompt != NULL);
			if (bench_key[0]) {
				main_bench_write(bench_key);
				bench_key[0] = '\0';
			}
			main_bench_mark(app, &marked);
			dirty = keyed = 0;
			drawn_full = full;
			last_draw = t;
			drawn_sig = sig;
		} else if (dirty) {
			timeout = (int)((interval - (t - last_draw)) * 1000) + 1;
		}
		if (app->quit)
			break;
		/* Work in slices (a long message's layout): keys between slices, no sleep. */
		if (app_busy(app))
			timeout = 0;
		pfd[nf++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
		n = app_fds(app, fds, MAIN_MAX_FDS);
		for (int i = 0; i < n; i++)
			pfd[nf++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		/*
		 * Wake at least every MAIN_FEED_INTERVAL_MS: the change feed looks
		 * for other programs' commits then (a stat), and retries show.
		 */
		if (poll(pfd, (nfds_t)nf, timeout) < 0 && errno != EINTR)
			break;
		/* Keys first: the UI answers before it takes more rows. */
		while (ui_key(key, sizeof(key))) {
			keyed = dirty = 1;
			if (!strcmp(key, "Resize")) {
				ui_size(&w, &h);
				app_resize(app, w, h);
				continue;
			}
			if (getenv("TRAWL_BENCH_MARK")) {
				char what[80];

				snprintf(what, sizeof(what), "read %s", key);
				main_bench_write(what);
			}
			cmd_key(app, key);
			if (app->external)
				main_run_external(app);
			if (app->clipboard) {
				ui_clipboard(app->clipboard);
				TALLOC_FREE(app->clipboard);
			}
			if (app->suspend) {
				app->suspend = 0;
				ui_stop();
				/* Resized while stopped: the size is asked again. */
				ui_size(&w, &h);
				app_resize(app, w, h);
			}
			if (getenv("TRAWL_BENCH_MARK"))
				snprintf(bench_key, sizeof(bench_key), "key %s", key);
			if (app->quit)
				break;
		}
		if (!app->quit && app_poll(app))
			dirty = 1;
		/* The terminal hung up (closed before or without a SIGHUP): as SIGHUP. */
		if (!app->quit && (pfd[0].revents & (POLLHUP | POLLERR))) {
			main_got_signal = SIGHUP;
			break;
		}
		/*
		 * Once a burst of work is over (a list loaded and the old one
		 * freed, a thread closed, a batch of tags written), hand the
		 * free pages inside the heap back: the lists' rows are tens of
		 * thousands of small blocks, and a later list rarely fits the
		 * holes the last one left, so without this the heap's resident
		 * part grows search after search (the soak saw +22% in five
		 * minutes with the live heap flat).  Once per quiet spell; it
		 * takes well under a millisecond on a 20 MB heap.
		 */
		if (dirty) {
			last_busy = main_now();
			trimmed = 0;
		} else if (!trimmed && main_now() - last_busy >= MAIN_TRIM_IDLE) {
			malloc_trim(0);
			trimmed = 1;
		}
	}
	/*
	 * Ended by a signal (SIGTERM, SIGHUP: nobody to ask) with changes
	 * still queued: they are handed over in the journal, and the next
	 * session writes them.  Said on the terminal once it is restored.
	 */
	if (main_got_signal && app->review->n_queue > 0) {
		size_t changes = app->review->n_queue;
		long kept = review_keep(app->review);

		kept_line = kept >= 0
				    ? talloc_asprintf(ctx, "%zu tag change%s not written yet: kept in the "
						      "journal %s; the next trawl session writes %s",
						      changes, changes == 1 ? "" : "s",
						      app->review->journal_path,
						      changes == 1 ? "it" : "them")
				    : talloc_asprintf(ctx, "%zu tag change%s not written and not kept: %s",
						      changes, changes == 1 ? "" : "s",
						      app->review->error);
	}
	app_free(app);
	ui_end();
	if (kept_line)
		text_warn("%s", kept_line);
	return 0;
}

/*
 * trawl show --raw: the message file as it is.  Into a file or a pipe,
 * byte for byte (a copy of the evidence must be exact); on a terminal,
 * each line through the neutraliser, never wrapped (a CR ending a line is
 * a line end, not a control).  Returns 0, or -1 when the file cannot be read.
 */
static int
main_show_raw(TALLOC_CTX *ctx, const char *path, int tty)
{
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f)
		return -1;
	if (!tty) {
		char buf[65536];
		size_t got;

		while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, got, stdout);
	} else {
		while ((len = getline(&line, &cap, f)) > 0) {
			TALLOC_CTX *tmp = talloc_new(ctx);
			size_t n = (size_t)len;

			if (line[n - 1] == '\n')
				n--;
			if (n && line[n - 1] == '\r')
				n--;
			fputs(text_sanitize(tmp, line, n), stdout);
			fputc('\n', stdout);
			talloc_free(tmp);
		}
		free(line);
	}
	fclose(f);
	return 0;
}

/* Prints s (UTF-8, not yet neutralised) wrapped to width, each line as the terminal shows it. */
static void
main_print_wrapped(TALLOC_CTX *ctx, const char *s, long width)
{
	char **lines;
	size_t n;

	if (text_wrap_lines(ctx, s, (size_t)width, &lines, &n) != TRAWL_OK)
		return;
	for (size_t i = 0; i < n; i++)
		printf("%s\n", lines[i]);
	talloc_free(lines);
}

/*
 * trawl show --attachments: after the message, each attachment's text as
 * the extract module gives it (in a child with limits), under a line
 * naming it; a document it cannot read is said in one line.
 */
static void
main_show_attachments(TALLOC_CTX *ctx, const char *path, const struct render_message *r,
		      long width)
{
	for (size_t a = 0; a < r->n_attachments; a++) {
		const struct render_attachment *at = &r->attachments[a];
		TALLOC_CTX *tmp = talloc_new(ctx);
		struct extract_result *x = NULL;
		char size[32], *data = NULL, *line;
		size_t len = 0;
		trawl_status_t ts;

		util_group_digits(size, sizeof(size), at->size);
		line = talloc_asprintf(tmp, "\u2014 attachment %d: %s (%s, %s bytes) \u2014", at->index,
				       at->safe_name, at->mime_type, size);
		printf("\n");
		main_print_wrapped(tmp, line, width);
		ts = render_attachment_bytes(tmp, path, at->index, EXTRACT_MAX_ATTACHMENT, &data, &len);
		if (ts == TRAWL_LIMIT)
			printf("(not read: larger than %zu MiB)\n", EXTRACT_MAX_ATTACHMENT >> 20);
		else if (ts != TRAWL_OK)
			printf("(not read: %s)\n", trawl_status_str(ts));
		else if (extract_in_child(tmp, data, len, at->mime_type, NULL, at->filename, &x) !=
			 TRAWL_OK)
			printf("(not read: no process could be started)\n");
		else {
			/* The text is neutralised already; wrapping keeps it so. */
			for (char *s = x->text, *nl; s && *s; s = nl ? nl + 1 : NULL) {
				nl = strchr(s, '\n');
				if (nl)
					*nl = '\0';
				main_print_wrapped(tmp, s, width);
			}
			if (x->reason)
				printf("(%s)\n", x->reason);
		}
		talloc_free(tmp);
	}
}

/*
 * Prints the messages of thread that match query, rendered and wrapped to
 * width (raw: as they are, see main_show_raw), each after a form feed line
 * but the first (*shown counts them); with attachments, their text after
 * each message.
 */
static void
main_show_thread(TALLOC_CTX *ctx, index_t *idx, const struct index_thread *thread,
		 const char *query, const struct render_opts *opts, long width, int attachments,
		 size_t *shown)
{
	struct index_message *msgs;
	size_t n;

	if (index_thread_messages(idx, ctx, thread->thread_id, query, &msgs, &n) != TRAWL_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		TALLOC_CTX *tmp = talloc_new(ctx);
		struct render_message *r;

		if (!msgs[i].matched) {
			talloc_free(tmp);
			continue;
		}
		if (!*msgs[i].filename) {
			/* Its files are gone but a derived one (index.h), which is not the message. */
			text_warn("id:%s: no mail file indexed", msgs[i].message_id);
			talloc_free(tmp);
			continue;
		}
		if (opts->mode == RENDER_MODE_RAW) {
			if (*shown)
				printf("\f\n");
			if (main_show_raw(tmp, msgs[i].filename, isatty(STDOUT_FILENO)) < 0)
				text_warn("%s: cannot read the message file: %s", msgs[i].filename,
					  strerror(errno));
			else
				++*shown;
			talloc_free(tmp);
			continue;
		}
		if (render_file(tmp, msgs[i].filename, opts, &r) != TRAWL_OK) {
			text_warn("%s: cannot read the message file", msgs[i].filename);
			talloc_free(tmp);
			continue;
		}
		if (opts->mode != RENDER_MODE_RAW && opts->mode != RENDER_MODE_HEADERS) {
			const char *names[] = {"From", "To", "Cc", "Date", "Subject"};
			const char *vals[] = {r->from, r->to, r->cc, r->date, r->subject};

			for (int k = 0; k < 5; k++)
				if (*vals[k])
					printf("%s: %s\n", names[k],
					       text_sanitize(tmp, vals[k], strlen(vals[k])));
			/* The reviewer's note, as the reader shows it under the headers. */
			if (*msgs[i].note)
				printf("Note: %s\n",
				       text_sanitize(tmp, msgs[i].note, strlen(msgs[i].note)));
			printf("\n");
		}
		for (size_t l = 0; l < r->n_lines; l++) {
			main_print_wrapped(tmp, r->lines[l].text, width);
			/* All headers, then a blank line, then the body, as in the file. */
			if (opts->mode == RENDER_MODE_HEADERS && r->lines[l].kind == RENDER_LINE_HEADER &&
			    r->lines[l].depth == 0 && l + 1 < r->n_lines &&
			    (r->lines[l + 1].kind != RENDER_LINE_HEADER || r->lines[l + 1].depth != 0))
				printf("\n");
		}
		if (attachments && opts->mode != RENDER_MODE_HEADERS)
			main_show_attachments(tmp, msgs[i].filename, r, width);
		printf("\f\n");
		++*shown;
		talloc_free(tmp);
	}
}

/* trawl show: prints the matching messages as the reader renders them. */
static int
main_show(TALLOC_CTX *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"headers", no_argument, NULL, 'H'}, {"raw", no_argument, NULL, 'R'},
		{"html", no_argument, NULL, 'M'},    {"width", required_argument, NULL, 'w'},
		{"attachments", no_argument, NULL, 'A'},
		{"cache", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct options o = {0};
	struct render_opts ropts = {.mode = RENDER_MODE_TEXT};
	long width = 0;
	int c, attachments = 0;
	index_t *idx;
	char *query;
	index_cursor_t *cursor;
	struct winsize ws;
	size_t shown = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "w:", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			ropts.mode = RENDER_MODE_HEADERS;
			break;
		case 'R':
			ropts.mode = RENDER_MODE_RAW;
			break;
		case 'M':
			ropts.mode = RENDER_MODE_HTML;
			break;
		case 'A':
			attachments = 1;
			break;
		case 'w':
			width = strtol(optarg, NULL, 10);
			if (width < 1 || width > 10000) {
				text_warn("--width: expected a number of columns, got %s", optarg);
				return 2;
			}
			break;
		case 'c':
			o.cache = optarg;
			break;
		case 'h':
			return main_usage(stdout, 0);
		default:
			return main_usage(stderr, 2);
		}
	}
	if (optind >= argc) {
		text_warn("show: a query is needed");
		return main_usage(stderr, 2);
	}
	if (!width)
		width = isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col
				? ws.ws_col
				: 80;
	idx = main_open_index(ctx, &o);
	if (!idx)
		return 1;
	query = util_join(ctx, argc, argv, optind);
	/* Thread by thread from a cursor: the result set may be the whole cache. */
	if (index_cursor_open(idx, ctx, query, INDEX_SORT_OLDEST_FIRST, 0, &cursor) != TRAWL_OK) {
		text_warn("%s", index_last_error(idx));
		return 1;
	}
	for (;;) {
		TALLOC_CTX *tctx = talloc_new(ctx);
		struct index_thread thread;
		trawl_status_t ts = index_cursor_next(cursor, tctx, &thread);

		if (ts != TRAWL_OK) {
			talloc_free(tctx);
			if (ts != TRAWL_NOT_FOUND) {
				text_warn("%s", index_last_error(idx));
				return 1;
			}
			break;
		}
		main_show_thread(tctx, idx, &thread, query, &ropts, width, attachments, &shown);
		talloc_free(tctx);
	}
	return ferror(stdout) ? 1 : 0;
}

/* Parses the --cache option common to the subcommands; returns the index of the first operand. */
static int
main_sub_options(int argc, char **argv, const struct option *extra, int *flag, struct options *o)
{
	struct option opts[4] = {{"cache", required_argument, NULL, 'c'}};
	int c, n = 1;

	for (; extra && extra->name; extra++)
		opts[n++] = *extra;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c')
			o->cache = optarg;
		else if (c == 'f')
			*flag = 1;
		else
			return -1;
	}
	return optind;
}

/* trawl search list|save|delete: saved searches (notmuch named queries). */
static int
main_search(TALLOC_CTX *ctx, int argc, char **argv)
{
	static const struct option json[] = {{"json", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	struct options o = {0};
	int as_json = 0, i = main_sub_options(argc, argv, json, &as_json, &o);
	index_t *idx;
	const char *verb;

	if (i < 0 || i >= argc)
		return main_usage(stderr, 2);
	verb = argv[i++];
	if (strcmp(verb, "list") && strcmp(verb, "save") && strcmp(verb, "delete"))
		return main_usage(stderr, 2);
	if ((!strcmp(verb, "save") && argc - i < 2) || (!strcmp(verb, "delete") && argc - i != 1) ||
	    (!strcmp(verb, "list") && argc - i != 0))
		return main_usage(stderr, 2);
	idx = main_open_index(ctx, &o);
	if (!idx)
		return 1;
	if (!strcmp(verb, "save") || !strcmp(verb, "delete")) {
		char *query = !strcmp(verb, "save") ? util_join(ctx, argc, argv, i + 1) : NULL;
		struct index_search *s;
		size_t n;
		int found = 0;

		if (!*argv[i]) {
			text_warn("search %s: a name is needed", verb);
			return 1;
		}
		if (query && index_check_query(idx, query) != TRAWL_OK) {
			text_warn("%s", index_last_error(idx));
			return 1;
		}
		if (!query && index_saved_searches(idx, ctx, &s, &n) == TRAWL_OK) {
			for (size_t k = 0; k < n; k++)
				found |= !strcmp(s[k].name, argv[i]);
			if (!found) {
				text_warn("search delete: no saved search named '%s'", argv[i]);
				return 1;
			}
		}
		if (index_save_search(idx, argv[i], query) != TRAWL_OK) {
			text_warn("%s", index_last_error(idx));
			return 1;
		}
		return 0;
	} else {
		struct index_search *s;
		size_t n;
		char *unrev = talloc_asprintf(ctx, "not %s",
					      index_quote_term(ctx, "tag", index_reviewed_tag(idx)));

		if (index_saved_searches(idx, ctx, &s, &n) != TRAWL_OK) {
			text_warn("%s", index_last_error(idx));
			return 1;
		}
		if (as_json)
			printf("[");
		for (size_t k = 0; k < n; k++) {
			char *q = index_quote_term(ctx, "query", s[k].name);
			unsigned total = 0, un = 0;
			int ok = index_count_messages(idx, q, &total) == TRAWL_OK &&
				 index_count_messages(idx, index_query_and(ctx, q, unrev), &un) ==
					 TRAWL_OK;

			if (as_json) {
				printf("%s\n {\"name\": ", k ? "," : "");
				util_json_string(stdout, s[k].name);
				printf(", \"query\": ");
				util_json_string(stdout, s[k].query);
				if (ok)
					printf(", \"messages\": %u, \"unreviewed\": %u}", total, un);
				else {
					printf(", \"error\": ");
					util_json_string(stdout, index_last_error(idx));
					printf("}");
				}
			} else {
				char *name = text_sanitize(ctx, s[k].name, strlen(s[k].name));
				char *query = text_sanitize(ctx, s[k].query, strlen(s[k].query));

				if (ok)
					printf("%s\t%s\t%u messages\t%u unreviewed\n", name, query, total,
					       un);
				else
					printf("%s\t%s\terror: %s\n", name, query, index_last_error(idx));
			}
		}
		if (as_json)
			printf("%s]\n", n ? "\n" : "");
	}
	return ferror(stdout) ? 1 : 0;
}

/* trawl log: the review journal (audit trail) of the database. */
static int
main_log(TALLOC_CTX *ctx, int argc, char **argv)
{
	static const struct option csv[] = {{"csv", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	struct options o = {0};
	int as_csv = 0, i = main_sub_options(argc, argv, csv, &as_csv, &o);
	index_t *idx;

	if (i < 0 || argc - i > 1)
		return main_usage(stderr, 2);
	idx = main_open_index(ctx, &o);
	if (!idx)
		return 1;
	{
		char *path = paths_for(ctx, index_db_path(idx), PATHS_JOURNAL);
		const char *notice = paths_take_notice();

		if (notice)
			text_warn("%s", notice);
		if (journal_print(path, stdout, as_csv, i < argc ? argv[i] : NULL) != TRAWL_OK) {
			text_warn("%s: cannot read the journal: %s", path, strerror(errno));
			return 1;
		}
	}
	return 0;
}

/* The file's date for `trawl versions`: UTC, ISO 8601. */
static const char *
main_file_date(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* One message of `trawl versions --json`: its files, then its versions with their hashes. */
static void
main_versions_json(const struct versions *v, const char *thread_id, int first)
{
	char date[32];

	printf("%s\n {\"message_id\": ", first ? "" : ",");
	util_json_string(stdout, v->message_id);
	printf(", \"thread_id\": ");
	util_json_string(stdout, thread_id);
	printf(", \"rule\": %d, \"files\": [", VERSIONS_RULE);
	for (size_t i = 0; i < v->n_files; i++) {
		const struct versions_file *f = &v->files[i];

		printf("%s\n  {\"path\": ", i ? "," : "");
		util_json_string(stdout, f->rel);
		printf(", \"folder\": ");
		util_json_string(stdout, f->folder);
		if (f->size < 0) {
			printf(", \"version\": null, \"error\": ");
			util_json_string(stdout, f->error ? f->error : "");
			printf("}");
			continue;
		}
		printf(", \"size\": %lld, \"date\": \"%s\", \"sha256\": \"%s\", \"version\": %d}",
		       f->size, main_file_date(f->mtime, date, sizeof(date)), f->sha256, f->version);
	}
	printf("],\n  \"identical\": %s, \"versions\": [", v->identical ? "true" : "false");
	for (int k = 1; k <= v->n_versions; k++) {
		int n = 0;

		for (size_t i = 0; i < v->n_files; i++)
			if (v->files[i].version == k) {
				if (!n++)
					printf("%s\n  {\"version\": %d, \"hash\": \"%s\", \"files\": [",
					       k > 1 ? "," : "", k, v->files[i].version_hash);
				else
					printf(", ");
				util_json_string(stdout, v->files[i].rel);
			}
		printf("]}");
	}
	printf("]}");
}

/* One message of `trawl versions`, as text (neutralised: paths and ids come from anywhere). */
static void
main_versions_text(TALLOC_CTX *ctx, const struct versions *v)
{
	char date[32], size[32];

	printf("id:%s  %s\n", text_sanitize(ctx, v->message_id, strlen(v->message_id)),
	       versions_summary(ctx, v));
	for (int k = 0; k <= v->n_versions; k++) {
		int n = 0;

		for (size_t i = 0; i < v->n_files; i++) {
			const struct versions_file *f = &v->files[i];

			if (f->version != k)
				continue;
			if (!n++ && k)
				printf("  version %d  %s\n", k, f->version_hash);
			else if (!k && n == 1)
				printf("  unreadable\n");
			if (f->size < 0) {
				printf("    %s  %s\n", text_sanitize(ctx, f->rel, strlen(f->rel)),
				       f->error ? f->error : "");
				continue;
			}
			printf("    %s  folder %s  %s bytes  %s  sha256 %s\n",
			       text_sanitize(ctx, f->rel, strlen(f->rel)),
			       *f->folder ? text_sanitize(ctx, f->folder, strlen(f->folder)) : ".",
			       util_group_digits(size, sizeof(size), (unsigned long long)f->size),
			       main_file_date(f->mtime, date, sizeof(date)), f->sha256);
		}
	}
}

/*
 * trawl versions: the messages of the query that have several files, with
 * each file and the versions they make (versions.h states the rule).
 */
static int
main_versions(TALLOC_CTX *ctx, int argc, char **argv)
{
	static const struct option json[] = {{"json", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	struct options o = {0};
	int as_json = 0, i = main_sub_options(argc, argv, json, &as_json, &o);
	index_t *idx;
	struct index_files *mf;
	size_t n;

	if (i < 0 || i >= argc) {
		if (i >= 0)
			text_warn("versions: a query is needed ('*' for every message)");
		return main_usage(stderr, 2);
	}
	idx = main_open_index(ctx, &o);
	if (!idx)
		return 1;
	if (index_messages_files(idx, ctx, util_join(ctx, argc, argv, i), 2, &mf, &n) != TRAWL_OK) {
		text_warn("%s", index_last_error(idx));
		return 1;
	}
	if (as_json)
		printf("[");
	for (size_t k = 0; k < n; k++) {
		TALLOC_CTX *tmp = talloc_new(ctx);
		struct versions *v;

		if (versions_compare(tmp, mf[k].message_id, index_db_path(idx), mf[k].paths,
				     mf[k].n, NULL, NULL, &v) != TRAWL_OK) {
			text_warn("out of memory");
			return 1;
		}
		if (as_json)
			main_versions_json(v, mf[k].thread_id, k == 0);
		else
			main_versions_text(tmp, v);
		talloc_free(tmp);
	}
	if (as_json)
		printf("%s]\n", n ? "\n" : "");
	return ferror(stdout) ? 1 : 0;
}

/* A UTF-8 LC_CTYPE is needed for widths; fall back to C.UTF-8 rather than show placeholders. */
static void
main_locale(void)
{
	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0) {
		/* The terminal may be ASCII only: charts draw with ASCII then. */
		text_set_graphics(false);
		setlocale(LC_CTYPE, "C.UTF-8");
	}
}

/*
 * The subcommands, as notmuch.c's table: each gets its own argv (argv[0]
 * its name) and parses its options itself.  Without one, trawl opens the
 * reader.
 */
static const struct main_command {
	const char *name;
	int (*run)(TALLOC_CTX *ctx, int argc, char **argv);
} main_commands[] = {
        {"show", main_show},         {"search", main_search},   {"log", main_log},
        {"versions", main_versions}, {"stats", stats_cli_main}, {"import", importer_main},
        {"export", exporter_main},   {"extract", derive_main},
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"cache", required_argument, NULL, 'c'},
		{"search", required_argument, NULL, 's'},
		{"demo", no_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	struct options o = {0};
	TALLOC_CTX *ctx;
	struct config *cfg;
	index_t *idx;
	char *query, *cfg_errors = NULL, *cfg_path;
	int c, rc;

	main_locale();
	ctx = talloc_new(NULL);
	for (size_t i = 0; argc > 1 && i < sizeof(main_commands) / sizeof(*main_commands); i++)
		if (!strcmp(argv[1], main_commands[i].name)) {
			rc = main_commands[i].run(ctx, argc - 1, argv + 1);
			talloc_free(ctx);
			return rc;
		}
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			talloc_free(ctx);
			return main_usage(stdout, 0);
		case 'V':
			printf("trawl %s\n", PACKAGE_VERSION);
			talloc_free(ctx);
			return 0;
		case 'c':
			o.cache = optarg;
			break;
		case 's':
			o.search = optarg;
			break;
		case 'd':
			o.demo = 1;
			break;
		default:
			talloc_free(ctx);
			return main_usage(stderr, 2);
		}
	}
	/*
	 * The reader runs for days, and every search frees one list and
	 * grows another (a rows array of megabytes, grown by doubling).
	 * glibc raises its mmap threshold to the size of each large block
	 * freed, up to 32 MiB, so after the first list (or the database's
	 * first large buffers) such blocks come from the heap, and the holes
	 * they leave among small long-lived blocks stay resident: the soak
	 * (tests/soak/run, 100k cache) saw the UI's RSS grow 20% in five
	 * minutes with the live heap flat.  Setting the threshold, to glibc's
	 * own default of 128 KiB, before the database is opened turns that
	 * adjustment off: large blocks are mapped and unmapped.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	cfg = config_new(ctx);
	cfg_path = config_default_path(ctx);
	config_load_file(cfg, cfg_path, &cfg_errors);
	idx = main_open_index(ctx, &o);
	if (!idx) {
		talloc_free(ctx);
		return 1;
	}
	query = main_initial_query(ctx, idx, &o, argc, argv, optind);
	rc = main_reader(ctx, idx, cfg, query, cfg_errors);
	/* The index goes last: views were freed by the reader. */
	talloc_free(ctx);
	return rc;
}
