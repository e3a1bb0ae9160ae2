/*
 * tlsa-int.h - what tlsa.c (records, parser) shares with tlsa-group.c
 * (the group file): the record spans of the parser.  Not for other files.
 */
#ifndef SSLM_TLSA_INT_H
#define SSLM_TLSA_INT_H

#include "tlsa.h"

/* One record as found in a text: its lines and what they say. */
struct rec_span {
	const char	*start;		/* first character of its first line */
	const char	*end;		/* end of its last line (no newline) */
	char		*owner;
	char		*rdata;
};

/* A group file holds several tlsa.rr files (curr and next of each). */
#define TLSA_GROUP_MAX	(4 * TLSA_RR_MAX)

typedef int	(*rec_cb)(void *, struct rec_span *);

/* Splits zone-file text into records, calling cb for each (tlsa.c). */
int	tlsa_parse_spans(const char *text, const char *name, rec_cb cb,
	    void *arg);
/* rec_cb adding a span's record to the struct tlsa_set arg. */
int	tlsa_set_add_span(void *arg, struct rec_span *sp);

#endif
