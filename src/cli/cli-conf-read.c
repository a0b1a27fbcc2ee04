/*
 * cli-conf-read.c -- reads a --config file into its settings
 * (cli-conf.h): KEY = VALUE lines with [run], [coordinator] and [node]
 * sections, or a JSON object with "run", "coordinator" and "node"
 * objects. Every refusal names the file and the line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli-conf.h"

void
cli_conf_ents_free(conf_ent_t *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(e[i].key);
		free(e[i].val);
	}
	free(e);
}

/* One value, quoted ("...", with \" and \\) or bare (to the end of the
 * line, blanks trimmed), into a new string; NULL with *bad set when
 * malformed, or when out of memory. */
static char *
parse_value(char *p, int *bad)
{
	char *v, *q;
	size_t n;

	*bad = 0;
	if (*p != '"') {
		n = strlen(p);
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		return strndup(p, n);
	}
	if ((v = q = malloc(strlen(p) + 1)) == NULL)
		return NULL;
	for (p++; *p != '"'; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		else if (*p == '\0' || *p == '\\')
			break;
		*q++ = *p;
	}
	*q = '\0';
	if (*p != '"') {
		free(v);
		*bad = 1;
		return NULL;
	}
	for (p++; isspace((unsigned char)*p); p++)
		;
	if (*p != '\0') {
		free(v);
		*bad = 1;
		return NULL;
	}
	return v;
}

/* Most settings a file may hold: every option of a command is a few
 * hundred. */
#define CONF_MAX_KEYS 1024

/* The entry for key, set to val (owned from here) from line lineno of
 * section sect: a new one, or the top's replaced by the command's own
 * section. -1, reported, when the key is set twice in one section or
 * memory runs out (val freed). */
static int
ent_set(const char *cmd, const char *path, conf_ent_t **ep, size_t *np, size_t *capp,
    const char *key, char *val, int lineno, int sect)
{
	conf_ent_t *e = *ep;
	size_t i, n = *np;

	for (i = 0; i < n && strcmp(e[i].key, key) != 0; i++)
		;
	if (i < n && e[i].sect == sect) {
		fprintf(stderr, "strads %s: %s:%d: %s is set twice (first on line %d)\n",
		    cmd, path, lineno, key, e[i].line);
		free(val);
		return -1;
	}
	if (i == n) {
		if (n >= CONF_MAX_KEYS) {
			fprintf(stderr, "strads %s: %s:%d: expected at most %d settings, got "
			    "more\n", cmd, path, lineno, CONF_MAX_KEYS);
			free(val);
			return -1;
		}
		if (n == *capp) {
			size_t cap = *capp ? 2 * *capp : 16;
			conf_ent_t *m = realloc(e, cap * sizeof(*e));

			if (m == NULL) {
				free(val);
				fprintf(stderr, "strads %s: out of memory\n", cmd);
				return -1;
			}
			*ep = e = m;
			*capp = cap;
		}
		e[n].key = NULL;
		e[n++].val = NULL;
		*np = n;
	}
	free(e[i].key);
	free(e[i].val);
	e[i].key = strdup(key);
	e[i].val = val;
	e[i].line = lineno;
	e[i].sect = sect;
	if (e[i].key == NULL) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		return -1;
	}
	return 0;
}

/*
 * The KEY = VALUE form: the lines of the top (before any [section]) and
 * of section cmd, in order; a key of cmd's section replaces the top's.
 * Sections of the other commands are skipped. -1, reported, on a line
 * that is not KEY = VALUE, [run], [coordinator] or [node], or a key set
 * twice.
 */
static int
read_lines(const char *cmd, const char *path, FILE *f, conf_ent_t **ep, size_t *np)
{
	char *line = NULL;
	size_t cap = 0, ncap = 0;
	int lineno = 0, sect = 0, rc = -1; /* sect: 0 top, 1 cmd's, -1 other */
	ssize_t len;

	while ((len = getline(&line, &cap, f)) >= 0) {
		char *p = line, *key, *val;
		size_t k;
		int bad;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		/* A NUL would cut the value silently; a CR alone ends no line
		 * here (old Mac files): both are errors, not guesses. */
		if (strlen(line) != (size_t)len || strchr(line, '\r') != NULL) {
			fprintf(stderr, "strads %s: %s:%d: expected text lines (LF or CR LF "
			    "ends), got a %s\n", cmd, path, lineno,
			    strlen(line) != (size_t)len ? "NUL byte" : "carriage return inside a line");
			goto out;
		}
		/* A UTF-8 byte order mark (some editors write one) is no key. */
		if (lineno == 1 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
		    (unsigned char)p[2] == 0xbf)
			p += 3;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (*p == '[') {
			char *end = strchr(p, ']');

			if (end == NULL || end[1] != '\0' ||
			    (strncmp(p, "[run]", 5) != 0 && strncmp(p, "[coordinator]", 13) != 0 &&
			    strncmp(p, "[node]", 6) != 0)) {
				fprintf(stderr, "strads %s: %s:%d: expected a section [run], "
				    "[coordinator] or [node], got '%.60s'%s\n", cmd, path, lineno, p,
				    strlen(p) > 60 ? "..." : "");
				goto out;
			}
			sect = (size_t)(end - p - 1) == strlen(cmd) &&
			    strncmp(p + 1, cmd, strlen(cmd)) == 0 ? 1 : -1;
			continue;
		}
		for (k = 0; isalnum((unsigned char)p[k]) || (k > 0 && p[k] == '-'); k++)
			;
		key = p;
		p += k;
		while (isspace((unsigned char)*p))
			p++;
		if (k == 0 || *p != '=') {
			fprintf(stderr, "strads %s: %s:%d: expected KEY = VALUE (KEY an option "
			    "without its --), got '%.60s'%s\n", cmd, path, lineno, key,
			    strlen(key) > 60 ? "..." : "");
			goto out;
		}
		key[k] = '\0';
		for (p++; isspace((unsigned char)*p); p++)
			;
		if (sect < 0)
			continue;
		if ((val = parse_value(p, &bad)) == NULL) {
			if (bad)
				fprintf(stderr, "strads %s: %s:%d: %s: a quoted value must end "
				    "with \" and nothing after it (write \\\" and \\\\ inside)\n", cmd, path, lineno,
				    key);
			else
				fprintf(stderr, "strads %s: out of memory\n", cmd);
			goto out;
		}
		if (ent_set(cmd, path, ep, np, &ncap, key, val, lineno, sect) != 0)
			goto out;
	}
	rc = 0;
out:
	free(line);
	return rc;
}

/* The 1-based line of text at p. */
static int
line_of(const char *text, const char *p)
{
	int line = 1;

	for (; text < p; text++)
		line += *text == '\n';
	return line;
}

/* Where the member "key" of a JSON object is written in text, at or
 * after *cur (members are met in the order they are written): *cur moves
 * past it and its ':'. NULL when not found as written (a key with
 * escapes), *cur unchanged. */
static const char *
json_key_at(const char *text, const char **cur, const char *key)
{
	size_t k = strlen(key);
	const char *p = *cur, *q;

	while ((p = strchr(p, '"')) != NULL) {
		if (p > text && p[-1] == '\\') {
			p++;
			continue;
		}
		if (strncmp(p + 1, key, k) == 0 && p[k + 1] == '"') {
			for (q = p + k + 2; isspace((unsigned char)*q); q++)
				;
			if (*q == ':') {
				for (q++; isspace((unsigned char)*q); q++)
					;
				*cur = q;
				return p;
			}
		}
		p++;
	}
	return NULL;
}

/* A member's value as the option's text: a string as it is, true or
 * false, a number as written in the file (so 0.1 stays 0.1 and a 64-bit
 * seed keeps every digit). NULL with *bad set for null, an array or an
 * object; NULL with *bad clear when out of memory. */
static char *
json_value(const cJSON *v, const char *at, int *bad)
{
	size_t n;

	*bad = 0;
	if (cJSON_IsString(v))
		return strdup(v->valuestring);
	if (cJSON_IsTrue(v))
		return strdup("true");
	if (cJSON_IsFalse(v))
		return strdup("false");
	if (!cJSON_IsNumber(v)) {
		*bad = 1;
		return NULL;
	}
	if (at != NULL) {
		for (n = 0; at[n] != '\0' && strchr("+-0123456789.eE", at[n]) != NULL; n++)
			;
		if (n > 0)
			return strndup(at, n);
	}
	if (asprintf((char **)&at, "%.17g", v->valuedouble) < 0)
		return NULL;
	return (char *)at;
}

/* 1 when the JSON string at p (its opening quote) holds a raw control
 * character (a newline would make a setting of two lines, which a dump
 * could not give back) or an escape of one (\n, \t, \u0000 ... \u001f:
 * cJSON cuts a value at \u0000). */
static int
json_string_bad(const char *p)
{
	if (*p != '"')
		return 0;
	for (p++; *p != '\0' && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return 1;
		if (*p == '\\') {
			p++;
			if (*p == 'b' || *p == 'f' || *p == 'n' || *p == 'r' || *p == 't')
				return 1;
			if (*p == 'u' && p[1] == '0' && p[2] == '0' && (p[3] == '0' || p[3] == '1'))
				return 1;
			if (*p == '\0')
				return 0;
		}
	}
	return 0;
}

/* One member of a JSON object as an entry of section sect (skipped when
 * sect < 0); *cur is where the search for its key in text starts. */
static int
json_member(const char *cmd, const char *path, const char *text, const char **cur,
    const cJSON *v, int sect, conf_ent_t **ep, size_t *np, size_t *capp)
{
	const char *at = json_key_at(text, cur, v->string);
	int line = at != NULL ? line_of(text, at) : 1, bad;
	char *val;

	if (cJSON_IsObject(v)) {
		fprintf(stderr, "strads %s: %s:%d: %s: expected a string, number, true or "
		    "false, got an object (%s)\n", cmd, path, line, v->string,
		    sect == 0 ? "the sections are \"run\", \"coordinator\" and \"node\""
		              : "sections do not nest");
		return -1;
	}
	if (sect < 0)
		return 0;
	if (cJSON_IsString(v) && at != NULL && json_string_bad(*cur)) {
		fprintf(stderr, "strads %s: %s:%d: %s: expected a string of printable "
		    "characters on one line, got a control character or \\u0000\n", cmd, path,
		    line, v->string);
		return -1;
	}
	if ((val = json_value(v, at != NULL ? *cur : NULL, &bad)) == NULL) {
		if (bad)
			fprintf(stderr, "strads %s: %s:%d: %s: expected a string, number, true "
			    "or false, got %s\n", cmd, path, line, v->string,
			    cJSON_IsArray(v) ? "an array" : "null");
		else
			fprintf(stderr, "strads %s: out of memory\n", cmd);
		return -1;
	}
	return ent_set(cmd, path, ep, np, capp, v->string, val, line, sect);
}

/*
 * The JSON form, at start in text: an object of KEY: VALUE members, and
 * of "run", "coordinator" and "node" objects holding a command's own
 * (a key of cmd's object replaces the top's). A value is a string, a
 * number, true or false. -1, reported with the line, on text that is not
 * such an object, a value of another type, or a key set twice.
 */
static int
read_json(const char *cmd, const char *path, const char *text, const char *start,
    conf_ent_t **ep, size_t *np)
{
	const char *end = NULL, *cur = start;
	cJSON *root = cJSON_ParseWithOpts(start, &end, 0), *m, *v;
	size_t ncap = 0;

	/* One object and nothing after it but blanks. */
	if (root != NULL && end != NULL) {
		const char *q = end;

		while (isspace((unsigned char)*q))
			q++;
		if (*q != '\0') {
			fprintf(stderr, "strads %s: %s:%d: expected the end of the file after "
			    "the JSON object, got '%.20s'\n", cmd, path, line_of(text, q), q);
			cJSON_Delete(root);
			return -1;
		}
	}
	if (root == NULL || !cJSON_IsObject(root)) {
		const char *at = root == NULL ? cJSON_GetErrorPtr() : start;

		if (at == NULL || at < text)
			at = start;
		fprintf(stderr, "strads %s: %s:%d: expected a JSON object of options "
		    "(strads.conf(5))%s\n", cmd, path, line_of(text, at),
		    root == NULL ? ", and the JSON is malformed here" : "");
		cJSON_Delete(root);
		return -1;
	}
	cJSON_ArrayForEach(m, root) {
		int sect;

		if (!cJSON_IsObject(m) || (strcmp(m->string, "run") != 0 &&
		    strcmp(m->string, "coordinator") != 0 && strcmp(m->string, "node") != 0)) {
			if (json_member(cmd, path, text, &cur, m, 0, ep, np, &ncap) != 0)
				goto bad;
			continue;
		}
		(void)json_key_at(text, &cur, m->string);
		sect = strcmp(m->string, cmd) == 0 ? 1 : -1;
		cJSON_ArrayForEach(v, m) {
			if (json_member(cmd, path, text, &cur, v, sect, ep, np, &ncap) != 0)
				goto bad;
		}
	}
	cJSON_Delete(root);
	return 0;
bad:
	cJSON_Delete(root);
	return -1;
}

/* Most bytes a --config file may have: settings, not data. */
#define CONF_MAX_BYTES (1u << 20)

/*
 * Reads path ("-": the standard input, read to its end), in the JSON
 * form when its first character (after blanks and a UTF-8 byte order
 * mark) is '{', else in the KEY = VALUE form. -1, reported, on a file
 * that cannot be read, is too large, or is malformed.
 */
int
cli_conf_read(const char *cmd, const char *path, conf_ent_t **out, size_t *nout)
{
	int in = strcmp(path, "-") == 0;
	/* Opened without blocking: a FIFO without a writer would hold the
	 * open itself. The standard input is the user's pipe or file: it is
	 * read as it comes (a copy, so that closing it leaves fd 0). */
	int fd = in ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
	            : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL, *mem = NULL;
	char *text = NULL;
	const char *p;
	size_t len = 0, cap = 0, n = 0;
	conf_ent_t *e = NULL;
	int rc = -1;

	if (f == NULL) {
		fprintf(stderr, "strads %s: --config %s: %s\n", cmd, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!in) {
		struct stat sb;

		/* A FIFO or a device would be read until its writer ends, or
		 * forever. */
		if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
			fprintf(stderr, "strads %s: --config %s: expected a regular file\n",
			    cmd, path);
			fclose(f);
			return -1;
		}
	}
	/* Read whole, in a buffer that grows with the file (most are a
	 * few hundred bytes). */
	for (;;) {
		size_t k;

		if (len + 1 >= cap) {
			size_t nc = cap == 0 ? 4096 : 2 * cap;
			char *m;

			if (nc > CONF_MAX_BYTES + 2)
				nc = CONF_MAX_BYTES + 2;
			if ((m = realloc(text, nc)) == NULL) {
				fprintf(stderr, "strads %s: out of memory\n", cmd);
				goto out;
			}
			text = m;
			cap = nc;
		}
		k = fread(text + len, 1, cap - 1 - len, f);
		len += k;
		if (k == 0 || len > CONF_MAX_BYTES)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "strads %s: --config %s: %s\n", cmd, path, strerror(errno));
		goto out;
	}
	if (len > CONF_MAX_BYTES) {
		fprintf(stderr, "strads %s: --config %s: expected a settings file of at most "
		    "%u bytes, got a larger one\n", cmd, path, CONF_MAX_BYTES);
		goto out;
	}
	text[len] = '\0';
	p = text;
	if (len >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
	    (unsigned char)p[2] == 0xbf)
		p += 3;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '{') {
		if (strlen(text) != len) {
			fprintf(stderr, "strads %s: %s:%d: expected JSON text, got a NUL byte\n",
			    cmd, path, line_of(text, text + strlen(text)));
			goto out;
		}
		rc = read_json(cmd, path, text, p, &e, &n);
	} else if (p == text + len) {
		rc = 0; /* nothing set */
	} else if ((mem = fmemopen(text, len, "r")) == NULL) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
	} else {
		rc = read_lines(cmd, path, mem, &e, &n);
		fclose(mem);
	}
out:
	fclose(f);
	free(text);
	if (rc != 0) {
		cli_conf_ents_free(e, n);
		e = NULL;
		n = 0;
	}
	*out = e;
	*nout = n;
	return rc;
}

