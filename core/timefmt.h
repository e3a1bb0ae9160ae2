/*
 * timefmt.h - the date and countdown formats of upstream 7.x (spec §16),
 * shared by -s, info and the console.
 */
#ifndef SSLM_TIMEFMT_H
#define SSLM_TIMEFMT_H

#include <stddef.h>
#include <time.h>

/* "2026-07-06 12:07:39 UTC" */
void	fmt_date_utc(time_t, char *out, size_t len);
/* "  89d 23:59:07" for a non-negative span; "-  3d 04:00:00" style is not
 * used: negative spans print as "expired   3d 04:00:00 ago". */
void	fmt_countdown(long long secs, char *out, size_t len);
/* Short human span for the console and messages: "1h12m", "3d4h", "45s". */
void	fmt_span_short(long long secs, char *out, size_t len);

#endif
