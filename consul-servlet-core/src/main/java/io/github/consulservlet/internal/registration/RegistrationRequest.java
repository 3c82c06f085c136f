package io.github.consulservlet.internal.registration;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.internal.config.ConsulSettings;
import io.github.consulservlet.internal.config.RegistrationOptions;

/**
 * What one webapp's instance is registered as: its service, address, tags, meta, weights, tagged
 * addresses and checks, from its settings and the address it is reached at. Called by the
 * {@link Registrar} before each registration.
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
        RegistrationOptions options = settings.options();
        Map<String, String> meta = new LinkedHashMap<>(settings.meta());
        meta.putAll(marker.meta()); // the marker wins: orphan removal must be able to trust it
        ServiceRegistration.Builder builder = ServiceRegistration.builder(settings.serviceName()).id(id).port(port)
                .address(host).tags(settings.tags()).meta(meta)
                .enableTagOverride(options.enableTagOverride())
                // A new instance starts clean (a maintenance check left by a crashed predecessor
                // with this ID goes); registering again keeps what operators set meanwhile.
                .replaceExistingChecks(!everRegistered);
        options.weights().ifPresent(w -> builder.weights(w.passing(), w.warning()));
        options.taggedAddresses().forEach((tag, at) -> builder.taggedAddress(tag, at.address(), at.givenPort().orElse(port)));
        String probed = host.isEmpty() ? "127.0.0.1" : host;
        CheckDefinition.Builder check = switch (settings.checkMode()) {
            case HTTP -> http(settings, address.checkUrl(probed, port));
            case TTL -> CheckDefinition.ttl(settings.checkTtl());
            case NONE -> null;
        };
        if (check != null) {
            // only the liveness check reaps: an extra one nobody reports to must not remove the instance
            settings.deregisterAfter().ifPresent(check::deregisterCriticalServiceAfter);
            builder.check(common(settings, check.id(AdvertisedAddress.checkId(id)).name(settings.serviceName() + " liveness"))
                    .status(initial).build());
        }
        options.extraHttpPath().ifPresent(path -> builder.check(common(settings, http(settings, address.checkUrl(probed, port, path))
                .id(AdvertisedAddress.checkId(id) + ":http").name(settings.serviceName() + " " + path)).build()));
        if (options.extraTcp()) {
            builder.check(common(settings, CheckDefinition.tcp(AdvertisedAddress.hostPort(probed, port), settings.checkInterval())
                    .timeout(settings.checkTimeout()).id(AdvertisedAddress.checkId(id) + ":tcp")
                    .name(settings.serviceName() + " tcp")).build());
        }
        options.extraTtl().ifPresent(ttl -> builder.check(common(settings, CheckDefinition.ttl(ttl)
                .id(AdvertisedAddress.checkId(id) + ":ttl").name(settings.serviceName() + " ttl")).build()));
        return builder.build();
    }

    /** An HTTP check on {@code url} with the interval, timeout, method, headers and TLS options of the settings. */
    private static CheckDefinition.Builder http(ConsulSettings settings, String url) {
        RegistrationOptions options = settings.options();
        CheckDefinition.Builder check = CheckDefinition.http(url, settings.checkInterval()).timeout(settings.checkTimeout())
                .header(options.checkHeader()).tlsSkipVerify(options.tlsSkipVerify());
        options.checkMethod().ifPresent(check::method);
        options.tlsServerName().ifPresent(check::tlsServerName);
        return check;
    }

    /** What every check of the instance carries: notes and thresholds. */
    private static CheckDefinition.Builder common(ConsulSettings settings, CheckDefinition.Builder check) {
        RegistrationOptions options = settings.options();
        options.notes().ifPresent(check::notes);
        return check.successBeforePassing(options.successBeforePassing())
                .failuresBeforeCritical(options.failuresBeforeCritical());
    }
}
