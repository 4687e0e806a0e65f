/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `wg-mesh export ansible': the rollout of apply for shops that run Ansible.
 * An inventory (one host per site with `ssh:'), host_vars holding each
 * site's config in one vault-ready variable, and a playbook of builtin
 * modules that takes the same change classes as apply, relays first.
 */
#ifndef MESH_ANSIBLE_H
#define MESH_ANSIBLE_H

#include <stdio.h>
#include "plan.h"

/*
 * Writes DIR/inventory.yml, DIR/playbook.yml, DIR/wgmesh-tasks.yml,
 * DIR/wgmesh-handlers.yml and DIR/host_vars/SITE.yml (0600: private keys),
 * all atomically; sites without `ssh:' are left out and listed on note.
 * Returns 0 or -errno (with "Unable to write PATH" printed).
 */
int ansible_export(const struct plan *p, const char *yaml, const char *dir, FILE *note)
    __attribute__((warn_unused_result));

#endif
