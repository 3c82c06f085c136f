package io.github.consulservlet.internal.client.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.github.consulservlet.internal.client.json.Json;

/**
 * A service instance to register with the local agent, with its checks, sent in one
 * {@code PUT /v1/agent/service/register}. Immutable.
 *
 * <pre>{@code
 * ServiceRegistration.builder("shop").id("shop-web1-8080").port(8080).tags(List.of("v2"))
 *         .check(CheckDefinition.ttl(Duration.ofSeconds(30)).build()).build();
 * }</pre>
 */
public final class ServiceRegistration {
    private final String id;
    private final String name;
    private final List<String> tags;
    private final String address;
    private final int port;
    private final Map<String, String> meta;
    private final List<CheckDefinition> checks;
    private final boolean replaceExistingChecks;
    private final int[] weights;
    private final Map<String, Map.Entry<String, Integer>> taggedAddresses;
    private final boolean enableTagOverride;

    private ServiceRegistration(Builder b) {
        this.weights = b.weights;
        this.taggedAddresses = new java.util.TreeMap<>(b.taggedAddresses);
        this.enableTagOverride = b.enableTagOverride;
        this.id = b.id;
        this.name = b.name;
        this.tags = List.copyOf(b.tags);
        this.address = b.address;
        this.port = b.port;
        this.meta = Map.copyOf(b.meta);
        this.checks = List.copyOf(b.checks);
        this.replaceExistingChecks = b.replaceExistingChecks;
    }

    /** A builder for an instance of service {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The instance ID; the name when none was set, as Consul does. */
    public String id() {
        return id == null ? name : id;
    }

    /** The service name. */
    public String name() {
        return name;
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** The address; empty lets Consul advertise the node's address. */
    public String address() {
        return address;
    }

    /** The tags. */
    public List<String> tags() {
        return tags;
    }

    /** The metadata. */
    public Map<String, String> meta() {
        return meta;
    }

    /** The checks registered with the service. */
    public List<CheckDefinition> checks() {
        return checks;
    }

    /** Whether checks the agent knows for this ID but that are not listed here are removed. */
    public boolean replaceExistingChecks() {
        return replaceExistingChecks;
    }

    JsonObject toJson() {
        JsonObject json = new JsonObject();
        if (id != null) {
            json.addProperty("ID", id);
        }
        json.addProperty("Name", name);
        if (!tags.isEmpty()) {
            json.add("Tags", Json.array(tags));
        }
        json.addProperty("Address", address);
        json.addProperty("Port", port);
        if (!meta.isEmpty()) {
            json.add("Meta", Json.object(new java.util.TreeMap<>(meta)));
        }
        if (!taggedAddresses.isEmpty()) {
            // https://developer.hashicorp.com/consul/api-docs/agent/service#taggedaddresses
            JsonObject tagged = new JsonObject();
            taggedAddresses.forEach((tag, at) -> {
                JsonObject address = new JsonObject();
                address.addProperty("Address", at.getKey());
                address.addProperty("Port", at.getValue());
                tagged.add(tag, address);
            });
            json.add("TaggedAddresses", tagged);
        }
        if (weights != null) {
            JsonObject w = new JsonObject();
            w.addProperty("Passing", weights[0]);
            w.addProperty("Warning", weights[1]);
            json.add("Weights", w);
        }
        if (enableTagOverride) {
            json.addProperty("EnableTagOverride", true);
        }
        if (checks.size() == 1) {
            json.add("Check", checks.get(0).toJson());
        } else if (!checks.isEmpty()) {
            JsonArray array = new JsonArray();
            checks.forEach(check -> array.add(check.toJson()));
            json.add("Checks", array);
        }
        return json;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceRegistration other && toJson().equals(other.toJson())
                && replaceExistingChecks == other.replaceExistingChecks;
    }

    @Override
    public int hashCode() {
        return Objects.hash(toJson(), replaceExistingChecks);
    }

    @Override
    public String toString() {
        JsonObject json = toJson(); // as the checks show themselves: without header values
        if (checks.size() == 1) {
            json.add("Check", com.google.gson.JsonParser.parseString(checks.get(0).toString().substring("CheckDefinition".length())));
        } else if (!checks.isEmpty()) {
            JsonArray array = new JsonArray();
            checks.forEach(check -> array.add(com.google.gson.JsonParser.parseString(check.toString().substring("CheckDefinition".length()))));
            json.add("Checks", array);
        }
        return "ServiceRegistration" + Json.write(json);
    }

    /** Builds a {@link ServiceRegistration}. */
    public static final class Builder {
        private final String name;
        private String id;
        private List<String> tags = List.of();
        private String address = "";
        private int port;
        private Map<String, String> meta = new LinkedHashMap<>();
        private final List<CheckDefinition> checks = new ArrayList<>();
        private boolean replaceExistingChecks;
        private int[] weights;
        private final Map<String, Map.Entry<String, Integer>> taggedAddresses = new LinkedHashMap<>();
        private boolean enableTagOverride;

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a service name must not be blank");
            }
            this.name = name;
        }

        /** The instance ID, unique on the agent. */
        public Builder id(String id) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("a service ID must not be blank");
            }
            this.id = id;
            return this;
        }

        /** The tags. */
        public Builder tags(List<String> tags) {
            this.tags = List.copyOf(tags);
            return this;
        }

        /** The address; empty (the default) lets Consul advertise the node's address. */
        public Builder address(String address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The port, 1 to 65535. */
        public Builder port(int port) {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("a service port must be 1 to 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** The metadata. */
        public Builder meta(Map<String, String> meta) {
            this.meta = new LinkedHashMap<>(meta);
            return this;
        }

        /** Adds a check. */
        public Builder check(CheckDefinition check) {
            checks.add(Objects.requireNonNull(check, "check"));
            return this;
        }

        /** Consul's DNS SRV weights while the checks pass (1 to 65535) and while one warns (0 to 65535). */
        public Builder weights(int passing, int warning) {
            if (passing < 1 || passing > 65_535 || warning < 0 || warning > 65_535) {
                throw new IllegalArgumentException("weights must be passing 1 to 65535 and warning 0 to 65535, were "
                        + passing + " and " + warning);
            }
            this.weights = new int[] {passing, warning};
            return this;
        }

        /** An address the instance is reached at from another network, under {@code tag} ({@code lan}, {@code wan}...). */
        public Builder taggedAddress(String tag, String address, int port) {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("a tagged address's port must be 1 to 65535, was " + port);
            }
            taggedAddresses.put(Objects.requireNonNull(tag, "tag"), Map.entry(Objects.requireNonNull(address, "address"), port));
            return this;
        }

        /** Consul's {@code EnableTagOverride}: tags changed in the catalog stay until the next registration. */
        public Builder enableTagOverride(boolean enable) {
            this.enableTagOverride = enable;
            return this;
        }

        /** Removes checks of this service that this registration does not list. */
        public Builder replaceExistingChecks(boolean replace) {
            this.replaceExistingChecks = replace;
            return this;
        }

        /** The registration. */
        public ServiceRegistration build() {
            return new ServiceRegistration(this);
        }
    }
}
