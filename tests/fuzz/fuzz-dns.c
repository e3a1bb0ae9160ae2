/*
 * fuzz-dns.c - libFuzzer target for reading DNS replies (core/dns-reply.c):
 * the input is a message as it came off the wire.
 *
 * dns_reply_parse() drops any message that is not the reply to our query
 * before looking further, so a random ID or question would stop almost
 * every input at the first check.  The query is therefore taken from the
 * input itself: its ID, and the name and type of its first question when
 * ldns can read one (else a fixed TXT question, so that answers without a
 * question still get through).  Everything the dns module does with an
 * accepted reply then runs on it: the status, the rdata of the answers,
 * and the text of every record in every section.
 *
 * The same bytes also go, as a string, through dns_tlsa_norm(): it reads
 * TLSA rdata text that is compared with what the servers answered.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <ldns/ldns.h>

#include "dns-priv.h"
#include "err.h"
#include "util.h"

int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
const char	*__lsan_default_suppressions(void);

/*
 * ldns 1.8.3 (Debian libldns3 1.8.3-1) leaks records inside ldns_wire2pkt()
 * on some malformed messages (an ldns_wire2pkt/ldns_pkt_free pair alone
 * shows it; reproducer in the fuzz notes).  That is the library's bug, and
 * without this every run would stop at it.  libldns is built without frame
 * pointers, so the leak's stack ends in ldns_rr_new: the suppression names
 * that.  A packet we forget to free is still reported: its own allocation
 * (ldns_pkt_new) is not suppressed.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:ldns_rr_new\n";
}

static void
all_text(ldns_rr_list *l)
{
	size_t i;
	char *s;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		s = dns_rr_text(ldns_rr_list_rr(l, i));
		free(s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ldns_pkt *probe = NULL, *pkt = NULL;
	ldns_rdf *qname = NULL;
	ldns_rr *q;
	struct strlist rdata = { NULL, 0, 0 };
	const char *why = NULL;
	char *error = NULL, *text;
	uint32_t serial = 0;
	uint16_t id;
	int qtype = LDNS_RR_TYPE_TXT, rc;

	if (size < LDNS_HEADER_SIZE)
		return 0;
	/* Big enough for any message; larger inputs only waste time. */
	if (size > DNS_MAX_MSG + 1)
		return 0;
	id = LDNS_ID_WIRE(data);
	if (ldns_wire2pkt(&probe, data, size) == LDNS_STATUS_OK &&
	    ldns_rr_list_rr_count(ldns_pkt_question(probe)) > 0 &&
	    (q = ldns_rr_list_rr(ldns_pkt_question(probe), 0)) != NULL &&
	    ldns_rr_owner(q) != NULL) {
		qname = ldns_rdf_clone(ldns_rr_owner(q));
		qtype = ldns_rr_get_type(q);
	}
	ldns_pkt_free(probe);
	if (qname == NULL &&
	    (qname = ldns_dname_new_frm_str("_acme-challenge.example.com."))
	    == NULL)
		abort();

	rc = dns_reply_parse(data, size, id, qname, qtype, &pkt, &why);
	if ((rc == 0) != (pkt != NULL))
		abort();
	if (rc == 0) {
		(void)dns_reply_status(pkt, qname, qtype, &error);
		free(error);
		/* SOA takes the serial path, everything else the rdata one. */
		dns_reply_rdata(pkt, qname, qtype, &rdata, &serial);
		strlist_clear(&rdata);
		all_text(ldns_pkt_answer(pkt));
		all_text(ldns_pkt_authority(pkt));
		all_text(ldns_pkt_additional(pkt));
		ldns_pkt_free(pkt);
	} else if (rc == SSLM_ERR_PARSE && why == NULL)
		abort();	/* a malformed reply must be named */
	else if (rc != SSLM_ERR_PARSE && rc != SSLM_ERR_NOTFOUND)
		abort();	/* the documented results only */
	ldns_rdf_deep_free(qname);

	text = xstrndup((const char *)data, size);
	free(dns_tlsa_norm(text));
	free(text);
	return 0;
}
