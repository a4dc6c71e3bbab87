// SPDX-License-Identifier: GPL-2.0
/* Device profiles: the text format of docs/profiles.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_ring.h>

#include "profile.h"

struct parser {
	struct profile *p;
	const char *file;
	unsigned int line;
	int have_device;
	unsigned int expect_line;
	struct uvirtio_block *block;	/* the block match/reply add to */
	unsigned int expect, block_nr;	/* its place in p->data */
	unsigned char *data;		/* its rule bytes */
	size_t data_len;
};

static int fail(struct parser *ps, const char *fmt, ...)
{
	char reason[PROFILE_LINE_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (ps->line)
		snprintf(ps->p->err, sizeof(ps->p->err), "%s:%u: %s",
			 ps->file, ps->line, reason);
	else
		snprintf(ps->p->err, sizeof(ps->p->err), "%s: %s", ps->file,
			 reason);
	return -1;
}

/* An unsigned number: decimal or 0x hexadecimal, up to @max. */
static int parse_number(const char *s, unsigned long long max,
			unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int number_arg(struct parser *ps, const char *what, const char *s,
		      unsigned long long max, unsigned long long *out)
{
	if (parse_number(s, max, out))
		return fail(ps, "%s '%s' is not a number from 0 to %llu", what,
			    s, max);
	return 0;
}

static int find_param(const struct profile *p, const char *name)
{
	unsigned int i;

	for (i = 0; i < p->nparams; i++)
		if (!strcmp(p->params[i].name, name))
			return (int)i;
	return -1;
}

/* Writes @size bytes of @v, little-endian. */
static void put_le(unsigned char *at, unsigned int size, unsigned long long v)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		at[i] = (unsigned char)(v >> (8 * i));
}

/*
 * TYPE:NUMBER or TYPE:$param, appended to buf in little-endian order. @buf
 * is the config (@expect < 0) or p->data[@expect][@block], where a $param
 * use is recorded for profile_set().
 */
static int parse_value(struct parser *ps, const char *tok, unsigned char *buf,
		       size_t *len, size_t cap, int expect, unsigned int block)
{
	static const struct {
		const char *name;
		unsigned int size;
	} types[] = { { "u8", 1 }, { "le16", 2 }, { "le32", 4 }, { "le64", 8 } };
	const char *colon = strchr(tok, ':');
	unsigned long long v, max;
	struct profile_use *use;
	unsigned int t;
	int k = -1;

	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		if (colon && strlen(types[t].name) == (size_t)(colon - tok) &&
		    !strncmp(tok, types[t].name, colon - tok))
			break;
	if (t == sizeof(types) / sizeof(types[0]))
		return fail(ps, "'%s' is not a value (u8:, le16:, le32: or le64: and a number)",
			    tok);
	max = types[t].size == 8 ? UINT64_MAX :
	      (1ULL << (8 * types[t].size)) - 1;
	if (colon[1] == '$') {
		const struct profile_param *pp;

		k = find_param(ps->p, colon + 2);
		if (k < 0)
			return fail(ps, "'%s' names no parameter declared above",
				    tok);
		pp = &ps->p->params[k];
		/* profile_set() must never meet a value that does not fit. */
		if ((unsigned long long)pp->max > max)
			return fail(ps, "parameter %s goes up to %lld, more than %s holds",
				    pp->name, pp->max, types[t].name);
		v = (unsigned long long)pp->value;
	} else if (parse_number(colon + 1, max, &v)) {
		return fail(ps, "'%s' is not a number that fits %s", tok,
			    types[t].name);
	}
	if (*len + types[t].size > cap)
		return fail(ps, "too many bytes (at most %zu)", cap);
	if (k >= 0) {
		if (ps->p->nuses == PROFILE_MAX_USES)
			return fail(ps, "more than %d uses of parameters",
				    PROFILE_MAX_USES);
		use = &ps->p->uses[ps->p->nuses++];
		use->param = (unsigned int)k;
		use->size = types[t].size;
		use->expect = expect;
		use->block = block;
		use->off = (unsigned int)*len;
	}
	put_le(buf + *len, types[t].size, v);
	*len += types[t].size;
	return 0;
}

static int cmd_device(struct parser *ps, char **arg, int n)
{
	unsigned long long id;

	if (n != 1)
		return fail(ps, "usage: device ID");
	if (ps->have_device)
		return fail(ps, "a second 'device' line");
	if (number_arg(ps, "device id", arg[0], UINT32_MAX, &id))
		return -1;
	if (!id)
		return fail(ps, "device id 0 is reserved");
	ps->p->device_id = (__u32)id;
	ps->have_device = 1;
	return 0;
}

static int cmd_features(struct parser *ps, char **arg, int n)
{
	unsigned long long bit;
	int i;

	if (n < 1)
		return fail(ps, "usage: features BIT...");
	for (i = 0; i < n; i++) {
		if (number_arg(ps, "feature bit", arg[i], 63, &bit))
			return -1;
		ps->p->features |= 1ULL << bit;
	}
	return 0;
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) >= PROFILE_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return 0;
	return 1;
}

static int cmd_param(struct parser *ps, char **arg, int n)
{
	struct profile *p = ps->p;
	unsigned long long v[3];
	struct profile_param *pp;
	unsigned int i;

	if (n != 4)
		return fail(ps, "usage: param NAME DEFAULT MIN MAX");
	if (!valid_name(arg[0]))
		return fail(ps, "parameter name '%s' is not [a-z0-9_], 1 to %d characters",
			    arg[0], PROFILE_NAME_MAX - 1);
	if (find_param(p, arg[0]) >= 0)
		return fail(ps, "parameter %s declared twice", arg[0]);
	if (p->nparams == PROFILE_MAX_PARAMS)
		return fail(ps, "more than %d parameters", PROFILE_MAX_PARAMS);
	for (i = 0; i < 3; i++)
		if (number_arg(ps, "parameter value", arg[i + 1], INT64_MAX,
			       &v[i]))
			return -1;
	if (v[1] > v[0] || v[0] > v[2])
		return fail(ps, "parameter %s: default %llu is not within %llu..%llu",
			    arg[0], v[0], v[1], v[2]);
	pp = &p->params[p->nparams++];
	snprintf(pp->name, sizeof(pp->name), "%s", arg[0]);
	pp->value = (long long)v[0];
	pp->min = (long long)v[1];
	pp->max = (long long)v[2];
	return 0;
}

static int cmd_config(struct parser *ps, char **arg, int n)
{
	size_t len = ps->p->config_len;
	int i;

	if (n < 1)
		return fail(ps, "usage: config VALUE...");
	for (i = 0; i < n; i++)
		if (parse_value(ps, arg[i], ps->p->config, &len,
				UVIRTIO_MAX_CONFIG_LEN, -1, 0))
			return -1;
	ps->p->config_len = (unsigned int)len;
	return 0;
}

static int cmd_expect(struct parser *ps, char **arg, int n)
{
	struct profile *p = ps->p;

	if (n != 1)
		return fail(ps, "usage: expect QUEUE");
	if (strlen(arg[0]) >= UVIRTIO_MAX_VQ_NAME)
		return fail(ps, "queue name longer than %d characters",
			    UVIRTIO_MAX_VQ_NAME - 1);
	if (p->nexpects && !p->expect.expects[p->nexpects - 1].blocks[0].len)
		return fail(ps, "the expect on line %u has no block",
			    ps->expect_line);
	if (p->nexpects == UVIRTIO_MAX_EXPECTS)
		return fail(ps, "more than %d expects", UVIRTIO_MAX_EXPECTS);
	memcpy(p->expect.expects[p->nexpects].vq_name, arg[0],
	       strlen(arg[0]) + 1);
	p->nexpects++;
	ps->expect_line = ps->line;
	ps->block = NULL;
	return 0;
}

static int cmd_block(struct parser *ps, char **arg, int n)
{
	struct profile *p = ps->p;
	unsigned int e = p->nexpects - 1, b;
	unsigned long long len;
	struct uvirtio_block *blk;
	__u16 flags;

	if (!p->nexpects)
		return fail(ps, "'block' before any 'expect'");
	if (n < 2 || n > 3 || (n == 3 && strcmp(arg[2], "next")))
		return fail(ps, "usage: block read|write LENGTH [next]");
	if (!strcmp(arg[0], "read"))
		flags = 0;
	else if (!strcmp(arg[0], "write"))
		flags = VRING_DESC_F_WRITE;
	else
		return fail(ps, "'%s' is not read or write", arg[0]);
	if (n == 3)
		flags |= VRING_DESC_F_NEXT;
	if (number_arg(ps, "block length", arg[1], UINT32_MAX, &len))
		return -1;
	if (!len)
		return fail(ps, "a block of length 0");
	for (b = 0; b < UVIRTIO_MAX_BLOCKS; b++)
		if (!p->expect.expects[e].blocks[b].len)
			break;
	if (b == UVIRTIO_MAX_BLOCKS)
		return fail(ps, "more than %d blocks in one expect",
			    UVIRTIO_MAX_BLOCKS);
	blk = &p->expect.expects[e].blocks[b];
	blk->len = (__u32)len;
	blk->flags = flags;
	blk->data = (__u64)(uintptr_t)p->data[e][b];
	ps->block = blk;
	ps->expect = e;
	ps->block_nr = b;
	ps->data = p->data[e][b];
	ps->data_len = 0;
	return 0;
}

static int cmd_rule(struct parser *ps, char **arg, int n, int write)
{
	struct uvirtio_block *blk = ps->block;
	unsigned long long off;
	size_t start = ps->data_len, len;
	unsigned int r;
	int i;

	if (!blk)
		return fail(ps, "'%s' before any 'block'", write ? "reply" : "match");
	if (!!(blk->flags & VRING_DESC_F_WRITE) != write)
		return fail(ps, write ? "'reply' in a read block (use match)" :
				       "'match' in a write block (use reply)");
	if (n < 2)
		return fail(ps, "usage: %s OFFSET VALUE...", write ? "reply" : "match");
	for (r = 0; r < UVIRTIO_MAX_RULES; r++)
		if (!blk->rules[r].len)
			break;
	if (r == UVIRTIO_MAX_RULES)
		return fail(ps, "more than %d rules in one block",
			    UVIRTIO_MAX_RULES);
	if (number_arg(ps, "offset", arg[0], UINT16_MAX, &off))
		return -1;
	for (i = 1; i < n; i++)
		if (parse_value(ps, arg[i], ps->data, &ps->data_len,
				start + PROFILE_RULE_MAX, (int)ps->expect,
				ps->block_nr))
			return -1;
	len = ps->data_len - start;
	if (off + len > blk->len)
		return fail(ps, "bytes %llu..%llu lie outside the block of %u bytes",
			    off, off + len - 1, blk->len);
	blk->rules[r].off = (__u16)off;
	blk->rules[r].len = (__u16)len;
	return 0;
}

static int run_line(struct parser *ps, char *line)
{
	char *tok[PROFILE_LINE_MAX / 2];
	char *hash = strchr(line, '#');
	int n = 0;
	char *s;

	if (hash)
		*hash = '\0';
	for (s = strtok(line, " \t\r"); s; s = strtok(NULL, " \t\r"))
		tok[n++] = s;
	if (!n)
		return 0;
	if (!strcmp(tok[0], "device"))
		return cmd_device(ps, tok + 1, n - 1);
	if (!strcmp(tok[0], "features"))
		return cmd_features(ps, tok + 1, n - 1);
	if (!strcmp(tok[0], "param"))
		return cmd_param(ps, tok + 1, n - 1);
	if (!strcmp(tok[0], "config"))
		return cmd_config(ps, tok + 1, n - 1);
	if (!strcmp(tok[0], "expect"))
		return cmd_expect(ps, tok + 1, n - 1);
	if (!strcmp(tok[0], "block"))
		return cmd_block(ps, tok + 1, n - 1);
	if (!strcmp(tok[0], "match"))
		return cmd_rule(ps, tok + 1, n - 1, 0);
	if (!strcmp(tok[0], "reply"))
		return cmd_rule(ps, tok + 1, n - 1, 1);
	return fail(ps, "unknown keyword '%s'", tok[0]);
}

int profile_parse(struct profile *p, const char *file, const char *text)
{
	struct parser ps = { .p = p, .file = file };
	char line[PROFILE_LINE_MAX];

	memset(p, 0, sizeof(*p));
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		ps.line++;
		if (len >= sizeof(line))
			return fail(&ps, "line longer than %d characters",
				    PROFILE_LINE_MAX - 1);
		memcpy(line, text, len);
		line[len] = '\0';
		if (run_line(&ps, line))
			return -1;
		text += len + (nl ? 1 : 0);
	}
	ps.line = 0;
	if (p->nexpects && !p->expect.expects[p->nexpects - 1].blocks[0].len)
		return fail(&ps, "the expect on line %u has no block",
			    ps.expect_line);
	if (!ps.have_device)
		return fail(&ps, "no 'device' line");
	return 0;
}

int profile_set(struct profile *p, const char *name, long long value)
{
	int k = find_param(p, name);
	struct profile_param *pp;
	unsigned int i;

	if (k < 0) {
		snprintf(p->err, sizeof(p->err), "no parameter '%s'", name);
		return -1;
	}
	pp = &p->params[k];
	if (value < pp->min || value > pp->max) {
		snprintf(p->err, sizeof(p->err), "%s=%lld is outside %lld..%lld",
			 pp->name, value, pp->min, pp->max);
		return -1;
	}
	pp->value = value;
	for (i = 0; i < p->nuses; i++) {
		const struct profile_use *u = &p->uses[i];
		unsigned char *at = u->expect < 0 ? p->config :
				    p->data[u->expect][u->block];

		if (u->param == (unsigned int)k)
			put_le(at + u->off, u->size, (unsigned long long)value);
	}
	return 0;
}

void profile_setup(const struct profile *p, struct uvirtio_setup *setup,
		   int sticky)
{
	memset(setup, 0, sizeof(*setup));
	setup->features = p->features;
	setup->config_addr = (__u64)(uintptr_t)p->config;
	setup->config_len = (__u16)p->config_len;
	setup->flags = sticky ? 1 << UVIRTIO_DEV_FLAG_STICK : 0;
	setup->id = p->device_id;
}

const struct profile_param *profile_find_param(const struct profile *p,
					       const char *name)
{
	int k = find_param(p, name);

	return k < 0 ? NULL : &p->params[k];
}
