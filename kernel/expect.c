// SPDX-License-Identifier: GPL-2.0
/*
 * The expectations of UV_DEV_EXPECT: what a request must hold to be
 * answered, and the reply to write into it.
 *
 * An expectation names a virtqueue and lists the first descriptors of a
 * request (blocks): each block's length and flags must be the request's,
 * and the rules of a readable block are bytes its descriptor must hold at
 * an offset; the rules of a writable block are the reply, written at their
 * offsets. Everything is checked once, when user space hands it over
 * (uvirtio_rules_from_user()); matching then trusts the copy.
 */

#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/virtio_ring.h>

#include "internal.h"

/* ---- matching ---- */

static unsigned int uvirtio_nr_rules(const struct uvirtio_block *b)
{
	unsigned int k = 0;

	while (k < UVIRTIO_MAX_RULES && b->rules[k].len)
		k++;
	return k;
}

static unsigned int uvirtio_nr_blocks(const struct uvirtio_expect *ex,
				      unsigned int i)
{
	unsigned int j = 0;

	while (j < UVIRTIO_MAX_BLOCKS && ex->expects[i].blocks[j].len)
		j++;
	return j;
}

static bool uvirtio_block_matches(const struct uvirtio_rules *r,
				  const struct uvirtio_block *b,
				  const struct uvirtio_desc *d)
{
	const u8 *data = r->data + b->data;
	unsigned int k, nr = uvirtio_nr_rules(b);

	if (b->len != d->len || b->flags != d->flags)
		return false;
	if (b->flags & VRING_DESC_F_WRITE)
		return true;
	for (k = 0; k < nr; k++) {
		/* Rules lie inside the block (checked at UV_DEV_EXPECT). */
		if (uvirtio_access(d->addr + b->rules[k].off, (void *)data,
				   b->rules[k].len, UVIRTIO_COMPARE))
			return false;
		data += b->rules[k].len;
	}
	return true;
}

/* Where the replies of an expectation go. */
struct uvirtio_reply_ctx {
	const struct uvirtio_chain *c;	/* written into a request, */
	u8 *buf;			/* or else rendered into @buf */
	u32 len;			/* of @buf */
	u64 written;			/* end of the furthest rule */
};

/*
 * One reply rule, at @at in the writable part, at @off in block @j. The
 * writable part may pass 4 GiB (eight blocks of up to 4 GiB): offsets in
 * it are 64-bit.
 */
static bool uvirtio_reply_rule(struct uvirtio_reply_ctx *rc, unsigned int j,
			       u64 at, u32 off, const u8 *data, u32 len)
{
	if (!rc->c) {
		if (at < rc->len)
			memcpy(rc->buf + at, data, min_t(u64, len, rc->len - at));
		return true;
	}
	if (uvirtio_access(rc->c->d[j].addr + off, (void *)data, len,
			   UVIRTIO_WRITE))
		return false;
	rc->written = max(rc->written, at + len);
	return true;
}

/*
 * Puts each reply rule of expectation @i, its first @nblocks blocks, where
 * @rc says; a rule's offset counts from its block and, for @at, from the
 * start of the writable part of the request. Returns false at the first
 * rule that cannot be written.
 */
static bool uvirtio_put_replies(const struct uvirtio_rules *r, unsigned int i,
				unsigned int nblocks,
				struct uvirtio_reply_ctx *rc)
{
	u64 base = 0;
	unsigned int j, k;

	for (j = 0; j < nblocks; j++) {
		const struct uvirtio_block *b = &r->expect.expects[i].blocks[j];
		const u8 *data = r->data + b->data;
		unsigned int nr = uvirtio_nr_rules(b);

		if (!(b->flags & VRING_DESC_F_WRITE))
			continue;
		for (k = 0; k < nr; k++) {
			if (!uvirtio_reply_rule(rc, j, base + b->rules[k].off,
						b->rules[k].off, data,
						b->rules[k].len))
				return false;
			data += b->rules[k].len;
		}
		base += b->len;
	}
	return true;
}

/*
 * Writes the replies of the writable blocks of expectation @i. Returns the
 * bytes written, counted from the start of the writable part of the
 * request (at most U32_MAX, the used ring's), or 0 when the expectation
 * has nothing to write.
 */
static u32 uvirtio_write_reply(const struct uvirtio_rules *r, unsigned int i,
			       unsigned int nblocks,
			       const struct uvirtio_chain *c)
{
	struct uvirtio_reply_ctx rc = { .c = c };

	if (!uvirtio_put_replies(r, i, nblocks, &rc))
		return 0;
	return min_t(u64, rc.written, U32_MAX);
}

/*
 * The first @len bytes of the reply that expectation @i writes, counted
 * from the start of the writable part of a request, into @buf (zero where
 * it writes nothing): for a device type to check what user space gives.
 */
void uvirtio_expected_reply(const struct uvirtio_rules *r, unsigned int i,
			    u8 *buf, u32 len)
{
	struct uvirtio_reply_ctx rc = { .buf = buf, .len = len };

	memset(buf, 0, len);
	if (!r || i >= UVIRTIO_MAX_EXPECTS ||
	    !r->expect.expects[i].vq_name[0])
		return;
	uvirtio_put_replies(r, i, uvirtio_nr_blocks(&r->expect, i), &rc);
}

/*
 * Answers a request from the expectations. Returns true when one matched
 * and wrote a reply, with its length in @len.
 */
bool uvirtio_answer_expected(const struct uvirtio_rules *r,
			     const char *vq_name,
			     const struct uvirtio_chain *c, u32 *len)
{
	unsigned int i, j, nblocks;

	if (!r)
		return false;
	for (i = 0; i < UVIRTIO_MAX_EXPECTS; i++) {
		const char *name = r->expect.expects[i].vq_name;

		if (!name[0])
			break;
		if (strcmp(name, vq_name))
			continue;
		nblocks = uvirtio_nr_blocks(&r->expect, i);
		if (nblocks > c->n)
			continue;
		for (j = 0; j < nblocks; j++)
			if (!uvirtio_block_matches(r,
					&r->expect.expects[i].blocks[j],
					&c->d[j]))
				break;
		if (j < nblocks)
			continue;
		*len = uvirtio_write_reply(r, i, nblocks, c);
		return *len > 0;
	}
	return false;
}

/* ---- validation ---- */

static bool uvirtio_is_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/*
 * Checks one block and adds its rule bytes to @total. A block that ends
 * the list (@len 0) must be zero as a whole.
 */
static int uvirtio_check_block(const struct uvirtio_block *b, size_t *total)
{
	unsigned int k, nr = uvirtio_nr_rules(b);

	if (b->flags & ~(VRING_DESC_F_NEXT | VRING_DESC_F_WRITE) || b->unused)
		return -EINVAL;
	for (k = 0; k < nr; k++) {
		if ((u32)b->rules[k].off + b->rules[k].len > b->len)
			return -EINVAL;
		*total += b->rules[k].len;
	}
	if (!uvirtio_is_zero(&b->rules[nr],
			     (UVIRTIO_MAX_RULES - nr) * sizeof(b->rules[0])))
		return -EINVAL;
	return 0;
}

/* Validates @ex and returns the bytes its rules need in @total. */
static int uvirtio_check_expect(const struct uvirtio_expect *ex, size_t *total)
{
	unsigned int i, j, nblocks;
	int ret;

	*total = 0;
	for (i = 0; i < UVIRTIO_MAX_EXPECTS; i++) {
		const char *name = ex->expects[i].vq_name;
		size_t len = strnlen(name, UVIRTIO_MAX_VQ_NAME);

		if (!len)
			break;
		/* NUL-terminated, and zero after it: room to grow. */
		if (len == UVIRTIO_MAX_VQ_NAME ||
		    !uvirtio_is_zero(name + len, UVIRTIO_MAX_VQ_NAME - len))
			return -EINVAL;
		nblocks = uvirtio_nr_blocks(ex, i);
		for (j = 0; j < nblocks; j++) {
			ret = uvirtio_check_block(&ex->expects[i].blocks[j],
						  total);
			if (ret)
				return ret;
		}
		if (!uvirtio_is_zero(&ex->expects[i].blocks[nblocks],
				     (UVIRTIO_MAX_BLOCKS - nblocks) *
				     sizeof(struct uvirtio_block)))
			return -EINVAL;
	}
	if (!uvirtio_is_zero(&ex->expects[i],
			     (UVIRTIO_MAX_EXPECTS - i) * sizeof(ex->expects[0])))
		return -EINVAL;
	if (*total > UVIRTIO_MAX_EXPECT_DATA)
		return -EINVAL;
	return 0;
}

/* Copies the rule bytes of every block and turns data into offsets. */
static int uvirtio_copy_rule_data(struct uvirtio_rules *r)
{
	size_t off = 0;
	unsigned int i, j, k;

	for (i = 0; i < UVIRTIO_MAX_EXPECTS; i++) {
		for (j = 0; j < UVIRTIO_MAX_BLOCKS; j++) {
			struct uvirtio_block *b = &r->expect.expects[i].blocks[j];
			size_t len = 0;

			for (k = 0; k < uvirtio_nr_rules(b); k++)
				len += b->rules[k].len;
			if (len && copy_from_user(r->data + off,
						  u64_to_user_ptr(b->data), len))
				return -EFAULT;
			b->data = off;
			off += len;
		}
	}
	return 0;
}

/*
 * Copies, validates and keeps a UV_DEV_EXPECT argument: @rules gets a copy
 * whose data are offsets into its own bytes. Returns 0, -EFAULT, -EINVAL
 * or -ENOMEM.
 */
int uvirtio_rules_from_user(const struct uvirtio_expect __user *arg,
			    struct uvirtio_rules **rules)
{
	struct uvirtio_expect *ex;
	struct uvirtio_rules *r;
	size_t total;
	int ret;

	ex = memdup_user(arg, sizeof(*ex));
	if (IS_ERR(ex))
		return PTR_ERR(ex);
	ret = uvirtio_check_expect(ex, &total);
	if (ret)
		goto out;
	r = kvmalloc(struct_size(r, data, total), GFP_KERNEL_ACCOUNT);
	if (!r) {
		ret = -ENOMEM;
		goto out;
	}
	r->expect = *ex;
	r->data_len = total;
	ret = uvirtio_copy_rule_data(r);
	if (ret) {
		kvfree(r);
		goto out;
	}
	*rules = r;
out:
	kfree(ex);
	return ret;
}
