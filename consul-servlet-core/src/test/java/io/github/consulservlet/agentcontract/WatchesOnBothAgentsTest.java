package io.github.consulservlet.agentcontract;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.KvEntry;
import io.github.consulservlet.ServiceInstance;
import io.github.consulservlet.Watch;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;

/**
 * Watches of a key, a prefix, a service's healthy instances and the catalog's service list: each
 * tells its listener the data now and at every change, and nothing when nothing changed.
 */
class WatchesOnBothAgentsTest extends OnBothAgents {
    private static final Duration SEEN = Duration.ofSeconds(10);
    private final List<Watch> watches = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeWatches() {
        watches.forEach(Watch::close);
    }

    private <W extends Watch> W watching(W watch) {
        watches.add(watch);
        return watch;
    }

    @Test
    void aKeyWatchSeesTheValueNowEachChangeAndTheDeletion() {
        String key = prefix + "flag";
        List<Optional<String>> seen = new CopyOnWriteArrayList<>();
        watching(consul.kv().watch(key, entry -> seen.add(entry.map(KvEntry::valueAsString))));
        await().atMost(SEEN).until(() -> seen.equals(List.of(Optional.empty())));

        consul.kv().set(key, "on");
        await().atMost(SEEN).until(() -> seen.size() == 2);
        consul.kv().set(key + "-sibling", "unrelated"); // another key moves the index, not this key's value
        consul.kv().set(key, "off");
        await().atMost(SEEN).until(() -> seen.size() == 3);
        consul.kv().delete(key);
        await().atMost(SEEN).until(() -> seen.size() == 4);
        assertEquals(List.of(Optional.empty(), Optional.of("on"), Optional.of("off"), Optional.empty()), seen);
    }

    @Test
    void aPrefixWatchSeesEveryEntryUnderItInKeyOrder() {
        String dir = prefix + "config/";
        AtomicReference<List<String>> seen = new AtomicReference<>();
        watching(consul.kv().watchPrefix(dir, entries -> seen.set(entries.stream()
                .map(e -> e.key().substring(dir.length()) + "=" + e.valueAsString()).toList())));
        await().atMost(SEEN).until(() -> List.of().equals(seen.get()));

        consul.kv().set(dir + "b", "2");
        consul.kv().set(dir + "a", "1");
        consul.kv().set(prefix + "configuration", "not under the prefix");
        await().atMost(SEEN).until(() -> List.of("a=1", "b=2").equals(seen.get()));
        consul.kv().delete(dir + "b");
        await().atMost(SEEN).until(() -> List.of("a=1").equals(seen.get()));
    }

    @Test
    void aServiceWatchFollowsTheHealthyInstancesAsTheirChecksChange() {
        String name = uniqueService("watched");
        AtomicReference<List<String>> seen = new AtomicReference<>();
        watching(consul.discovery().watch(name, instances -> seen.set(instances.stream().map(ServiceInstance::id).sorted().toList())));
        await().atMost(SEEN).until(() -> List.of().equals(seen.get()));

        register(ServiceRegistration.builder(name).id(name + "-1").port(1)
                .check(CheckDefinition.ttl(Duration.ofMinutes(5)).status(CheckStatus.PASSING).build()).build());
        register(ServiceRegistration.builder(name).id(name + "-2").port(2)
                .check(CheckDefinition.ttl(Duration.ofMinutes(5)).build()).build());
        await().atMost(SEEN).until(() -> List.of(name + "-1").equals(seen.get()));
        consul.agent().passCheck("service:" + name + "-2", "up");
        await().atMost(SEEN).until(() -> List.of(name + "-1", name + "-2").equals(seen.get()));
        consul.agent().failCheck("service:" + name + "-1", "down");
        await().atMost(SEEN).until(() -> List.of(name + "-2").equals(seen.get()));
    }

    @Test
    void theServiceListWatchSeesAServiceArriveWithItsTagsAndLeave() {
        String name = uniqueService("listed");
        AtomicReference<Map<String, List<String>>> seen = new AtomicReference<>();
        watching(consul.discovery().watchServices(seen::set));
        await().atMost(SEEN).until(() -> seen.get() != null && seen.get().containsKey("consul"));

        register(ServiceRegistration.builder(name).port(1).tags(List.of("edge"))
                .check(CheckDefinition.ttl(Duration.ofMinutes(5)).build()).build());
        await().atMost(SEEN).until(() -> List.of("edge").equals(seen.get().get(name)));
        consul.agent().deregister(name);
        await().atMost(SEEN).until(() -> !seen.get().containsKey(name));
    }
}
