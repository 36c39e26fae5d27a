/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-client.c - libflushd and flushctl against a fake org.flushd.Flush1
 *
 * The client side of the D-Bus contract, without a daemon: a test double
 * (fake-flush1.c) on a private bus answers with canned dictionaries or
 * with one error name at a time. Every error name must become its own
 * documented FLUSHD_E_* code in every call, and its own flushctl exit
 * status in every verb; the bus's own refusal (a policy that denies the
 * call) and a missing daemon too. The canned answers must come back whole
 * through the accessors, and flushctl's --json output must parse as JSON
 * and carry them.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus/flush1.h"
#include "fake-flush1.h"
#include "flushd.h"
#include "tests.h"
#include "util/macro.h"

static const struct {
        const char *name;
        int code;
        int status;     /* flushctl's exit status */
} errors[] = {
        { FLUSH1_ERROR_ACCESS_DENIED,  FLUSHD_E_ACCESS_DENIED,  3 },
        { FLUSH1_ERROR_QUOTA_EXCEEDED, FLUSHD_E_QUOTA_EXCEEDED, 4 },
        { FLUSH1_ERROR_INVALID_FD,     FLUSHD_E_INVALID_FD,     5 },
        { FLUSH1_ERROR_NOT_SUPPORTED,  FLUSHD_E_NOT_SUPPORTED,  6 },
        { FLUSH1_ERROR_BUSY,           FLUSHD_E_BUSY,           7 },
        { FLUSH1_ERROR_INVALID_ARGS,   FLUSHD_E_INVALID_ARGS,   8 },
        { FLUSH1_ERROR_KERNEL,         FLUSHD_E_KERNEL,         10 },
        { FLUSH1_ERROR_INVALID_POLICY, FLUSHD_E_INVALID_POLICY, 11 },
};

/* Each call of the API once; returns its return value, *ret_error as handed out. */
static int call_one(FlushdClient *c, int which, FlushdError **ret_error) {
        FlushdExplain *e = NULL;
        FlushdQuota *q = NULL;
        FlushdCgroupList *l = NULL;
        FlushdStatus *s = NULL;
        FlushdResult res;
        int r;

        switch (which) {
        case 0: {
                int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);       /* any fd: the fake does not look */

                ck_assert_int_ge(fd, 0);
                r = flushd_flush_ex(c, fd, 0, &res, ret_error);
                close(fd);
                return r;
        }
        case 1:
                r = flushd_explain(c, 0, &e, ret_error);
                flushd_explain_free(e);
                return r;
        case 2:
                r = flushd_quota(c, &q, ret_error);
                flushd_quota_free(q);
                return r;
        case 3:
                return flushd_reload(c, ret_error);
        case 4:
                r = flushd_list_cgroups(c, &l, ret_error);
                flushd_cgroup_list_free(l);
                return r;
        default:
                r = flushd_status(c, &s, ret_error);
                flushd_status_free(s);
                return r;
        }
}
#define N_CALLS 6

static FlushdClient *client_open(const FakeService *f) {
        FlushdClient *c = NULL;

        ck_assert_int_eq(flushd_open_address(&c, f->bus.address), 0);
        return c;
}

START_TEST(test_error_codes) {
        FakeService f;
        FlushdClient *c;
        FlushdError *e;
        int r;

        fake_bus_start(&f, false);
        fake_service_start(&f);
        c = client_open(&f);

        for (size_t i = 0; i < ELEMENTSOF(errors); i++) {
                fake_service_fail(&f, errors[i].name);
                for (int k = 0; k < N_CALLS; k++) {
                        r = call_one(c, k, &e);
                        ck_assert_msg(r == -errors[i].code, "%s, call %d: %d (%s)", errors[i].name, k, r,
                                      flushd_strerror(r));
                        ck_assert_ptr_nonnull(e);
                        ck_assert_str_eq(flushd_error_get_name(e), errors[i].name);
                        ck_assert_int_eq(flushd_error_get_code(e), r);
                        ck_assert_ptr_nonnull(strstr(flushd_error_get_message(e), "fake") ?:
                                              strstr(flushd_error_get_message(e), "retry after"));
                        flushd_error_free(e);
                        /* without ret_error as well */
                        ck_assert_int_eq(call_one(c, k, NULL), -errors[i].code);
                }
                /* distinct descriptions */
                for (size_t j = 0; j < i; j++)
                        ck_assert_str_ne(flushd_strerror(-errors[i].code), flushd_strerror(-errors[j].code));
        }

        /* success clears *ret_error */
        fake_service_fail(&f, NULL);
        for (int k = 0; k < N_CALLS; k++) {
                e = (FlushdError *) 1;
                ck_assert_int_eq(call_one(c, k, &e), 0);
                ck_assert_ptr_null(e);
        }

        flushd_close(c);
        fake_stop(&f);
}
END_TEST

START_TEST(test_retry_after) {
        FakeService f;
        FlushdClient *c;
        FlushdError *e = NULL;
        FlushdResult res;
        uint64_t usec = 0;
        char *name = NULL, *message = NULL;
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        ck_assert_int_ge(fd, 0);
        fake_bus_start(&f, false);
        fake_service_start(&f);
        c = client_open(&f);

        fake_service_fail(&f, FLUSH1_ERROR_QUOTA_EXCEEDED);
        ck_assert_int_eq(flushd_flush_ex(c, fd, 0, &res, &e), -FLUSHD_E_QUOTA_EXCEEDED);
        ck_assert_int_eq(flushd_error_get_retry_after(e, &usec), 0);
        ck_assert_uint_eq(usec, 250000);
        flushd_error_free(e);

        /* the old interface still hands out name and message */
        ck_assert_int_eq(flushd_flush_full(c, fd, 0, &res, &name, &message), -FLUSHD_E_QUOTA_EXCEEDED);
        ck_assert_str_eq(name, FLUSH1_ERROR_QUOTA_EXCEEDED);
        ck_assert_ptr_nonnull(strstr(message, "retry after 0.250s"));
        free(name);
        free(message);

        fake_service_fail(&f, FLUSH1_ERROR_BUSY);
        ck_assert_int_eq(flushd_flush_ex(c, fd, 0, &res, &e), -FLUSHD_E_BUSY);
        ck_assert_int_eq(flushd_error_get_retry_after(e, &usec), -ENODATA);
        flushd_error_free(e);
        ck_assert_int_eq(flushd_error_get_retry_after(NULL, &usec), -EINVAL);

        fake_service_fail(&f, NULL);
        ck_assert_int_eq(flushd_flush_ex(c, fd, 0, &res, &e), 0);
        ck_assert_ptr_null(e);
        ck_assert_uint_eq(res.flushed, 2);
        ck_assert_uint_eq(res.coalesced, 1);
        ck_assert_uint_eq(res.nsec, 41230);

        close(fd);
        flushd_close(c);
        fake_stop(&f);
}
END_TEST

START_TEST(test_bus_refusal_and_no_daemon) {
        char address[300];
        char *argv[] = { "status", "--bus", address, NULL };
        FakeService f;
        FlushdClient *c;
        FlushdError *e;

        /* the bus policy refuses: its own AccessDenied, not flushd's */
        fake_bus_start(&f, true);
        fake_service_start(&f);
        c = client_open(&f);
        for (int k = 0; k < N_CALLS; k++) {
                ck_assert_int_eq(call_one(c, k, &e), -FLUSHD_E_BUS_ACCESS_DENIED);
                ck_assert_str_eq(flushd_error_get_name(e), "org.freedesktop.DBus.Error.AccessDenied");
                flushd_error_free(e);
        }
        ck_assert_str_ne(flushd_strerror(-FLUSHD_E_BUS_ACCESS_DENIED), flushd_strerror(-FLUSHD_E_ACCESS_DENIED));
        snprintf(address, sizeof(address), "%s", f.bus.address);
        ck_assert_int_eq(run_flushctl(argv, NULL), 3);
        flushd_close(c);
        fake_stop(&f);

        /* nobody owns the name */
        fake_bus_start(&f, false);
        c = client_open(&f);
        for (int k = 0; k < N_CALLS; k++)
                ck_assert_int_eq(call_one(c, k, NULL), -FLUSHD_E_NO_DAEMON);
        snprintf(address, sizeof(address), "%s", f.bus.address);
        ck_assert_int_eq(run_flushctl(argv, NULL), 9);
        flushd_close(c);
        fake_stop(&f);
}
END_TEST

START_TEST(test_canned_answers) {
        FakeService f;
        FlushdClient *c;
        FlushdExplain *e = NULL;
        FlushdQuota *q = NULL;
        FlushdCgroupList *l = NULL;
        FlushdStatus *s = NULL;
        const FlushdBucket *b;
        uint64_t period;
        const FlushdCgroup *g;
        uint64_t v;
        int64_t x;

        fake_bus_start(&f, false);
        fake_service_start(&f);
        c = client_open(&f);

        ck_assert_int_eq(flushd_explain(c, FLUSHD_FLUSH_ALL_CPUS, &e, NULL), 0);
        ck_assert_str_eq(flushd_explain_get_verdict(e), "throttled");
        ck_assert_str_eq(flushd_explain_get_error(e), FLUSH1_ERROR_QUOTA_EXCEEDED);
        ck_assert_str_eq(flushd_explain_get_reason(e), "quota of batch reached");
        ck_assert_uint_eq(flushd_explain_get_uid(e), 1000);
        ck_assert_uint_eq(flushd_explain_get_pid(e), 4242);
        ck_assert_str_eq(flushd_explain_get_cgroup(e), "/batch.slice/job \"1\"");
        ck_assert_uint_eq(flushd_explain_get_n_sections(e), 2);
        ck_assert_str_eq(flushd_explain_get_section(e, 0), "batch");
        ck_assert_str_eq(flushd_explain_get_section(e, 1), "[Default]");
        ck_assert_ptr_null(flushd_explain_get_section(e, 2));
        ck_assert_str_eq(flushd_explain_get_decider(e), "batch");
        ck_assert_uint_eq(flushd_explain_get_cost(e), 4);
        ck_assert_uint_eq(flushd_explain_get_retry_after_usec(e), 400000);
        ck_assert_uint_eq(flushd_explain_get_n_buckets(e), 2);
        b = flushd_explain_get_bucket(e, 0);
        ck_assert_str_eq(flushd_bucket_get_section(b), "batch");
        ck_assert_str_eq(flushd_bucket_get_kind(b), "rate");
        ck_assert_int_eq(flushd_bucket_get_tokens(b), -2);
        ck_assert_int_eq(flushd_bucket_get_burst(b), 10);
        ck_assert_uint_eq(flushd_bucket_get_rate(b), 0);      /* 1/h, rounded down */
        ck_assert_uint_eq(flushd_bucket_get_refill(b, &period), 1);
        ck_assert_uint_eq(period, UINT64_C(3600000000));
        ck_assert_uint_eq(flushd_bucket_get_wait_usec(b), 400000);
        b = flushd_explain_get_bucket(e, 1);
        ck_assert_str_eq(flushd_bucket_get_section(b), "[Daemon]");
        ck_assert_str_eq(flushd_bucket_get_kind(b), "time");
        ck_assert_uint_eq(flushd_bucket_get_rate(b), 20000000);
        ck_assert_uint_eq(flushd_bucket_get_refill(b, NULL), 20000000);
        ck_assert_ptr_null(flushd_explain_get_bucket(e, 2));
        e = flushd_explain_free(e);

        ck_assert_int_eq(flushd_explain(c, 0, &e, NULL), 0);
        ck_assert_str_eq(flushd_explain_get_verdict(e), "granted");
        ck_assert_str_eq(flushd_explain_get_error(e), "");
        ck_assert_uint_eq(flushd_explain_get_retry_after_usec(e), 0);
        e = flushd_explain_free(e);

        ck_assert_int_eq(flushd_quota(c, &q, NULL), 0);
        ck_assert_int_eq(flushd_quota_get_tokens(q), 3);
        ck_assert_uint_eq(flushd_quota_get_retry_after_usec(q), 0);
        ck_assert_str_eq(flushd_quota_get_decider(q), "batch");
        ck_assert_int_eq(flushd_quota_get_allow(q), 1);
        ck_assert_int_eq(flushd_quota_get_allow_all_cpus(q), 0);
        ck_assert_uint_eq(flushd_quota_get_n_buckets(q), 2);
        ck_assert_int_eq(flushd_bucket_get_burst(flushd_quota_get_bucket(q, 1)), 5000000);
        q = flushd_quota_free(q);

        ck_assert_int_eq(flushd_list_cgroups(c, &l, NULL), 0);
        ck_assert_uint_eq(flushd_cgroup_list_get_n(l), 3);
        g = flushd_cgroup_list_get(l, 0);
        ck_assert_str_eq(flushd_cgroup_get_label(g), "[Default]");
        ck_assert_str_eq(flushd_cgroup_get_path(g), "");
        ck_assert_int_eq(flushd_cgroup_get_tokens(g, &x), -ENODATA);
        ck_assert_int_eq(flushd_cgroup_get_counter(g, "throttled", &v), -ENODATA);
        g = flushd_cgroup_list_get(l, 1);
        ck_assert_str_eq(flushd_cgroup_get_label(g), "batch");
        ck_assert_str_eq(flushd_cgroup_get_path(g), "/batch.slice");
        ck_assert_int_eq(flushd_cgroup_get_counter(g, "granted", &v), 0);
        ck_assert_uint_eq(v, 10);
        ck_assert_int_eq(flushd_cgroup_get_counter(g, "time_used_nsec", &v), 0);
        ck_assert_uint_eq(v, 1500000);
        ck_assert_int_eq(flushd_cgroup_get_counter(g, "users", &v), 0);
        ck_assert_uint_eq(v, 2);
        ck_assert_int_eq(flushd_cgroup_get_tokens(g, &x), 0);
        ck_assert_int_eq(x, 4);
        ck_assert_int_eq(flushd_cgroup_get_time_tokens(g, &x), 0);
        ck_assert_int_eq(x, -5);
        ck_assert_str_eq(flushd_cgroup_get_label(flushd_cgroup_list_get(l, 2)), "[Daemon]");
        ck_assert_ptr_null(flushd_cgroup_list_get(l, 3));
        l = flushd_cgroup_list_free(l);

        ck_assert_int_eq(flushd_status(c, &s, NULL), 0);
        ck_assert_str_eq(flushd_status_get_version(s), "0.1-fake");
        ck_assert_str_eq(flushd_status_get_kernel_support(s), "no: fake kernel");
        ck_assert_uint_eq(flushd_status_get_cpus(s), 4);
        ck_assert_uint_eq(flushd_status_get_n_policy_files(s), 2);
        ck_assert_str_eq(flushd_status_get_policy_file(s, 1), "/etc/flushd/flushd.conf.d/10-batch.conf");
        ck_assert_int_eq(flushd_status_get_counter(s, "Granted", &v), 0);
        ck_assert_uint_eq(v, 7);
        ck_assert_int_eq(flushd_status_get_counter(s, "Throttled", &v), 0);
        ck_assert_uint_eq(v, 2);
        ck_assert_int_eq(flushd_status_get_counter(s, "NoSuchCounter", &v), -ENODATA);
        s = flushd_status_free(s);

        /* NULL objects are safe */
        ck_assert_str_eq(flushd_explain_get_verdict(NULL), "");
        ck_assert_ptr_null(flushd_explain_free(NULL));
        ck_assert_int_eq(flushd_explain(NULL, 0, &e, NULL), -EINVAL);

        flushd_close(c);
        fake_stop(&f);
}
END_TEST

static void *explain_many(void *userdata) {
        FlushdClient *c = userdata;

        for (int i = 0; i < 50; i++) {
                FlushdExplain *e = NULL;

                if (flushd_explain(c, 0, &e, NULL) < 0 || strcmp(flushd_explain_get_verdict(e), "granted") != 0)
                        return (void *) 1;
                flushd_explain_free(e);
        }
        return NULL;
}

/* One client shared by threads: the calls take turns, none is lost or mixed up. */
START_TEST(test_shared_client) {
        pthread_t threads[4];
        FakeService f;
        FlushdClient *c;
        void *result;

        fake_bus_start(&f, false);
        fake_service_start(&f);
        c = client_open(&f);

        for (size_t i = 0; i < ELEMENTSOF(threads); i++)
                ck_assert_int_eq(pthread_create(&threads[i], NULL, explain_many, c), 0);
        for (size_t i = 0; i < ELEMENTSOF(threads); i++) {
                ck_assert_int_eq(pthread_join(threads[i], &result), 0);
                ck_assert_ptr_null(result);
        }

        flushd_close(c);
        fake_stop(&f);
}
END_TEST

START_TEST(test_flushctl_exit_codes) {
        char address[300];
        char *verbs[][4] = {
                { "flush", "--fd=0", NULL },
                { "explain", NULL },
                { "quota", NULL },
                { "status", NULL },
                { "stats", NULL },
                { "reload", NULL },
                { "top", "--iterations=1", NULL },
        };
        FakeService f;

        fake_bus_start(&f, false);
        fake_service_start(&f);
        snprintf(address, sizeof(address), "--bus=%s", f.bus.address);

        for (size_t i = 0; i <= ELEMENTSOF(errors); i++) {
                fake_service_fail(&f, i < ELEMENTSOF(errors) ? errors[i].name : NULL);
                for (size_t k = 0; k < ELEMENTSOF(verbs); k++) {
                        char *argv[6] = {};
                        size_t n = 0;
                        int status;

                        while (verbs[k][n]) {
                                argv[n] = verbs[k][n];
                                n++;
                        }
                        argv[n] = address;
                        status = run_flushctl(argv, NULL);
                        ck_assert_msg(status == (i < ELEMENTSOF(errors) ? errors[i].status : 0),
                                      "flushctl %s with %s: exit %d", verbs[k][0],
                                      i < ELEMENTSOF(errors) ? errors[i].name : "success", status);
                }
        }

        fake_stop(&f);
}
END_TEST

/* A minimal JSON checker: one value, strictly formed; returns the end or NULL. */
static const char *json_value(const char *p);

static const char *json_ws(const char *p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
        return p;
}

static const char *json_string_end(const char *p) {
        if (*p != '"')
                return NULL;
        for (p++; *p && *p != '"'; p++) {
                if ((unsigned char) *p < 0x20)
                        return NULL;
                if (*p == '\\') {
                        p++;
                        if (*p == 'u') {
                                for (int i = 1; i <= 4; i++)
                                        if (!isxdigit((unsigned char) p[i]))
                                                return NULL;
                                p += 4;
                        } else if (!strchr("\"\\/bfnrt", *p) || !*p)
                                return NULL;
                }
        }
        return *p == '"' ? p + 1 : NULL;
}

static const char *json_container(const char *p, char close, bool object) {
        p = json_ws(p + 1);
        if (*p == close)
                return p + 1;
        for (;;) {
                if (object) {
                        p = json_string_end(json_ws(p));
                        if (!p)
                                return NULL;
                        p = json_ws(p);
                        if (*p++ != ':')
                                return NULL;
                }
                p = json_value(p);
                if (!p)
                        return NULL;
                p = json_ws(p);
                if (*p == close)
                        return p + 1;
                if (*p++ != ',')
                        return NULL;
        }
}

static const char *json_value(const char *p) {
        p = json_ws(p);
        switch (*p) {
        case '{':
                return json_container(p, '}', true);
        case '[':
                return json_container(p, ']', false);
        case '"':
                return json_string_end(p);
        case 't':
                return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
        case 'f':
                return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
        case 'n':
                return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
        default:
                if (*p == '-')
                        p++;
                if (!isdigit((unsigned char) *p))
                        return NULL;
                while (isdigit((unsigned char) *p))
                        p++;
                if (*p == '.') {
                        p++;
                        if (!isdigit((unsigned char) *p))
                                return NULL;
                        while (isdigit((unsigned char) *p))
                                p++;
                }
                return p;
        }
}

/* Exactly one JSON document (an object) and a newline. */
static void assert_one_document(const char *out) {
        const char *end;

        ck_assert_msg(out[0] == '{', "not an object: %s", out);
        end = json_value(out);
        ck_assert_msg(end, "not JSON: %s", out);
        ck_assert_str_eq(end, "\n");
}

static char *flushctl_json(const FakeService *f, const char *verb, const char *extra) {
        char address[300];
        char *argv[] = { (char *) verb, "--json", address, (char *) extra, NULL };
        char *out = NULL;

        snprintf(address, sizeof(address), "--bus=%s", f->bus.address);
        ck_assert_int_eq(run_flushctl(argv, &out), 0);
        return out;
}

/* The human table shows the refill as the policy wrote it. */
START_TEST(test_flushctl_explain_table) {
        FakeService f;
        char address[300];
        char *argv[] = { "explain", address, NULL };
        char *out = NULL;

        fake_bus_start(&f, false);
        fake_service_start(&f);
        snprintf(address, sizeof(address), "--bus=%s", f.bus.address);
        ck_assert_int_eq(run_flushctl(argv, &out), 0);
        ck_assert_ptr_nonnull(strstr(out, "REFILL"));
        ck_assert_msg(strstr(out, " 1/h "), "no 1/h in: %s", out);
        ck_assert_msg(strstr(out, " 0.020s/s "), "no 0.020s/s in: %s", out);
        free(out);
        fake_stop(&f);
}
END_TEST

START_TEST(test_flushctl_json) {
        FakeService f;
        char *out;

        ck_assert_ptr_null(json_value("{\"a\":}"));            /* the checker itself can fail */
        ck_assert_ptr_null(json_value("[1,]"));

        fake_bus_start(&f, false);
        fake_service_start(&f);

        out = flushctl_json(&f, "explain", "--all-cpus");
        assert_one_document(out);
        ck_assert_ptr_nonnull(strstr(out, "\"verdict\":\"throttled\""));
        ck_assert_ptr_nonnull(strstr(out, "\"cgroup\":\"/batch.slice/job \\\"1\\\"\""));
        ck_assert_ptr_nonnull(strstr(out, "\"sections\":[\"batch\",\"[Default]\"]"));
        ck_assert_ptr_nonnull(strstr(out, "\"retry_after_usec\":400000"));
        ck_assert_ptr_nonnull(strstr(out, "{\"section\":\"batch\",\"kind\":\"rate\",\"tokens\":-2,"
                                          "\"burst\":10,\"refill\":1,\"refill_period_usec\":3600000000,"
                                          "\"wait_usec\":400000}"));
        free(out);

        out = flushctl_json(&f, "quota", NULL);
        assert_one_document(out);
        ck_assert_ptr_nonnull(strstr(out, "\"tokens\":3,"));
        ck_assert_ptr_nonnull(strstr(out, "\"allow\":true,\"allow_all_cpus\":false"));
        free(out);

        out = flushctl_json(&f, "status", NULL);
        assert_one_document(out);
        ck_assert_ptr_nonnull(strstr(out, "\"version\":\"0.1-fake\""));
        ck_assert_ptr_nonnull(strstr(out, "\"policy_files\":[\"/etc/flushd/flushd.conf\","
                                          "\"/etc/flushd/flushd.conf.d/10-batch.conf\"]"));
        ck_assert_ptr_nonnull(strstr(out, "\"granted\":7,\"denied\":1,\"throttled\":2,\"busy\":0"));
        free(out);

        out = flushctl_json(&f, "stats", NULL);
        assert_one_document(out);
        ck_assert_ptr_nonnull(strstr(out, "{\"label\":\"batch\",\"path\":\"/batch.slice\",\"granted\":10,"));
        ck_assert_ptr_nonnull(strstr(out, "\"tokens\":4,\"time_tokens\":-5}"));
        ck_assert_ptr_nonnull(strstr(out, "{\"label\":\"[Default]\",\"path\":\"\",\"granted\":1,\"denied\":5,"
                                          "\"throttled\":null"));
        free(out);

        /* the system bus is $DBUS_SYSTEM_BUS_ADDRESS when there is no --bus */
        {
                char *argv[] = { "status", "--json", NULL };

                ck_assert_int_eq(setenv("DBUS_SYSTEM_BUS_ADDRESS", f.bus.address, 1), 0);
                ck_assert_int_eq(run_flushctl(argv, &out), 0);
                ck_assert_ptr_nonnull(strstr(out, "\"version\":\"0.1-fake\""));
                free(out);
                fake_service_fail(&f, FLUSH1_ERROR_BUSY);
                ck_assert_int_eq(run_flushctl(argv, NULL), 7);
                fake_service_fail(&f, NULL);
                ck_assert_int_eq(unsetenv("DBUS_SYSTEM_BUS_ADDRESS"), 0);
        }

        out = flushctl_json(&f, "flush", "--fd=0");
        assert_one_document(out);
        ck_assert_str_eq(out, "{\"flushed\":2,\"coalesced\":1,\"nsec\":41230}\n");
        free(out);

        fake_stop(&f);
}
END_TEST

START_TEST(test_top_iterations) {
        FakeService f;
        char *out, *line, *next;
        unsigned lines = 0;

        fake_bus_start(&f, false);
        fake_service_start(&f);

        out = flushctl_json(&f, "top", "--iterations=2");
        for (line = out; *line; line = next) {
                const char *end;

                next = strchr(line, '\n');
                ck_assert_ptr_nonnull(next);
                *next++ = '\0';
                end = json_value(line);
                ck_assert_msg(end && *end == '\0', "not one JSON line: %s", line);
                ck_assert_ptr_nonnull(strstr(line, "\"label\":\"batch\""));
                /* the first sample has no rate, the second one does */
                if (lines == 0)
                        ck_assert_ptr_nonnull(strstr(line, "\"grants_per_sec\":null"));
                else
                        ck_assert_ptr_null(strstr(line, "\"label\":\"batch\",\"path\":\"/batch.slice\","
                                                        "\"grants_per_sec\":null"));
                lines++;
        }
        ck_assert_uint_eq(lines, 2);
        free(out);

        fake_stop(&f);
}
END_TEST

START_TEST(test_check_config) {
        char *good[] = { "check-config", "tests/unit/policy/good-full.conf", NULL };
        char *bad[] = { "check-config", "tests/unit/policy/good-full.conf",
                        "tests/unit/policy/bad-syntax.conf", NULL };
        char *json[] = { "check-config", "--json", "tests/unit/policy/bad-syntax.conf", NULL };
        char *out = NULL;

        ck_assert_msg(getenv("FLUSHD"), "FLUSHD must name the built daemon");
        ck_assert_int_eq(run_flushctl(good, NULL), 0);
        ck_assert_int_eq(run_flushctl(bad, NULL), 11);
        ck_assert_int_eq(run_flushctl(json, &out), 11);
        assert_one_document(out);
        ck_assert_ptr_nonnull(strstr(out, "\"valid\":false"));
        ck_assert_ptr_nonnull(strstr(out, "bad-syntax.conf:3:"));
        free(out);
}
END_TEST

START_TEST(test_check_config_no_daemon) {
        char *good[] = { "check-config", "tests/unit/policy/good-full.conf", NULL };
        char dir[] = "/tmp/flushd-crash-XXXXXX", path[64];
        FILE *f;

        /* a daemon that cannot be run, or crashes, is no verdict on the file */
        ck_assert_int_eq(setenv("FLUSHD", "/nonexistent/flushd", 1), 0);
        ck_assert_int_eq(run_flushctl(good, NULL), 1);

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/flushd", dir);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs("#!/bin/sh\nkill -SEGV $$\n", f);
        fclose(f);
        ck_assert_int_eq(chmod(path, 0755), 0);
        ck_assert_int_eq(setenv("FLUSHD", path, 1), 0);
        ck_assert_int_eq(run_flushctl(good, NULL), 1);
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *client_suite(void) {
        Suite *s = suite_create("client");
        TCase *tc = tcase_create("fake-bus");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_error_codes);
        tcase_add_test(tc, test_retry_after);
        tcase_add_test(tc, test_bus_refusal_and_no_daemon);
        tcase_add_test(tc, test_canned_answers);
        tcase_add_test(tc, test_shared_client);
        tcase_add_test(tc, test_flushctl_exit_codes);
        tcase_add_test(tc, test_flushctl_json);
        tcase_add_test(tc, test_flushctl_explain_table);
        tcase_add_test(tc, test_top_iterations);
        tcase_add_test(tc, test_check_config);
        tcase_add_test(tc, test_check_config_no_daemon);
        suite_add_tcase(s, tc);
        return s;
}
