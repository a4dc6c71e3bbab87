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

/* A value given on the command line: create gpu width=1920. */
struct profile_override {
	const char *name;
	long long value;
	int used;
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
	/* After a failure: "FILE:LINE: reason" or "reason". */
	char err[PROFILE_LINE_MAX];
};

/*
 * Parses the text of a profile. @file names it in errors. Overrides replace
 * the defaults of the parameters they name and must lie in their bounds;
 * one that names no parameter is an error. Returns 0, or -1 with p->err set.
 * The result holds pointers into itself: use it where it was parsed.
 */
int profile_parse(struct profile *p, const char *file, const char *text,
		  struct profile_override *ov, unsigned int nov);

/* Fills the UV_DEV_CREATE argument; pointers point into @p. */
void profile_setup(const struct profile *p, struct uvirtio_setup *setup,
		   int sticky);

/* A parameter by name, or NULL. */
const struct profile_param *profile_find_param(const struct profile *p,
					       const char *name);

#endif
