/* SPDX-License-Identifier: GPL-2.0 */
#ifndef UVIRTIO_PROFILE_H
#define UVIRTIO_PROFILE_H

#include <stddef.h>
#include <linux/uvirtio.h>

#define PROFILE_MAX_PARAMS	16
#define PROFILE_NAME_MAX	32
#define PROFILE_LINE_MAX	1024
/* Bytes that one match or reply line may give. */
#define PROFILE_RULE_MAX	256

struct profile_param {
	char name[PROFILE_NAME_MAX];
	long long value, min, max;
};

/* $NAME uses a profile may hold; each is one VALUE of a config/match/reply. */
#define PROFILE_MAX_USES	128

/*
 * Where parsing wrote a parameter's value, for profile_set() to rewrite:
 * @size bytes, little-endian, at @off in config (@expect < 0) or in
 * data[@expect][@block].
 */
struct profile_use {
	unsigned int param;	/* index into params */
	unsigned int size;	/* 1, 2, 4 or 8 */
	int expect;
	unsigned int block;
	unsigned int off;
};

struct profile {
	__u32 device_id;
	__u64 features;
	unsigned char config[UVIRTIO_MAX_CONFIG_LEN];
	unsigned int config_len;
	/* Rule bytes of each block, one rule after another. */
	unsigned char data[UVIRTIO_MAX_EXPECTS][UVIRTIO_MAX_BLOCKS]
			  [UVIRTIO_MAX_RULES * PROFILE_RULE_MAX];
	/* The UV_DEV_EXPECT argument; its data pointers point into @data. */
	struct uvirtio_expect expect;
	unsigned int nexpects;
	struct profile_param params[PROFILE_MAX_PARAMS];
	unsigned int nparams;
	struct profile_use uses[PROFILE_MAX_USES];
	unsigned int nuses;
	/* After a failure: "FILE:LINE: reason" or "reason". */
	char err[PROFILE_LINE_MAX];
};

/*
 * Parses the text of a profile, with every parameter at its default.
 * @file names it in errors. Returns 0, or -1 with p->err set to
 * "FILE:LINE: reason" (or "FILE: reason"). The result holds pointers into
 * itself: use it where it was parsed.
 */
int profile_parse(struct profile *p, const char *file, const char *text);

/*
 * Sets a parameter of a parsed profile: every config and reply/match byte
 * its $NAME uses were turned into is rewritten. Returns 0, or -1 with
 * p->err set to "NAME=V is outside MIN..MAX" or "no parameter 'NAME'"; the
 * profile is then unchanged. A value within MIN..MAX always fits its uses:
 * profile_parse() checks that of MAX.
 */
int profile_set(struct profile *p, const char *name, long long value);

/* Fills the UV_DEV_CREATE argument; pointers point into @p. */
void profile_setup(const struct profile *p, struct uvirtio_setup *setup,
		   int sticky);

/* A parameter by name, or NULL. */
const struct profile_param *profile_find_param(const struct profile *p,
					       const char *name);

#endif
