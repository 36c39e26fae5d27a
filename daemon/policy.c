/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy.c - the policy data model and matching a cgroup to its sections
 *
 * A policy is a list of sections: [Default] for callers in no listed cgroup
 * and one [Cgroup LABEL] per governed cgroup subtree (Path=). A caller's
 * cgroup v2 path is matched component-wise: /a governs /a and /a/b, not /ab.
 * The deepest matching section decides Allow=, Users=, Groups= and
 * AllowAllCPUs=; it and all
 * its matching ancestors are charged, so a limit set on a parent cannot be
 * escaped by moving into a child cgroup. Paths are unique within a policy,
 * so the matches of one cgroup all have different depths, and matching
 * looks up the cgroup and each of its ancestors in a hash index of the
 * paths: its cost grows with the depth of the cgroup, not with the number
 * of sections.
 *
 * The parser (policy-parse.c) builds a Policy; nothing changes it afterwards.
 * This file does not log: it returns outcomes for bus.c to map.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "policy.h"
#include "util/macro.h"

Policy *policy_free(Policy *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_sections; i++) {
                free(p->sections[i].label);
                free(p->sections[i].path);
                free(p->sections[i].users);
                free(p->sections[i].groups);
        }
        free(p->sections);
        for (size_t i = 0; i < p->n_files; i++)
                free(p->files[i]);
        free(p->files);
        strindex_done(&p->by_path);
        strindex_done(&p->by_label);
        free(p->file);
        free(p);
        return NULL;
}

const PolicySection *policy_section(const Policy *p, size_t index) {
        assert(p);
        assert(index < p->n_sections);
        return &p->sections[index];
}

int policy_find_label(const Policy *p, const char *label, size_t *ret) {
        assert(p);
        assert(label);
        return strindex_get(&p->by_label, label, strlen(label), ret);
}

bool policy_path_is_valid(const char *path, unsigned *ret_depth) {
        unsigned depth = 0;
        const char *c;

        if (!path || path[0] != '/')
                return false;
        if (strcmp(path, "/") == 0) {
                if (ret_depth)
                        *ret_depth = 0;
                return true;
        }

        c = path;
        while (*c) {
                const char *end;
                size_t len;

                assert(*c == '/');
                c++;
                end = strchrnul(c, '/');
                len = end - c;
                if (len == 0)
                        return false;   /* "//" or a trailing "/" */
                if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                for (const char *k = c; k < end; k++)
                        if ((unsigned char) *k <= ' ' || *k == 0x7f)
                                return false;   /* whitespace or control */
                if (++depth > POLICY_DEPTH_MAX)
                        return false;
                c = end;
        }

        if (ret_depth)
                *ret_depth = depth;
        return true;
}

bool policy_path_is_prefix(const char *ancestor, const char *path) {
        size_t n;

        if (strcmp(ancestor, "/") == 0)
                return path[0] == '/';
        n = strlen(ancestor);
        return strncmp(ancestor, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

void policy_match(const Policy *p, const char *cgroup, PolicyMatch *ret) {
        /* The hash of "/" and of each prefix ending before a '/', computed
         * in one pass: a caller in a delegated subtree may nest cgroups
         * thousands deep, and a Path= has at most POLICY_DEPTH_MAX
         * components, so only that many prefixes can match at all. */
        size_t ends[POLICY_DEPTH_MAX + 1], n = 0, index;
        uint64_t hashes[POLICY_DEPTH_MAX + 1], h = STRINDEX_HASH_INIT;
        PolicyMatch m = {};
        const char *c;

        assert(p);
        assert(cgroup);
        assert(ret);

        if (cgroup[0] == '/') {
                ends[n] = 1;
                hashes[n++] = strindex_hash(STRINDEX_HASH_INIT, "/", 1);
                for (c = cgroup + 1; *c && n < ELEMENTSOF(ends); c++) {
                        if (*c == '/')
                                continue;
                        /* a component from c to the next '/' or the end */
                        const char *end = strchrnul(c, '/');

                        h = strindex_hash(h, c - 1, end - (c - 1));
                        ends[n] = end - cgroup;
                        hashes[n++] = h;
                        c = end - 1;
                        if (!*end)
                                break;
                }
        }

        /* Deepest first; paths are unique, so at most one section per depth. */
        while (n > 0) {
                n--;
                if (strindex_get_hashed(&p->by_path, cgroup, ends[n], hashes[n], &index) >= 0)
                        m.chain[m.n_chain++] = index;
        }

        if (m.n_chain == 0)
                m.chain[m.n_chain++] = POLICY_DEFAULT;

        *ret = m;
}

_Static_assert(sizeof(uid_t) == sizeof(uint32_t) && sizeof(gid_t) == sizeof(uint32_t),
               "uids and gids are compared as uint32_t");

static bool ids_contain(const uint32_t *ids, size_t n, uint32_t id) {
        for (size_t i = 0; i < n; i++)
                if (ids[i] == id)
                        return true;
        return false;
}

/* Users= alone: the uid is listed; Groups= alone: one of the caller's
 * groups is; both: both. */
static bool user_is_admitted(const PolicySection *s, uid_t uid, const gid_t *gids, size_t n_gids) {
        bool in_group = false;

        if (s->n_users > 0 && !ids_contain(s->users, s->n_users, uid))
                return false;
        if (s->n_groups == 0)
                return true;
        for (size_t i = 0; i < n_gids && !in_group; i++)
                in_group = ids_contain(s->groups, s->n_groups, gids[i]);
        return in_group;
}

int policy_check(const Policy *p, const PolicyMatch *match, bool all_cpus,
                 uid_t uid, const gid_t *gids, size_t n_gids) {
        const PolicySection *decider;

        assert(p);
        assert(match);
        assert(match->n_chain > 0);
        assert(gids || n_gids == 0);

        decider = policy_section(p, match->chain[0]);
        if (!decider->allow)
                return POLICY_E_DENIED;
        if (!user_is_admitted(decider, uid, gids, n_gids))
                return POLICY_E_USER_DENIED;
        if (all_cpus && !decider->allow_all_cpus)
                return POLICY_E_ALL_CPUS_DENIED;
        return 0;
}
