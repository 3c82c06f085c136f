package io.github.consulservlet.internal.registration;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.internal.client.Backoff;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;

/**
 * The maintenance the webapp asks for through its {@code Registration}, brought to the agent on
 * the registrar thread and retried while the agent fails. It touches only what the webapp set,
 * never maintenance an operator set. Owned by {@link WebappRegistration}; the {@link Registrar}
 * calls {@link #sync} with each registration, which applies what was asked before it.
 */
final class MaintenanceSync {
    private final Instance instance;
    private volatile String reason;
    // registrar thread, under agentCalls
    private boolean applied;
    private int failures;

    MaintenanceSync(Instance instance) {
        this.instance = instance;
    }

    /** The webapp wants maintenance for {@code reason}, or none when null; applied in the background. */
    void want(String reason) {
        this.reason = reason;
        instance.tasks.submit(this::apply);
    }

    private void apply() {
        instance.agentCalls.lock();
        try {
            ServiceRegistration current = instance.sent();
            if (!instance.state.get().isRegistered()) {
                return; // applied at registration
            }
            try {
                sync(current);
                failures = 0;
            } catch (ConsulException e) {
                failures++;
                RegistrationLog.maintenanceFailed(failures == 1, current.id(), e);
                instance.tasks.later(this::apply, Backoff.REGISTRAR_DEFAULT.delayMillis(failures));
            }
        } finally {
            instance.agentCalls.unlock();
        }
    }

    /** Brings the agent to the maintenance this webapp wants. Under agentCalls. */
    void sync(ServiceRegistration current) {
        String wanted = reason;
        if (wanted != null) {
            instance.agent().enableMaintenance(current.id(), wanted);
            applied = true;
        } else if (applied) {
            instance.agent().disableMaintenance(current.id());
            applied = false;
        }
    }
}
