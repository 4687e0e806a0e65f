// SPDX-License-Identifier: GPL-2.0
/*
 * The program name usage lines print. It lives outside main.c so the
 * subcommands (and the unit tests that link them) have it without a main().
 */
#include "wg.h"

const char *wg_prog_name = "wg";
