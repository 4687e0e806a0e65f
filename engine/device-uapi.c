// SPDX-License-Identifier: GPL-2.0
/*
 * The device's side of UAPI get and set: the current state as a model, and a
 * parsed set applied atomically (everything is allocated and the sockets are
 * opened first, then the change is committed under cfg_lock, or nothing is).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "clock.h"
#include "key.h"
#include "device.h"
#include "log.h"
#include "peer.h"
#include "send.h"

/* The drop counters, every one (zeros too), as the reply's drop_NAME=N extension lines. */
static void get_drops(struct device *dev, struct wgdevice *m)
{
	_Static_assert(DEVICE_N_DROPS <= WG_DROPS_MAX, "the model holds every drop counter");
	for (unsigned int i = 0; i < DEVICE_N_DROPS; ++i) {
		snprintf(m->drops[i].name, sizeof(m->drops[i].name), "%s", device_drop_names[i]);
		m->drops[i].count = atomic_load(&dev->stats.drops[i]);
	}
	m->n_drops = DEVICE_N_DROPS;
}

static int get_interface(struct device *dev, struct wgdevice *m)
{
	rwlock_rdlock(&dev->noise.lock);
	if (dev->noise.has_identity) {
		memcpy(m->private_key, dev->noise.static_private, WG_KEY_LEN);
		memcpy(m->public_key, dev->noise.static_public, WG_KEY_LEN);
		m->flags |= WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_PUBLIC_KEY;
	}
	rwlock_unlock(&dev->noise.lock);
	rwlock_rdlock(&dev->udp_lock);
	m->listen_port = dev->udp.port;
	rwlock_unlock(&dev->udp_lock);
	m->fwmark = dev->fwmark;
	m->flags |= WGDEVICE_HAS_LISTEN_PORT | WGDEVICE_HAS_FWMARK;
	snprintf(m->name, sizeof(m->name), "%s", dev->tun->name);
	get_drops(dev, m);
	return 0;
}

int device_uapi_get(struct device *dev, struct wgdevice **out)
{
	struct wgdevice *m = model_device_new();
	int ret = m ? get_interface(dev, m) : -ENOMEM;

	rwlock_rdlock(&dev->cfg_lock);
	for (struct peer *p = dev->peers; !ret && p; p = p->next) {
		struct wgpeer *mp = model_peer_append(m);

		ret = mp ? peer_to_model(p, mp) : -ENOMEM;
	}
	rwlock_unlock(&dev->cfg_lock);
	if (ret) {
		model_device_free(m);
		return ret;
	}
	*out = m;
	return 0;
}

/*
 * The public keys a change creates peers for, so that a key named twice in one
 * set makes one peer: an open-addressing table of pointers into the change,
 * looked up once per peer instead of scanning the request before it (which
 * made a set of 100,000 new peers quadratic).
 */
struct key_set {
	const uint8_t **slot;
	size_t mask;
};

/* What a set needs allocated before anything changes. */
struct set_plan {
	struct peer **fresh; /* per peer of the change: a new peer to add, or NULL */
	struct peer **kick;  /* peers to send a keepalive once the lock is dropped */
	unsigned int n, n_kick;
	struct key_set planned; /* the keys of the fresh peers */
	struct udp udp;		/* new sockets when the port changes */
	bool rebind;
};

static int validate(const struct wgdevice *c)
{
	const struct wgallowedip *a;
	const struct wgpeer *p;

	for_each_wgpeer (c, p) {
		if (!(p->flags & WGPEER_HAS_PUBLIC_KEY))
			return -EINVAL;
		for_each_wgallowedip (p, a) {
			if ((a->family != AF_INET && a->family != AF_INET6) ||
			    a->cidr > (a->family == AF_INET ? 32 : 128))
				return -EINVAL;
		}
	}
	return 0;
}

static int key_set_init(struct key_set *set, unsigned int n)
{
	size_t size = 16;

	while (size < 2 * (size_t)n)
		size <<= 1;
	set->slot = calloc(size, sizeof(*set->slot));
	set->mask = size - 1;
	return set->slot ? 0 : -ENOMEM;
}

/* True if an earlier peer of the change already creates pub; else pub joins the set. */
static bool key_set_test_and_add(struct key_set *set, const uint8_t *pub)
{
	uint64_t h;
	size_t i;

	memcpy(&h, pub, sizeof(h)); /* public keys are curve points: their bytes are spread well */
	for (i = h & set->mask; set->slot[i]; i = (i + 1) & set->mask) {
		if (!memcmp(set->slot[i], pub, WG_KEY_LEN))
			return true;
	}
	set->slot[i] = pub;
	return false;
}

static bool needs_fresh(struct device *dev, const struct wgdevice *c, struct set_plan *plan,
			const struct wgpeer *p)
{
	if (p->flags & (WGPEER_REMOVE_ME | WGPEER_UPDATE_ONLY))
		return false;
	if (!(c->flags & WGDEVICE_REPLACE_PEERS) && device_peer_find(dev, p->public_key))
		return false;
	return !key_set_test_and_add(&plan->planned, p->public_key);
}

/*
 * Opens the sockets for a new port. Sockets replaced just before may still
 * hold the port we go back to: they are closed now, but the UDP thread's poll
 * keeps them alive until it returns (200 ms at most), so a taken port is
 * retried for a little longer than that.
 */
static int rebind(struct device *dev, const struct wgdevice *c, struct set_plan *plan)
{
	uint32_t mark = c->flags & WGDEVICE_HAS_FWMARK ? c->fwmark : dev->fwmark;
	bool had_stale;
	int ret;

	rwlock_rdlock(&dev->udp_lock);
	had_stale = dev->udp_stale[0] >= 0 || dev->udp_stale[1] >= 0;
	rwlock_unlock(&dev->udp_lock);
	device_close_stale(dev);
	ret = udp_open(&plan->udp, c->listen_port, mark);
	for (int i = 0; had_stale && ret == -EADDRINUSE && i < 6; ++i) {
		usleep(50 * 1000);
		ret = udp_open(&plan->udp, c->listen_port, mark);
	}
	return ret;
}

/* Caller holds dev->cfg_lock (write). Allocates everything; changes nothing. */
static int plan_set(struct device *dev, const struct wgdevice *c, struct set_plan *plan)
{
	const struct wgpeer *p;
	unsigned int i = 0;
	int ret = validate(c);

	rwlock_assert_write_held(&dev->cfg_lock);
	for_each_wgpeer (c, p)
		++plan->n;
	plan->fresh = calloc(plan->n + 1, sizeof(*plan->fresh));
	plan->kick = calloc(plan->n + 1, sizeof(*plan->kick));
	if (!ret && (!plan->fresh || !plan->kick))
		ret = -ENOMEM;
	if (!ret)
		ret = key_set_init(&plan->planned, plan->n);
	if (!ret && (c->flags & WGDEVICE_HAS_LISTEN_PORT) && c->listen_port != dev->udp.port) {
		ret = rebind(dev, c, plan);
		plan->rebind = !ret;
	}
	for (p = c->first_peer; !ret && p; p = p->next_peer, ++i) {
		if (!needs_fresh(dev, c, plan, p))
			continue;
		plan->fresh[i] =
		    peer_new(dev, p->public_key,
			     p->flags & WGPEER_HAS_PRESHARED_KEY ? p->preshared_key : NULL);
		if (!plan->fresh[i])
			ret = -ENOMEM;
	}
	return ret;
}

static void plan_free(struct set_plan *plan)
{
	for (unsigned int i = 0; plan->fresh && i < plan->n; ++i)
		peer_put(plan->fresh[i]);
	if (plan->rebind)
		udp_close(&plan->udp);
	free(plan->fresh);
	free(plan->kick);
	free(plan->planned.slot);
}

/* Caller holds dev->cfg_lock (write). */
static void commit_private_key(struct device *dev, const uint8_t *priv)
{
	struct peer *p, *next;

	rwlock_assert_write_held(&dev->cfg_lock);
	if (dev->noise.has_identity && !sodium_memcmp(dev->noise.static_private, priv, WG_KEY_LEN))
		return;
	noise_local_set_private_key(&dev->noise, key_is_zero(priv) ? NULL : priv);
	cookie_checker_precompute(&dev->cookie,
				  dev->noise.has_identity ? dev->noise.static_public : NULL);
	for (p = dev->peers; p; p = next) {
		next = p->next;
		if (dev->noise.has_identity &&
		    !sodium_memcmp(peer_public_key(p), dev->noise.static_public, WG_KEY_LEN)) {
			device_peer_remove(dev, p);
			continue;
		}
		noise_remote_precompute(&p->noise);
		noise_keypairs_expire_current(&p->noise);
	}
}

/* Caller holds dev->cfg_lock (write). */
static void commit_port(struct device *dev, struct set_plan *plan)
{
	rwlock_assert_write_held(&dev->cfg_lock);
	rwlock_wrlock(&dev->udp_lock);
	for (int i = 0; i < 2; ++i) {
		if (dev->udp_stale[i] >= 0)
			close(dev->udp_stale[i]);
	}
	dev->udp_stale[0] = dev->udp.fd4;
	dev->udp_stale[1] = dev->udp.fd6;
	dev->udp = plan->udp;
	rwlock_unlock(&dev->udp_lock);
	plan->rebind = false;
}

/* Caller holds dev->cfg_lock (write). */
static void commit_allowedips(struct device *dev, struct peer *peer, const struct wgpeer *c)
{
	const struct wgallowedip *a;

	rwlock_assert_write_held(&dev->cfg_lock);
	if (c->flags & WGPEER_REPLACE_ALLOWEDIPS)
		allowedips_remove_by_peer(&dev->aips, peer);
	for_each_wgallowedip (c, a) {
		if (a->flags & WGALLOWEDIP_REMOVE_ME)
			allowedips_remove(&dev->aips, a->family, &a->ip4, a->cidr, peer);
		else if (allowedips_insert(&dev->aips, a->family, &a->ip4, a->cidr, peer) < 0)
			log_err("Unable to add an allowed IP: out of memory");
	}
}

/* Caller holds dev->cfg_lock (write). fresh is the planned new peer or NULL. */
static void commit_peer(struct device *dev, const struct wgpeer *c, struct peer *fresh,
			struct set_plan *plan)
{
	struct peer *peer = fresh ? fresh : device_peer_find(dev, c->public_key);
	unsigned int act = 0;

	rwlock_assert_write_held(&dev->cfg_lock);
	if (c->flags & WGPEER_REMOVE_ME) {
		if (peer)
			device_peer_remove(dev, peer);
		return;
	}
	if (!peer || (dev->noise.has_identity &&
		      !sodium_memcmp(c->public_key, dev->noise.static_public, WG_KEY_LEN)))
		return;
	if (fresh) {
		/* Created before a key change in this same set: derive DH(S, S_remote) now. */
		noise_remote_precompute(&fresh->noise);
		device_peer_link(dev, peer_get(fresh));
	} else if (c->flags & WGPEER_HAS_PRESHARED_KEY)
		noise_remote_set_psk(&peer->noise, c->preshared_key);
	if (c->endpoint.addr.sa_family)
		peer_endpoint_set(peer, &c->endpoint, NULL);
	commit_allowedips(dev, peer, c);
	if (c->flags & WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL) {
		mutex_lock(&peer->lock);
		act = timers_set_persistent_keepalive(
		    &peer->timers, c->persistent_keepalive_interval, clock_now_ns());
		mutex_unlock(&peer->lock);
	}
	if (act)
		plan->kick[plan->n_kick++] = peer_get(peer);
}

static void commit_set(struct device *dev, const struct wgdevice *c, struct set_plan *plan)
{
	const struct wgpeer *p;
	unsigned int i = 0;

	if (c->flags & WGDEVICE_HAS_PRIVATE_KEY)
		commit_private_key(dev, c->private_key);
	if (plan->rebind)
		commit_port(dev, plan);
	if (c->flags & WGDEVICE_HAS_FWMARK) {
		dev->fwmark = c->fwmark;
		rwlock_wrlock(&dev->udp_lock);
		if (udp_set_fwmark(&dev->udp, c->fwmark) < 0)
			log_err("Unable to set fwmark: %s", strerror(errno));
		rwlock_unlock(&dev->udp_lock);
	}
	if (c->flags & WGDEVICE_REPLACE_PEERS) {
		while (dev->peers)
			device_peer_remove(dev, dev->peers);
	}
	for (p = c->first_peer; p; p = p->next_peer, ++i)
		commit_peer(dev, p, plan->fresh[i], plan);
}

int device_uapi_set(struct device *dev, const struct wgdevice *change)
{
	struct set_plan plan = {0};
	int ret;

	udp_init(&plan.udp);
	rwlock_wrlock(&dev->cfg_lock);
	ret = plan_set(dev, change, &plan);
	if (!ret)
		commit_set(dev, change, &plan);
	rwlock_unlock(&dev->cfg_lock);
	for (unsigned int i = 0; i < plan.n_kick; ++i) {
		send_keepalive(plan.kick[i]);
		peer_put(plan.kick[i]);
	}
	plan_free(&plan);
	return ret;
}
