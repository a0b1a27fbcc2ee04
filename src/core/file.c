/*
 * file.c -- files written whole or not at all (strads_file_write_atomic):
 * a temporary file beside the target, fsync, rename, fsync of the
 * directory. Models, generated data, table files and checkpoints all go
 * through here, so a crash or a full disk never leaves half a file under
 * the real name. A symbolic link is followed (the file it names is
 * replaced, the link stays); a device or a FIFO (--out /dev/stdout) is
 * written as it is: a rename would replace it.
 */
#include "strads-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory part of path ("." when it has none), malloc'd. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

/* Writes to what path names as it is, with no temporary file: a device
 * or a FIFO (/dev/null, /dev/stdout), which a rename would replace. */
static int
write_through(const char *path, strads_file_write_cb write_cb, void *arg, char *err,
    size_t errlen)
{
	FILE *f = fopen(path, "wb");
	int rc;

	if (f == NULL)
		return strads__errf(err, errlen, STRADS_EIO, "%s: %s", path, strerror(errno));
	errno = 0;
	rc = write_cb(f, arg);
	if (rc != 0 || ferror(f) || fflush(f) != 0) {
		int e = errno;

		fclose(f);
		return strads__errf(err, errlen, rc != 0 ? STRADS_ECANCELED : STRADS_EIO,
		    "%s: write %s%s%s", path, rc != 0 ? "abandoned" : "failed",
		    e != 0 ? ": " : "", e != 0 ? strerror(e) : "");
	}
	if (fclose(f) != 0)
		return strads__errf(err, errlen, STRADS_EIO, "%s: %s", path, strerror(errno));
	return 0;
}

static int write_atomic(const char *path, unsigned mode, strads_file_write_cb write_cb,
    void *arg, char *err, size_t errlen);

int
strads_file_write_atomic(const char *path, unsigned mode,
    strads_file_write_cb write_cb, void *arg, char *err, size_t errlen)
{
	struct stat st, lst;
	char *real;
	int rc;

	if (path == NULL || *path == '\0' || write_cb == NULL)
		return strads__errf(err, errlen, STRADS_EINVAL,
		    "atomic write: no path or no writer");
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return strads__errf(err, errlen, STRADS_EINVAL, "%s: is a directory",
			    path);
		if (!S_ISREG(st.st_mode))
			return write_through(path, write_cb, arg, err, errlen);
		/* A symbolic link keeps pointing where it did: the file it
		 * names takes the new contents (whole, as any other). */
		if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
			if ((real = realpath(path, NULL)) == NULL)
				return strads__errf(err, errlen, STRADS_EIO, "%s: %s", path,
				    strerror(errno));
			rc = write_atomic(real, mode, write_cb, arg, err, errlen);
			free(real);
			return rc;
		}
	} else if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		return strads__errf(err, errlen, STRADS_EINVAL,
		    "%s: a symbolic link to a file that does not exist", path);
	}
	return write_atomic(path, mode, write_cb, arg, err, errlen);
}

/* A temporary file beside path, written, synced and renamed over it. */
static int
write_atomic(const char *path, unsigned mode, strads_file_write_cb write_cb, void *arg,
    char *err, size_t errlen)
{
	const char *base;
	char *dir = NULL, *tmp = NULL;
	FILE *f = NULL;
	size_t dlen;
	int fd, rc, e;

	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	if (*base == '\0')
		return strads__errf(
		    err, errlen, STRADS_EINVAL, "%s: not a file name", path);
	/* The temporary file is hidden beside the target: a rename within
	 * one directory is atomic, and a listing skips it. */
	if ((dir = dir_of(path)) == NULL)
		goto nomem;
	dlen = strlen(dir);
	if ((tmp = malloc(dlen + strlen(base) + sizeof("/..XXXXXX"))) == NULL)
		goto nomem;
	sprintf(tmp, "%s/.%s.XXXXXX", dir, base);
	if ((fd = mkstemp(tmp)) < 0) {
		rc = strads__errf(err, errlen, STRADS_EIO,
		    "%s: cannot create a temporary file: %s", path,
		    strerror(errno));
		free(tmp);
		free(dir);
		return rc;
	}
	if (fchmod(fd, (mode_t)mode) != 0 || (f = fdopen(fd, "wb")) == NULL) {
		e = errno;
		close(fd);
		rc = strads__errf(
		    err, errlen, STRADS_EIO, "%s: %s", path, strerror(e));
		goto fail;
	}
	errno = 0;
	if (write_cb(f, arg) != 0) {
		fclose(f);
		rc = strads__errf(err, errlen, STRADS_ECANCELED,
		    "%s: write abandoned%s%s", path, errno != 0 ? ": " : "",
		    errno != 0 ? strerror(errno) : "");
		goto fail;
	}
	/* The file is complete and durable before it takes the real name. */
	if (ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		e = errno != 0 ? errno : EIO;
		fclose(f);
		rc = strads__errf(err, errlen, STRADS_EIO,
		    "%s: write failed: %s", path, strerror(e));
		goto fail;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		rc = strads__errf(
		    err, errlen, STRADS_EIO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	/* And the rename is durable before we say so. */
	rc = 0;
	if (fsync_dir(dir) != 0)
		rc = strads__errf(err, errlen, STRADS_EIO,
		    "%s: fsync of the directory %s: %s", path, dir,
		    strerror(errno));
	free(tmp);
	free(dir);
	return rc;

fail:
	unlink(tmp);
	free(tmp);
	free(dir);
	return rc;
nomem:
	free(dir);
	return strads__errf(
	    err, errlen, STRADS_ENOMEM, "%s: out of memory", path);
}
