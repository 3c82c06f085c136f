package io.github.consulservlet.internal.registration;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.consulservlet.spi.WebappNames;

/**
 * Who holds each service ID in this container, keyed by agents and ID (across clients, since a
 * redeploy may come with a new token). Two records:
 * <ul>
 * <li>the claims: which webapp (context path) claimed an ID, for as long as any of its leases
 * holds it. Two webapps of one container cannot share an ID (the first to stop would deregister
 * the other while it still serves); the same context path may claim it again while its previous
 * instance stops (a redeploy, Tomcat's parallel deployment).
 * <li>the owners: which live instance registered an ID last. An instance that stops leaves the
 * ID alone when a newer one has taken it.
 * </ul>
 * Owned by the {@link ClientPool}; used through each webapp's {@link ClientPool.Lease}.
 */
final class ServiceIdOwners {
    private final Map<String, WebappRegistration> owners = new ConcurrentHashMap<>();
    private final Map<String, Claim> claims = new HashMap<>(); // guarded by this

    void own(String key, WebappRegistration registration) {
        owners.put(key, registration);
    }

    /** Whether {@code registration} may still deregister the ID: no newer instance took it. */
    boolean owns(String key, WebappRegistration registration) {
        WebappRegistration owner = owners.get(key);
        return owner == null || owner == registration;
    }

    void disown(String key, WebappRegistration registration) {
        owners.remove(key, registration);
    }

    /** Whether a live instance holds the ID now. */
    boolean held(String key) {
        return owners.containsKey(key);
    }

    /** Whether a live webapp claimed or holds the ID. */
    synchronized boolean claimedOrHeld(String key) {
        return claims.containsKey(key) || owners.containsKey(key);
    }

    /**
     * Claims {@code serviceId} (at {@code key}) for the webapp at {@code webapp}, recording the
     * claim in {@code heldBy}, the claims of one lease, which only this object touches.
     *
     * @throws IllegalStateException if a live webapp at another context path holds it
     */
    synchronized void claim(List<String> heldBy, String key, String serviceId, String webapp) {
        if (heldBy.contains(key)) {
            return;
        }
        Claim claim = claims.get(key);
        if (claim != null && !claim.webapp.equals(webapp)) {
            throw new IllegalStateException("consul.service.id '" + serviceId + "' is already used by the webapp "
                    + shown(claim.webapp) + " in this container; expected a consul.service.id of its own for "
                    + shown(webapp) + " (two webapps sharing one ID would deregister each other)");
        }
        if (claim == null) {
            claim = new Claim(webapp);
            claims.put(key, claim);
        }
        claim.holders++;
        heldBy.add(key);
    }

    /** Lets go of the claims of one lease. */
    synchronized void release(List<String> heldBy) {
        for (String key : heldBy) {
            Claim claim = claims.get(key);
            if (claim != null && --claim.holders == 0) {
                claims.remove(key);
            }
        }
        heldBy.clear();
    }

    private static String shown(String webapp) {
        return WebappNames.displayName(webapp);
    }

    private static final class Claim {
        final String webapp;
        int holders;

        Claim(String webapp) {
            this.webapp = webapp;
        }
    }
}
