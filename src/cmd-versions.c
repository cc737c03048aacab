/*
 * cmd-versions: the commands on the versions of a message (its files, two
 * of them compared), and what r and R need to know before they mark a
 * message with several versions reviewed.
 *
 * A tag belongs to a Message-ID, not to a file: notmuch cannot mark one
 * version reviewed and not another.  So "reviewed" keeps meaning the
 * whole message was reviewed, every version of it; when a version was
 * never on screen in this session (shown in the thread view, or compared
 * in the diff pane), r and R ask before marking, and the journal records
 * which versions were read and that the reviewer said all were.
 */
#include <stdio.h>
#include <string.h>

#include "trawl/cmd.h"
#include "trawl/versionmap.h"
#include "trawl/view.h"

/* Messages a journal note names at most; the rest are counted. */
#define CMDV_NOTE_MAX 10

/* Reads the thread's files now if the map has not yet (a command cannot wait); 0 on failure. */
static int
cmdv_known(struct app *app, const char *thread_id)
{
	if (versionmap_known(app->versions, thread_id))
		return 1;
	if (versionmap_read_now(app->versions, thread_id) == TRAWL_OK)
		return 1;
	app_message(app, 1, "cannot read the files of the thread: %s", index_last_error(app->idx));
	return 0;
}

/* The versions of the thread view's current message; NULL when it has one file. */
static const struct versions *
cmdv_current(struct app *app, const char **message_id)
{
	const char *thread_id = threadview_thread_id(app);

	*message_id = threadview_current_message(app);
	if (!thread_id || !*message_id || !cmdv_known(app, thread_id))
		return NULL;
	return versionmap_message(app->versions, *message_id);
}

void
cmd_versions(struct app *app, int argc, char **argv)
{
	const char *mid;
	const struct versions *v = cmdv_current(app, &mid);

	if (!mid)
		return;
	versionsview_open(app, v, threadview_thread_id(app), threadview_current_file(app));
}

void
cmd_diff_versions(struct app *app, int argc, char **argv)
{
	const char *mid, *shown;
	const struct versions *v;
	long a, b;

	if (app->focus == APP_FOCUS_VERSIONS) {
		versionsview_command(app, argv[0]);
		return;
	}
	v = cmdv_current(app, &mid);
	if (!mid)
		return;
	shown = threadview_current_file(app);
	a = versions_find(v, shown);
	b = versions_other(v, shown);
	if (!versionsview_diff(app, v, threadview_thread_id(app), shown, a < 0 ? 0 : a, b))
		return;
	if (v->n_versions < 2) {
		char *sum = versions_summary(NULL, v);

		app_message(app, 0, "%s: the files differ in transport header fields only", sum);
		talloc_free(sum);
	}
}

void
cmd_versions_pane(struct app *app, int argc, char **argv)
{
	if (!versionsview_command(app, argv[0]))
		app_message(app, 1, "%s: not available here", argv[0]);
}

/* The first digits of the version hashes of v's versions read (or not), space-separated. */
static char *
cmdv_versions(TALLOC_CTX *ctx, struct app *app, const struct versions *v, int read, int *count)
{
	char *s = talloc_strdup(ctx, "");

	*count = 0;
	for (int k = 1; s && k <= v->n_versions; k++) {
		if (versionmap_version_seen(app->versions, v, k) != read)
			continue;
		for (size_t i = 0; i < v->n_files; i++)
			if (v->files[i].version == k) {
				s = talloc_asprintf_append(s, "%s%d=%.*s", *s ? " " : "", k,
				                           VERSIONS_SHORT,
				                           v->files[i].version_hash);
				break;
			}
		++*count;
	}
	return s;
}

int
cmd_versions_review(struct app *app, TALLOC_CTX *ctx, const char *thread_id, const char *message_id,
                    char **note, char **question)
{
	const struct versions *one = NULL, *const * all;
	size_t n = 0, several = 0, unread = 0, named = 0;

	*note = talloc_strdup(ctx, "");
	*question = NULL;
	if (!thread_id)
		return 0;
	if (!cmdv_known(app, thread_id)) {
		*note = talloc_asprintf(ctx, "versions: not compared (%s)",
		                        index_last_error(app->idx));
		return 0;
	}
	if (message_id) {
		one = versionmap_message(app->versions, message_id);
		all = one ? &one : NULL;
		n = one ? 1 : 0;
	} else {
		all = versionmap_thread(app->versions, thread_id, &n);
	}
	for (size_t i = 0; i < n && *note; i++) {
		const struct versions *v = all[i];
		int n_read, n_unread;
		char *read = cmdv_versions(ctx, app, v, 1, &n_read);
		char *not_read = cmdv_versions(ctx, app, v, 0, &n_unread);

		if (v->n_versions > 1) {
			several++;
			unread += (size_t)n_unread;
		}
		if (named++ >= CMDV_NOTE_MAX)
			continue;
		*note = talloc_asprintf_append(*note, "%sversions of id:%s: %s", **note ? "; " : "",
		                               v->message_id, versions_summary(ctx, v));
		if (!*note || v->n_versions < 2)
			continue;
		if (!n_unread)
			*note = talloc_asprintf_append(*note, ", all read (%s)", read);
		else
			*note = talloc_asprintf_append(*note, ", read %s%s, not read %s",
			                               n_read ? "" : "none", read, not_read);
	}
	if (*note && named > CMDV_NOTE_MAX)
		*note = talloc_asprintf_append(*note, "; and %zu more messages with several files",
		                               named - CMDV_NOTE_MAX);
	if (!*note)
		*note = talloc_strdup(ctx, "versions: out of memory");
	if (!unread)
		return 0;
	if (message_id)
		*question = talloc_asprintf(
		        ctx,
		        "%d versions of this message, %zu never on screen: mark it reviewed as "
		        "having read all? y/n (v lists them): ",
		        one->n_versions, unread);
	else
		*question = talloc_asprintf(ctx,
		                            "%zu message%s of this thread %s several versions, %zu "
		                            "never on screen: mark "
		                            "all reviewed as having read them? y/n: ",
		                            several, several == 1 ? "" : "s",
		                            several == 1 ? "has" : "have", unread);
	return *question != NULL;
}
