// SPDX-License-Identifier: GPL-2.0
/* Reads uvirtio.gpu= from a kernel command line or /etc/uvirtio.conf. */
#include <stdio.h>
#include <string.h>

#include "cmdline.h"

#define GPU_PARAM	"uvirtio.gpu"

/* Parameter names compare with '-' and '_' alike, as in the kernel. */
static int param_is(const char *s, size_t len, const char *name)
{
	size_t i;

	if (strlen(name) != len)
		return 0;
	for (i = 0; i < len; i++) {
		char a = s[i] == '-' ? '_' : s[i];
		char b = name[i] == '-' ? '_' : name[i];

		if (a != b)
			return 0;
	}
	return 1;
}

/* A decimal number of at most five digits, the whole of [s, s + len). */
static int read_dim(const char *s, size_t len, long *out)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static enum gpu_request read_value(const char *v, size_t len, long *width,
				   long *height, char *msg, size_t msglen)
{
	const char *x;

	if ((len == 3 && !strncmp(v, "off", 3)) || (len == 1 && v[0] == '0'))
		return GPU_OFF;
	x = memchr(v, 'x', len);
	if (!x)
		x = memchr(v, 'X', len);
	if (!x || read_dim(v, x - v, width) ||
	    read_dim(x + 1, len - (x - v) - 1, height)) {
		snprintf(msg, msglen,
			 GPU_PARAM "=%.*s is not WIDTHxHEIGHT, off or 0",
			 (int)(len > 64 ? 64 : len), v);
		return GPU_INVALID;
	}
	if (*width == 0 || *height == 0) {
		snprintf(msg, msglen, GPU_PARAM "=%.*s has a zero side",
			 (int)len, v);
		return GPU_INVALID;
	}
	return GPU_MODE;
}

enum gpu_request cmdline_gpu(const char *cmdline, long *width, long *height,
			     char *msg, size_t msglen)
{
	const char *p = cmdline, *val = NULL;
	size_t vlen = 0;
	int found = 0, has_value = 0;

	for (;;) {
		const char *start, *eq = NULL;
		size_t len;
		int quoted = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n'))) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == '=' && !eq)
				eq = p;
			p++;
		}
		len = p - start;
		if (len == 2 && !strncmp(start, "--", 2))
			break;
		if (!param_is(start, eq ? (size_t)(eq - start) : len, GPU_PARAM))
			continue;
		found = 1;
		has_value = eq != NULL;
		if (eq) {
			val = eq + 1;
			vlen = p - val;
			if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
				val++;
				vlen -= 2;
			}
		}
	}
	if (!found)
		return GPU_ABSENT;
	if (!has_value || !vlen) {
		snprintf(msg, msglen, GPU_PARAM " needs a value: WIDTHxHEIGHT, off or 0");
		return GPU_INVALID;
	}
	return read_value(val, vlen, width, height, msg, msglen);
}

int config_words(char *text, char *msg, size_t msglen)
{
	char *p;
	int ret = 0;

	/* Comments and carriage returns become blanks. */
	for (p = text; *p; p++) {
		if (*p == '#')
			while (*p && *p != '\n')
				*p++ = ' ';
		if (!*p)
			break;
		if (*p == '\r')
			*p = ' ';
	}
	for (p = text; *p;) {
		char *start;
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		len = p - start;
		if (ret == 0 && (len < sizeof(GPU_PARAM) ||
				 !param_is(start, sizeof(GPU_PARAM) - 1, GPU_PARAM) ||
				 start[sizeof(GPU_PARAM) - 1] != '=')) {
			snprintf(msg, msglen,
				 "unknown setting '%.*s' (only " GPU_PARAM "= is read)",
				 (int)(len > 64 ? 64 : len), start);
			ret = -1;
		}
	}
	return ret;
}
