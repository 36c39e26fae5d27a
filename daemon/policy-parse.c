/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-parse.c - read a policy file with libinih, refusing what it accepts silently
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
 *    Burst= only with a Rate=).
 *
 * The first error stops the reader; inih's own syntax errors come back as a
 * line number, which is turned into a message here and never passed on as
 * an errno. The file is accepted only if inih returns 0 and nothing was
 * recorded.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
        KEY_GLOBAL_FLUSH_TIME,
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
        { "GlobalFlushTime", KEY_GLOBAL_FLUSH_TIME, 1u << SECTION_DAEMON },
};

typedef struct ParseContext {
        FILE *f;
        char *raw;
        size_t raw_size;
        unsigned line;
        int read_errno;

        bool failed;
        PolicyError *error;

        Policy *policy;
        unsigned *path_lines;           /* parallel to policy->sections */
        size_t n_alloc;

        SectionKind kind;
        char section[POLICY_SECTION_NAME_MAX + 1];
        unsigned section_line;
        unsigned key_line[_KEY_MAX];    /* where each key of this section was set */
        QuotaLimit *limit;              /* the limit Rate=/Burst= of this section set */
        QuotaLimit *user_limit;         /* RatePerUser=/BurstPerUser=; NULL in [Daemon] */
        QuotaLimit *time_limit;         /* FlushTime= or GlobalFlushTime= */
        unsigned daemon_line;
} ParseContext;

/* Records the first error; returns 0, which is both "no errno" for our
 * callers and "stop" for inih's handler. */
__attribute__((format(printf, 3, 4)))
static int parse_error(ParseContext *c, unsigned line, const char *format, ...) {
        va_list ap;

        if (c->failed)
                return 0;       /* only the first error is reported */
        c->failed = true;
        c->error->line = line;
        va_start(ap, format);
        vsnprintf(c->error->message, sizeof(c->error->message), format, ap);
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

static void limit_close(ParseContext *c, QuotaLimit *limit, unsigned burst_line, const char *rate_key) {
        if (quota_limit_is_unlimited(limit)) {
                if (burst_line)
                        parse_error(c, burst_line, "a burst needs a rate limit (%s= is unset or unlimited)",
                                    rate_key);
                limit->burst = 0;
        } else if (!burst_line)
                limit->burst = quota_default_burst(limit->tokens, limit->period_ns);
}

/* Checks that need the whole section; called when the next one starts and at EOF. */
static void section_close(ParseContext *c) {
        unsigned burst_line = 0;

        switch (c->kind) {
        case SECTION_NONE:
                return;
        case SECTION_CGROUP:
                if (!c->key_line[KEY_PATH])
                        parse_error(c, c->section_line, "section [%s] has no Path=", c->section);
                __attribute__((fallthrough));
        case SECTION_DEFAULT:
                burst_line = c->key_line[KEY_BURST];
                break;
        case SECTION_DAEMON:
                burst_line = c->key_line[KEY_GLOBAL_BURST];
                break;
        }

        limit_close(c, c->limit, burst_line, c->kind == SECTION_DAEMON ? "GlobalRate" : "Rate");
        if (c->user_limit)
                limit_close(c, c->user_limit, c->key_line[KEY_BURST_PER_USER], "RatePerUser");
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
        unsigned *l = reallocarray(c->path_lines, n, sizeof(*l));
        if (!l)
                return -ENOMEM;
        c->path_lines = l;
        c->n_alloc = n;
        return 0;
}

static int section_open(ParseContext *c, const char *name) {
        PolicySection *s;
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
                        return parse_error(c, c->line, "duplicate section [Daemon] (first on line %u)",
                                           c->daemon_line);
                c->daemon_line = c->line;
                c->kind = SECTION_DAEMON;
                c->limit = &c->policy->global;
                c->user_limit = NULL;
                c->time_limit = &c->policy->global_time;
                return 0;
        }
        if (strcmp(name, "Default") == 0) {
                s = &c->policy->sections[POLICY_DEFAULT];
                if (s->line)
                        return parse_error(c, c->line, "duplicate section [Default] (first on line %u)",
                                           s->line);
                s->line = c->line;
                c->kind = SECTION_DEFAULT;
                c->limit = &s->limit;
                c->user_limit = &s->user_limit;
                c->time_limit = &s->time_limit;
                return 0;
        }
        if (strcmp(name, "Cgroup") == 0)
                return parse_error(c, c->line, "section [Cgroup] needs a label: [Cgroup LABEL]");
        if (strncmp(name, POLICY_CGROUP_PREFIX, strlen(POLICY_CGROUP_PREFIX)) != 0)
                return parse_error(c, c->line, "unknown section [%s]", name);

        label = name + strlen(POLICY_CGROUP_PREFIX);
        if (!label_is_valid(label))
                return parse_error(c, c->line,
                                   "invalid section label '%s' (use letters, digits and -_.:@)", label);
        if (strindex_get(&c->policy->by_label, label, strlen(label), &index) >= 0)
                return parse_error(c, c->line, "duplicate section label '%s' (first defined on line %u)",
                                   label, c->policy->sections[index].line);
        if (c->policy->n_sections - 1 >= POLICY_SECTIONS_MAX)
                return parse_error(c, c->line, "too many [Cgroup] sections (max %d)", POLICY_SECTIONS_MAX);

        r = sections_grow(c);
        if (r < 0)
                return r;
        s = &c->policy->sections[c->policy->n_sections];
        *s = (PolicySection) { .line = c->line };
        s->label = strdup(label);
        if (!s->label)
                return -ENOMEM;
        r = strindex_put(&c->policy->by_label, s->label, c->policy->n_sections, NULL);
        if (r < 0)
                return r;
        c->path_lines[c->policy->n_sections] = 0;
        c->policy->n_sections++;
        c->kind = SECTION_CGROUP;
        c->limit = &s->limit;
        c->user_limit = &s->user_limit;
        c->time_limit = &s->time_limit;
        return 0;
}

/* Called on every raw line before inih sees it. */
static int line_check(ParseContext *c, const char *line) {
        const char *s = line, *end, *t;
        char name[POLICY_SECTION_NAME_MAX + 1];
        size_t len;

        while (isspace((unsigned char) *s))
                s++;
        if (!*s || *s == ';' || *s == '#')
                return 0;       /* blank or comment; inih ignores these, indented or not */
        if (s != line)
                return parse_error(c, c->line,
                                   "indented line (inih would join it to the previous value; "
                                   "start keys and sections at the beginning of the line)");

        if (*s != '[') {
                for (t = strchr(s, ';'); t; t = strchr(t + 1, ';'))
                        if (isspace((unsigned char) t[-1]))
                                return parse_error(c, c->line,
                                                   "inline comment after value; comments go on their own "
                                                   "line (';' or '#' at the start of a line)");
                return 0;
        }

        end = strchr(s, ']');
        if (!end)
                return parse_error(c, c->line, "section header without closing ']'");
        for (t = end + 1; isspace((unsigned char) *t); t++)
                ;
        if (*t)
                return parse_error(c, c->line, "trailing text '%s' after section header; comments go on "
                                   "their own line (';' or '#' at the start of a line)", t);
        len = end - (s + 1);
        if (len > POLICY_SECTION_NAME_MAX) {
                if (strncmp(s + 1, POLICY_CGROUP_PREFIX, strlen(POLICY_CGROUP_PREFIX)) == 0)
                        return parse_error(c, c->line, "section label too long (%zu characters, max %d)",
                                           len - strlen(POLICY_CGROUP_PREFIX), POLICY_LABEL_MAX);
                return parse_error(c, c->line, "section name too long (%zu characters, max %d)",
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
                parse_error(c, c->line, "NUL byte in line");
                return NULL;
        }
        if (c->line == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0) {
                line += 3;      /* UTF-8 byte order mark */
                n -= 3;
        }
        /* inih reads at most size - 1 characters and would treat the rest
         * as a line of its own. */
        if (n > size - 1) {
                parse_error(c, c->line, "line too long (%zi characters, max %d)", n, size - 1);
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

static int handle_value(ParseContext *c, Key key, const char *name, const char *value) {
        PolicySection *s = c->kind == SECTION_DAEMON ? NULL : c->kind == SECTION_DEFAULT ?
                &c->policy->sections[POLICY_DEFAULT] : &c->policy->sections[c->policy->n_sections - 1];
        uint64_t u;
        unsigned depth;
        size_t index;
        int r;

        switch (key) {
        case KEY_PATH:
                if (!policy_path_is_valid(value, &depth))
                        return parse_error(c, c->line,
                                           "invalid Path=%s (absolute cgroup path, at most %d components, "
                                           "no '.' or '..' components, no '//', no trailing '/')",
                                           value, POLICY_DEPTH_MAX);
                if (strindex_get(&c->policy->by_path, value, strlen(value), &index) >= 0)
                        return parse_error(c, c->line,
                                           "duplicate Path=%s (already used by [Cgroup %s] on line %u)",
                                           value, c->policy->sections[index].label, c->path_lines[index]);
                s->path = strdup(value);
                if (!s->path)
                        return -ENOMEM;
                r = strindex_put(&c->policy->by_path, s->path, c->policy->n_sections - 1, NULL);
                if (r < 0)
                        return r;
                s->depth = depth;
                c->path_lines[c->policy->n_sections - 1] = c->line;
                return 0;

        case KEY_ALLOW:
        case KEY_ALLOW_ALL_CPUS:
                if (parse_bool(value, key == KEY_ALLOW ? &s->allow : &s->allow_all_cpus) < 0)
                        return parse_error(c, c->line, "invalid boolean %s=%s (use yes/no, true/false, on/off, 1/0)",
                                           name, value);
                return 0;

        case KEY_RATE:
        case KEY_GLOBAL_RATE:
                if (parse_rate(value, c->limit) < 0)
                        return parse_error(c, c->line, "invalid rate %s=%s (use N/s, N/min, N/h with 1 <= N <= %llu, "
                                           "or unlimited)", name, value, (unsigned long long) QUOTA_TOKENS_MAX);
                return 0;

        case KEY_RATE_PER_USER:
                if (parse_rate(value, c->user_limit) < 0)
                        return parse_error(c, c->line, "invalid rate %s=%s (use N/s, N/min, N/h with 1 <= N <= %llu, "
                                           "or unlimited)", name, value, (unsigned long long) QUOTA_TOKENS_MAX);
                return 0;

        case KEY_FLUSH_TIME:
        case KEY_GLOBAL_FLUSH_TIME:
                if (parse_flush_time(value, c->time_limit) < 0)
                        return parse_error(c, c->line, "invalid time budget %s=%s (use DURATION/PERIOD such as "
                                           "20ms/s or 2s/min, with ns, us, ms or s and a duration no longer than "
                                           "the period, or unlimited)", name, value);
                return 0;

        case KEY_BURST:
        case KEY_GLOBAL_BURST:
        case KEY_BURST_PER_USER:
                r = parse_uint(value, QUOTA_BURST_MAX, &u);
                if (r < 0 || u == 0)
                        return parse_error(c, c->line, "invalid %s=%s (an integer from 1 to %llu)",
                                           name, value, (unsigned long long) QUOTA_BURST_MAX);
                (key == KEY_BURST_PER_USER ? c->user_limit : c->limit)->burst = u;
                return 0;

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
                return parse_error(c, c->line, "key %s= before any section", name);
        assert(strcmp(section, c->section) == 0);

        for (i = 0; i < ELEMENTSOF(keys); i++)
                if (strcmp(keys[i].name, name) == 0 && (keys[i].kinds & (1u << c->kind)))
                        break;
        if (i >= ELEMENTSOF(keys))
                return parse_error(c, c->line, "unknown key %s= in section [%s]", name, c->section);
        if (c->key_line[keys[i].key])
                return parse_error(c, c->line, "duplicate key %s= (first set on line %u)",
                                   name, c->key_line[keys[i].key]);
        c->key_line[keys[i].key] = c->line;

        if (!*value)
                return parse_error(c, c->line, "empty value for %s=", name);
        for (t = value; *t && !isspace((unsigned char) *t); t++)
                ;
        if (*t) {
                while (isspace((unsigned char) *t))
                        t++;
                return parse_error(c, c->line, "trailing text '%s' after value of %s=; comments go on their "
                                   "own line (';' or '#' at the start of a line)", t, name);
        }

        r = handle_value(c, keys[i].key, name, value);
        if (r < 0) {
                c->read_errno = -r;
                return 0;
        }
        return !c->failed;
}

static void parse_context_done(ParseContext *c) {
        if (c->f)
                fclose(c->f);
        free(c->raw);
        free(c->path_lines);
}

static int policy_parse(ParseContext *c) {
        int r;

        r = ini_parse_stream(policy_reader, c, policy_handler, c);
        if (c->read_errno) {
                snprintf(c->error->message, sizeof(c->error->message), "cannot read: %s",
                         strerror(c->read_errno));
                return -c->read_errno;
        }
        if (r < 0) {
                /* inih's -1/-2 are its own codes, not errnos. */
                r = r == -2 ? -ENOMEM : -EIO;
                snprintf(c->error->message, sizeof(c->error->message), "cannot parse: %s", strerror(-r));
                return r;
        }
        if (!c->failed)
                section_close(c);
        if (r > 0 && (!c->failed || (unsigned) r < c->error->line)) {
                /* inih's own complaint, as a line number: a line that is
                 * neither a section, a comment nor KEY=VALUE. */
                c->failed = false;
                parse_error(c, (unsigned) r, "expected [Section], KEY=VALUE or a comment");
        }
        return c->failed ? POLICY_E_INVALID : 0;
}

int policy_load(const char *file, Policy **ret, PolicyError *ret_error) {
        _cleanup_(policy_freep) Policy *p = NULL;
        PolicyError error = {};
        _cleanup_(parse_context_done) ParseContext c = { .error = &error };
        int r;

        assert(file);
        assert(ret);

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->file = strdup(file);
        if (!p->file)
                return -ENOMEM;
        c.policy = p;
        r = sections_grow(&c);
        if (r < 0)
                return r;
        p->sections[POLICY_DEFAULT] = (PolicySection) {};
        c.path_lines[POLICY_DEFAULT] = 0;
        p->n_sections = 1;

        c.f = fopen(file, "re");
        if (!c.f) {
                r = -errno;
                snprintf(error.message, sizeof(error.message), "cannot open: %s", strerror(-r));
        } else
                r = policy_parse(&c);
        if (ret_error)
                *ret_error = error;
        if (r != 0)
                return r;

        *ret = TAKE_PTR(p);
        return 0;
}
