// SPDX-License-Identifier: GPL-2.0-or-later
/* The names of the link methods; see method.h. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "method.h"

int link_method_parse(const char *s, enum link_method *m)
{
	static const char *const names[] = { "hardlink", "reflink", "auto" };
	unsigned int i;

	for (i = 0; i < 3; i++) {
		if (!strcmp(s, names[i])) {
			*m = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *link_method_name(enum link_method m)
{
	return m == METHOD_REFLINK ? "reflink" :
	       m == METHOD_AUTO ? "auto" : "hardlink";
}
