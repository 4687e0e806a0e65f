// SPDX-License-Identifier: GPL-2.0
/*
 * The list of sites wg-mesh apply configured: a missing file is empty, set
 * replaces, remove drops, the file is 0600 and reads back, damaged lines are
 * skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "../lib/tap.h"
#include "wg-mesh/applied.h"

int main(void)
{
	char dir[] = "/tmp/ma-applied.XXXXXX", path[64];
	struct applied a, b;
	struct stat st;
	FILE *f;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/%s", dir, APPLIED_FILE);
	ok(!applied_load(&a, path) && a.n == 0, "a missing list is empty");
	ok(!applied_set(&a, "tokyo", "wg0", "root@192.0.2.1") &&
	       !applied_set(&a, "lima", "wg0", "ssh://root@[2001:db8::4]:2222") &&
	       !applied_set(&a, "tokyo", "wg1", "tokyo-gw") && a.n == 2,
	   "set adds, and replaces a name");
	is_str(applied_find(&a, "tokyo")->dest, "tokyo-gw", "the newer entry wins");
	is_int(applied_save(&a, path), 0, "saved");
	ok(!stat(path, &st) && (st.st_mode & 0777) == 0600, "mode 0600");
	f = fopen(path, "a");
	fputs("broken-line\n", f);
	fclose(f);
	ok(!applied_load(&b, path) && b.n == 2, "read back, the damaged line skipped");
	ok(applied_find(&b, "lima") &&
	       !strcmp(applied_find(&b, "lima")->dest, "ssh://root@[2001:db8::4]:2222") &&
	       !strcmp(applied_find(&b, "tokyo")->iface, "wg1"),
	   "with every field");
	applied_remove(&b, "tokyo");
	applied_remove(&b, "nowhere");
	ok(b.n == 1 && !applied_find(&b, "tokyo") && applied_find(&b, "lima"), "remove drops one");
	applied_free(&a);
	applied_free(&b);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
