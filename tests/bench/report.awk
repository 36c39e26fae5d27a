# SPDX-License-Identifier: LGPL-2.1-or-later
# report.awk - the bench table and JSON from FLUSHD-BENCH result lines, and the verdicts
#
# Usage: awk -f report.awk -v json=FILE -v mode=full|quick -v meta=TEXT [-v sdvm=BUSES] RESULTS...
#
# Input lines: FLUSHD-BENCH id=ID value=V baseline=B ratio=R unit=U rounds=N
# [key=value...] note=TEXT (see tests/bench/bench.h). The goals of issue 13
# live here, in one table: each id has a goal number, a kind and limits.
# Kinds: ratio<= / ratio>= / value<= (against a number or an extra key),
# exact (min and max both equal the key expect), within (lo <= ratio <= hi),
# info (reported, not judged). Rows of the systemd guest are goals only
# for the buses in sdvm (e.g. "dbus-broker dbus-daemon"). A goal row with no figure (absent, or nan:
# the daemon could not produce it) is MISSED. Prints the table on stdout,
# writes FILE, and exits 0 if every goal is met, 1 if one is missed. The
# last stdout line is "bench: N met, N missed, N missing" (missing: ids the
# bench did not produce at all, a broken bench rather than a slow daemon).

function goal(id, no, kind, a, b, label, bus) {
        # A row of the systemd guest exists only where that bus was booted.
        if (bus != "" && (mode == "quick" || index(" " sdvm " ", " " bus " ") == 0))
                return
        order[++n_order] = id
        g_no[id] = no; g_kind[id] = kind; g_a[id] = a; g_b[id] = b; g_label[id] = label
}

BEGIN {
        goal("mediation.p50",       1, "ratio<=", 1.25, "", "Flush p50, clean CPUs / floor")
        goal("mediation.p99",       1, "ratio<=", 1.5,  "", "Flush p99, clean CPUs / floor")
        goal("mediation.dirty_p50", 1, "info",    "",   "", "Flush p50, dirty CPUs / floor")
        goal("mediation.dirty_p99", 1, "info",    "",   "", "Flush p99, dirty CPUs / floor")
        goal("throughput",          2, "ratio>=", 0.8,  "", "16 clients req/s / floor")
        goal("fairness.p99",        3, "ratio<=", 2,    "", "victim p99 flood / idle")
        goal("fairness.p50",        3, "info",    "",   "", "victim p50 flood / idle")
        goal("fairness.floor.p99",  3, "info",    "",   "", "the same flood at the floor: p99 / idle")
        goal("fairness.floor.p50",  3, "info",    "",   "", "the same flood at the floor: p50 / idle")
        goal("fairness.direct.p99", 3, "info",    "",   "", "victim off the bus: p99 flood / idle")
        goal("fairness.direct.p50", 3, "info",    "",   "", "victim off the bus: p50 flood / idle")
        # The systemd guest (tests/vm/systemd/run.sh, suite bench): only in a full run, per bus booted.
        goal("fairness.broker.p99",   3, "ratio<=", 2,  "", "sd/broker: victim p99 flood / idle", "dbus-broker")
        goal("fairness.broker.p50",   3, "info",    "", "", "sd/broker: victim p50 flood / idle", "dbus-broker")
        goal("fairness.broker.floor.p99", 3, "info", "", "", "sd/broker: floor p99 flood / idle", "dbus-broker")
        goal("fairness.broker.floor.p50", 3, "info", "", "", "sd/broker: floor p50 flood / idle", "dbus-broker")
        goal("fairness.sddaemon.p99", 3, "ratio<=", 2,  "", "sd/dbus-daemon: victim p99 flood / idle", "dbus-daemon")
        goal("fairness.sddaemon.p50", 3, "info",    "", "", "sd/dbus-daemon: victim p50 flood / idle", "dbus-daemon")
        goal("fairness.sddaemon.floor.p99", 3, "info", "", "", "sd/dbus-daemon: floor p99 flood / idle", "dbus-daemon")
        goal("fairness.sddaemon.floor.p50", 3, "info", "", "", "sd/dbus-daemon: floor p50 flood / idle", "dbus-daemon")
        goal("precision.k1",        4, "exact",   "",   "", "write-backs, 1 CPU tracked (naive)")
        goal("precision.k2",        4, "exact",   "",   "", "write-backs, 2 CPUs tracked (naive)")
        goal("precision.k4",        4, "exact",   "",   "", "write-backs, 4 CPUs tracked (naive)")
        goal("coalescing",          5, "value<=", "limit", "", "64 at once: executed (ALL_CPUS)")
        goal("tracking_cost",       6, "ratio<=", 1.05, "", "ping-pong tracked / untracked")
        goal("churn.query_p99",     6, "info",    "",   "", "QUERY p99, target churning / parked")
        goal("memory.rss_clients",  7, "value<=", 4096, "", "RSS KiB, 1000 clients (idle)")
        goal("memory.rss_sections", 7, "value<=", 4096, "", "RSS KiB, 10000 sections (idle)")
        goal("policy.load_10",      7, "info",    "",   "", "load ms, 10 sections")
        goal("policy.load_1000",    7, "info",    "",   "", "load ms, 1000 sections")
        goal("policy.load_4096",    7, "info",    "",   "", "load ms, 4096 sections")
        goal("policy.load_10000",   7, "value<=", 50,   "", "load ms, 10000 sections")
        goal("policy.lookup_10",    7, "info",    "",   "", "lookup ns, 10 sections")
        goal("policy.lookup_1000",  7, "ratio<=", 2,    "", "lookup 1000 / 10 sections")
        goal("policy.lookup_4096",  7, "info",    "",   "", "lookup 4096 / 10 sections")
        goal("policy.lookup_10000", 7, "ratio<=", 2,    "", "lookup 10000 / 10 sections")
        goal("local.round_trip",    8, "info",    "",   "", "host floor round trip us")
        goal("local.at_default",    8, "info",    "",   "", "local loop at default / round trip")
        goal("local.threshold",     8, "within",  0.5,  2,  "crossover KiB (default)")
}

/^FLUSHD-BENCH / {
        sub(/\r$/, "")
        line = $0
        note = ""
        if ((i = index(line, " note=")) > 0) {
                note = substr(line, i + 6)
                line = substr(line, 1, i - 1)
        }
        nf = split(line, kv, " ")
        id = ""
        for (k = 2; k <= nf; k++) {
                eq = index(kv[k], "=")
                key = substr(kv[k], 1, eq - 1)
                if (key == "id") {
                        id = substr(kv[k], eq + 1)
                        if (!(id in seen))
                                ids[++n_ids] = id
                        seen[id] = 1
                        keys[id] = ""
                } else if (id != "") {
                        val[id, key] = substr(kv[k], eq + 1)
                        keys[id] = keys[id] " " key
                }
        }
        if (id != "")
                notes[id] = note
}

function isnum(v) {
        return v != "" && v != "nan" && v ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/
}

function fmt(v) {
        return isnum(v) ? sprintf("%.4g", v) : "-"
}

function limit_of(id, a) {
        return (a ~ /^[a-z]/) ? val[id, a] : a
}

function verdict(id,    kind, v, r, lim) {
        kind = g_kind[id]
        if (!(id in seen))
                return "MISSING"
        v = val[id, "value"]; r = val[id, "ratio"]
        if (kind == "info")
                return "info"
        if (kind == "exact")
                return (isnum(val[id, "min"]) && val[id, "min"] == val[id, "expect"] && val[id, "max"] == val[id, "expect"]) ? "met" : "MISSED"
        if (kind == "ratio<=")
                return isnum(r) && r + 0 <= g_a[id] + 0 ? "met" : "MISSED"
        if (kind == "ratio>=")
                return isnum(r) && r + 0 >= g_a[id] + 0 ? "met" : "MISSED"
        if (kind == "value<=") {
                lim = limit_of(id, g_a[id])
                return isnum(v) && isnum(lim) && v + 0 <= lim + 0 ? "met" : "MISSED"
        }
        if (kind == "within")
                return isnum(r) && r + 0 >= g_a[id] + 0 && r + 0 <= g_b[id] + 0 ? "met" : "MISSED"
        return "MISSED"
}

function goal_text(id,    kind) {
        kind = g_kind[id]
        if (kind == "info")
                return "-"
        if (kind == "exact")
                return "= " (val[id, "expect"] != "" ? val[id, "expect"] : "k") " always"
        if (kind == "within")
                return "ratio " g_a[id] ".." g_b[id]
        if (kind == "value<=")
                return "<= " limit_of(id, g_a[id])
        return kind " " g_a[id]
}

# Notes are prose: quotes become apostrophes and backslashes slashes, so
# no escaping rules of awk's gsub() (which differ between awks) are needed.
function jstr(s) {
        gsub(/\\/, "/", s)
        gsub(/"/, "'", s)
        gsub(/[\t\001-\037]/, " ", s)
        return "\"" s "\""
}

function jnum(v) {
        return isnum(v) ? v + 0 : "null"
}

END {
        printf "%-2s %-44s %10s %10s %8s %-14s %s\n", "#", "figure", "value", "baseline", "ratio", "goal", "verdict"
        met = missed = missing = 0
        for (i = 1; i <= n_order; i++) {
                id = order[i]
                vd = verdict(id)
                if (vd == "met") met++
                if (vd == "MISSED") missed++
                if (vd == "MISSING") { missing++; missed++ }
                res[id] = vd
                if (mode == "quick" && vd != "MISSING")
                        vd = "(" tolower(vd) ", not judged)"
                printf "%-2s %-44s %10s %10s %8s %-14s %s\n", g_no[id], g_label[id] " [" val[id, "unit"] "]",
                       fmt(val[id, "value"]), fmt(val[id, "baseline"]), fmt(val[id, "ratio"]), goal_text(id), vd
        }

        printf "{\n  \"issue\": 13,\n  \"mode\": %s,\n  \"meta\": %s,\n", jstr(mode), jstr(meta) > json
        printf "  \"tcg_note\": %s,\n", jstr("guest figures come from QEMU TCG: TCG timings are not hardware timings and WBINVD is a no-op; only ratios within one run mean anything") > json
        printf "  \"summary\": {\"met\": %d, \"missed\": %d, \"missing\": %d},\n  \"results\": [\n", met, missed - missing, missing > json
        first = 1
        # Goal rows first, in goal order, then every other figure (e.g. local.cost_*).
        for (i = 1; i <= n_order; i++) emit[++n_emit] = order[i]
        for (i = 1; i <= n_ids; i++) if (!(ids[i] in g_kind)) emit[++n_emit] = ids[i]
        for (i = 1; i <= n_emit; i++) {
                id = emit[i]
                printf "%s    {\"id\": %s", first ? "" : ",\n", jstr(id) > json
                first = 0
                if (id in g_kind)
                        printf ", \"goal_no\": %d, \"figure\": %s, \"goal\": %s, \"verdict\": %s", g_no[id], jstr(g_label[id]), jstr(goal_text(id)), jstr(res[id]) > json
                else
                        printf ", \"verdict\": \"info\"" > json
                if (id in seen) {
                        m = split(keys[id], kk, " ")
                        for (k = 1; k <= m; k++) {
                                key = kk[k]
                                v = val[id, key]
                                printf ", %s: %s", jstr(key), (key == "unit" ? jstr(v) : jnum(v)) > json
                        }
                        printf ", \"note\": %s", jstr(notes[id]) > json
                }
                printf "}" > json
        }
        printf "\n  ]\n}\n" > json
        close(json)
        printf "bench: %d met, %d missed, %d missing\n", met, missed - missing, missing
        exit missed > 0 ? 1 : 0
}
