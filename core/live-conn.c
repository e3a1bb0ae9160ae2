/*
 * live-conn.c - one connection of verify --live: TCP with a connect time
 * limit, the STARTTLS dialogue of SMTP, IMAP or POP3 read a byte at a time
 * (so nothing of the TLS stream is swallowed), and the handshake that gives
 * the served chain.  Every read and write has a time limit.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "live.h"
#include "util.h"

static int
set_timeouts(int fd, int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		return -1;
	return 0;
}

/* A connected blocking socket with I/O time limits, or -1 and *why. */
static int
tcp_connect(const char *addr, int port, char **why)
{
	struct addrinfo	 hints, *ai = NULL;
	struct pollfd	 pfd;
	socklen_t	 sl;
	char		 ps[8];
	int		 fd = -1, e, flags;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ps, sizeof(ps), "%d", port);
	if ((e = getaddrinfo(addr, ps, &hints, &ai)) != 0) {
		*why = xasprintf("address: %s", gai_strerror(e));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd == -1) {
		*why = xasprintf("socket: %s", strerror(errno));
		goto fail;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS) {
			*why = xasprintf("connect: %s", strerror(errno));
			goto fail;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			e = poll(&pfd, 1, LIVE_CONNECT_MS);
		while (e == -1 && errno == EINTR);
		if (e == 0) {
			*why = xasprintf("connect: no answer in %d s",
			    LIVE_CONNECT_MS / 1000);
			goto fail;
		}
		sl = sizeof(e);
		if (e == -1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e,
		    &sl) == -1 || e != 0) {
			*why = xasprintf("connect: %s", strerror(e > 0 ? e :
			    errno));
			goto fail;
		}
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1 ||
	    set_timeouts(fd, LIVE_IO_MS) == -1) {
		*why = xasprintf("socket: %s", strerror(errno));
		goto fail;
	}
	freeaddrinfo(ai);
	return fd;
fail:
	if (fd != -1)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}

/* One line without CR LF (longer lines are an error); 0 or -1, *why. */
static int
read_line(int fd, char line[LIVE_LINE_MAX], char **why)
{
	size_t	n = 0;
	ssize_t	r;
	char	c;

	for (;;) {
		r = recv(fd, &c, 1, 0);
		if (r == 0) {
			*why = xstrdup("the server closed the connection");
			return -1;
		}
		if (r == -1) {
			if (errno == EINTR)
				continue;
			*why = xstrdup(errno == EAGAIN || errno ==
			    EWOULDBLOCK ? "no answer in time" :
			    strerror(errno));
			return -1;
		}
		if (c == '\n')
			break;
		if (c == '\r')
			continue;
		if (n == LIVE_LINE_MAX - 1) {
			*why = xstrdup("a line longer than 1 KiB");
			return -1;
		}
		line[n++] = c;
	}
	line[n] = '\0';
	return 0;
}

static int
send_str(int fd, const char *s, char **why)
{
	size_t	len = strlen(s);
	ssize_t	r;

	while (len > 0) {
		r = send(fd, s, len, MSG_NOSIGNAL);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			*why = xasprintf("send: %s", strerror(errno));
			return -1;
		}
		s += r;
		len -= (size_t)r;
	}
	return 0;
}

/* An SMTP reply (multi-line "250-"); 0 when its code is want. */
static int
smtp_reply(int fd, const char *want, const char *step, char **why)
{
	char	line[LIVE_LINE_MAX], *w = NULL;

	for (int i = 0; i < 200; i++) {
		if (read_line(fd, line, &w) != 0) {
			*why = xasprintf("smtp %s: %s", step, w);
			free(w);
			return -1;
		}
		if (strlen(line) >= 3 && line[3] == '-')
			continue;
		if (strncmp(line, want, 3) == 0)
			return 0;
		*why = xasprintf("smtp %s: %s", step, line);
		return -1;
	}
	*why = xasprintf("smtp %s: endless reply", step);
	return -1;
}

/* The cleartext part before the handshake; 0 or -1 and *why. */
static int
starttls(int fd, enum sslm_starttls proto, char **why)
{
	char	line[LIVE_LINE_MAX], host[256], *w = NULL, *cmd;
	int	r = -1;

	switch (proto) {
	case SSLM_STARTTLS_NONE:
		return 0;
	case SSLM_STARTTLS_SMTP:
		if (gethostname(host, sizeof(host)) != 0 || *host == '\0')
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		cmd = xasprintf("EHLO %s\r\n", host);
		r = smtp_reply(fd, "220", "greeting", why) == 0 &&
		    send_str(fd, cmd, why) == 0 &&
		    smtp_reply(fd, "250", "EHLO", why) == 0 &&
		    send_str(fd, "STARTTLS\r\n", why) == 0 &&
		    smtp_reply(fd, "220", "STARTTLS", why) == 0 ? 0 : -1;
		free(cmd);
		return r;
	case SSLM_STARTTLS_IMAP:
		if (read_line(fd, line, &w) != 0)
			break;
		if (strncmp(line, "* OK", 4) != 0) {
			*why = xasprintf("imap greeting: %s", line);
			return -1;
		}
		if (send_str(fd, "a1 STARTTLS\r\n", why) != 0)
			return -1;
		for (int i = 0; i < 200; i++) {
			if (read_line(fd, line, &w) != 0)
				break;
			if (strncmp(line, "a1 ", 3) != 0)
				continue;
			if (strncmp(line, "a1 OK", 5) == 0)
				return 0;
			*why = xasprintf("imap STARTTLS: %s", line);
			return -1;
		}
		break;
	case SSLM_STARTTLS_POP3:
		if (read_line(fd, line, &w) != 0)
			break;
		if (strncmp(line, "+OK", 3) != 0) {
			*why = xasprintf("pop3 greeting: %s", line);
			return -1;
		}
		if (send_str(fd, "STLS\r\n", why) != 0)
			return -1;
		if (read_line(fd, line, &w) != 0)
			break;
		if (strncmp(line, "+OK", 3) == 0)
			return 0;
		*why = xasprintf("pop3 STLS: %s", line);
		return -1;
	}
	*why = xasprintf("%s: %s", sslm_starttls_name(proto), w != NULL ? w :
	    "no answer");
	free(w);
	return -1;
}

/* The last OpenSSL error as text (the queue is drained). */
static char *
ssl_why(SSL *ssl, int ret)
{
	unsigned long	e, last = 0;
	char		buf[256];
	int		se = ssl != NULL ? SSL_get_error(ssl, ret) : 0;

	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last != 0) {
		ERR_error_string_n(last, buf, sizeof(buf));
		return xasprintf("TLS handshake: %s", buf);
	}
	/* A blocking socket's SO_RCVTIMEO shows as "want read". */
	if (se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE)
		return xstrdup("TLS handshake: no answer in time");
	if (se == SSL_ERROR_SYSCALL)
		return xasprintf("TLS handshake: %s", errno == EAGAIN ?
		    "no answer in time" : errno != 0 ? strerror(errno) :
		    "the server closed the connection");
	return xasprintf("TLS handshake: SSL error %d", se);
}

int
live_fetch_chain(const char *host, const char *addr, int port,
    enum sslm_starttls proto, enum sslm_key_type ktype,
    STACK_OF(X509) **chain, char **why)
{
	static const char *const sigalgs[] = {
		"ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512",
		"RSA-PSS+SHA256:RSA-PSS+SHA384:RSA-PSS+SHA512:"
		    "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"
		    "RSA+SHA256:RSA+SHA384:RSA+SHA512",
		"ed25519"
	};
	SSL_CTX		*ctx = NULL;
	SSL		*ssl = NULL;
	STACK_OF(X509)	*peer, *out = NULL;
	int		 fd, ret, r = -1;

	*chain = NULL;
	*why = NULL;
	if ((fd = tcp_connect(addr, port, why)) == -1)
		return -1;
	if (starttls(fd, proto, why) != 0)
		goto out;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    (ssl = SSL_new(ctx)) == NULL) {
		*why = ssl_why(NULL, 0);
		goto out;
	}
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	/* A server with an RSA and an EC cert picks by what we offer. */
	(void)SSL_set1_sigalgs_list(ssl, sigalgs[ktype]);
	if (!is_ip_literal(host))
		(void)SSL_set_tlsext_host_name(ssl, host);
	if (SSL_set_fd(ssl, fd) != 1) {
		*why = ssl_why(ssl, 0);
		goto out;
	}
	ERR_clear_error();
	errno = 0;
	if ((ret = SSL_connect(ssl)) != 1) {
		*why = ssl_why(ssl, ret);
		goto out;
	}
	if ((peer = SSL_get_peer_cert_chain(ssl)) == NULL ||
	    sk_X509_num(peer) == 0) {
		*why = xstrdup("TLS: the server sent no certificate");
		goto out;
	}
	out = sk_X509_new_null();
	for (int i = 0; i < sk_X509_num(peer); i++) {
		X509 *x = sk_X509_value(peer, i);

		if (X509_up_ref(x) != 1 || sk_X509_push(out, x) <= 0) {
			sk_X509_pop_free(out, X509_free);
			*why = xstrdup("out of memory");
			goto out;
		}
	}
	(void)SSL_shutdown(ssl);
	*chain = out;
	r = 0;
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	ERR_clear_error();
	return r;
}
