/*
 * mf-gen.c -- `strads gen mf`: ratings from a planted low-rank model
 * with biases and noise (doc/mf.md). A rating is mu + b_u + c_i + w_u .
 * h_i + noise, with w and h entries N(0, factor_var / rank); users and
 * items are drawn by Zipf popularity (the j-th most popular, in a random
 * order of ids, with weight 1 / j^s). By default ratings are rounded to
 * half steps and clipped to [1, 5] as MovieLens's are; --exact keeps
 * them real, so the noise is the only error a perfect model makes.
 * Writes PREFIX.train and PREFIX.test (plain "user item rating" triples,
 * ids from 1) and says on stdout the test RMSE of the planted model
 * itself: the noise floor a fit is measured against.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mf.h"
#include "registry.h"

static void
gen_usage(FILE *f)
{
	fprintf(f,
	    "usage: strads gen mf --out PREFIX [options]\n"
	    "\n"
	    "Ratings from a planted low-rank model with biases and noise: PREFIX.train\n"
	    "and PREFIX.test ('user item rating', ids from 1). Prints the test RMSE\n"
	    "of the planted model: the noise floor with --exact; without it the\n"
	    "ratings are rounded and clipped, which the planted model does not know,\n"
	    "and a fit may come a little below it.\n"
	    "\n"
	    "  --users N           users (default 1000)\n"
	    "  --items N           items (default 500)\n"
	    "  --ratings N         ratings in all, each (user, item) pair once: at most\n"
	    "                      half of the cells (default 50000)\n"
	    "  --rank K            planted rank (default 10)\n"
	    "  --mean M            mu (default 3.5)\n"
	    "  --user-bias SD      sd of the user biases (default 0.4)\n"
	    "  --item-bias SD      sd of the item biases (default 0.5)\n"
	    "  --factor-var V      variance of w . h (default 0.81)\n"
	    "  --noise SD          sd of the noise (default 0.8)\n"
	    "  --user-skew S       Zipf exponent of user popularity (default 0.6)\n"
	    "  --item-skew S       Zipf exponent of item popularity (default 0.9)\n"
	    "  --test-fraction F   held out into PREFIX.test (default 0.1)\n"
	    "  --exact             no rounding to half steps or clipping to [1, 5]\n"
	    "  --seed S            (default 1)\n");
}

/* The cumulative Zipf weights of n ranks, and a random id for each
 * rank (so popularity does not follow the ids). */
static int
zipf_new(uint32_t n, double s, app_rng_t *r, double **cdfp, uint32_t **idp)
{
	double *cdf = malloc(n * sizeof(double)), tot = 0;
	uint32_t *id = malloc(n * sizeof(uint32_t)), k;

	*cdfp = cdf;
	*idp = id;
	if (cdf == NULL || id == NULL)
		return -1;
	for (k = 0; k < n; k++) {
		tot += pow((double)k + 1, -s);
		cdf[k] = tot;
		id[k] = k;
	}
	for (k = n; k > 1; k--) {
		uint32_t j = (uint32_t)(app_rng_unif(r) * k), t = id[k - 1];

		id[k - 1] = id[j];
		id[j] = t;
	}
	return 0;
}

static uint32_t
zipf_draw(const double *cdf, const uint32_t *id, uint32_t n, app_rng_t *r)
{
	double x = app_rng_unif(r) * cdf[n - 1];
	uint32_t lo = 0, hi = n - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (cdf[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return id[lo];
}

/* Appends "u i r\n" to the buffer at b (ids from 1). */
static char *
put_triple(char *b, uint32_t u, uint32_t i, double r, int exact)
{
	if (exact)
		return b + sprintf(b, "%u %u %.6g\n", u + 1, i + 1, r);
	/* Half steps: "4" or "3.5". */
	{
		int h = (int)lround(r * 2);

		return b + ((h & 1) ? sprintf(b, "%u %u %d.5\n", u + 1, i + 1, h / 2)
		                    : sprintf(b, "%u %u %d\n", u + 1, i + 1, h / 2));
	}
}

int
mf_gen_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"users", required_argument, NULL, 'U'},
	    {"items", required_argument, NULL, 'I'},
	    {"ratings", required_argument, NULL, 'R'},
	    {"rank", required_argument, NULL, 'k'},
	    {"mean", required_argument, NULL, 'm'},
	    {"user-bias", required_argument, NULL, 'b'},
	    {"item-bias", required_argument, NULL, 'c'},
	    {"factor-var", required_argument, NULL, 'v'},
	    {"noise", required_argument, NULL, 'n'},
	    {"user-skew", required_argument, NULL, 'x'},
	    {"item-skew", required_argument, NULL, 'y'},
	    {"test-fraction", required_argument, NULL, 't'},
	    {"exact", no_argument, NULL, 'e'},
	    {"seed", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *out = NULL;
	long users = 1000, items = 500, ratings = 50000, rank = 10, seed = 1;
	double mean = 3.5, ubsd = 0.4, ibsd = 0.5, fvar = 0.81, noise = 0.8, us = 0.6, is = 0.9,
	       tf = 0.1, tsse = 0;
	int c, exact = 0, rc = CLI_FAIL;
	double *W = NULL, *H = NULL, *bu = NULL, *bi = NULL, *ucdf = NULL, *icdf = NULL;
	uint64_t *seen = NULL; /* owned: the pairs drawn (u x items + i + 1; 0 free) */
	uint64_t seen_cap = 0;
	uint32_t *uid = NULL, *iid = NULL;
	char *path = NULL, *buf = NULL;
	FILE *ftr = NULL, *fte = NULL;
	uint64_t ntest = 0, k;
	app_rng_t r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case 'o': out = optarg; break;
		case 'U': bad = cli_parse_long_in("gen", "--users", optarg, 1, 1L << 31, &users); break;
		case 'I': bad = cli_parse_long_in("gen", "--items", optarg, 1, 1L << 31, &items); break;
		case 'R': bad = cli_parse_long_in("gen", "--ratings", optarg, 1, 1L << 40, &ratings); break;
		case 'k': bad = cli_parse_long_in("gen", "--rank", optarg, 1, 10000, &rank); break;
		case 'm': bad = cli_parse_double_in("gen", "--mean", optarg, -1e9, 0, 1e9, &mean); break;
		case 'b': bad = cli_parse_double_in("gen", "--user-bias", optarg, 0, 0, 1e9, &ubsd); break;
		case 'c': bad = cli_parse_double_in("gen", "--item-bias", optarg, 0, 0, 1e9, &ibsd); break;
		case 'v': bad = cli_parse_double_in("gen", "--factor-var", optarg, 0, 0, 1e9, &fvar); break;
		case 'n': bad = cli_parse_double_in("gen", "--noise", optarg, 0, 0, 1e9, &noise); break;
		case 'x': bad = cli_parse_double_in("gen", "--user-skew", optarg, 0, 0, 100, &us); break;
		case 'y': bad = cli_parse_double_in("gen", "--item-skew", optarg, 0, 0, 100, &is); break;
		case 't': bad = cli_parse_double_in("gen", "--test-fraction", optarg, 0, 0, 1, &tf); break;
		case 'e': exact = 1; break;
		case 's': bad = cli_parse_long("gen", "--seed", optarg, 0, &seed); break;
		case 'h': gen_usage(stdout); return CLI_OK;
		default:
			fprintf(stderr, "strads gen mf: %s '%s'\nTry 'strads gen mf --help'.\n",
			    c == ':' ? "a value is needed after" : "unknown option", argv[optind - 1]);
			return CLI_USAGE;
		}
		if (bad)
			return CLI_USAGE;
	}
	if (out == NULL || optind < argc) {
		fprintf(stderr, "strads gen mf: %s\nTry 'strads gen mf --help'.\n",
		    out == NULL ? "--out PREFIX is required" : "unexpected argument");
		return CLI_USAGE;
	}
	if (tf >= 1) {
		fprintf(stderr, "strads gen mf: --test-fraction: expected a number in [0, 1)\n");
		return CLI_USAGE;
	}
	/* Distinct pairs by redrawing: at most half the cells, so a draw
	 * finds a free one often enough. */
	if ((double)ratings > (double)users * (double)items / 2) {
		fprintf(stderr, "strads gen mf: --ratings: expected at most half of the %ld x %ld "
		    "cells (%.0f), got %ld\n", users, items, (double)users * (double)items / 2,
		    ratings);
		return CLI_USAGE;
	}
	for (seen_cap = 1024; seen_cap < 2 * (uint64_t)ratings; seen_cap *= 2)
		;
	app_rng_seed(&r, (uint64_t)seed, 0);
	W = malloc((size_t)users * rank * sizeof(double));
	H = malloc((size_t)items * rank * sizeof(double));
	bu = malloc((size_t)users * sizeof(double));
	bi = malloc((size_t)items * sizeof(double));
	path = malloc(strlen(out) + 8);
	buf = malloc(1 << 20);
	seen = calloc(seen_cap, sizeof(uint64_t));
	if (seen == NULL || W == NULL || H == NULL || bu == NULL || bi == NULL || path == NULL || buf == NULL ||
	    zipf_new((uint32_t)users, us, &r, &ucdf, &uid) != 0 ||
	    zipf_new((uint32_t)items, is, &r, &icdf, &iid) != 0) {
		fprintf(stderr, "strads gen mf: out of memory\n");
		goto out;
	}
	for (k = 0; k < (uint64_t)users * rank; k++)
		W[k] = sqrt(fvar / rank) * app_rng_normal(&r);
	for (k = 0; k < (uint64_t)items * rank; k++)
		H[k] = app_rng_normal(&r);
	for (k = 0; k < (uint64_t)users; k++)
		bu[k] = ubsd * app_rng_normal(&r);
	for (k = 0; k < (uint64_t)items; k++)
		bi[k] = ibsd * app_rng_normal(&r);
	sprintf(path, "%s.train", out);
	ftr = fopen(path, "w");
	sprintf(path, "%s.test", out);
	fte = ftr != NULL ? fopen(path, "w") : NULL;
	if (ftr == NULL || fte == NULL) {
		fprintf(stderr, "strads gen mf: %s: cannot write\n", path);
		goto out;
	}
	{
		char *bt = buf, *be = buf + (1 << 19); /* train half, test half */
		char *tt = be, *te = buf + (1 << 20);

		for (k = 0; k < (uint64_t)ratings; k++) {
			uint32_t u = zipf_draw(ucdf, uid, (uint32_t)users, &r);
			uint32_t i = zipf_draw(icdf, iid, (uint32_t)items, &r);
			uint64_t key = (uint64_t)u * (uint64_t)items + i + 1, h;
			double dot = 0, truth, y;
			long t;
			int held;

			/* Each (user, item) pair once, as in MovieLens: a pair
			 * drawn again is drawn anew (popular pairs fill up, so
			 * the popularity of what is left flattens a little). */
			for (h = (key * 0x9e3779b97f4a7c15ULL) >> 20 & (seen_cap - 1);
			     seen[h] != 0 && seen[h] != key; h = (h + 1) & (seen_cap - 1))
				;
			if (seen[h] == key) {
				k--;
				continue;
			}
			seen[h] = key;
			held = app_rng_unif(&r) < tf;

			/* H's entries are N(0, 1): w . h has variance fvar. */
			for (t = 0; t < rank; t++)
				dot += W[(size_t)u * rank + t] * H[(size_t)i * rank + t];
			truth = mean + bu[u] + bi[i] + dot;
			y = truth + noise * app_rng_normal(&r);
			if (!exact) {
				y = round(y * 2) / 2;
				y = y < 1 ? 1 : y > 5 ? 5 : y;
			}
			if (held) {
				tsse += (y - truth) * (y - truth);
				ntest++;
				tt = put_triple(tt, u, i, y, exact);
				if (te - tt < 128) {
					fwrite(be, 1, (size_t)(tt - be), fte);
					tt = be;
				}
			} else {
				bt = put_triple(bt, u, i, y, exact);
				if (be - bt < 128) {
					fwrite(buf, 1, (size_t)(bt - buf), ftr);
					bt = buf;
				}
			}
		}
		fwrite(buf, 1, (size_t)(bt - buf), ftr);
		fwrite(be, 1, (size_t)(tt - be), fte);
	}
	if (fclose(ftr) != 0 || fclose(fte) != 0) {
		ftr = fte = NULL;
		fprintf(stderr, "strads gen mf: %s: write failed\n", out);
		goto out;
	}
	ftr = fte = NULL;
	printf("gen mf: %ld users, %ld items, %ld ratings (%llu held out in %s.test), rank "
	       "%ld; %s (test RMSE of the planted model) %.6f\n",
	    users, items, ratings, (unsigned long long)ntest, out, rank,
	    exact ? "noise floor" : "reference",
	    ntest > 0 ? sqrt(tsse / (double)ntest) : NAN);
	rc = CLI_OK;
out:
	free(seen);
	if (ftr != NULL)
		fclose(ftr);
	if (fte != NULL)
		fclose(fte);
	free(W);
	free(H);
	free(bu);
	free(bi);
	free(ucdf);
	free(icdf);
	free(uid);
	free(iid);
	free(path);
	free(buf);
	return rc;
}
