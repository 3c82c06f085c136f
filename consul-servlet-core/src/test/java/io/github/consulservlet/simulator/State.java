package io.github.consulservlet.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.github.consulservlet.simulator.JournalEvent.Kind;

/**
 * Everything the simulated agent and its one-server datacenter hold: the catalog of one node,
 * the agent's checks and their timers, the KV store, and sessions. One lock guards all of it (the
 * monitor of this object), as a single Raft log orders every write on a real server; every write
 * takes the next index.
 */
final class State {
    /** The node check every Consul node has, which sessions depend on by default. */
    static final String SERF_CHECK = "serfHealth";
    static final String PASSING = "passing";
    static final String WARNING = "warning";
    static final String CRITICAL = "critical";
    /** The latest journal events; older ones are dropped, so a long-running demo stays small. */
    static final int JOURNAL_LIMIT = 10_000;
    /** A lock delay longer than this is applied as this (structs.MaxLockDelay). */
    static final Duration MAX_LOCK_DELAY = Duration.ofSeconds(60);

    /**
     * The order of KV keys (https://developer.hashicorp.com/consul/api-docs/kv#keys lists them
     * sorted): Consul's store is a radix tree of the keys' UTF-8 bytes, which is code point order,
     * not the UTF-16 order of {@link String#compareTo} ("\uFF01" comes before "\uD83D\uDE00").
     */
    static final Comparator<String> KEY_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    /** What a {@code /v1/agent/service/register} body asks for, once validated. */
    record ServiceSpec(String id, String name, List<String> tags, String address, int port,
            Map<String, String> meta, boolean enableTagOverride, int weightPassing, int weightWarning,
            Map<String, Map.Entry<String, Integer>> taggedAddresses) {
    }

    /** One check of a registration, once validated and given its default ID and name. */
    record CheckSpec(String id, String name, String notes, String status, String http, String tcp, String method,
            Map<String, List<String>> header, String body, boolean tlsSkipVerify, Duration interval,
            Duration timeout, Duration ttl, Duration deregisterAfter, int successBeforePassing, int failuresBeforeCritical) {
        String type() {
            return ttl != null ? "ttl" : tcp != null ? "tcp" : "http";
        }
    }

    /**
     * What a {@code /v1/session/create} body asks for, once validated; {@code legacyChecks} is the
     * old {@code Checks} field when it named a service check, kept as given.
     */
    record SessionSpec(String name, String node, List<String> nodeChecks, List<String> serviceChecks,
            List<String> legacyChecks, Duration lockDelay, String behavior, String ttl, Duration ttlDuration) {
        boolean dependsOn(String checkId) {
            return nodeChecks.contains(checkId) || serviceChecks.contains(checkId) || legacyChecks.contains(checkId);
        }
    }

    static final class Service {
        final ServiceSpec spec;
        final long createIndex;
        long modifyIndex;
        /** False for the {@code consul} service, which the servers own, not the local agent. */
        final boolean local;

        Service(ServiceSpec spec, long createIndex, boolean local) {
            this.spec = spec;
            this.createIndex = createIndex;
            this.modifyIndex = createIndex;
            this.local = local;
        }
    }

    static final class Check {
        final String id;
        final String name;
        final String serviceId;
        final String notes;
        final String type;
        final CheckSpec spec;
        String status;
        String output = "";
        long createIndex;
        long modifyIndex;
        long criticalSinceNanos;
        ScheduledFuture<?> timer;
        /** Moves on when the check's runner is stopped, so that a probe already out is ignored. */
        int run;
        /**
         * Probes in a row that passed (or warned), and that failed: for the thresholds. They start
         * at the thresholds (agent/checks/check.go, NewStatusHandler), so the first result counts
         * at once and a threshold only holds back a change of direction.
         */
        int successes;
        int failures;

        Check(String id, String name, String serviceId, String notes, String type, CheckSpec spec, String status) {
            this.id = id;
            this.name = name;
            this.serviceId = serviceId;
            this.notes = notes;
            this.type = type;
            this.spec = spec;
            this.status = status;
            if (spec != null) {
                this.successes = spec.successBeforePassing();
                this.failures = spec.failuresBeforeCritical();
            }
        }
    }

    static final class Entry {
        final String key;
        byte[] value;
        long flags;
        String session = "";
        long lockIndex;
        long createIndex;
        long modifyIndex;

        Entry(String key) {
            this.key = key;
        }
    }

    static final class Session {
        final String id;
        final SessionSpec spec;
        final long createIndex;
        ScheduledFuture<?> expiry;

        Session(String id, SessionSpec spec, long createIndex) {
            this.id = id;
            this.spec = spec;
            this.createIndex = createIndex;
        }
    }

    final String node;
    final String nodeId = UUID.randomUUID().toString();
    final String datacenter;
    private final SimulatorSettings settings;
    private final ScheduledExecutorService timers;
    private final HttpProbe probe;
    /** Told after every write, under this monitor, so that blocking queries can be rechecked. */
    private volatile Runnable changed = () -> { };

    /** A dev agent's first writes (its own node and the consul service) come at small indexes, as here. */
    private long index = 10;
    /** When the node joined: the first write. */
    final long nodeIndex;
    long servicesIndex;
    long checksIndex;
    long kvIndex;
    long sessionsIndex;
    private final Map<String, Long> serviceIndexes = new HashMap<>();
    /** When a service name last lost its last instance ("service_last_extinction"). */
    private long serviceExtinctionIndex;

    final Map<String, Service> services = new LinkedHashMap<>();
    final Map<String, Check> checks = new LinkedHashMap<>();
    final NavigableMap<String, Entry> kv = new TreeMap<>(KEY_ORDER);
    private final NavigableMap<String, Long> tombstones = new TreeMap<>(KEY_ORDER);
    private final Map<String, Long> lockDelayUntilNanos = new HashMap<>();
    final Map<String, Session> sessions = new LinkedHashMap<>();
    private final ArrayDeque<JournalEvent> journal = new ArrayDeque<>();

    State(SimulatorSettings settings, ScheduledExecutorService timers, HttpProbe probe) {
        this.settings = settings;
        this.node = settings.nodeName();
        this.datacenter = settings.datacenter();
        this.timers = timers;
        this.probe = probe;
        synchronized (this) {
            long at = commit();
            nodeIndex = at;
            Check serf = new Check(SERF_CHECK, "Serf Health Status", "", "", "", null, PASSING);
            serf.output = "Agent alive and reachable";
            serf.createIndex = serf.modifyIndex = at;
            checks.put(SERF_CHECK, serf);
            checksIndex = at;
            // https://developer.hashicorp.com/consul/api-docs/catalog#list-services: a server's
            // catalog always lists the "consul" service itself.
            services.put("consul", new Service(new ServiceSpec("consul", "consul", List.of(), "", 8300, Map.of(),
                    false, 1, 1, Map.of()), at, false));
            servicesIndex = at;
            serviceIndexes.put("consul", at);
            timers.scheduleWithFixedDelay(this::reap, settings.checkReapInterval().toNanos(),
                    settings.checkReapInterval().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    // ---------------------------------------------------------------- indexes and journal

    private long commit() {
        return ++index;
    }

    synchronized long index() {
        return index;
    }

    /** The index of everything about one service name: its instances and their checks. */
    synchronized long serviceIndex(String name) {
        return serviceIndexes.getOrDefault(name, 0L);
    }

    /**
     * What a health read of a service reports: the service's own index while it has instances,
     * else when some service last vanished, else the catalog's (agent/consul/state/catalog.go).
     */
    synchronized long serviceReadIndex(String name) {
        boolean exists = services.values().stream().anyMatch(s -> s.spec.name().equals(name));
        if (exists) {
            return serviceIndex(name);
        }
        return serviceExtinctionIndex != 0 ? serviceExtinctionIndex : Math.max(servicesIndex, checksIndex);
    }

    private void noteExtinction(String name, long at) {
        if (services.values().stream().noneMatch(s -> s.spec.name().equals(name))) {
            serviceExtinctionIndex = at;
        }
    }

    private void touchService(String name, long at) {
        serviceIndexes.put(name, at);
    }

    private void record(Kind kind, String subject, String detail) {
        record(new JournalEvent(Instant.now(), index, kind, subject, detail));
    }

    private void record(JournalEvent event) {
        if (journal.size() == JOURNAL_LIMIT) {
            journal.removeFirst();
        }
        journal.addLast(event);
    }

    synchronized List<JournalEvent> journal() {
        return List.copyOf(journal);
    }

    void onChange(Runnable listener) {
        changed = listener;
    }

    private void wake() {
        changed.run();
    }

    // ---------------------------------------------------------------- agent: services and checks

    /**
     * https://developer.hashicorp.com/consul/api-docs/agent/service#register-service: a service
     * and its checks in one write; registering an existing ID replaces the service and updates
     * checks of the same ID while keeping their current status (the agent restores it from its
     * snapshot); checks of the service not named again stay unless {@code replace-existing-checks}.
     */
    synchronized void register(ServiceSpec spec, List<CheckSpec> specs, boolean replaceExistingChecks) {
        Service previous = services.get(spec.id());
        if (previous != null && previous.local && unchanged(previous, spec, specs, replaceExistingChecks)) {
            // The agent sees nothing to sync and the catalog nothing to write (agent/local/state.go,
            // IsSame): no index moves. Its check runners still start again.
            for (CheckSpec c : specs) {
                Check check = checks.get(c.id());
                cancel(check);
                start(check);
            }
            record(Kind.SERVICE_REGISTERED, spec.id(), spec.name() + " port " + spec.port() + " (unchanged)");
            return;
        }
        long at = commit();
        Service service = new Service(spec, previous == null ? at : previous.createIndex, true);
        service.modifyIndex = at;
        services.put(spec.id(), service);
        servicesIndex = at;
        touchService(spec.name(), at);
        if (previous != null && !previous.spec.name().equals(spec.name())) {
            touchService(previous.spec.name(), at);
            noteExtinction(previous.spec.name(), at);
        }
        record(Kind.SERVICE_REGISTERED, spec.id(), spec.name() + " port " + spec.port());
        List<String> named = specs.stream().map(CheckSpec::id).toList();
        if (replaceExistingChecks) {
            for (Check check : List.copyOf(checks.values())) {
                if (spec.id().equals(check.serviceId) && !named.contains(check.id)
                        && !check.id.equals(maintenanceCheckId(spec.id()))) {
                    removeCheck(check, at);
                }
            }
        }
        for (CheckSpec c : specs) {
            Check old = checks.get(c.id());
            Check check = new Check(c.id(), c.name(), spec.id(), c.notes(), c.type(), c, c.status());
            if (old != null) {
                cancel(old);
                check.status = old.status;
                check.output = old.output;
                check.createIndex = old.createIndex;
                check.criticalSinceNanos = old.criticalSinceNanos;
            } else {
                check.createIndex = at;
                check.criticalSinceNanos = CRITICAL.equals(check.status) ? System.nanoTime() : 0;
            }
            check.modifyIndex = at;
            checks.put(c.id(), check);
            start(check);
            if (old == null || !old.status.equals(check.status)) {
                record(Kind.CHECK_STATUS, check.id, check.status);
            }
        }
        checksIndex = at;
        wake();
    }

    private boolean unchanged(Service previous, ServiceSpec spec, List<CheckSpec> specs, boolean replaceExistingChecks) {
        if (!previous.spec.equals(spec)) {
            return false;
        }
        for (CheckSpec c : specs) {
            Check check = checks.get(c.id());
            if (check == null || check.spec == null || !check.spec.equals(c) || !previous.spec.id().equals(check.serviceId)) {
                return false;
            }
        }
        if (replaceExistingChecks) {
            List<String> named = specs.stream().map(CheckSpec::id).toList();
            for (Check check : checks.values()) {
                if (previous.spec.id().equals(check.serviceId) && !named.contains(check.id)
                        && !check.id.equals(maintenanceCheckId(previous.spec.id()))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** https://developer.hashicorp.com/consul/api-docs/agent/service#deregister-service */
    synchronized void deregister(String serviceId) {
        Service service = services.get(serviceId);
        if (service == null || !service.local) {
            throw unknownService(serviceId);
        }
        removeService(service, Kind.SERVICE_DEREGISTERED, "");
    }

    private void removeService(Service service, Kind kind, String detail) {
        long at = commit();
        services.remove(service.spec.id());
        servicesIndex = at;
        touchService(service.spec.name(), at);
        noteExtinction(service.spec.name(), at);
        for (Check check : List.copyOf(checks.values())) {
            if (service.spec.id().equals(check.serviceId)) {
                removeCheck(check, at);
            }
        }
        record(kind, service.spec.id(), detail);
        wake();
    }

    /**
     * Removing a check invalidates the sessions that depend on it
     * (https://developer.hashicorp.com/consul/docs/dynamic-app-config/sessions).
     */
    private void removeCheck(Check check, long at) {
        cancel(check);
        checks.remove(check.id);
        checksIndex = at;
        invalidateSessionsOf(check.id, "check " + check.id + " was deregistered");
    }

    static String maintenanceCheckId(String serviceId) {
        return "_service_maintenance:" + serviceId;
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/agent/service#enable-maintenance-mode:
     * maintenance is a critical check named "Service Maintenance Mode" added to the service, whose
     * notes carry the reason.
     */
    synchronized void maintenance(String serviceId, boolean enable, String reason) {
        Service service = services.get(serviceId);
        if (service == null || !service.local) {
            throw unknownService(serviceId);
        }
        String id = maintenanceCheckId(serviceId);
        if (enable == checks.containsKey(id)) {
            return;
        }
        long at = commit();
        if (enable) {
            String notes = reason.isEmpty()
                    ? "Maintenance mode is enabled for this service, but no reason was provided. This is a default message."
                    : reason;
            Check check = new Check(id, "Service Maintenance Mode", serviceId, notes, "maintenance", null, CRITICAL);
            check.createIndex = check.modifyIndex = at;
            check.criticalSinceNanos = System.nanoTime();
            checks.put(id, check);
            record(Kind.MAINTENANCE_ENABLED, serviceId, notes);
        } else {
            removeCheck(checks.get(id), at);
            record(Kind.MAINTENANCE_DISABLED, serviceId, "");
        }
        checksIndex = at;
        touchService(service.spec.name(), at);
        wake();
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-pass (and warn, fail,
     * update): only TTL checks take updates, and each one restarts the TTL.
     */
    synchronized void updateTtl(String checkId, String status, String output) {
        Check check = checks.get(checkId);
        if (check == null) {
            throw new ApiError(404, "Unknown check ID \"" + checkId
                    + "\". Ensure that the check ID is passed, not the check name.");
        }
        if (!"ttl".equals(check.type)) {
            throw new ApiError(500, "CheckID \"" + checkId + "\" does not have associated TTL");
        }
        record(Kind.CHECK_UPDATED, checkId, status + (output.isEmpty() ? "" : ": " + output));
        setStatus(check, status, truncate(output));
        scheduleTtl(check);
    }

    /** The agent keeps the first {@code check_output_max_size} bytes of an update's output, and says so. */
    private static String truncate(String output) {
        byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= HttpProbe.OUTPUT_LIMIT) {
            return output;
        }
        return new String(bytes, 0, HttpProbe.OUTPUT_LIMIT, StandardCharsets.UTF_8)
                + " ... (captured " + HttpProbe.OUTPUT_LIMIT + " of " + bytes.length + " bytes)";
    }

    /**
     * A status change is written at once; an output-only change is not, as the agent syncs
     * those only every {@code check_update_interval}
     * (https://developer.hashicorp.com/consul/docs/agent/config/config-files#check_update_interval).
     */
    private void setStatus(Check check, String status, String output) {
        boolean statusChanged = !check.status.equals(status);
        check.output = output;
        if (!statusChanged) {
            return;
        }
        long at = commit();
        check.status = status;
        check.modifyIndex = at;
        check.criticalSinceNanos = CRITICAL.equals(status) ? System.nanoTime() : 0;
        checksIndex = at;
        Service service = services.get(check.serviceId);
        if (service != null) {
            touchService(service.spec.name(), at);
        }
        record(Kind.CHECK_STATUS, check.id, status + (output.isEmpty() ? "" : ": " + output));
        if (CRITICAL.equals(status)) {
            // https://developer.hashicorp.com/consul/docs/dynamic-app-config/sessions: a session
            // is invalidated when any of its health checks goes critical.
            invalidateSessionsOf(check.id, "check " + check.id + " is critical");
        }
        wake();
    }

    private void start(Check check) {
        if ("ttl".equals(check.type)) {
            scheduleTtl(check);
        } else if ("http".equals(check.type) || "tcp".equals(check.type)) {
            // The agent staggers a check's first run randomly within its interval, so that many
            // checks registered together do not fire together (agent/checks, RandomStagger).
            scheduleProbe(check, ThreadLocalRandom.current().nextLong(probeInterval(check)));
        }
    }

    /** https://developer.hashicorp.com/consul/docs/services/usage/checks#ttl-checks */
    private void scheduleTtl(Check check) {
        if (check.timer != null) {
            check.timer.cancel(false);
        }
        check.timer = timers.schedule(() -> {
            synchronized (this) {
                if (checks.get(check.id) == check) {
                    setStatus(check, CRITICAL, check.output.isEmpty() ? "TTL expired"
                            : "TTL expired (last output before timeout follows): " + check.output);
                }
            }
        }, check.spec.ttl().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** https://developer.hashicorp.com/consul/docs/services/usage/checks#http-checks, and #tcp-checks */
    private void scheduleProbe(Check check, long delayNanos) {
        int run = check.run;
        check.timer = timers.schedule(() -> {
            CheckSpec spec = check.spec;
            (spec.tcp() != null ? probe.tcp(spec.tcp(), spec.timeout())
                    : probe.probe(spec.http(), spec.method(), spec.header(), spec.body(), spec.timeout(), spec.tlsSkipVerify()))
                    .thenAccept(result -> probed(check, run, result));
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    private synchronized void probed(Check check, int run, HttpProbe.Result result) {
        if (checks.get(check.id) != check || check.run != run) {
            return; // deregistered, replaced or restarted while the probe was out
        }
        record(new JournalEvent(Instant.now(), 0, Kind.CHECK_PROBED, check.id, result.output()));
        // agent/checks/check.go, StatusHandler: after a change of direction, a result changes
        // nothing, not even the output, until SuccessBeforePassing passes (or
        // FailuresBeforeCritical failures) in a row.
        boolean failed = CRITICAL.equals(result.status());
        check.successes = failed ? 0 : check.successes + 1;
        check.failures = failed ? check.failures + 1 : 0;
        if (failed ? check.failures >= check.spec.failuresBeforeCritical() : check.successes >= check.spec.successBeforePassing()) {
            setStatus(check, result.status(), result.output());
        }
        scheduleProbe(check, probeInterval(check));
    }

    /** The agent runs interval checks at most once a second (agent/checks, MinInterval). */
    private static long probeInterval(Check check) {
        return Math.max(check.spec.interval().toNanos(), Duration.ofSeconds(1).toNanos());
    }

    private static void cancel(Check check) {
        check.run++;
        if (check.timer != null) {
            check.timer.cancel(false);
        }
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/agent/check#deregistercriticalserviceafter:
     * a reaper, every {@code check_reap_interval}, deregisters services whose check has been
     * critical for longer than the timeout, which is at least {@code check_deregister_interval_min}.
     */
    private synchronized void reap() {
        long now = System.nanoTime();
        for (Check check : List.copyOf(checks.values())) {
            if (check.spec == null || check.spec.deregisterAfter() == null || !CRITICAL.equals(check.status)) {
                continue;
            }
            Duration timeout = check.spec.deregisterAfter();
            if (timeout.compareTo(settings.checkDeregisterIntervalMin()) < 0) {
                timeout = settings.checkDeregisterIntervalMin();
            }
            Service service = services.get(check.serviceId);
            if (service != null && now - check.criticalSinceNanos > timeout.toNanos()) {
                removeService(service, Kind.SERVICE_REAPED,
                        "check " + check.id + " critical for more than " + GoDurations.format(timeout));
            }
        }
    }

    /** As an agent restarted without its data directory: its services and checks are gone. */
    synchronized void forgetAgentState() {
        long at = commit();
        for (Service service : List.copyOf(services.values())) {
            if (service.local) {
                services.remove(service.spec.id());
                touchService(service.spec.name(), at);
                noteExtinction(service.spec.name(), at);
            }
        }
        for (Check check : List.copyOf(checks.values())) {
            if (!SERF_CHECK.equals(check.id)) {
                removeCheck(check, at);
            }
        }
        servicesIndex = at;
        checksIndex = at;
        record(Kind.AGENT_FORGOT, node, "services and checks forgotten");
        wake();
    }

    static ApiError unknownService(String serviceId) {
        return new ApiError(404, "Unknown service ID \"" + serviceId
                + "\". Ensure that the service ID is passed, not the service name.");
    }

    /** The checks of one service, node checks first, as the health endpoint lists them. */
    synchronized List<Check> checksOf(Service service) {
        List<Check> result = new ArrayList<>();
        for (Check check : checks.values()) {
            if (check.serviceId.isEmpty() || check.serviceId.equals(service.spec.id())) {
                result.add(check);
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- KV

    /** The KV table's index, deletions included. */
    synchronized long kvTableIndex() {
        return Math.max(kvIndex, 1);
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/kv#read-key: a single-key read reports the
     * entry's ModifyIndex, or the table's when the key is absent (agent/consul/kvs_endpoint.go).
     */
    synchronized long keyReadIndex(String key) {
        Entry entry = kv.get(key);
        return entry != null ? entry.modifyIndex : kvTableIndex();
    }

    /** The last write to one key, its deletion included: what a blocking read of it waits for. */
    synchronized long keyIndex(String key) {
        Entry entry = kv.get(key);
        return entry != null ? entry.modifyIndex : tombstones.getOrDefault(key, 0L);
    }

    /**
     * The index of a prefix read: the highest of the entries and deletions under the prefix, or
     * the table's when there are none or the prefix is empty (agent/consul/state/kvs.go).
     */
    synchronized long prefixIndex(String prefix) {
        if (prefix.isEmpty()) {
            return kvTableIndex();
        }
        long max = 0;
        for (Entry entry : entriesUnder(prefix)) {
            max = Math.max(max, entry.modifyIndex);
        }
        for (long deleted : under(tombstones, prefix).values()) {
            max = Math.max(max, deleted);
        }
        return max != 0 ? max : kvTableIndex();
    }

    synchronized List<Entry> entriesUnder(String prefix) {
        return List.copyOf(under(kv, prefix).values());
    }

    /** The keys that start with {@code prefix}: in {@link #KEY_ORDER}, a run from the prefix on. */
    private static <V> Map<String, V> under(NavigableMap<String, V> map, String prefix) {
        Map<String, V> result = new LinkedHashMap<>();
        for (Map.Entry<String, V> e : map.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            result.put(e.getKey(), e.getValue());
        }
        return result;
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/kv#create-update-key: {@code cas=0} writes
     * only a new key, {@code cas=N} only when the key's ModifyIndex is N; {@code acquire} takes the
     * lock unless another session holds it or the key is in its lock delay; {@code release} frees
     * it only for the holding session. The value is written in every case that answers true.
     */
    synchronized boolean kvPut(String key, byte[] value, long flags, Long cas, String acquire, String release) {
        Entry existing = kv.get(key);
        if (release != null) {
            // Unlike acquire, release does not look the session up: a dead session just holds nothing.
            if (existing == null || !existing.session.equals(release)) {
                return false;
            }
            Entry entry = write(key, value, flags);
            entry.session = "";
            record(Kind.LOCK_RELEASED, key, release);
            wake();
            return true;
        }
        if (acquire != null) {
            requireSession(acquire);
            if (existing != null && !existing.session.isEmpty() && !existing.session.equals(acquire)) {
                return false;
            }
            // https://developer.hashicorp.com/consul/docs/dynamic-app-config/sessions: after a
            // lock is freed by an invalidated session, no one may take it for the lock delay.
            Long until = lockDelayUntilNanos.get(key);
            if (until != null && until - System.nanoTime() > 0) {
                return false;
            }
            boolean alreadyHeld = existing != null && existing.session.equals(acquire);
            Entry entry = write(key, value, flags);
            if (!alreadyHeld) {
                entry.lockIndex++;
                entry.session = acquire;
                record(Kind.LOCK_ACQUIRED, key, acquire);
            }
            wake();
            return true;
        }
        if (cas != null) {
            boolean matches = cas == 0 ? existing == null : existing != null && existing.modifyIndex == cas;
            if (!matches) {
                return false;
            }
        }
        write(key, value, flags);
        wake();
        return true;
    }

    private Entry write(String key, byte[] value, long flags) {
        long at = commit();
        Entry entry = kv.computeIfAbsent(key, Entry::new);
        if (entry.createIndex == 0) {
            entry.createIndex = at;
        }
        entry.modifyIndex = at;
        entry.value = value;
        entry.flags = flags;
        kvIndex = at;
        tombstones.remove(key);
        record(Kind.KV_SET, key, value == null ? "0 bytes" : value.length + " bytes");
        return entry;
    }

    private void requireSession(String id) {
        if (!sessions.containsKey(id)) {
            throw new ApiError(500, "raft apply failed: invalid session \"" + id + "\""); // the Raft apply's error, as the agent words it
        }
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/kv#delete-key: deleting an absent key
     * succeeds; with {@code cas} it succeeds only at that ModifyIndex.
     */
    synchronized boolean kvDelete(String key, boolean recurse, Long cas) {
        if (recurse) {
            List<Entry> doomed = entriesUnder(key);
            if (!doomed.isEmpty()) {
                long at = commit();
                for (Entry entry : doomed) {
                    delete(entry.key, at);
                }
                wake();
            }
            return true;
        }
        Entry existing = kv.get(key);
        if (cas != null && (existing == null || existing.modifyIndex != cas)) {
            return existing == null;
        }
        if (existing != null) {
            delete(key, commit());
            wake();
        }
        return true;
    }

    private void delete(String key, long at) {
        kv.remove(key);
        tombstones.put(key, at);
        kvIndex = at;
        record(Kind.KV_DELETED, key, "");
    }

    // ---------------------------------------------------------------- sessions

    /**
     * https://developer.hashicorp.com/consul/api-docs/session#create-session: the node must
     * exist, and so must every check, none of them critical; the refusals are the Raft apply's
     * errors, worded "apply failed: ..." as the agent answers them.
     */
    synchronized String createSession(SessionSpec spec) {
        if (!spec.node().equals(node)) {
            throw new ApiError(500, "apply failed: Missing node registration");
        }
        List<String> all = new ArrayList<>(spec.nodeChecks());
        all.addAll(spec.serviceChecks());
        all.addAll(spec.legacyChecks());
        for (String id : all) {
            Check check = checks.get(id);
            if (check == null) {
                throw new ApiError(500, "apply failed: Missing check '" + id + "' registration");
            }
            if (CRITICAL.equals(check.status)) {
                throw new ApiError(500, "apply failed: Check '" + id + "' is in critical state");
            }
        }
        long at = commit();
        Session session = new Session(UUID.randomUUID().toString(), spec, at);
        sessions.put(session.id, session);
        sessionsIndex = at;
        scheduleExpiry(session);
        record(Kind.SESSION_CREATED, session.id, spec.name());
        wake();
        return session.id;
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/session#create-session: a session that is
     * not renewed may live up to twice its TTL before the servers invalidate it.
     */
    private void scheduleExpiry(Session session) {
        if (session.spec.ttlDuration() == null) {
            return;
        }
        if (session.expiry != null) {
            session.expiry.cancel(false);
        }
        session.expiry = timers.schedule(() -> {
            synchronized (this) {
                if (sessions.get(session.id) == session) {
                    invalidate(session, Kind.SESSION_INVALIDATED, "TTL expired");
                }
            }
        }, session.spec.ttlDuration().toNanos() * 2, TimeUnit.NANOSECONDS);
    }

    /** https://developer.hashicorp.com/consul/api-docs/session#delete-session: destroying an unknown ID succeeds. */
    synchronized void destroySession(String id) {
        Session session = sessions.get(id);
        if (session != null) {
            invalidate(session, Kind.SESSION_DESTROYED, "");
        }
    }

    /** https://developer.hashicorp.com/consul/api-docs/session#renew-session */
    synchronized Optional<Session> renew(String id) {
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        scheduleExpiry(session);
        return Optional.of(session);
    }

    private void invalidateSessionsOf(String checkId, String why) {
        for (Session session : List.copyOf(sessions.values())) {
            if (session.spec.dependsOn(checkId)) {
                invalidate(session, Kind.SESSION_INVALIDATED, why);
            }
        }
    }

    /**
     * https://developer.hashicorp.com/consul/docs/dynamic-app-config/sessions: an invalidated
     * session's locks are released or their keys deleted, by its Behavior, and each key enters
     * the session's lock delay.
     */
    private void invalidate(Session session, Kind kind, String why) {
        long at = commit();
        sessions.remove(session.id);
        sessionsIndex = at;
        if (session.expiry != null) {
            session.expiry.cancel(false);
        }
        for (Entry entry : List.copyOf(kv.values())) {
            if (!entry.session.equals(session.id)) {
                continue;
            }
            if ("delete".equals(session.spec.behavior())) {
                delete(entry.key, at);
            } else {
                entry.session = "";
                entry.modifyIndex = at;
                kvIndex = at;
                record(Kind.LOCK_RELEASED, entry.key, session.id);
            }
            Duration delay = session.spec.lockDelay().compareTo(MAX_LOCK_DELAY) > 0 ? MAX_LOCK_DELAY
                    : session.spec.lockDelay();
            if (!delay.isZero()) {
                lockDelayUntilNanos.put(entry.key, System.nanoTime() + delay.toNanos());
            }
        }
        record(kind, session.id, why);
        wake();
    }

    synchronized Optional<String> checkStatus(String checkId) {
        Check check = checks.get(checkId);
        return check == null ? Optional.empty() : Optional.of(check.status);
    }

    synchronized void close() {
        for (Check check : checks.values()) {
            cancel(check);
        }
        for (Session session : sessions.values()) {
            if (session.expiry != null) {
                session.expiry.cancel(false);
            }
        }
    }
}
