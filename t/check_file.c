/*
 * check_file.c -- strads_file_write_atomic() (src/core/file.c): the file
 * appears whole under its name; while it is written, and after any
 * failure before the rename (the writer gives up, the data cannot be
 * synced), the old file is untouched and no temporary file is left; the
 * data is fsynced before the rename and the directory after it.
 *
 * fsync() is interposed: this program links the library's objects
 * statically, so its own fsync() is the one file.c calls. It records
 * what each descriptor names (and what the target holds at that moment)
 * and can be told to fail.
 */
#include "strads-int.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testutil.h"

#define NSYNC 8

static struct {
	char path[PATH_MAX]; /* what the descriptor named */
	char target[64];     /* the target's content at the time */
	int is_dir;
} g_sync[NSYNC];
static int g_nsync;
static int g_fail_file_sync, g_fail_dir_sync;
static char g_target[PATH_MAX + 16];

static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

int
fsync(int fd)
{
	char link[64];
	struct stat sb;
	ssize_t n;

	if (g_nsync < NSYNC) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, g_sync[g_nsync].path, PATH_MAX - 1);
		g_sync[g_nsync].path[n > 0 ? n : 0] = '\0';
		g_sync[g_nsync].is_dir =
		    fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode);
		slurp(
		    g_target, g_sync[g_nsync].target, sizeof(g_sync[0].target));
		if ((g_sync[g_nsync].is_dir && g_fail_dir_sync) ||
		    (!g_sync[g_nsync].is_dir && g_fail_file_sync)) {
			g_nsync++;
			errno = EIO;
			return -1;
		}
		g_nsync++;
	}
	return (int)syscall(SYS_fsync, fd);
}

static char g_dir[PATH_MAX];

static void
setup(void)
{
	snprintf(g_dir, sizeof(g_dir), "%s/strads-file-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(g_dir));
	snprintf(g_target, sizeof(g_target), "%s/model.txt", g_dir);
	g_nsync = 0;
	g_fail_file_sync = g_fail_dir_sync = 0;
}

/* The names in the test directory, besides . and .. */
static int
entries(void)
{
	DIR *d = opendir(g_dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n +=
		    strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	ck_assert_int_eq(system(cmd), 0);
}

typedef struct {
	const char *text;
	int fail;      /* return non-zero after writing */
	char seen[64]; /* the target's content while writing */
} job_t;

static int
put(FILE *f, void *arg)
{
	job_t *j = arg;

	fputs(j->text, f);
	fflush(f);
	slurp(g_target, j->seen, sizeof(j->seen));
	return j->fail;
}

static void
put_old(void)
{
	FILE *f = fopen(g_target, "w");

	ck_assert_ptr_nonnull(f);
	fputs("old", f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(appears_whole)
{
	job_t j = {"new contents\n", 0, ""};
	char buf[64], err[256];
	struct stat sb;

	put_old();
	ck_assert_int_eq(
	    strads_file_write_atomic(g_target, 0640, put, &j, err, sizeof(err)),
	    0);
	ck_assert_str_eq(j.seen, "old"); /* readers saw the old file whole */
	slurp(g_target, buf, sizeof(buf));
	ck_assert_str_eq(buf, "new contents\n");
	ck_assert_int_eq(stat(g_target, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0640);
	ck_assert_int_eq(entries(), 1); /* no temporary file left */
	/* A new file (no old one) and a second write both work. */
	j.text = "again";
	ck_assert_int_eq(
	    strads_file_write_atomic(g_target, 0600, put, &j, err, sizeof(err)),
	    0);
	slurp(g_target, buf, sizeof(buf));
	ck_assert_str_eq(buf, "again");
	ck_assert_int_eq(entries(), 1);
}
END_TEST

/* The data is synced before the rename (the target still old then), the
 * directory after it (the target new). */
START_TEST(synced_then_renamed_then_dir_synced)
{
	job_t j = {"durable", 0, ""};
	char err[256];

	put_old();
	ck_assert_int_eq(
	    strads_file_write_atomic(g_target, 0644, put, &j, err, sizeof(err)),
	    0);
	ck_assert_int_eq(g_nsync, 2);
	ck_assert_int_eq(g_sync[0].is_dir, 0);
	ck_assert_ptr_nonnull(strstr(g_sync[0].path, "/.model.txt."));
	ck_assert_str_eq(g_sync[0].target, "old");
	ck_assert_int_eq(g_sync[1].is_dir, 1);
	ck_assert_str_eq(g_sync[1].target, "durable");
	{
		char real[PATH_MAX];

		ck_assert_ptr_nonnull(realpath(g_dir, real));
		ck_assert_str_eq(g_sync[1].path, real);
	}
}
END_TEST

START_TEST(writer_gives_up)
{
	job_t j = {"half a fi", 1, ""};
	char buf[64], err[256];

	put_old();
	ck_assert_int_eq(
	    strads_file_write_atomic(g_target, 0644, put, &j, err, sizeof(err)),
	    STRADS_ECANCELED);
	ck_assert_ptr_nonnull(strstr(err, g_target));
	slurp(g_target, buf, sizeof(buf));
	ck_assert_str_eq(buf, "old");
	ck_assert_int_eq(entries(), 1);
	ck_assert_int_eq(g_nsync, 0); /* nothing renamed, nothing synced */
}
END_TEST

START_TEST(sync_fails)
{
	job_t j = {"never seen", 0, ""};
	char buf[64], err[256];

	put_old();
	g_fail_file_sync = 1;
	ck_assert_int_eq(
	    strads_file_write_atomic(g_target, 0644, put, &j, err, sizeof(err)),
	    STRADS_EIO);
	ck_assert_ptr_nonnull(strstr(err, "write failed"));
	slurp(g_target, buf, sizeof(buf));
	ck_assert_str_eq(buf, "old");
	ck_assert_int_eq(entries(), 1);
	/* No old file: still nothing left behind. */
	ck_assert_int_eq(unlink(g_target), 0);
	ck_assert_int_eq(
	    strads_file_write_atomic(g_target, 0644, put, &j, err, sizeof(err)),
	    STRADS_EIO);
	ck_assert_int_eq(entries(), 0);
}
END_TEST

/* After the rename only the directory's fsync can fail: the new file is
 * in place, and the caller hears that it may not survive a crash. */
START_TEST(dir_sync_fails)
{
	job_t j = {"in place", 0, ""};
	char buf[64], err[256];

	put_old();
	g_fail_dir_sync = 1;
	ck_assert_int_eq(
	    strads_file_write_atomic(g_target, 0644, put, &j, err, sizeof(err)),
	    STRADS_EIO);
	ck_assert_ptr_nonnull(strstr(err, "fsync of the directory"));
	slurp(g_target, buf, sizeof(buf));
	ck_assert_str_eq(buf, "in place");
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(bad_paths)
{
	job_t j = {"x", 0, ""};
	char path[PATH_MAX + 32], err[256];

	snprintf(path, sizeof(path), "%s/missing/dir/file", g_dir);
	ck_assert_int_eq(
	    strads_file_write_atomic(path, 0644, put, &j, err, sizeof(err)),
	    STRADS_EIO);
	ck_assert_ptr_nonnull(strstr(err, "cannot create a temporary file"));
	snprintf(path, sizeof(path), "%s/", g_dir);
	ck_assert_int_eq(strads_file_write_atomic(path, 0644, put, &j, NULL, 0),
	    STRADS_EINVAL);
	ck_assert_int_eq(strads_file_write_atomic(NULL, 0644, put, &j, NULL, 0),
	    STRADS_EINVAL);
	ck_assert_int_eq(
	    strads_file_write_atomic(g_target, 0644, NULL, &j, NULL, 0),
	    STRADS_EINVAL);
	ck_assert_int_eq(entries(), 0);
}
END_TEST

/* A symbolic link is written through (it still names its file, which
 * takes the new contents whole); a device is written as it is, never
 * replaced by a rename (as root, `--out /dev/null` once made /dev/null a
 * regular file); a link to nothing and a directory are refused. */
START_TEST(links_and_devices)
{
	job_t j = {"new", 0, ""};
	char link_path[PATH_MAX + 32], dev[PATH_MAX + 32], got[64], err[256];
	struct stat st;

	put_old();
	snprintf(link_path, sizeof(link_path), "%s/link", g_dir);
	ck_assert_int_eq(symlink("model.txt", link_path), 0);
	ck_assert_int_eq(strads_file_write_atomic(link_path, 0644, put, &j, err, sizeof(err)), 0);
	ck_assert_int_eq(lstat(link_path, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	slurp(g_target, got, sizeof(got));
	ck_assert_str_eq(got, "new");
	ck_assert_int_eq(entries(), 2); /* no temporary file left */

	snprintf(link_path, sizeof(link_path), "%s/dangling", g_dir);
	ck_assert_int_eq(symlink("nowhere", link_path), 0);
	ck_assert_int_eq(strads_file_write_atomic(link_path, 0644, put, &j, err, sizeof(err)),
	    STRADS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "a symbolic link to a file that does not exist"));
	ck_assert_int_eq(strads_file_write_atomic(g_dir, 0644, put, &j, err, sizeof(err)),
	    STRADS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is a directory"));

	/* A null device of the test's own where it may make one (root), so
	 * that a wrong rename could not replace the system's. */
	snprintf(dev, sizeof(dev), "%s/null", g_dir);
	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0)
		snprintf(dev, sizeof(dev), "/dev/null");
	ck_assert_int_eq(strads_file_write_atomic(dev, 0644, put, &j, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(dev, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

static Suite *
file_suite(void)
{
	Suite *s = suite_create("file");
	TCase *tc = tcase_create("atomic");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, appears_whole);
	tcase_add_test(tc, synced_then_renamed_then_dir_synced);
	tcase_add_test(tc, writer_gives_up);
	tcase_add_test(tc, sync_fails);
	tcase_add_test(tc, dir_sync_fails);
	tcase_add_test(tc, bad_paths);
	tcase_add_test(tc, links_and_devices);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(file_suite)
