// SPDX-License-Identifier: GPL-2.0
/*
 * Reads a wg-quick configuration: finds the file (a bare interface name means
 * /etc/wireguard/NAME.conf), takes the [Interface] keys wg-quick handles
 * itself, and hands every other line, with its real line number, to the wg(8)
 * parser. Every error names FILE:LINE before anything touches the system.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <libgen.h>
#include <unistd.h>
#include <sys/stat.h>

#include "config.h"
#include "num.h"
#include "quick.h"
#include "secret.h"

struct conf_line {
	struct quick *q;
	const char *key, *value;
	unsigned int lineno;
};

__attribute__((format(printf, 2, 3))) static int conf_fail(const struct conf_line *l,
							   const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%u: ", l->q->config_file, l->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || strchr("_=+.-", c);
}

/* ^[a-zA-Z0-9_=+.-]{1,15}$ over s[0..len). */
static bool is_iface_name(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 15)
		return false;
	for (i = 0; i < len; i++) {
		if (!s[i] || !is_name_char(s[i]))
			return false;
	}
	return true;
}

/* Splits on commas and whitespace, as the script's ${value//,/ } does. */
static int split_words(const char *value, struct quick_strv *out)
{
	char *copy = strdup(value), *save = NULL, *w;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (w = strtok_r(copy, ", \t\n", &save); w && !ret; w = strtok_r(NULL, ", \t\n", &save))
		ret = quick_strv_push(out, w);
	free(copy);
	return ret;
}

static int key_address(struct conf_line *l)
{
	struct quick_strv words = {0};
	struct rtnl_prefix p;
	size_t i;
	int ret = split_words(l->value, &words);

	for (i = 0; !ret && i < words.n; i++) {
		if (!rtnl_prefix_parse(&p, words.v[i]))
			ret = conf_fail(
			    l, "Address `%s' is not an IP address with an optional /prefix",
			    words.v[i]);
		else
			ret = quick_strv_push(&l->q->addresses, words.v[i]);
	}
	quick_strv_free(&words);
	return ret;
}

static int key_dns(struct conf_line *l)
{
	struct quick_strv words = {0};
	unsigned char addr[sizeof(struct in6_addr)];
	size_t i;
	int ret = split_words(l->value, &words);

	for (i = 0; !ret && i < words.n; i++) {
		const char *w = words.v[i];
		bool v4 = strspn(w, "0123456789.") == strlen(w), v6 = strchr(w, ':');

		if (!v4 && !v6)
			ret = quick_strv_push(&l->q->dns_search, w);
		else if (inet_pton(v4 ? AF_INET : AF_INET6, w, addr) != 1)
			ret = conf_fail(l, "DNS server `%s' is not an IP address", w);
		else
			ret = quick_strv_push(&l->q->dns, w);
	}
	quick_strv_free(&words);
	return ret;
}

static int key_mtu(struct conf_line *l)
{
	uint32_t mtu;

	if (!*l->value) {
		l->q->mtu = 0;
		return 0;
	}
	if (!num_parse_u32(&mtu, l->value) || mtu < 68 || mtu > 65535)
		return conf_fail(l, "MTU `%s' is not a number from 68 to 65535", l->value);
	l->q->mtu = mtu;
	return 0;
}

/* Looks a table name up in one rt_tables file ("ID NAME" lines). */
static bool table_in_file(const char *path, const char *name, uint32_t *id)
{
	char line[256], word[128];
	long v;
	FILE *f = fopen(path, "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %li %127s", &v, word) == 2 && !strcmp(word, name) && v >= 0 &&
		    v <= (long)UINT32_MAX) {
			*id = (uint32_t)v;
			found = true;
		}
	}
	fclose(f);
	return found;
}

static bool table_by_name(const char *name, uint32_t *id)
{
	static const char *const files[] = {"/etc/iproute2/rt_tables",
					    "/usr/share/iproute2/rt_tables",
					    "/usr/lib/iproute2/rt_tables"};
	size_t i;

	if (!strcmp(name, "main") || !strcmp(name, "local") || !strcmp(name, "default")) {
		*id = name[0] == 'm' ? 254 : name[0] == 'l' ? 255 : 253;
		return true;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (table_in_file(files[i], name, id))
			return true;
	}
	return false;
}

static int key_table(struct conf_line *l)
{
	struct quick *q = l->q;

	free(q->table_str);
	q->table_str = NULL;
	q->table = QUICK_TABLE_AUTO;
	if (!*l->value)
		return 0;
	q->table_str = strdup(l->value);
	if (!q->table_str)
		return -ENOMEM;
	if (!strcmp(l->value, "auto"))
		return 0;
	q->table = QUICK_TABLE_OFF;
	if (!strcmp(l->value, "off"))
		return 0;
	q->table = QUICK_TABLE_ID;
	if ((num_parse_u32_any(&q->table_id, l->value) || table_by_name(l->value, &q->table_id)) &&
	    q->table_id)
		return 0;
	return conf_fail(
	    l,
	    "Table `%s' is not auto, off, a number from 1 to 4294967295 or a name from /etc/iproute2/rt_tables",
	    l->value);
}

static int key_save_config(struct conf_line *l)
{
	if (!strcasecmp(l->value, "true"))
		l->q->save_config = true;
	else if (!strcasecmp(l->value, "false"))
		l->q->save_config = false;
	else
		return conf_fail(l, "SaveConfig `%s' is neither true nor false", l->value);
	return 0;
}

static int key_hook(struct conf_line *l)
{
	struct quick *q = l->q;
	struct quick_strv *sv = !strcasecmp(l->key, "PreUp")	 ? &q->pre_up
				: !strcasecmp(l->key, "PostUp")	 ? &q->post_up
				: !strcasecmp(l->key, "PreDown") ? &q->pre_down
								 : &q->post_down;

	return quick_strv_push(sv, l->value);
}

static const struct {
	const char *key;
	int (*fn)(struct conf_line *l);
} conf_keys[] = {
    {"Address", key_address}, {"MTU", key_mtu},	      {"DNS", key_dns},
    {"Table", key_table},     {"PreUp", key_hook},    {"PreDown", key_hook},
    {"PostUp", key_hook},     {"PostDown", key_hook}, {"SaveConfig", key_save_config},
};

/* 1 when the [Interface] key is wg-quick's (handled, or failed: see *ret). */
static bool conf_key(struct conf_line *l, int *ret)
{
	size_t i;

	for (i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		if (!strcasecmp(l->key, conf_keys[i].key)) {
			*ret = conf_keys[i].fn(l);
			return true;
		}
	}
	return false;
}

/* Trims characters of `set` from both ends of s[0..len) in place; returns the start. */
static char *trim_set(char *s, size_t len, const char *set)
{
	while (len && strchr(set, s[len - 1]))
		len--;
	s[len] = '\0';
	while (*s && strchr(set, *s))
		s++;
	return s;
}

/* [[:space:]], as the script trims keys and values. */
static char *trim(char *s, size_t len)
{
	return trim_set(s, len, " \t\n\v\f\r");
}

/* Keeps a line for wg: in the text `strip` prints and, for `up`, the model. */
static int conf_wg_line(struct quick *q, struct config_ctx *ctx, const char *raw, const char *line,
			unsigned int lineno)
{
	textbuf_printf(&q->wg_config, "%s\n", line);
	if (q->wg_config.failed)
		return -ENOMEM;
	if (ctx && !config_read_line(ctx, raw, lineno))
		return 1;
	return 0;
}

/* One line, split as the script does: "key = value # comment". */
static int conf_line(struct quick *q, struct config_ctx *ctx, char *raw, unsigned int lineno,
		     bool *in_interface)
{
	/* `read -r` drops the blanks around a line, not carriage returns. */
	char *line = trim_set(raw, strlen(raw), " \t\n"), *copy = strdup(line), *eq, *hash;
	struct conf_line l = {.q = q, .lineno = lineno};
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	hash = strchr(copy, '#');
	if (hash)
		*hash = '\0';
	eq = strchr(copy, '=');
	l.value = eq ? trim(eq + 1, strlen(eq + 1)) : copy;
	l.key = trim(copy, eq ? (size_t)(eq - copy) : strlen(copy));
	if (l.key[0] == '[')
		*in_interface = !strcasecmp(l.key, "[Interface]");
	if (!*in_interface || !conf_key(&l, &ret))
		ret = conf_wg_line(q, ctx, raw, line, lineno);
	secret_free_str(copy);
	return ret;
}

static int conf_read(struct quick *q, FILE *f, struct config_ctx *ctx)
{
	char *raw = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned int lineno = 0;
	bool in_interface = false;
	int ret = 0;

	while (!ret && (n = getline(&raw, &cap, f)) >= 0) {
		if (n && raw[n - 1] == '\n')
			raw[--n] = '\0';
		ret = conf_line(q, ctx, raw, ++lineno, &in_interface);
	}
	if (ret < 0)
		fprintf(stderr, "%s: %s\n", q->config_file, strerror(-ret));
	secret_free(raw, cap);
	return ret ? 1 : 0;
}

/* The script's checks and messages for the file's name, and the world-accessible warning. */
static int conf_find(struct quick *q, const char *arg)
{
	const char *base, *end;
	struct stat fst, dst;
	char *path = NULL, *dir;

	if (is_iface_name(arg, strlen(arg)) && asprintf(&path, "/etc/wireguard/%s.conf", arg) < 0)
		return -ENOMEM;
	arg = path ? path : arg;
	base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
	end = strlen(base) > 5 ? base + strlen(base) - 5 : base;
	if (access(arg, F_OK)) {
		quick_err(q, "`%s' does not exist", arg);
	} else if (strcmp(end, ".conf") || !is_iface_name(base, (size_t)(end - base))) {
		quick_err(q, "The config file must be a valid interface name, followed by .conf");
	} else {
		snprintf(q->iface, sizeof(q->iface), "%.*s", (int)(end - base), base);
		q->config_file = realpath(arg, NULL);
	}
	free(path);
	if (!q->config_file)
		return 1;
	dir = strdup(q->config_file);
	if (dir && !stat(q->config_file, &fst) && !stat(dirname(dir), &dst) &&
	    (fst.st_mode & dst.st_mode & 0007))
		fprintf(stderr, "Warning: `%s' is world accessible\n", q->config_file);
	free(dir);
	return 0;
}

int quick_conf_load(struct quick *q, const char *arg, bool parse_wg)
{
	struct config_ctx ctx;
	FILE *f;
	int ret = conf_find(q, arg);

	if (ret)
		return ret;
	f = fopen(q->config_file, "re");
	if (!f) {
		quick_err(q, "Unable to read `%s': %s", q->config_file, strerror(errno));
		return 1;
	}
	if (parse_wg && !config_read_init(&ctx, q->config_file, false)) {
		fclose(f);
		return 1;
	}
	ret = conf_read(q, f, parse_wg ? &ctx : NULL);
	fclose(f);
	if (!parse_wg)
		return ret;
	if (ret && !ctx.failed) {
		/* Our own key failed: wg's parser has nothing to add. */
		model_device_free(ctx.device);
		return ret;
	}
	q->device = config_read_finish(&ctx);
	return q->device ? 0 : 1;
}
