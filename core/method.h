/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_METHOD_H
#define VHASHIFY_METHOD_H

/*
 * How equal files are made one (--method, method: in vhashify.yaml);
 * set up decides per guest what METHOD_AUTO becomes (setup.h).
 */

enum link_method {
	METHOD_HARDLINK,	/* one inode, metadata shared */
	METHOD_REFLINK,		/* shared extents, own inode and metadata */
	METHOD_AUTO,		/* reflink where the filesystem can */
};

/* "hardlink", "reflink", "auto"; returns 0 or -EINVAL. */
int link_method_parse(const char *s, enum link_method *m);
const char *link_method_name(enum link_method m);

#endif
