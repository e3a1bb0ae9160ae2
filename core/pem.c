/*
 * pem.c - splits text into PEM blocks (see pem.h).  Works on a length, not
 * a C string, so binary garbage with NULs is handled like any other text;
 * memory use is bounded by twice the (capped) input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pem.h"
#include "util.h"

static bool	pem_marker(const char *, size_t, const char *, char *);
static int	add_line(struct buf *, const char *, size_t);
static int	pem_finish(struct pem_list *, const char *, struct buf *,
		    enum pem_state);

/*
 * True when line[0..n) is "-----<kind> <label>-----" with a label of 1 to
 * PEM_MAX_LABEL printable ASCII characters; the label goes into label.
 */
static bool
pem_marker(const char *line, size_t n, const char *kind, char *label)
{
	size_t	klen = strlen(kind), head = 5 + klen + 1, l, i;

	if (n < head + 1 + 5 || memcmp(line, "-----", 5) != 0 ||
	    memcmp(line + 5, kind, klen) != 0 || line[5 + klen] != ' ' ||
	    memcmp(line + n - 5, "-----", 5) != 0)
		return false;
	l = n - head - 5;
	if (l > PEM_MAX_LABEL)
		return false;
	for (i = 0; i < l; i++)
		if (line[head + i] < 0x20 || line[head + i] > 0x7e)
			return false;
	memcpy(label, line + head, l);
	label[l] = '\0';
	return true;
}

/* Appends a line and its newline; fails only past the buffer's cap. */
static int
add_line(struct buf *b, const char *p, size_t n)
{
	int r;

	if ((r = buf_add(b, p, n)) == 0)
		r = buf_add(b, "\n", 1);
	return r;
}

/* Moves the collected block into the list; SSLM_ERR_TOOBIG when full. */
static int
pem_finish(struct pem_list *l, const char *label, struct buf *b,
    enum pem_state state)
{
	struct pem_block *blk;

	if (l->n == PEM_MAX_BLOCKS) {
		l->more = true;
		buf_free(b);
		return SSLM_ERR_TOOBIG;
	}
	if (l->n % 16 == 0)
		l->v = xreallocarray(l->v, l->n + 16, sizeof(*l->v));
	blk = &l->v[l->n++];
	memset(blk, 0, sizeof(*blk));
	snprintf(blk->label, sizeof(blk->label), "%s", label);
	blk->text = b->p ? b->p : xstrdup("");
	blk->len = b->len;
	blk->state = state;
	buf_init(b, b->max);
	return 0;
}

int
pem_split(const char *text, size_t len, struct pem_list *out)
{
	struct pem_list	 l = { 0 };
	struct buf	 b;
	const char	*p = text, *end = text + len, *nl;
	char		 label[PEM_MAX_LABEL + 1], tmp[PEM_MAX_LABEL + 1];
	size_t		 n, t;
	bool		 in = false;

	if (len > PEM_MAX_INPUT)
		return SSLM_ERR_TOOBIG;
	/* Every block is a subset of the input lines plus newlines. */
	buf_init(&b, 2 * PEM_MAX_INPUT + 2);
	label[0] = '\0';
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* Marker detection ignores trailing blanks and CRs. */
		t = n;
		while (t > 0 && (p[t - 1] == '\r' || p[t - 1] == ' ' ||
		    p[t - 1] == '\t'))
			t--;
		if (n > 0 && p[0] == '#')
			;	/* comment: skipped even inside a block */
		else if (pem_marker(p, t, "BEGIN", tmp)) {
			if (in && pem_finish(&l, label, &b,
			    PEM_TRUNCATED) != 0)
				goto out;
			memcpy(label, tmp, sizeof(label));
			in = true;
			if (add_line(&b, p, t) != 0)
				goto out;
		} else if (in && pem_marker(p, t, "END", tmp)) {
			if (add_line(&b, p, t) != 0)
				goto out;
			in = false;
			if (pem_finish(&l, label, &b, strcmp(tmp, label) == 0 ?
			    PEM_OK : PEM_MISMATCH) != 0)
				goto out;
		} else if (in && add_line(&b, p, t) != 0)
			goto out;
		p = nl ? nl + 1 : end;
	}
	if (in)
		(void)pem_finish(&l, label, &b, PEM_TRUNCATED);
out:
	buf_free(&b);
	*out = l;
	return 0;
}

void
pem_list_free(struct pem_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	/* A block may be a private key. */
	for (i = 0; i < l->n; i++)
		freezero_secret(l->v[i].text, l->v[i].len);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
