package io.github.consulservlet.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.spi.ContainerAdapter;

/**
 * No public path from webapp code to container internals: nothing a servlet can reach from the
 * {@link ConsulContext} it is given, through public signatures or the public classes of what it is
 * handed, is a container setting, a token or an adapter.
 */
class PublicApiArchitectureTest {

    @Test
    void consulContextReachesNoSettingTokenOrAdapter() {
        List<Class<?>> compiled = PublicApiReach.compiledWith(ConsulContext.class);
        assertTrue(compiled.size() > 50, "the compiled classes were found: " + compiled.size());
        PublicApiReach reach = new PublicApiReach(compiled);
        assertEquals(List.of(), reach.violations(ConsulContext.class));
        // the walk goes through signatures and the public classes of what a servlet is handed
        assertTrue(reach.reached().containsKey(io.github.consulservlet.KvEntry.class), reach.reached().keySet().toString());
        assertTrue(reach.reached().containsKey(io.github.consulservlet.internal.client.ScopedConsulContext.class), reach.reached().keySet().toString());
    }

    /** A public type of the kind the first test must never find, to show that it would. */
    public interface Leaky extends ConsulContext {
        /** The container's. */
        String token();

        /** An adapter, by signature. */
        List<? extends ContainerAdapter> adapters(int index);
    }

    @Test
    void aTypeThatLeaksIsFound() {
        List<String> violations = new PublicApiReach(List.of()).violations(Leaky.class);
        assertTrue(violations.contains("Leaky.token() hands out what its name says"), violations.toString());
        assertTrue(violations.contains("Leaky.adapters() reaches container internals: "
                + ContainerAdapter.class.getName()), violations.toString());
    }
}
