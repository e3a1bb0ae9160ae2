/* timefmt.c - upstream's date and countdown formats (spec §16). */
#include <stdio.h>

#include "timefmt.h"

void
fmt_date_utc(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

void
fmt_countdown(long long secs, char *out, size_t len)
{
	long long a = secs < 0 ? -secs : secs;

	if (secs < 0)
		snprintf(out, len, "expired %4lldd %02lld:%02lld:%02lld ago",
		    a / 86400, a % 86400 / 3600, a % 3600 / 60, a % 60);
	else
		snprintf(out, len, "%4lldd %02lld:%02lld:%02lld", a / 86400,
		    a % 86400 / 3600, a % 3600 / 60, a % 60);
}

void
fmt_span_short(long long secs, char *out, size_t len)
{
	long long a = secs < 0 ? -secs : secs;
	const char *sign = secs < 0 ? "-" : "";

	if (a >= 86400)
		snprintf(out, len, "%s%lldd%lldh", sign, a / 86400,
		    a % 86400 / 3600);
	else if (a >= 3600)
		snprintf(out, len, "%s%lldh%02lldm", sign, a / 3600,
		    a % 3600 / 60);
	else if (a >= 60)
		snprintf(out, len, "%s%lldm", sign, a / 60);
	else
		snprintf(out, len, "%s%llds", sign, a);
}
