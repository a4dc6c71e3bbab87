// SPDX-License-Identifier: GPL-2.0
/* Reads uvirtio.gpu= from a kernel command line or /etc/uvirtio.conf. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"

#define GPU_PARAM	"uvirtio.gpu"

/* The kernel's isspace(), Latin-1's no-break space included. */
static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (unsigned char)c == 0xa0;
}

/* One word of a command line: NAME or NAME=VALUE. */
struct word {
	const char *start, *end;	/* the word as written */
	const char *name, *val;		/* val is NULL without '=' */
	size_t name_len, val_len;
};

/*
 * Splits off the word at @p (no blank there) as the kernel's next_arg()
 * does; returns where the next one may start.
 */
static const char *next_word(const char *p, struct word *w)
{
	int in_quote = 0, quoted = 0, unquoted = 0;
	const char *eq = NULL, *end;

	w->start = p;
	if (*p == '"') {
		p++;
		in_quote = quoted = 1;
	}
	for (end = p; *end && (in_quote || !is_space(*end)); end++) {
		/* next_arg() takes no '=' as the first character. */
		if (!eq && *end == '=' && end != p)
			eq = end;
		if (*end == '"')
			in_quote = !in_quote;
	}
	w->end = end;
	w->name = p;
	if (!eq) {
		w->val = NULL;
		w->name_len = end - p;
	} else {
		w->name_len = eq - p;
		w->val = eq + 1;
		if (*w->val == '"') {
			w->val++;
			quoted = 1;
		}
	}
	/* One closing quote goes, of the value or of the whole word. */
	if (quoted && end > p && end[-1] == '"') {
		end--;
		unquoted = 1;
	}
	if (w->val)
		w->val_len = end > w->val ? (size_t)(end - w->val) : 0;
	else
		w->name_len -= unquoted;
	return w->end;
}

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

/*
 * A side: decimal digits only, the whole of [s, s + len). Any number of
 * digits; from GPU_SIDE_BIG on it reads as GPU_SIDE_BIG, so that no length
 * overflows and every large number is out of bounds.
 */
static int read_side(const char *s, size_t len, long *out)
{
	long v = 0;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v >= GPU_SIDE_BIG / 10)
			v = GPU_SIDE_BIG;
		else
			v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int gpu_head_read(const char *s, size_t len, struct gpu_head *h)
{
	size_t x = strcspn(s, "xX"), at;
	struct gpu_head r = { 0 };

	if (x >= len)
		return -1;
	at = x + 1 + strcspn(s + x + 1, "@");
	if (at > len)
		at = len;
	if (read_side(s, x, &r.width) ||
	    read_side(s + x + 1, at - x - 1, &r.height))
		return -1;
	/* "@144dpi": digits, then "dpi". */
	if (at < len &&
	    (len - at < 1 + 3 || strncasecmp(s + len - 3, "dpi", 3) ||
	     read_side(s + at + 1, len - at - 1 - 3, &r.dpi)))
		return -1;
	*h = r;
	return 0;
}

static enum gpu_request read_value(const char *v, size_t len,
				   struct gpu_req *req)
{
	int shown = len > GPU_VALUE_MAX ? GPU_VALUE_MAX : (int)len;
	size_t at = 0, n;

	snprintf(req->value, sizeof(req->value), "%.*s", shown, v);
	/* "off" in any case, as kstrtobool() takes it; 0 as kstrtoul() has it. */
	if ((len == 3 && !strncasecmp(v, "off", 3)) ||
	    (len && strspn(v, "0") >= len))
		return req->kind = GPU_OFF;
	for (;;) {
		n = strcspn(v + at, ",");
		if (at + n > len)
			n = len - at;
		if (req->nheads == UVIRTIO_GPU_MAX_HEADS) {
			snprintf(req->msg, sizeof(req->msg),
				 GPU_PARAM "=%s has more than %d heads",
				 req->value, UVIRTIO_GPU_MAX_HEADS);
			return req->kind = GPU_INVALID;
		}
		if (gpu_head_read(v + at, n, &req->heads[req->nheads])) {
			snprintf(req->msg, sizeof(req->msg),
				 GPU_PARAM "=%s is not WIDTHxHEIGHT[@DPIdpi][,...], off or 0",
				 req->value);
			return req->kind = GPU_INVALID;
		}
		req->nheads++;
		at += n;
		if (at >= len)
			break;
		at++;		/* the comma; one at the end reads as a head */
	}
	return req->kind = GPU_MODE;
}

enum gpu_request cmdline_gpu(const char *cmdline, struct gpu_req *req)
{
	const char *p = cmdline;
	struct word w, last = { 0 };

	memset(req, 0, sizeof(*req));
	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		p = next_word(p, &w);
		if (!w.val && w.name_len == 2 && !strncmp(w.name, "--", 2))
			break;
		if (param_is(w.name, w.name_len, GPU_PARAM))
			last = w;
	}
	if (!last.name)
		return req->kind = GPU_ABSENT;
	if (!last.val || !last.val_len) {
		snprintf(req->msg, sizeof(req->msg),
			 GPU_PARAM " needs a value: WIDTHxHEIGHT, off or 0");
		return req->kind = GPU_INVALID;
	}
	return read_value(last.val, last.val_len, req);
}

int config_words(char *text, char *msg, size_t msglen)
{
	const char *p;
	struct word w;
	char *c;
	int ret = 0;

	/* Comments and carriage returns become blanks. */
	for (c = text; *c; c++) {
		if (*c == '#')
			while (*c && *c != '\n')
				*c++ = ' ';
		if (!*c)
			break;
		if (*c == '\r')
			*c = ' ';
	}
	for (p = text; *p;) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		p = next_word(p, &w);
		/* A bad value is cmdline_gpu()'s to report, not a setting. */
		if (ret == 0 && !param_is(w.name, w.name_len, GPU_PARAM)) {
			size_t len = w.end - w.start;
			int shown = len > GPU_VALUE_MAX ? GPU_VALUE_MAX :
				    (int)len;

			snprintf(msg, msglen,
				 "unknown setting '%.*s' (only " GPU_PARAM "= is read)",
				 shown, w.start);
			ret = -1;
		}
	}
	return ret;
}

/*
 * The message for the first head of @req outside @b, in @msg; 0 when
 * every head lies within.
 */
static int gpu_heads_outside(const struct gpu_req *req,
			     const struct gpu_bounds *b, char *msg,
			     size_t msglen, const char *file, const char *sep)
{
	unsigned int i;

	for (i = 0; i < req->nheads; i++) {
		const struct gpu_head *h = &req->heads[i];

		if (!h->width || !h->height) {
			snprintf(msg, msglen,
				 "%s%s" GPU_PARAM "=%s has a zero side; using the default mode",
				 file, sep, req->value);
			return 1;
		}
		if (h->width < b->min_width || h->width > b->max_width ||
		    h->height < b->min_height || h->height > b->max_height) {
			snprintf(msg, msglen,
				 "%s%s" GPU_PARAM "=%s is outside %lldx%lld..%lldx%lld; using the default mode",
				 file, sep, req->value, b->min_width,
				 b->min_height, b->max_width, b->max_height);
			return 1;
		}
		if (h->dpi && (h->dpi < b->min_dpi || h->dpi > b->max_dpi)) {
			snprintf(msg, msglen,
				 "%s%s" GPU_PARAM "=%s: %ld dpi is outside %lld..%lld; using the default mode",
				 file, sep, req->value, h->dpi, b->min_dpi,
				 b->max_dpi);
			return 1;
		}
	}
	return 0;
}

void gpu_decide(const struct gpu_req *req, const struct gpu_bounds *b,
		struct gpu_plan *plan)
{
	const char *file = req->from ? req->from : "";
	const char *sep = req->from ? ": " : "";

	memset(plan, 0, sizeof(*plan));
	plan->action = GPU_DEVICE_DEFAULT;
	plan->level = LOG_ERR;
	switch (req->kind) {
	case GPU_ABSENT:
		plan->level = LOG_INFO;
		break;
	case GPU_OFF:
		plan->action = GPU_NO_DEVICE;
		plan->level = LOG_INFO;
		snprintf(plan->msg, sizeof(plan->msg),
			 "%s%s" GPU_PARAM "=%s: no display created", file, sep,
			 req->value);
		break;
	case GPU_INVALID:
		snprintf(plan->msg, sizeof(plan->msg),
			 "%s%s%s; using the default mode", file, sep, req->msg);
		break;
	case GPU_MODE:
		if (gpu_heads_outside(req, b, plan->msg, sizeof(plan->msg),
				      file, sep))
			break;
		plan->action = GPU_DEVICE_MODE;
		plan->nheads = req->nheads;
		memcpy(plan->heads, req->heads, sizeof(plan->heads));
		plan->level = LOG_INFO;
		break;
	}
}
