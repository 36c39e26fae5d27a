/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench.h - what the benchmark programs share: clock, statistics, bus calls, result lines
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

/* The bus floor: a service with Flush's exact signature that does nothing. */
#define BENCH_FLOOR_NAME "org.flushd.Floor1"
/* The floor's private socket in the guest (bench-floor --listen=): the same
 * Flush, peer to peer, no bus daemon between. */
#define BENCH_FLOOR_DIRECT_PATH "/run/flushd-floor.sock"
#define BENCH_FLOOR_DIRECT_ADDRESS "unix:path=" BENCH_FLOOR_DIRECT_PATH

uint64_t bench_now_ns(void);
void bench_sleep_ms(unsigned ms);

/* Sorts v and returns its q-quantile (nearest rank, 0 <= q <= 1); 0 if n is 0. */
uint64_t bench_quantile(uint64_t *v, size_t n, double q);
/* Sorts v and returns its median; NAN if n is 0. */
double bench_median(double *v, size_t n);
/* Smallest and largest of v[0..n). */
void bench_range(const double *v, size_t n, double *ret_min, double *ret_max);

/* The system bus, or the bus at address if not NULL, with fd passing. */
int bench_bus_open(const char *address, sd_bus **ret);
/* A peer-to-peer connection to the D-Bus server at address (no Hello; calls
 * go to destination NULL), with fd passing. */
int bench_direct_open(const char *address, sd_bus **ret);

/*
 * Flush(h fd, t flags) on dest, the way libflushd calls it. Returns 0 and
 * the reply's counts, 1 for a D-Bus error (its name in *ret_error if not
 * NULL, static), or a negative errno for a transport failure.
 */
int bench_call_flush(sd_bus *bus, const char *dest, int fd, uint64_t flags,
                     uint32_t *ret_flushed, uint32_t *ret_coalesced, const char **ret_error);

/* Opens /dev/iommu (or dies with a message on stderr: benchmarks need it). */
int bench_open_iommufd(void);

/*
 * One result line on stdout, what tests/bench/report.awk reads:
 *   FLUSHD-BENCH id=ID value=V baseline=B ratio=R unit=U rounds=N [extra] note=TEXT
 * baseline and ratio may be NAN (printed as "nan": no baseline, or no figure).
 * extra is " key=value" pairs (may be ""); note is free text to the line end.
 */
__attribute__((format(printf, 8, 9)))
void bench_report(const char *id, double value, double baseline, double ratio, const char *unit,
                  unsigned rounds, const char *extra, const char *note_format, ...);

/* Subcommands of flushd-bench, one file per family. argv[0] is the subcommand. */
int bench_mediation(int argc, char *argv[]);
int bench_throughput(int argc, char *argv[]);
int bench_fairness(int argc, char *argv[]);
int bench_flood(int argc, char *argv[]);
int bench_victim(int argc, char *argv[]);
int bench_precision(int argc, char *argv[]);
int bench_coalesce(int argc, char *argv[]);
int bench_pingpong(int argc, char *argv[]);
int bench_churn(int argc, char *argv[]);
int bench_connections(int argc, char *argv[]);

/* Parses a positive decimal argument; dies with usage on error. */
unsigned bench_arg_uint(const char *s, const char *what);
