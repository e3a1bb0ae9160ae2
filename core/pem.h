/*
 * pem.h - splitting text into PEM blocks for the tools (module-internal).
 *
 * A block runs from a "-----BEGIN <label>-----" line to the next
 * "-----END <label>-----" line; lines starting with '#' are skipped
 * everywhere, text outside blocks is ignored.  Sizes are bounded: the input
 * by PEM_MAX_INPUT, the number of blocks by PEM_MAX_BLOCKS, labels by
 * PEM_MAX_LABEL printable ASCII characters.
 */
#ifndef SSLM_PEM_H
#define SSLM_PEM_H

#include <stdbool.h>
#include <stddef.h>

#define PEM_MAX_INPUT	(4 * 1024 * 1024)
#define PEM_MAX_BLOCKS	4096
#define PEM_MAX_LABEL	64

enum pem_state {
	PEM_OK,		/* BEGIN .. END with the same label */
	PEM_TRUNCATED,	/* no END line before the next BEGIN/EOF */
	PEM_MISMATCH	/* END label differs from the BEGIN label */
};

struct pem_block {
	char		 label[PEM_MAX_LABEL + 1];
	char		*text;	/* BEGIN..END lines, NUL-terminated */
	size_t		 len;	/* of text (which may hold NULs) */
	enum pem_state	 state;
};

struct pem_list {
	struct pem_block	*v;
	size_t			 n;
	bool			 more;	/* stopped at the block cap */
};

/*
 * Splits text[0..len) into blocks.  Returns 0 and *out (pem_list_free; it
 * may hold no blocks) or SSLM_ERR_TOOBIG when len > PEM_MAX_INPUT.
 */
int	pem_split(const char *text, size_t len, struct pem_list *out);
void	pem_list_free(struct pem_list *);

#endif
