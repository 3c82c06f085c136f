package io.github.consulservlet.internal.client.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How to talk TLS to an {@code https://} agent: the CA that signed the agent's certificate
 * (the JVM's trust store when absent), an optional client certificate and key for agents that
 * verify incoming connections, and whether to verify the agent at all (on by default; off is
 * for tests only, as with {@code CONSUL_HTTP_SSL_VERIFY=false}). Files are PEM. Immutable.
 */
public final class TlsSettings {
    /** The JVM's trust store, verification on, no client certificate. */
    public static final TlsSettings DEFAULT = builder().build();

    private final Path caFile;
    private final Path clientCertificate;
    private final Path clientKey;
    private final boolean verify;

    private TlsSettings(Builder b) {
        this.caFile = b.caFile;
        this.clientCertificate = b.clientCertificate;
        this.clientKey = b.clientKey;
        this.verify = b.verify;
    }

    /** A builder at the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The PEM file of the CA certificates that the agent's certificate must chain to. */
    public Optional<Path> caFile() {
        return Optional.ofNullable(caFile);
    }

    /** The PEM client certificate (chain) presented to the agent. */
    public Optional<Path> clientCertificate() {
        return Optional.ofNullable(clientCertificate);
    }

    /** The PEM private key of {@link #clientCertificate()}. */
    public Optional<Path> clientKey() {
        return Optional.ofNullable(clientKey);
    }

    /** Whether the agent's certificate and host name are verified. */
    public boolean verify() {
        return verify;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsSettings other && Objects.equals(caFile, other.caFile)
                && Objects.equals(clientCertificate, other.clientCertificate)
                && Objects.equals(clientKey, other.clientKey) && verify == other.verify;
    }

    @Override
    public int hashCode() {
        return Objects.hash(caFile, clientCertificate, clientKey, verify);
    }

    @Override
    public String toString() {
        return "TlsSettings{caFile=" + caFile + ", clientCertificate=" + clientCertificate
                + ", clientKey=" + clientKey + ", verify=" + verify + "}";
    }

    /** Builds {@link TlsSettings}; every file must exist and be readable. */
    public static final class Builder {
        private Path caFile;
        private Path clientCertificate;
        private Path clientKey;
        private boolean verify = true;

        private Builder() {
        }

        /** The CA certificates (PEM) the agent's certificate must chain to. */
        public Builder caFile(Path file) {
            this.caFile = readable(file, "consul.tls.ca-file");
            return this;
        }

        /** A client certificate (PEM) and its unencrypted private key (PEM). */
        public Builder clientCertificate(Path certificate, Path key) {
            this.clientCertificate = readable(certificate, "consul.tls.client-cert");
            this.clientKey = readable(key, "consul.tls.client-key");
            return this;
        }

        /** Whether to verify the agent's certificate and host name; true by default. */
        public Builder verify(boolean verify) {
            this.verify = verify;
            return this;
        }

        /** The settings. */
        public TlsSettings build() {
            return new TlsSettings(this);
        }

        private static Path readable(Path file, String setting) {
            Objects.requireNonNull(file, setting);
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IllegalArgumentException(setting + " '" + file
                        + "' is not a readable file; expected the path of a PEM file");
            }
            return file;
        }
    }
}
