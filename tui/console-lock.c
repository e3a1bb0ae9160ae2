/*
 * console-lock.c - is another run (cron) holding the store's lock?
 *
 * Looked at once a second without ever taking the lock: even a brief
 * shared flock by the console would make a cron run that does not wait
 * fail.  On Linux /proc/locks says whether a FLOCK is on the lock file's
 * inode; elsewhere (or unreadable) the file's text and a live pid are the
 * sign.  The holder writes "pid <pid> <what>" into the file when it takes
 * the lock and truncates it before letting go (core/lock.c), so the text
 * names the holder and the file's mtime is when it took the lock.
 *
 * While the lock is held, jobs that change the store wait in the queue
 * (con_lock_blocks) and start when it is free again; the job itself takes
 * the lock, so a run starting between two looks is refused, never run
 * side by side.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "console.h"
#include "util.h"

#define LOCK_FILE	".sslm.lock"
#define LOCK_TEXT_MAX	256

/* Does /proc/locks list a flock on inode ino?  -1: cannot tell. */
static int
proc_flocked(ino_t ino, pid_t ours)
{
	FILE *f = fopen("/proc/locks", "re");
	char line[256], type[16], dev[64];
	unsigned long long i;
	long pid;
	int found = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strchr(line, ':'), *colon;

		/* "1: FLOCK  ADVISORY  WRITE 321 00:1a:60881 0 EOF";
		 * blocked waiters ("1: -> FLOCK ...") are not holders. */
		if (p == NULL || strstr(line, "->") != NULL ||
		    sscanf(p + 1, "%15s %*s %*s %ld %63s", type, &pid,
		    dev) != 3 || strcmp(type, "FLOCK") != 0)
			continue;
		/* Only the inode: overlay file systems report another
		 * device than stat() does. */
		if ((colon = strrchr(dev, ':')) == NULL)
			continue;
		i = strtoull(colon + 1, NULL, 10);
		if (i == (unsigned long long)ino && (pid_t)pid != ours) {
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

/* The pid of our own running job: its lock is no other run's. */
static pid_t
running_job(const struct console *c)
{
	for (size_t i = 0; i < c->njobs; i++)
		if (c->jobs[i]->state == CON_JOB_RUNNING)
			return c->jobs[i]->pid;
	return 0;
}

static void
set_unlocked(struct console *c)
{
	bool was = c->lock_held;

	c->lock_held = false;
	free(c->lock_holder);
	c->lock_holder = NULL;
	if (was) {
		console_message(c, W_LEVEL_INFO, "the store's lock is free "
		    "again");
		con_job_start_next(c);
	}
}

void
con_lock_poll(struct console *c)
{
	struct stat st;
	char *path, *text = NULL, *s, *nl, since[16];
	size_t len;
	long pid = 0;
	pid_t ours = running_job(c);
	int held;

	path = path_join(c->topdir, LOCK_FILE);
	if (stat(path, &st) != 0 || st.st_size == 0 ||
	    read_file(path, LOCK_TEXT_MAX, &text, &len) != 0) {
		free(path);
		set_unlocked(c);
		return;
	}
	free(path);
	if ((nl = strchr(text, '\n')) != NULL)
		*nl = '\0';
	s = str_trim(text);
	for (char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = '?';
	(void)sscanf(s, "pid %ld", &pid);
	held = proc_flocked(st.st_ino, ours);
	if (held < 0)
		held = pid > 0 && kill((pid_t)pid, 0) == 0;
	if (!held || (ours > 0 && pid == (long)ours)) {
		free(text);
		set_unlocked(c);
		return;
	}
	if (!c->lock_held || c->lock_holder == NULL ||
	    strcmp(c->lock_holder, s) != 0) {
		free(c->lock_holder);
		c->lock_holder = xstrdup(s);
		c->lock_since = st.st_mtime;
		strftime(since, sizeof(since), "%H:%M:%S",
		    localtime(&c->lock_since));
		console_message(c, W_LEVEL_WARN, "store locked by another "
		    "run (%s) since %s: actions wait in the queue",
		    c->lock_holder, since);
	}
	c->lock_held = true;
	free(text);
}

/* Read-only jobs run whatever holds the lock; the rest wait for it. */
bool
con_lock_blocks(const struct console *c, const struct con_job *j)
{
	if (!c->lock_held)
		return false;
	return strcmp(j->what, "cmd") != 0 && strcmp(j->what, "verify") != 0;
}

/* "locked: pid 4242 since 20:01:02" for the status bar. */
void
con_lock_text(const struct console *c, char *out, size_t len)
{
	char since[16];
	long pid = 0;

	if (!c->lock_held || c->lock_holder == NULL) {
		*out = '\0';
		return;
	}
	(void)sscanf(c->lock_holder, "pid %ld", &pid);
	strftime(since, sizeof(since), "%H:%M:%S",
	    localtime(&c->lock_since));
	if (pid > 0)
		snprintf(out, len, "locked: pid %ld since %s", pid, since);
	else
		snprintf(out, len, "locked since %s", since);
}
