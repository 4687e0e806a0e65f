/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key age: the keystore dates every key; keys older than mesh.key-max-age
 * are warned about by every command that plans, and `plan
 * --rotate-older-than AGE' renews them.
 */
#ifndef MESH_KEYAGE_H
#define MESH_KEYAGE_H

#include <stdint.h>
#include <time.h>
#include "keystore.h"
#include "plan.h"

#define KEYAGE_SHOWN 8 /* keys warned about one by one; the rest in one line */

/* Adds a warning to p->warnings for each planned key older than mesh.key-max-age. */
void keyage_warn(struct plan *p, time_t now);
/* Rotates every key made more than age seconds before now; returns how many. */
size_t keyage_rotate_older(struct keystore *ks, uint64_t age, time_t now);
/* "90d" (or "36h") for an age in seconds, into buf of at least 24 bytes. */
void keyage_format(char *buf, size_t len, uint64_t age);

#endif
