/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files the way wg-mesh writes them: whole, atomically (a 0600 temporary file
 * in the same directory, fsync, rename), and compared first so an unchanged
 * config keeps its timestamp.
 */
#ifndef MESH_OUTFILE_H
#define MESH_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Writes buf to path with mode 0600 via a temporary file and rename. 0 or -errno. */
int outfile_write_atomic(const char *path, const void *buf, size_t len)
    __attribute__((warn_unused_result));
/*
 * The same in two steps, for many files at once: write a temporary file
 * beside path (no fsync; *tmp is malloc'd), then, after one syncfs() for all
 * of them, rename each into place.
 */
int outfile_write_temp(const char *path, const void *buf, size_t len, char **tmp)
    __attribute__((warn_unused_result));
int outfile_sync_dir(const char *dir) __attribute__((warn_unused_result));

/* True when path holds exactly buf (scratch is wiped after use). */
bool outfile_has_content(const char *path, const void *buf, size_t len);
/* mkdir -p with mode 0700 for new directories. 0 or -errno. */
int outfile_mkdirs(const char *dir) __attribute__((warn_unused_result));

#endif
