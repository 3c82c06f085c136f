package io.github.consulservlet.internal.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What else an operator asks the registration to say: weights, tagged addresses, tag override,
 * the options of the HTTP checks, extra checks, and the Enterprise namespace and admin partition
 * the instance lives in. Each field is one setting of {@link Setting} (the block that starts with
 * {@link Setting#SERVICE_WEIGHTS}); an absent or empty one leaves Consul's default.
 *
 * @param weights {@code consul.service.weights}
 * @param taggedAddresses {@code consul.service.tagged-addresses}, by tag
 * @param enableTagOverride {@code consul.service.enable-tag-override}
 * @param checkMethod {@code consul.check.method}, for the HTTP checks
 * @param checkHeader {@code consul.check.header}, for the HTTP checks
 * @param tlsSkipVerify {@code consul.check.tls-skip-verify}, for the HTTP checks
 * @param tlsServerName {@code consul.check.tls-server-name}, for the HTTP checks
 * @param successBeforePassing {@code consul.check.success-before-passing}, for every check
 * @param failuresBeforeCritical {@code consul.check.failures-before-critical}, for every check
 * @param notes {@code consul.check.notes}, for every check
 * @param extraHttpPath {@code consul.check.extra.http-path}: a second HTTP check, on this path of the webapp
 * @param extraTcp {@code consul.check.extra.tcp}: a TCP check on the connector
 * @param extraTtl {@code consul.check.extra.ttl}: a TTL check something else reports to
 * @param namespace {@code consul.namespace}, sent as {@code ns}
 * @param partition {@code consul.partition}, sent as {@code partition}
 */
public record RegistrationOptions(Optional<ServiceWeights> weights, Map<String, TaggedAddress> taggedAddresses,
        boolean enableTagOverride, Optional<String> checkMethod, Map<String, List<String>> checkHeader,
        boolean tlsSkipVerify, Optional<String> tlsServerName, int successBeforePassing, int failuresBeforeCritical,
        Optional<String> notes, Optional<String> extraHttpPath, boolean extraTcp, Optional<Duration> extraTtl,
        Optional<String> namespace, Optional<String> partition) {

    /** Copies the maps. */
    public RegistrationOptions {
        taggedAddresses = Map.copyOf(taggedAddresses);
        checkHeader = Map.copyOf(checkHeader);
    }

    /** Names the check headers but never shows their values, which may be credentials. */
    @Override
    public String toString() {
        return "RegistrationOptions{weights=" + weights + ", taggedAddresses=" + taggedAddresses + ", enableTagOverride="
                + enableTagOverride + ", checkMethod=" + checkMethod + ", checkHeader=" + new java.util.TreeSet<>(checkHeader.keySet())
                + ", tlsSkipVerify=" + tlsSkipVerify + ", tlsServerName=" + tlsServerName + ", successBeforePassing="
                + successBeforePassing + ", failuresBeforeCritical=" + failuresBeforeCritical + ", notes=" + notes
                + ", extraHttpPath=" + extraHttpPath + ", extraTcp=" + extraTcp + ", extraTtl=" + extraTtl
                + ", namespace=" + namespace + ", partition=" + partition + "}";
    }
}
