package io.github.consulservlet.bench;

/**
 * The calls whose cost {@link CallCost} measures, each one round trip, and the data they read:
 * written into the real agent by {@link CostOfCalls}, then recorded from it for the static server.
 */
enum Endpoint {
    KV_GET("uncached KV get"),
    KV_PUT("KV put"),
    HEALTH_10("health service passing, 10 instances"),
    HEALTH_100("health service passing, 100 instances"),
    CATALOG_SERVICES("catalog services"),
    /** A blocking query that the server answers at once (asked for an index older than the key's). */
    BLOCKING_ROUND("one blocking-query round (KV)");

    static final String KEY = "bench/cost/greeting";
    static final String VALUE = "hello from the cost benchmark, a value of some sixty bytes";
    static final String PUT_KEY = "bench/cost/written";
    static final String SERVICE_10 = "cost-10";
    static final String SERVICE_100 = "cost-100";
    /** The index a blocking round asks for: older than any key's, so every server answers at once. */
    static final long OLD_INDEX = 1;
    static final String WAIT = "5s";

    final String title;

    Endpoint(String title) {
        this.title = title;
    }
}
