/*
 * secret.c -- loading the cluster secret from a file or the environment.
 *
 * The secret is never copied anywhere but the caller's buffer: error
 * messages name the file or the variable, never the contents, and every
 * buffer that held it is wiped before it is freed or goes out of scope.
 */
#include "strads-int.h"

#include "hmac.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif


/* A malloc'd copy of p[0..n), or NULL. */
static uint8_t *
dup_secret(const uint8_t *p, size_t n)
{
	uint8_t *s = malloc(n);

	if (s != NULL)
		memcpy(s, p, n);
	return s;
}

/* Reads the whole of file into buf[0..STRADS__SECRET_MAX + 1) and sets
 * *n to the bytes read (STRADS__SECRET_MAX + 1 meaning "too large"):
 * 0, or a negative code with err set. */
static int
read_file(const char *file, uint8_t *buf, size_t *n, char *err, size_t errlen)
{
	struct stat st;
	ssize_t got;
	int fd, e;

	*n = 0;
	do
		fd = open(file, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		e = errno;
		return strads__errf(err, errlen,
		    e == ENOENT ? STRADS_ENOENT : STRADS_EIO,
		    "secret file %s: %s", file, strerror(e));
	}
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		return strads__errf(err, errlen, STRADS_EIO, "secret file %s: %s", file,
		    strerror(e));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return strads__errf(err, errlen, STRADS_EIO,
		    "secret file %s: is a directory", file);
	}
	/* As ssh does for private keys, but a warning, not a refusal; and
	 * only for a regular file (the mode of a pipe such as /dev/fd/N
	 * says nothing). */
	if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		strads_log(STRADS_LOG_WARN,
		    "secret file %s: permissions %04o are too open (group or "
		    "others can access it); it should be chmod 600",
		    file, (unsigned)(st.st_mode & 07777));
	/* Read until end of file, or one byte past the limit. */
	while (*n <= STRADS__SECRET_MAX) {
		got = read(fd, buf + *n, STRADS__SECRET_MAX + 1 - *n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			close(fd);
			return strads__errf(err, errlen, STRADS_EIO,
			    "secret file %s: read: %s", file, strerror(e));
		}
		if (got == 0)
			break;
		*n += (size_t)got;
	}
	close(fd);
	return 0;
}

static int
load_file(
    const char *file, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	uint8_t buf[STRADS__SECRET_MAX + 1];
	size_t n;
	int rc;

	if ((rc = read_file(file, buf, &n, err, errlen)) != 0)
		goto done;
	if (n > STRADS__SECRET_MAX) {
		rc = strads__errf(err, errlen, STRADS_ELIMIT,
		    "secret file %s: larger than %d bytes", file,
		    STRADS__SECRET_MAX);
		goto done;
	}
	/* One line ending, as an editor or echo(1) leaves it. */
	if (n > 0 && buf[n - 1] == '\n') {
		n--;
		if (n > 0 && buf[n - 1] == '\r')
			n--;
	}
	if (n == 0) {
		rc = strads__errf(err, errlen, STRADS_EFORMAT,
		    "secret file %s: is empty", file);
		goto done;
	}
	if ((*out = dup_secret(buf, n)) == NULL) {
		rc = strads__errf(err, errlen, STRADS_ENOMEM,
		    "secret file %s: out of memory", file);
		goto done;
	}
	*len = n;
done:
	strads__wipe(buf, sizeof(buf));
	return rc;
}

int
strads__secret_load(const char *file, const char *envvar, uint8_t **out,
    size_t *len, char *err, size_t errlen)
{
	const char *v;
	size_t n;

	if (out == NULL || len == NULL)
		return strads__errf(err, errlen, STRADS_EINVAL,
		    "secret: no place for the result");
	*out = NULL;
	*len = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	/* A file given is the only source: failing to load it does not
	 * fall back to the environment. */
	if (file != NULL)
		return load_file(file, out, len, err, errlen);

	if (envvar != NULL && (v = getenv(envvar)) != NULL && v[0] != '\0') {
		n = strlen(v);
		if (n > STRADS__SECRET_MAX)
			return strads__errf(err, errlen, STRADS_ELIMIT,
			    "secret: environment variable %s is longer than "
			    "%d bytes",
			    envvar, STRADS__SECRET_MAX);
		if ((*out = dup_secret((const uint8_t *)v, n)) == NULL)
			return strads__errf(err, errlen, STRADS_ENOMEM,
			    "secret: out of memory");
		*len = n;
		return 0;
	}

	if (envvar != NULL)
		return strads__errf(err, errlen, STRADS_ENOENT,
		    "no cluster secret: no secret file given and environment "
		    "variable %s is not set or empty",
		    envvar);
	return strads__errf(err, errlen, STRADS_ENOENT,
	    "no cluster secret: no secret file given");
}

void
strads__secret_free(uint8_t *s, size_t len)
{
	if (s == NULL)
		return;
	strads__wipe(s, len);
	free(s);
}
