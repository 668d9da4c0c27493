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
 *   noisy        like good, but its description and the messages it
 *                logs at every level are full of control bytes
 *   bad_name     like good, but its name has an escape sequence
 *   marker       like good, and creates the file $VHASHIFY_TEST_MARKER
 *                as soon as it is loaded, before any check can run
 *   short        like good, but its struct_size stops before probe:
 *                list_exclusions lies beyond what it says it has
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <vhashify/backend.h>

#define GOOD 1
#define BAD_MAJOR 2
#define NEWER_MINOR 3
#define NO_SYMBOL 4
#define NULL_BACKEND 5
#define UNDEFINED 6
#define NOISY 7
#define BAD_NAME 8
#define MARKER 9
#define SHORT 10

#if VARIANT == MARKER
__attribute__((constructor)) static void mark(void)
{
	const char *file = getenv("VHASHIFY_TEST_MARKER");

	if (file)
		close(open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
}
#endif

#if VARIANT == NOISY
/* terminal controls: set the title, clear the screen; bad UTF-8 */
#define NOISE "\033]0;pwned\007\033[2J\r\b\177\xff\xc0\xaf\xc2\x9b"
#endif

#if VARIANT == UNDEFINED
int vhashify_test_no_such_symbol(void);
#endif

#if VARIANT != NO_SYMBOL
static int list(const struct vhashify_host *host, vhashify_emit_fn emit,
		void *ctx)
{
	(void)host;
#if VARIANT == NOISY
	host->log(host, VHASHIFY_LOG_ERROR, "error %s\n", NOISE);
	host->log(host, VHASHIFY_LOG_WARNING, "warning %s", NOISE);
	host->log(host, VHASHIFY_LOG_INFO, "info %s", NOISE "\n\n");
	host->log(host, VHASHIFY_LOG_DEBUG, "debug %s", NOISE);
#endif
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
#if VARIANT == SHORT
	.struct_size = offsetof(struct vhashify_backend, probe),
#else
	.struct_size = sizeof(struct vhashify_backend),
#endif
#if VARIANT == BAD_NAME
	.name = "bad\033[31mname",
#else
	.name = NAME,
#endif
#if VARIANT == NOISY
	.description = "a plugin " NOISE " that is noisy",
#else
	.description = "a plugin for the loader tests",
#endif
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
