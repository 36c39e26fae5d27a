/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * admin.c - Reload, ListCgroups and the daemon's properties
 *
 * What an administrator asks flushd: re-read the policy, show every
 * section's counters and buckets, and show the daemon's own state (version,
 * kernel support, policy files, totals). The properties are read in one
 * org.freedesktop.DBus.Properties.GetAll call, so a status is one
 * consistent snapshot. Results keep their dictionaries (dict.c) and are
 * read through accessors, so the daemon may add keys freely.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus/flush1.h"
#include "flushd.h"
#include "libflushd-internal.h"
#include "util/macro.h"

struct FlushdCgroup {
        char *label;
        Dict dict;
};

struct FlushdCgroupList {
        FlushdCgroup *items;
        size_t n;
};

struct FlushdStatus {
        Dict properties;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdCgroupList *, flushd_cgroup_list_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdStatus *, flushd_status_free);

int flushd_reload(FlushdClient *c, FlushdError **ret_error) {
        return client_call(c, FLUSH1_INTERFACE, "Reload", "", NULL, NULL, ret_error, NULL);
}

FlushdCgroupList *flushd_cgroup_list_free(FlushdCgroupList *l) {
        if (!l)
                return NULL;
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].label);
                dict_done(&l->items[i].dict);
        }
        free(l->items);
        free(l);
        return NULL;
}

static int cgroups_reply(sd_bus_message *reply, void *userdata) {
        FlushdCgroupList *l = userdata;
        const char *label;
        FlushdCgroup *t;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(sa{sv})");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'r', "sa{sv}")) > 0) {
                r = sd_bus_message_read(reply, "s", &label);
                if (r < 0)
                        return r;
                t = realloc(l->items, (l->n + 1) * sizeof(*t));
                if (!t)
                        return -ENOMEM;
                l->items = t;
                t = &l->items[l->n];
                *t = (FlushdCgroup) { .label = strdup(label) };
                if (!t->label)
                        return -ENOMEM;
                l->n++;
                r = dict_read(reply, &t->dict);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(reply);
}

int flushd_list_cgroups(FlushdClient *c, FlushdCgroupList **ret, FlushdError **ret_error) {
        _cleanup_(flushd_cgroup_list_freep) FlushdCgroupList *l = NULL;
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!c || !ret)
                return -EINVAL;

        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;

        r = client_call(c, FLUSH1_INTERFACE, "ListCgroups", "a(sa{sv})", cgroups_reply, l,
                        ret_error, NULL);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(l);
        return 0;
}

size_t flushd_cgroup_list_get_n(const FlushdCgroupList *l) { return l ? l->n : 0; }

const FlushdCgroup *flushd_cgroup_list_get(const FlushdCgroupList *l, size_t i) {
        return l && i < l->n ? &l->items[i] : NULL;
}

const char *flushd_cgroup_get_label(const FlushdCgroup *g) { return g ? g->label : ""; }
const char *flushd_cgroup_get_path(const FlushdCgroup *g) { return g ? dict_string(&g->dict, "path") : ""; }

int flushd_cgroup_get_counter(const FlushdCgroup *g, const char *key, uint64_t *ret) {
        if (!g || !key || !ret)
                return -EINVAL;
        return dict_get_unsigned(&g->dict, key, ret);
}

int flushd_cgroup_get_tokens(const FlushdCgroup *g, int64_t *ret) {
        if (!g || !ret)
                return -EINVAL;
        return dict_get_signed(&g->dict, "tokens", ret);
}

int flushd_cgroup_get_time_tokens(const FlushdCgroup *g, int64_t *ret) {
        if (!g || !ret)
                return -EINVAL;
        return dict_get_signed(&g->dict, "time_tokens", ret);
}

FlushdStatus *flushd_status_free(FlushdStatus *s) {
        if (!s)
                return NULL;
        dict_done(&s->properties);
        free(s);
        return NULL;
}

static int status_reply(sd_bus_message *reply, void *userdata) {
        FlushdStatus *s = userdata;
        return dict_read(reply, &s->properties);
}

int flushd_status(FlushdClient *c, FlushdStatus **ret, FlushdError **ret_error) {
        _cleanup_(flushd_status_freep) FlushdStatus *s = NULL;
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!c || !ret)
                return -EINVAL;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;

        r = client_call(c, "org.freedesktop.DBus.Properties", "GetAll", "a{sv}", status_reply, s,
                        ret_error, "s", FLUSH1_INTERFACE);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}

const char *flushd_status_get_version(const FlushdStatus *s) { return s ? dict_string(&s->properties, "Version") : ""; }

const char *flushd_status_get_kernel_support(const FlushdStatus *s) {
        return s ? dict_string(&s->properties, "KernelSupport") : "";
}

uint32_t flushd_status_get_cpus(const FlushdStatus *s) { return s ? (uint32_t) dict_unsigned(&s->properties, "CPUs") : 0; }

size_t flushd_status_get_n_policy_files(const FlushdStatus *s) {
        return s ? dict_strv_len(&s->properties, "PolicyFiles") : 0;
}

const char *flushd_status_get_policy_file(const FlushdStatus *s, size_t i) {
        return s ? dict_strv_item(&s->properties, "PolicyFiles", i) : NULL;
}

int flushd_status_get_counter(const FlushdStatus *s, const char *name, uint64_t *ret) {
        if (!s || !name || !ret)
                return -EINVAL;
        return dict_get_unsigned(&s->properties, name, ret);
}
