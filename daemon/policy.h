/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy.h - the admin's policy: data model, loading and cgroup matching
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "quota.h"
#include "strindex.h"

#define POLICY_SECTIONS_MAX 65536
#define POLICY_DEPTH_MAX    64          /* components in a Path= */
#define POLICY_SECTION_NAME_MAX 48      /* inih keeps 49 characters; we reject 49+ */
#define POLICY_CGROUP_PREFIX "Cgroup "
#define POLICY_LABEL_MAX (POLICY_SECTION_NAME_MAX - (int) (sizeof(POLICY_CGROUP_PREFIX) - 1))
#define POLICY_ERROR_MAX 256
#define POLICY_ERROR_KEY_MAX 64
#define POLICY_DROPINS_MAX 1024         /* drop-in files applied, after masking */
#define POLICY_IDS_MAX 256              /* entries in one Users= or Groups= */

/* The drop-in directories flushd reads, in increasing priority. */
#define POLICY_DROPIN_DIRS { "/usr/lib/flushd/flushd.conf.d", "/run/flushd/flushd.conf.d", \
                             "/etc/flushd/flushd.conf.d" }

/* Index of the [Default] section in Policy.sections. */
#define POLICY_DEFAULT 0

/* Outcomes (positive, see bus.c for their D-Bus names). */
enum {
        _POLICY_E_SUCCESS = 0,
        POLICY_E_INVALID = 100,         /* the file has an error; see PolicyError */
        POLICY_E_DENIED,                /* no section admits the caller */
        POLICY_E_ALL_CPUS_DENIED,       /* admitted, but not for all CPUs */
        POLICY_E_USER_DENIED,           /* the deciding section allows flushes, not for this user/group */
};

/*
 * Where and why a policy was refused, for "FILE:LINE:KEY: message". Every
 * field is printable (control bytes and invalid UTF-8 escaped as \xNN).
 */
typedef struct PolicyError {
        char file[PATH_MAX];            /* the file (or drop-in directory) at fault; "" if none */
        unsigned line;                  /* 0: not about a line (e.g. open failed) */
        char key[POLICY_ERROR_KEY_MAX]; /* "" if not about a key */
        char message[POLICY_ERROR_MAX];
} PolicyError;

/*
 * [Default] (index POLICY_DEFAULT, label and path NULL) or [Cgroup LABEL].
 * A limit with tokens == 0 has no bucket (unset or unlimited).
 */
typedef struct PolicySection {
        char *label;
        char *path;
        unsigned line;                  /* of the first header, in files[file]; 0 if implicit */
        unsigned depth;                 /* components of path, "/" is 0 */
        bool allow;
        bool allow_all_cpus;
        QuotaLimit limit;               /* Rate=, Burst= */
        QuotaLimit user_limit;          /* RatePerUser=, BurstPerUser=: one bucket per uid */
        QuotaLimit time_limit;          /* FlushTime=: kernel nanoseconds per period */
        uid_t *users;                   /* Users=: the uid must be listed (if n_users > 0) */
        size_t n_users;
        gid_t *groups;                  /* Groups=: one of the caller's groups must be listed */
        size_t n_groups;
        size_t file;                    /* index in Policy.files of the file that introduced it */
} PolicySection;

/* Immutable once loaded, so that a reload can swap it as one pointer. */
typedef struct Policy {
        char *file;                     /* the main file (files[0] unless it was NULL) */
        char **files;                   /* every file read, in the order applied */
        size_t n_files;
        PolicySection *sections;        /* [POLICY_DEFAULT] then [Cgroup] in file order */
        size_t n_sections;
        QuotaLimit global;              /* [Daemon] GlobalRate=/GlobalBurst= */
        QuotaLimit global_user;         /* [Daemon] GlobalRatePerUser=/GlobalBurstPerUser= */
        QuotaLimit global_time;         /* [Daemon] GlobalFlushTime= */
        StrIndex by_path;               /* Path= -> section index */
        StrIndex by_label;              /* label -> section index */
} Policy;

/*
 * The sections that apply to a cgroup: chain[0] decides (the deepest
 * [Cgroup] whose Path is the cgroup or an ancestor of it, else [Default]),
 * followed by every other matching section up to the root.
 */
typedef struct PolicyMatch {
        size_t chain[POLICY_DEPTH_MAX + 1];
        size_t n_chain;
} PolicyMatch;

Policy *policy_free(Policy *p);
static inline void policy_freep(Policy **p) {
        if (*p)
                policy_free(*p);
}

/*
 * Reads main_file (if not NULL), then every drop-in "*.conf" of the
 * directories dropin_dirs (the flushd.conf.d directories, in increasing
 * priority; a missing one is fine): a name in a later directory masks the
 * same name in earlier ones, a drop-in that is a symlink to /dev/null only
 * masks, and all drop-ins are applied after the main file in lexical order
 * of their names, later keys winning. Returns 0, POLICY_E_INVALID with
 * *ret_error filled, or a negative errno (a file or directory cannot be
 * read, a user or group lookup failed; ret_error says so too).
 */
int policy_load_paths(const char *main_file, const char *const *dropin_dirs, size_t n_dirs,
                      Policy **ret, PolicyError *ret_error);
/* One file, no drop-ins: policy_load_paths(file, NULL, 0, ...). */
int policy_load(const char *file, Policy **ret, PolicyError *ret_error);

const PolicySection *policy_section(const Policy *p, size_t index);
/* The index of the [Cgroup] section with this label, or -ENOENT. */
int policy_find_label(const Policy *p, const char *label, size_t *ret);
void policy_match(const Policy *p, const char *cgroup, PolicyMatch *ret);
/*
 * 0 if the deciding section (match->chain[0]) admits a caller with uid and
 * gids (primary and supplementary groups), else POLICY_E_DENIED (Allow=no),
 * POLICY_E_USER_DENIED (Users=/Groups= do not list it) or
 * POLICY_E_ALL_CPUS_DENIED (all_cpus without AllowAllCPUs=yes), in that order.
 */
int policy_check(const Policy *p, const PolicyMatch *match, bool all_cpus,
                 uid_t uid, const gid_t *gids, size_t n_gids);

/* The i-th key the parser knows (any section), NULL past the last. */
const char *policy_key_name(size_t i);

/* Helpers shared by the parser and matching; exposed for unit tests. */
bool policy_path_is_valid(const char *path, unsigned *ret_depth);
bool policy_path_is_prefix(const char *ancestor, const char *path);
