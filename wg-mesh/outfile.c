// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic 0600 writes and content comparison for configs and the keystore.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>
#include "outfile.h"

static int write_full(int fd, const char *buf, size_t len)
{
	ssize_t r;

	while (len) {
		r = write(fd, buf, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		buf += r;
		len -= r;
	}
	return 0;
}

static int write_temp(const char *path, const void *buf, size_t len, char **tmp, bool sync)
{
	int fd, ret;

	if (asprintf(tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(*tmp, O_CLOEXEC); /* O_EXCL, mode 0600 */
	if (fd < 0) {
		ret = -errno;
		free(*tmp);
		*tmp = NULL;
		return ret;
	}
	ret = fchmod(fd, 0600) < 0 ? -errno : write_full(fd, buf, len);
	if (!ret && sync && fdatasync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (ret) {
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	return ret;
}

int outfile_write_temp(const char *path, const void *buf, size_t len, char **tmp)
{
	return write_temp(path, buf, len, tmp, false);
}

int outfile_sync_dir(const char *dir)
{
	int ret = 0, fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (syncfs(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int outfile_write_atomic(const char *path, const void *buf, size_t len)
{
	char *tmp;
	int ret = write_temp(path, buf, len, &tmp, true);

	if (ret)
		return ret;
	if (rename(tmp, path) < 0) {
		ret = -errno;
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

bool outfile_has_content(const char *path, const void *buf, size_t len)
{
	struct stat st;
	char *old;
	size_t off = 0;
	ssize_t r;
	bool same = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size != len || (st.st_mode & 077) ||
	    !(old = malloc(len + 1))) {
		close(fd);
		return false;
	}
	while (off < len && (r = read(fd, old + off, len - off)) > 0)
		off += r;
	same = off == len && !memcmp(old, buf, len);
	sodium_memzero(old, len);
	free(old);
	close(fd);
	return same;
}

int outfile_mkdirs(const char *dir)
{
	char *path = strdup(dir), *p;
	int ret = 0;

	if (!path)
		return -ENOMEM;
	for (p = path + 1; *p && !ret; ++p) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			ret = -errno;
		*p = '/';
	}
	if (!ret && mkdir(path, 0700) < 0 && errno != EEXIST)
		ret = -errno;
	free(path);
	return ret;
}
