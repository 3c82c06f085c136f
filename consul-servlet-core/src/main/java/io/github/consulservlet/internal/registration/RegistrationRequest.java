package io.github.consulservlet.internal.registration;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.internal.config.ConsulSettings;

/**
 * What one webapp's instance is registered as: its service, address, tags, meta and check, from
 * its settings and the address it is reached at. Called by the {@link Registrar} before each
 * registration.
 */
final class RegistrationRequest {
    private RegistrationRequest() {
    }

    /**
     * The registration of the instance at {@code address}; {@code everRegistered} when the agent
     * has accepted it before, {@code initial} the check's status until its first result, and
     * {@code marker} the run of the container it belongs to, put in its {@code Meta}.
     */
    static ServiceRegistration of(ConsulSettings settings, AdvertisedAddress address, boolean everRegistered, CheckStatus initial,
            InstanceMarker marker) {
        int port = address.port();
        String host = address.address();
        String id = address.serviceId();
        Map<String, String> meta = new LinkedHashMap<>(settings.meta());
        meta.putAll(marker.meta()); // the marker wins: orphan removal must be able to trust it
        ServiceRegistration.Builder builder = ServiceRegistration.builder(settings.serviceName()).id(id).port(port)
                .address(host).tags(settings.tags()).meta(meta)
                // A new instance starts clean (a maintenance check left by a crashed predecessor
                // with this ID goes); registering again keeps what operators set meanwhile.
                .replaceExistingChecks(!everRegistered);
        CheckDefinition.Builder check = switch (settings.checkMode()) {
            case HTTP -> CheckDefinition.http(address.checkUrl(host.isEmpty() ? "127.0.0.1" : host, port),
                    settings.checkInterval()).timeout(settings.checkTimeout());
            case TTL -> CheckDefinition.ttl(settings.checkTtl());
            case NONE -> null;
        };
        if (check != null) {
            check.id(AdvertisedAddress.checkId(id)).name(settings.serviceName() + " liveness").status(initial);
            settings.deregisterAfter().ifPresent(check::deregisterCriticalServiceAfter);
            builder.check(check.build());
        }
        return builder.build();
    }
}
