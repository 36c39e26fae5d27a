/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-parse.c - read the policy files with libinih, refusing what it accepts silently
 *
 * libinih (as Debian ships it: INI_MAX_LINE 200, MAX_SECTION 50, ';' inline
 * comments, continuation lines, no stop on the first error) accepts several
 * inputs without complaint that an admin would not mean: a long line is cut
 * in two, a long section name is truncated, "Rate=100/s # note" is the value
 * "100/s # note", an indented line continues the previous value and a
 * repeated section merges with the first. We feed inih through
 * ini_parse_stream() with our own reader over the FILE, so we see every raw
 * line and count lines ourselves, and turn each of those cases into an error
 * naming the line:
 *
 *  - the reader rejects long lines, indented lines (comments excepted),
 *    inline comments, and section headers that are too long or carry
 *    trailing text; it also opens and closes sections, because inih does
 *    not tell the handler about a section that has no keys;
 *  - the handler rejects unknown, repeated and empty keys and values with
 *    trailing text (comments go on their own line);
 *  - closing a section checks what needs the whole section (Path= given,
 *    Burst= only with a Rate=);
 *  - the reader also refuses ':' as a key/value separator, which inih takes
 *    like '=' ("Allow:yes", "Path:/a");
 *  - messages quote text from the file, so they are escaped (escape_utf8)
 *    before they reach a log or a bus reply.
 *
 * The first error stops the reader; inih's own syntax errors come back as a
 * line number, which is turned into a message here and never passed on as
 * an errno. The file is accepted only if inih returns 0 and nothing was
 * recorded.
 *
 * Drop-ins follow systemd's rules: the main file, then every *.conf of the
 * flushd.conf.d directories in lexical order of their names, a name in a
 * directory of higher priority masking the same name below (a symlink to
 * /dev/null only masks). All files build one Policy. A file may reopen a
 * section an earlier file defined (same label, or [Default], [Daemon]) and
 * set its keys again, the later value winning; within one file a repeated
 * label, section, key or Path= stays an error. What depends on several
 * keys is settled once all files are read: the default Burst= (one second
 * of the Rate= finally in effect) and the uniqueness of Path= across files.
 * Each file must leave its sections whole: a [Cgroup] introduced without
 * Path=, or a Burst= without a Rate= in effect, is an error in that file.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <ini.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "escape.h"
#include "policy-dropins.h"
#include "policy.h"
#include "util/macro.h"

typedef enum Key {
        KEY_PATH,
        KEY_ALLOW,
        KEY_ALLOW_ALL_CPUS,
        KEY_RATE,
        KEY_BURST,
        KEY_RATE_PER_USER,
        KEY_BURST_PER_USER,
        KEY_FLUSH_TIME,
        KEY_GLOBAL_RATE,
        KEY_GLOBAL_BURST,
        KEY_GLOBAL_RATE_PER_USER,
        KEY_GLOBAL_BURST_PER_USER,
        KEY_GLOBAL_FLUSH_TIME,
        KEY_USERS,
        KEY_GROUPS,
        _KEY_MAX,
} Key;

typedef enum SectionKind {
        SECTION_NONE,
        SECTION_DAEMON,
        SECTION_DEFAULT,
        SECTION_CGROUP,
} SectionKind;

static const struct {
        const char *name;
        Key key;
        unsigned kinds;         /* bit mask of 1 << SectionKind */
} keys[] = {
        { "Path",         KEY_PATH,           1u << SECTION_CGROUP },
        { "Allow",        KEY_ALLOW,          1u << SECTION_CGROUP | 1u << SECTION_DEFAULT },
        { "AllowAllCPUs", KEY_ALLOW_ALL_CPUS, 1u << SECTION_CGROUP | 1u << SECTION_DEFAULT },
        { "Rate",         KEY_RATE,           1u << SECTION_CGROUP | 1u << SECTION_DEFAULT },
        { "Burst",        KEY_BURST,          1u << SECTION_CGROUP | 1u << SECTION_DEFAULT },
        { "RatePerUser",  KEY_RATE_PER_USER,  1u << SECTION_CGROUP | 1u << SECTION_DEFAULT },
        { "BurstPerUser", KEY_BURST_PER_USER, 1u << SECTION_CGROUP | 1u << SECTION_DEFAULT },
        { "FlushTime",    KEY_FLUSH_TIME,     1u << SECTION_CGROUP | 1u << SECTION_DEFAULT },
        { "GlobalRate",   KEY_GLOBAL_RATE,    1u << SECTION_DAEMON },
        { "GlobalBurst",  KEY_GLOBAL_BURST,   1u << SECTION_DAEMON },
        { "GlobalRatePerUser",  KEY_GLOBAL_RATE_PER_USER,  1u << SECTION_DAEMON },
        { "GlobalBurstPerUser", KEY_GLOBAL_BURST_PER_USER, 1u << SECTION_DAEMON },
        { "GlobalFlushTime", KEY_GLOBAL_FLUSH_TIME, 1u << SECTION_DAEMON },
        { "Users",        KEY_USERS,          1u << SECTION_CGROUP | 1u << SECTION_DEFAULT },
        { "Groups",       KEY_GROUPS,         1u << SECTION_CGROUP | 1u << SECTION_DEFAULT },
};

/* RatePerUser=, BurstPerUser= and their [Daemon] forms set c->user_limit. */
static bool key_is_per_user(Key key) {
        return key == KEY_RATE_PER_USER || key == KEY_BURST_PER_USER ||
               key == KEY_GLOBAL_RATE_PER_USER || key == KEY_GLOBAL_BURST_PER_USER;
}

static const char *key_name(Key key) {
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (keys[i].key == key)
                        return keys[i].name;
        assert(false);
        return "";
}

/* An explicit Burst=, BurstPerUser=, GlobalBurst= or GlobalBurstPerUser=:
 * line 0 if never set. */
typedef struct BurstKey {
        uint64_t value;
        unsigned line;
} BurstKey;

/* What a load keeps per section across files, parallel to policy->sections. */
typedef struct SectionState {
        size_t file;                    /* the last file that opened the section */
        unsigned line;                  /* its header there */
        size_t path_file;               /* where Path= was last set */
        unsigned path_line;
        BurstKey burst;
        BurstKey user_burst;
} SectionState;

const char *policy_key_name(size_t i) {
        return i < ELEMENTSOF(keys) ? keys[i].name : NULL;
}

typedef struct ParseContext {
        /* the whole load */
        Policy *policy;
        SectionState *states;           /* parallel to policy->sections */
        size_t n_alloc;
        BurstKey global_burst;
        BurstKey global_user_burst;
        bool failed;
        PolicyError *error;

        /* the file being read: policy->files[file] */
        size_t file;
        FILE *f;
        char *raw;
        size_t raw_size;
        unsigned line;
        int read_errno;
        StrIndex paths;                 /* Path= set in this file -> section index */
        unsigned daemon_line;
        unsigned default_line;

        /* the section being read */
        SectionKind kind;
        char section[POLICY_SECTION_NAME_MAX + 1];
        unsigned section_line;
        size_t index;                   /* in policy->sections; not for [Daemon] */
        unsigned key_line[_KEY_MAX];    /* where each key of this section was set in this file */
        QuotaLimit *limit;              /* the limit Rate=/Burst= of this section set */
        QuotaLimit *user_limit;         /* RatePerUser=/BurstPerUser= or their Global forms */
        QuotaLimit *time_limit;         /* FlushTime= or GlobalFlushTime= */
        BurstKey *burst;
        BurstKey *user_burst;
} ParseContext;

/* Records the first error, escaped, in file number `file` (SIZE_MAX: in no
 * file) with key (NULL: not about a key); returns 0, which is both "no
 * errno" for our callers and "stop" for inih's handler. */
__attribute__((format(printf, 5, 0)))
static int parse_error_va(ParseContext *c, size_t file, unsigned line, const char *key,
                          const char *format, va_list ap) {
        char text[POLICY_ERROR_MAX];

        if (c->failed)
                return 0;       /* only the first error is reported */
        c->failed = true;
        *c->error = (PolicyError) { .line = line };
        if (file < c->policy->n_files)
                escape_utf8(c->policy->files[file], c->error->file, sizeof(c->error->file));
        if (key)
                escape_utf8(key, c->error->key, sizeof(c->error->key));
        vsnprintf(text, sizeof(text), format, ap);
        escape_utf8(text, c->error->message, sizeof(c->error->message));
        return 0;
}

__attribute__((format(printf, 5, 6)))
static int parse_error_at(ParseContext *c, size_t file, unsigned line, const char *key, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        parse_error_va(c, file, line, key, format, ap);
        va_end(ap);
        return 0;
}

/* An error in the file being read. */
__attribute__((format(printf, 4, 5)))
static int parse_error(ParseContext *c, unsigned line, const char *key, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        parse_error_va(c, c->file, line, key, format, ap);
        va_end(ap);
        return 0;
}

static bool label_is_valid(const char *label) {
        if (!*label)
                return false;
        for (const char *k = label; *k; k++)
                if (!isascii(*k) || !(isalnum(*k) || strchr("-_.:@", *k)))
                        return false;
        return true;
}

static int parse_uint(const char *v, uint64_t max, uint64_t *ret) {
        uint64_t n = 0;

        if (!isdigit((unsigned char) *v))
                return -EINVAL;
        for (; isdigit((unsigned char) *v); v++) {
                n = n * 10 + (*v - '0');
                if (n > max)
                        return -ERANGE;
        }
        if (*v)
                return -EINVAL;
        *ret = n;
        return 0;
}

static int parse_bool(const char *v, bool *ret) {
        static const char *const yes[] = { "yes", "true", "on", "1" };
        static const char *const no[] = { "no", "false", "off", "0" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(v, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(v, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        return -EINVAL;
}

static const struct {
        const char *unit;
        uint64_t ns;
} periods[] = {
        { "s",   QUOTA_NSEC_PER_SEC },
        { "min", 60 * QUOTA_NSEC_PER_SEC },
        { "h",   3600 * QUOTA_NSEC_PER_SEC },
};

static int parse_period(const char *v, uint64_t *ret) {
        for (size_t i = 0; i < ELEMENTSOF(periods); i++)
                if (strcmp(v, periods[i].unit) == 0) {
                        *ret = periods[i].ns;
                        return 0;
                }
        return -EINVAL;
}

/* Splits "AMOUNT/PERIOD" at the slash into a bounded copy of AMOUNT. */
static int split_per(const char *v, char *amount, size_t size, uint64_t *ret_period) {
        const char *slash = strchr(v, '/');

        if (!slash || (size_t) (slash - v) >= size)
                return -EINVAL;
        memcpy(amount, v, slash - v);
        amount[slash - v] = '\0';
        return parse_period(slash + 1, ret_period);
}

/* "N/s", "N/min", "N/h" (1 <= N <= QUOTA_TOKENS_MAX) or "unlimited". */
static int parse_rate(const char *v, QuotaLimit *ret) {
        char digits[16];
        uint64_t n, period;

        if (strcmp(v, "unlimited") == 0) {
                *ret = (QuotaLimit) {};
                return 0;
        }
        if (split_per(v, digits, sizeof(digits), &period) < 0)
                return -EINVAL;
        if (parse_uint(digits, QUOTA_TOKENS_MAX, &n) < 0 || n == 0)
                return -EINVAL;
        *ret = (QuotaLimit) { .tokens = n, .period_ns = period };
        return 0;
}

/* "DURATION/PERIOD" (e.g. 20ms/s, 2s/min) or "unlimited": DURATION is an
 * integer with ns, us, ms or s, more than zero and at most the period. The
 * budget saved up is one period's worth. */
static int parse_flush_time(const char *v, QuotaLimit *ret) {
        static const struct {
                const char *suffix;
                uint64_t ns;
        } units[] = {
                { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", QUOTA_NSEC_PER_SEC },
        };
        char amount[24];
        uint64_t n, period;
        size_t len;

        if (strcmp(v, "unlimited") == 0) {
                *ret = (QuotaLimit) {};
                return 0;
        }
        if (split_per(v, amount, sizeof(amount), &period) < 0)
                return -EINVAL;
        len = strlen(amount);
        /* Longest suffix first: "ms" before "s". */
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                size_t sl = strlen(units[i].suffix);

                if (len <= sl || strcmp(amount + len - sl, units[i].suffix) != 0)
                        continue;
                if (i == ELEMENTSOF(units) - 1 && strchr("nmu", amount[len - 2]))
                        continue;
                amount[len - sl] = '\0';
                if (parse_uint(amount, period / units[i].ns, &n) < 0 || n == 0)
                        return -EINVAL;
                *ret = (QuotaLimit) { .tokens = n * units[i].ns, .period_ns = period,
                                      .burst = n * units[i].ns };
                return 0;
        }
        return -EINVAL;
}

/* A burst needs a rate in effect once this file is applied: at the Burst=
 * line if this file set it, else at the line that made the rate unlimited. */
static void burst_check(ParseContext *c, const QuotaLimit *limit, const BurstKey *burst, Key burst_key, Key rate_key) {
        unsigned line;
        Key key;

        if (!quota_limit_is_unlimited(limit) || !burst->line)
                return;
        key = c->key_line[burst_key] ? burst_key : rate_key;
        line = c->key_line[key] ?: c->section_line;
        parse_error(c, line, key_name(key), "a burst needs a rate limit (%s= is unset or unlimited)",
                    key_name(rate_key));
}

/* Checks that need the whole section; called when the next one starts and at EOF. */
static void section_close(ParseContext *c) {
        switch (c->kind) {
        case SECTION_NONE:
                return;
        case SECTION_CGROUP:
                if (!c->policy->sections[c->index].path)
                        parse_error(c, c->section_line, NULL, "section [%s] has no Path=", c->section);
                __attribute__((fallthrough));
        case SECTION_DEFAULT:
                burst_check(c, c->limit, c->burst, KEY_BURST, KEY_RATE);
                burst_check(c, c->user_limit, c->user_burst, KEY_BURST_PER_USER, KEY_RATE_PER_USER);
                break;
        case SECTION_DAEMON:
                burst_check(c, c->limit, c->burst, KEY_GLOBAL_BURST, KEY_GLOBAL_RATE);
                burst_check(c, c->user_limit, c->user_burst, KEY_GLOBAL_BURST_PER_USER,
                            KEY_GLOBAL_RATE_PER_USER);
                break;
        }
        c->kind = SECTION_NONE;
}

static int sections_grow(ParseContext *c) {
        Policy *p = c->policy;
        size_t n;

        if (p->n_sections < c->n_alloc)
                return 0;
        n = c->n_alloc ? c->n_alloc * 2 : 16;
        PolicySection *s = reallocarray(p->sections, n, sizeof(*s));
        if (!s)
                return -ENOMEM;
        p->sections = s;
        SectionState *st = reallocarray(c->states, n, sizeof(*st));
        if (!st)
                return -ENOMEM;
        c->states = st;
        c->n_alloc = n;
        return 0;
}

static void section_enter(ParseContext *c, SectionKind kind, size_t index) {
        PolicySection *s = &c->policy->sections[index];

        c->kind = kind;
        c->index = index;
        c->limit = &s->limit;
        c->user_limit = &s->user_limit;
        c->time_limit = &s->time_limit;
        c->burst = &c->states[index].burst;
        c->user_burst = &c->states[index].user_burst;
        c->states[index].file = c->file;
        c->states[index].line = c->line;
}

static int section_open(ParseContext *c, const char *name) {
        PolicySection *s;
        SectionState *st;
        const char *label;
        size_t index;
        int r;

        section_close(c);
        if (c->failed)
                return 0;

        memset(c->key_line, 0, sizeof(c->key_line));
        c->section_line = c->line;
        strcpy(c->section, name);       /* length checked by the caller */

        if (strcmp(name, "Daemon") == 0) {
                if (c->daemon_line)
                        return parse_error(c, c->line, NULL, "duplicate section [Daemon] (first on line %u)",
                                           c->daemon_line);
                c->daemon_line = c->line;
                c->kind = SECTION_DAEMON;
                c->limit = &c->policy->global;
                c->user_limit = &c->policy->global_user;
                c->time_limit = &c->policy->global_time;
                c->burst = &c->global_burst;
                c->user_burst = &c->global_user_burst;
                return 0;
        }
        if (strcmp(name, "Default") == 0) {
                if (c->default_line)
                        return parse_error(c, c->line, NULL, "duplicate section [Default] (first on line %u)",
                                           c->default_line);
                c->default_line = c->line;
                s = &c->policy->sections[POLICY_DEFAULT];
                if (!s->line) {
                        s->line = c->line;
                        s->file = c->file;
                }
                section_enter(c, SECTION_DEFAULT, POLICY_DEFAULT);
                return 0;
        }
        if (strcmp(name, "Cgroup") == 0)
                return parse_error(c, c->line, NULL, "section [Cgroup] needs a label: [Cgroup LABEL]");
        if (strncmp(name, POLICY_CGROUP_PREFIX, strlen(POLICY_CGROUP_PREFIX)) != 0)
                return parse_error(c, c->line, NULL, "unknown section [%s]", name);

        label = name + strlen(POLICY_CGROUP_PREFIX);
        if (!label_is_valid(label))
                return parse_error(c, c->line, NULL,
                                   "invalid section label '%s' (use letters, digits and -_.:@)", label);
        if (strindex_get(&c->policy->by_label, label, strlen(label), &index) >= 0) {
                /* An earlier file's section: this file changes its keys. */
                st = &c->states[index];
                if (st->file == c->file)
                        return parse_error(c, c->line, NULL,
                                           "duplicate section label '%s' (first defined on line %u)",
                                           label, st->line);
                section_enter(c, SECTION_CGROUP, index);
                return 0;
        }
        if (c->policy->n_sections - 1 >= POLICY_SECTIONS_MAX)
                return parse_error(c, c->line, NULL, "too many [Cgroup] sections (max %d)", POLICY_SECTIONS_MAX);

        r = sections_grow(c);
        if (r < 0)
                return r;
        index = c->policy->n_sections;
        s = &c->policy->sections[index];
        *s = (PolicySection) { .line = c->line, .file = c->file };
        c->states[index] = (SectionState) {};
        s->label = strdup(label);
        if (!s->label)
                return -ENOMEM;
        c->policy->n_sections++;
        r = strindex_put(&c->policy->by_label, s->label, index, NULL);
        if (r < 0)
                return r;
        section_enter(c, SECTION_CGROUP, index);
        return 0;
}

/* Called on every raw line before inih sees it. */
static int line_check(ParseContext *c, const char *line) {
        const char *s = line, *end, *t;
        char name[POLICY_SECTION_NAME_MAX + 1], key[POLICY_ERROR_KEY_MAX];
        size_t len;

        while (isspace((unsigned char) *s))
                s++;
        if (!*s || *s == ';' || *s == '#')
                return 0;       /* blank or comment; inih ignores these, indented or not */
        if (s != line)
                return parse_error(c, c->line, NULL,
                                   "indented line (inih would join it to the previous value; "
                                   "start keys and sections at the beginning of the line)");

        if (*s != '[') {
                /* inih splits at the first '=' or ':'. */
                t = s + strcspn(s, "=:");
                if (*t == ':') {
                        for (len = t - s; len > 0 && isspace((unsigned char) s[len - 1]); len--)
                                ;
                        if (len == 0)
                                return parse_error(c, c->line, NULL, "':' without a key; write KEY=VALUE");
                        snprintf(key, sizeof(key), "%.*s", (int) len, s);
                        return parse_error(c, c->line, key, "':' after key %s; write KEY=VALUE", key);
                }
                for (t = strchr(s, ';'); t; t = strchr(t + 1, ';'))
                        if (isspace((unsigned char) t[-1]))
                                return parse_error(c, c->line, NULL,
                                                   "inline comment after value; comments go on their own "
                                                   "line (';' or '#' at the start of a line)");
                return 0;
        }

        end = strchr(s, ']');
        if (!end)
                return parse_error(c, c->line, NULL, "section header without closing ']'");
        for (t = end + 1; isspace((unsigned char) *t); t++)
                ;
        if (*t)
                return parse_error(c, c->line, NULL, "trailing text '%s' after section header; comments go on "
                                   "their own line (';' or '#' at the start of a line)", t);
        len = end - (s + 1);
        if (len > POLICY_SECTION_NAME_MAX) {
                if (strncmp(s + 1, POLICY_CGROUP_PREFIX, strlen(POLICY_CGROUP_PREFIX)) == 0)
                        return parse_error(c, c->line, NULL, "section label too long (%zu characters, max %d)",
                                           len - strlen(POLICY_CGROUP_PREFIX), POLICY_LABEL_MAX);
                return parse_error(c, c->line, NULL, "section name too long (%zu characters, max %d)",
                                   len, POLICY_SECTION_NAME_MAX);
        }
        memcpy(name, s + 1, len);
        name[len] = '\0';
        return section_open(c, name);
}

static char *policy_reader(char *buf, int size, void *userdata) {
        ParseContext *c = userdata;
        char *line;
        ssize_t n;
        int r;

        if (c->failed || c->read_errno)
                return NULL;

        errno = 0;
        n = getline(&c->raw, &c->raw_size, c->f);
        if (n < 0) {
                if (ferror(c->f))
                        c->read_errno = errno > 0 ? errno : EIO;
                else if (errno == ENOMEM)
                        c->read_errno = ENOMEM;
                return NULL;
        }
        c->line++;

        line = c->raw;
        if (n > 0 && line[n - 1] == '\n')
                line[--n] = '\0';
        if (strlen(line) != (size_t) n) {
                parse_error(c, c->line, NULL, "NUL byte in line");
                return NULL;
        }
        if (c->line == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0) {
                line += 3;      /* UTF-8 byte order mark */
                n -= 3;
        }
        /* inih reads at most size - 1 characters and would treat the rest
         * as a line of its own. */
        if (n > size - 1) {
                parse_error(c, c->line, NULL, "line too long (%zi characters, max %d)", n, size - 1);
                return NULL;
        }

        r = line_check(c, line);
        if (r < 0) {
                c->read_errno = -r;
                return NULL;
        }
        if (c->failed)
                return NULL;

        memcpy(buf, line, n + 1);
        return buf;
}

/* Looks a user (group) up: 1 with *ret set, 0 if there is none of that
 * name, or a negative errno. */
static int lookup_id(bool group, const char *name, uint32_t *ret) {
        long max = sysconf(group ? _SC_GETGR_R_SIZE_MAX : _SC_GETPW_R_SIZE_MAX);
        size_t size = max > 0 ? (size_t) max : 4096;
        int r;

        for (;;) {
                _cleanup_free_ char *buf = malloc(size);
                struct passwd pw, *pwp = NULL;
                struct group gr, *grp = NULL;

                if (!buf)
                        return -ENOMEM;
                if (group)
                        r = getgrnam_r(name, &gr, buf, size, &grp);
                else
                        r = getpwnam_r(name, &pw, buf, size, &pwp);
                if (r == ERANGE && size < 1024 * 1024) {
                        size *= 2;
                        continue;
                }
                if (r == 0 && (pwp || grp)) {
                        *ret = group ? grp->gr_gid : pwp->pw_uid;
                        return 1;
                }
                /* getpwnam(3): these mean "not found" too. */
                if (r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
                        return 0;
                return -r;
        }
}

/* Users=/Groups=: names or numeric ids separated by whitespace. */
static int parse_ids(ParseContext *c, bool group, const char *name, const char *value,
                     uint32_t **ret, size_t *ret_n) {
        const char *what = group ? "group" : "user";
        _cleanup_free_ uint32_t *ids = NULL;
        char token[256];
        size_t n = 0, len;
        uint64_t u;
        int r;

        ids = calloc(POLICY_IDS_MAX, sizeof(*ids));
        if (!ids)
                return -ENOMEM;
        for (const char *v = value; *v; v += len) {
                v += strspn(v, " \t");
                len = strcspn(v, " \t");
                if (len == 0)
                        break;
                if (*v == '#')
                        return parse_error(c, c->line, name, "trailing text '%s' after value of %s=; comments "
                                           "go on their own line (';' or '#' at the start of a line)", v, name);
                if (n >= POLICY_IDS_MAX)
                        return parse_error(c, c->line, name, "too many entries in %s= (max %d)", name,
                                           POLICY_IDS_MAX);
                if (len >= sizeof(token))
                        return parse_error(c, c->line, name, "%s name too long in %s=", what, name);
                memcpy(token, v, len);
                token[len] = '\0';

                if (isdigit((unsigned char) token[0]) && strspn(token, "0123456789") == len) {
                        /* (uid_t) -1 means "no id" to the kernel. */
                        if (parse_uint(token, UINT32_MAX - 1, &u) < 0)
                                return parse_error(c, c->line, name, "invalid %s id %s in %s= (0 to %u)",
                                                   what, token, name, UINT32_MAX - 1);
                        ids[n++] = (uint32_t) u;
                        continue;
                }
                r = lookup_id(group, token, &ids[n]);
                if (r < 0) {
                        parse_error(c, c->line, name, "cannot look up %s '%s' in %s=: %s", what, token, name,
                                    strerror(-r));
                        return r;
                }
                if (r == 0)
                        return parse_error(c, c->line, name, "unknown %s '%s' in %s=", what, token, name);
                n++;
        }

        free(*ret);
        *ret = TAKE_PTR(ids);
        *ret_n = n;
        return 0;
}

static int handle_value(ParseContext *c, Key key, const char *name, const char *value) {
        PolicySection *s = c->kind == SECTION_DAEMON ? NULL : &c->policy->sections[c->index];
        BurstKey *burst;
        uint64_t u;
        unsigned depth;
        size_t index;
        char *path;
        int r;

        switch (key) {
        case KEY_PATH:
                if (!policy_path_is_valid(value, &depth))
                        return parse_error(c, c->line, name,
                                           "invalid Path=%s (absolute cgroup path, at most %d components, "
                                           "no '.' or '..' components, no '//', no trailing '/')",
                                           value, POLICY_DEPTH_MAX);
                if (strindex_get(&c->paths, value, strlen(value), &index) >= 0)
                        return parse_error(c, c->line, name,
                                           "duplicate Path=%s (already used by [Cgroup %s] on line %u)",
                                           value, c->policy->sections[index].label, c->states[index].path_line);
                path = strdup(value);
                if (!path)
                        return -ENOMEM;
                free(s->path);
                s->path = path;
                r = strindex_put(&c->paths, s->path, c->index, NULL);
                if (r < 0)
                        return r;
                s->depth = depth;
                c->states[c->index].path_file = c->file;
                c->states[c->index].path_line = c->line;
                return 0;

        case KEY_ALLOW:
        case KEY_ALLOW_ALL_CPUS:
                if (parse_bool(value, key == KEY_ALLOW ? &s->allow : &s->allow_all_cpus) < 0)
                        return parse_error(c, c->line, name,
                                           "invalid boolean %s=%s (use yes/no, true/false, on/off, 1/0)",
                                           name, value);
                return 0;

        case KEY_RATE:
        case KEY_GLOBAL_RATE:
        case KEY_RATE_PER_USER:
        case KEY_GLOBAL_RATE_PER_USER:
                if (parse_rate(value, key_is_per_user(key) ? c->user_limit : c->limit) < 0)
                        return parse_error(c, c->line, name, "invalid rate %s=%s (use N/s, N/min, N/h with "
                                           "1 <= N <= %llu, or unlimited)", name, value,
                                           (unsigned long long) QUOTA_TOKENS_MAX);
                return 0;

        case KEY_FLUSH_TIME:
        case KEY_GLOBAL_FLUSH_TIME:
                if (parse_flush_time(value, c->time_limit) < 0)
                        return parse_error(c, c->line, name, "invalid time budget %s=%s (use DURATION/PERIOD "
                                           "such as 20ms/s or 2s/min, with ns, us, ms or s and a duration no "
                                           "longer than the period, or unlimited)", name, value);
                return 0;

        case KEY_BURST:
        case KEY_GLOBAL_BURST:
        case KEY_BURST_PER_USER:
        case KEY_GLOBAL_BURST_PER_USER:
                r = parse_uint(value, QUOTA_BURST_MAX, &u);
                if (r < 0 || u == 0)
                        return parse_error(c, c->line, name, "invalid %s=%s (an integer from 1 to %llu)",
                                           name, value, (unsigned long long) QUOTA_BURST_MAX);
                burst = key_is_per_user(key) ? c->user_burst : c->burst;
                *burst = (BurstKey) { .value = u, .line = c->line };
                return 0;

        case KEY_USERS:
                return parse_ids(c, false, name, value, (uint32_t **) &s->users, &s->n_users);
        case KEY_GROUPS:
                return parse_ids(c, true, name, value, (uint32_t **) &s->groups, &s->n_groups);

        case _KEY_MAX:
                break;
        }
        assert(false);
        return -EINVAL;
}

/* inih's convention: nonzero means success. */
static int policy_handler(void *userdata, const char *section, const char *name, const char *value) {
        ParseContext *c = userdata;
        const char *t;
        size_t i;
        int r;

        if (c->failed || c->read_errno)
                return 0;
        if (c->kind == SECTION_NONE)
                return parse_error(c, c->line, name, "key %s= before any section", name);
        assert(strcmp(section, c->section) == 0);

        for (i = 0; i < ELEMENTSOF(keys); i++)
                if (strcmp(keys[i].name, name) == 0 && (keys[i].kinds & (1u << c->kind)))
                        break;
        if (i >= ELEMENTSOF(keys))
                return parse_error(c, c->line, name, "unknown key %s= in section [%s]", name, c->section);
        if (c->key_line[keys[i].key])
                return parse_error(c, c->line, name, "duplicate key %s= (first set on line %u)",
                                   name, c->key_line[keys[i].key]);
        c->key_line[keys[i].key] = c->line;

        if (!*value)
                return parse_error(c, c->line, name, "empty value for %s=", name);
        for (t = value; *t && !isspace((unsigned char) *t); t++)
                ;
        if (*t && keys[i].key != KEY_USERS && keys[i].key != KEY_GROUPS) {
                while (isspace((unsigned char) *t))
                        t++;
                return parse_error(c, c->line, name, "trailing text '%s' after value of %s=; comments go on "
                                   "their own line (';' or '#' at the start of a line)", t, name);
        }

        r = handle_value(c, keys[i].key, name, value);
        if (r < 0) {
                c->read_errno = -r;
                return 0;
        }
        return !c->failed;
}

/* Resets what belongs to one file. */
static void parse_file_done(ParseContext *c) {
        if (c->f) {
                fclose(c->f);
                c->f = NULL;
        }
        strindex_done(&c->paths);
        c->paths = (StrIndex) {};
        c->line = 0;
        c->read_errno = 0;
        c->daemon_line = c->default_line = 0;
        c->kind = SECTION_NONE;
}

static void parse_context_done(ParseContext *c) {
        parse_file_done(c);
        free(c->raw);
        free(c->states);
}

static int policy_parse(ParseContext *c) {
        int r;

        r = ini_parse_stream(policy_reader, c, policy_handler, c);
        if (c->read_errno) {
                if (!c->failed)
                        parse_error(c, 0, NULL, "cannot read: %s", strerror(c->read_errno));
                return -c->read_errno;
        }
        if (r < 0) {
                /* inih's -1/-2 are its own codes, not errnos. */
                r = r == -2 ? -ENOMEM : -EIO;
                c->failed = false;
                parse_error(c, 0, NULL, "cannot parse: %s", strerror(-r));
                return r;
        }
        if (!c->failed)
                section_close(c);
        if (r > 0 && (!c->failed || (unsigned) r < c->error->line)) {
                /* inih's own complaint, as a line number: a line that is
                 * neither a section, a comment nor KEY=VALUE. */
                c->failed = false;
                parse_error(c, (unsigned) r, NULL, "expected [Section], KEY=VALUE or a comment");
        }
        return c->failed ? POLICY_E_INVALID : 0;
}

/* Reads one more file into c->policy. */
static int parse_file(ParseContext *c, const char *file) {
        Policy *p = c->policy;
        char **files;
        int r;

        files = reallocarray(p->files, p->n_files + 1, sizeof(*files));
        if (!files)
                return -ENOMEM;
        p->files = files;
        p->files[p->n_files] = strdup(file);
        if (!p->files[p->n_files])
                return -ENOMEM;
        c->file = p->n_files++;

        c->f = fopen(file, "re");
        if (!c->f) {
                r = -errno;
                parse_error(c, 0, NULL, "cannot open: %s", strerror(-r));
        } else
                r = policy_parse(c);
        parse_file_done(c);
        return r;
}

/* Adds dir's drop-ins; an error names the directory. */
static int parse_dropin_dir(ParseContext *c, DropIns *d, const char *dir) {
        int r = dropins_add_dir(d, dir);

        if (r == -E2BIG)
                parse_error_at(c, SIZE_MAX, 0, NULL, "too many drop-ins (max %d)", POLICY_DROPINS_MAX);
        else if (r < 0 && r != -ENOMEM)
                parse_error_at(c, SIZE_MAX, 0, NULL, "cannot read directory: %s", strerror(-r));
        else
                return r;
        escape_utf8(dir, c->error->file, sizeof(c->error->file));
        return r == -E2BIG ? POLICY_E_INVALID : r;
}

static void burst_finish(QuotaLimit *limit, const BurstKey *burst) {
        if (quota_limit_is_unlimited(limit))
                limit->burst = 0;
        else if (burst->line)
                limit->burst = burst->value;
        else
                limit->burst = quota_default_burst(limit->tokens, limit->period_ns);
}

/* What depends on all files: the bursts and one section per Path=. */
static int policy_finish(ParseContext *c) {
        Policy *p = c->policy;
        size_t other;
        int r;

        burst_finish(&p->global, &c->global_burst);
        burst_finish(&p->global_user, &c->global_user_burst);
        for (size_t i = 0; i < p->n_sections; i++) {
                PolicySection *s = &p->sections[i];
                SectionState *st = &c->states[i];

                burst_finish(&s->limit, &st->burst);
                burst_finish(&s->user_limit, &st->user_burst);
                if (!s->path)
                        continue;
                r = strindex_put(&p->by_path, s->path, i, &other);
                if (r == -EEXIST) {
                        SectionState *o = &c->states[other];
                        size_t later = i, earlier = other;

                        /* Blame the one set later. */
                        if (o->path_file > st->path_file ||
                            (o->path_file == st->path_file && o->path_line > st->path_line))
                                later = other, earlier = i;
                        parse_error_at(c, c->states[later].path_file, c->states[later].path_line, "Path",
                                       "duplicate Path=%s (already used by [Cgroup %s] in %s on line %u)",
                                       s->path, p->sections[earlier].label,
                                       p->files[c->states[earlier].path_file], c->states[earlier].path_line);
                        return POLICY_E_INVALID;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int policy_load_paths(const char *main_file, const char *const *dropin_dirs, size_t n_dirs,
                      Policy **ret, PolicyError *ret_error) {
        _cleanup_(policy_freep) Policy *p = NULL;
        PolicyError error = {};
        _cleanup_(parse_context_done) ParseContext c = { .error = &error };
        _cleanup_(dropins_done) DropIns d = {};
        int r = 0;

        assert(dropin_dirs || n_dirs == 0);
        assert(ret);

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        c.policy = p;
        r = sections_grow(&c);
        if (r < 0)
                return r;
        p->sections[POLICY_DEFAULT] = (PolicySection) {};
        c.states[POLICY_DEFAULT] = (SectionState) {};
        p->n_sections = 1;

        if (main_file) {
                p->file = strdup(main_file);
                if (!p->file)
                        return -ENOMEM;
                r = parse_file(&c, main_file);
        }
        for (size_t i = 0; r == 0 && i < n_dirs; i++)
                r = parse_dropin_dir(&c, &d, dropin_dirs[i]);
        if (r == 0)
                dropins_sort(&d);
        for (size_t i = 0; r == 0 && i < d.n; i++)
                if (!d.items[i].masked)
                        r = parse_file(&c, d.items[i].path);
        if (r == 0)
                r = policy_finish(&c);
        if (ret_error)
                *ret_error = error;
        if (r != 0)
                return r;

        *ret = TAKE_PTR(p);
        return 0;
}

int policy_load(const char *file, Policy **ret, PolicyError *ret_error) {
        assert(file);
        return policy_load_paths(file, NULL, 0, ret, ret_error);
}
