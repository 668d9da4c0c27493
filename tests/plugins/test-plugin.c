// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test-only backend plugins, one source built several times with
 * -DVARIANT=... to make each kind of plugin the loader must refuse or
 * accept:
 *   good         a correct plugin "good" that excludes /usr/share/keep
 *   bad_major    ABI major 2
 *   newer_minor  ABI minor one above the host's
 *   no_symbol    exports no vhashify_backend_v1
 *   null_backend vhashify_backend_v1 returns NULL
 *   undefined    needs a symbol nobody has: dlopen fails
 */
#include <stddef.h>

#include <vhashify/backend.h>

#define GOOD 1
#define BAD_MAJOR 2
#define NEWER_MINOR 3
#define NO_SYMBOL 4
#define NULL_BACKEND 5
#define UNDEFINED 6

#if VARIANT == UNDEFINED
int vhashify_test_no_such_symbol(void);
#endif

#if VARIANT != NO_SYMBOL
static int list(const struct vhashify_host *host, vhashify_emit_fn emit,
		void *ctx)
{
	(void)host;
#if VARIANT == UNDEFINED
	vhashify_test_no_such_symbol();
#endif
	return emit(ctx, "/usr/share/keep", 0);
}

static const struct vhashify_backend backend = {
#if VARIANT == BAD_MAJOR
	.abi_major = VHASHIFY_BACKEND_ABI_MAJOR + 1,
#else
	.abi_major = VHASHIFY_BACKEND_ABI_MAJOR,
#endif
#if VARIANT == NEWER_MINOR
	.abi_minor = VHASHIFY_BACKEND_ABI_MINOR + 1,
#else
	.abi_minor = VHASHIFY_BACKEND_ABI_MINOR,
#endif
	.struct_size = sizeof(struct vhashify_backend),
	.name = NAME,
	.description = "a plugin for the loader tests",
	.list_exclusions = list,
};

const struct vhashify_backend *vhashify_backend_v1(void)
{
	return VARIANT == NULL_BACKEND ? NULL : &backend;
}
#else
/* something else exported, so that the object is not empty */
VHASHIFY_BACKEND_EXPORT int not_a_backend(void);
int not_a_backend(void)
{
	return 0;
}
#endif
