package io.github.consulservlet.simulator;

import static io.github.consulservlet.simulator.Bodies.array;
import static io.github.consulservlet.simulator.Bodies.obj;
import static io.github.consulservlet.simulator.Bodies.stringObject;

import java.math.BigInteger;
import java.util.Base64;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * Consul's JSON for the node, services, checks, KV entries and sessions the simulator holds, in
 * the shapes of the API pages' sample responses. Callers hold the state's monitor.
 */
final class Views {
    private final State state;

    Views(State state) {
        this.state = state;
    }

    JsonObject node() {
        return obj("ID", state.nodeId, "Node", state.node, "Address", "127.0.0.1", "Datacenter", state.datacenter,
                "TaggedAddresses", obj("lan", "127.0.0.1", "wan", "127.0.0.1"),
                "Meta", obj("consul-network-segment", ""), "CreateIndex", state.nodeIndex, "ModifyIndex", state.nodeIndex);
    }

    JsonObject agentService(State.Service s) {
        State.ServiceSpec spec = s.spec;
        JsonObject service = obj("ID", spec.id(), "Service", spec.name(), "Tags", array(spec.tags()), "Meta", stringObject(spec.meta()),
                "Port", spec.port(), "Address", spec.address(),
                "Weights", obj("Passing", spec.weightPassing(), "Warning", spec.weightWarning()),
                "EnableTagOverride", spec.enableTagOverride(), "Datacenter", state.datacenter,
                "CreateIndex", s.createIndex, "ModifyIndex", s.modifyIndex);
        if (!spec.taggedAddresses().isEmpty()) { // omitted when empty (omitempty)
            service.add("TaggedAddresses", taggedAddresses(spec));
        }
        return service;
    }

    private static JsonObject taggedAddresses(State.ServiceSpec spec) {
        JsonObject tagged = new JsonObject();
        spec.taggedAddresses().forEach((tag, at) -> tagged.add(tag, obj("Address", at.getKey(), "Port", at.getValue())));
        return tagged;
    }

    JsonObject catalogService(State.Service s) {
        State.ServiceSpec spec = s.spec;
        return obj("ID", state.nodeId, "Node", state.node, "Address", "127.0.0.1", "Datacenter", state.datacenter,
                "TaggedAddresses", obj("lan", "127.0.0.1", "wan", "127.0.0.1"),
                "NodeMeta", obj("consul-network-segment", ""), "ServiceKind", "", "ServiceID", spec.id(),
                "ServiceName", spec.name(), "ServiceTags", array(spec.tags()), "ServiceAddress", spec.address(),
                "ServiceWeights", obj("Passing", spec.weightPassing(), "Warning", spec.weightWarning()),
                "ServiceMeta", stringObject(spec.meta()), "ServicePort", spec.port(),
                "ServiceEnableTagOverride", spec.enableTagOverride(), "CreateIndex", s.createIndex,
                "ModifyIndex", s.modifyIndex);
    }

    JsonObject check(State.Check c) {
        State.Service service = state.services.get(c.serviceId);
        State.CheckSpec spec = c.spec;
        return obj("Node", state.node, "CheckID", c.id, "Name", c.name, "Status", c.status, "Notes", c.notes,
                "Output", c.output, "ServiceID", c.serviceId, "ServiceName", service == null ? "" : service.spec.name(),
                "ServiceTags", array(service == null ? List.of() : service.spec.tags()), "Type", c.type,
                "Interval", spec == null || spec.interval() == null ? "" : GoDurations.format(spec.interval()),
                "Timeout", spec == null || spec.interval() == null ? "" : GoDurations.format(spec.timeout()),
                "ExposedPort", 0, "Definition", new JsonObject(), "CreateIndex", c.createIndex,
                "ModifyIndex", c.modifyIndex);
    }

    JsonArray entriesJson(List<State.Entry> entries) {
        JsonArray array = new JsonArray();
        for (State.Entry e : entries) {
            // https://developer.hashicorp.com/consul/api-docs/kv#flags: "an unsigned value between 0 and (2^64)-1"
            JsonObject o = obj("LockIndex", e.lockIndex, "Key", e.key, "Flags", new BigInteger(Long.toUnsignedString(e.flags)), "Value",
                    e.value == null ? JsonNull.INSTANCE : new JsonPrimitive(Base64.getEncoder().encodeToString(e.value)));
            if (!e.session.isEmpty()) {
                o.addProperty("Session", e.session);
            }
            o.addProperty("CreateIndex", e.createIndex);
            o.addProperty("ModifyIndex", e.modifyIndex);
            array.add(o);
        }
        return array;
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/session#read-session: a session's checks are
     * in NodeChecks and ServiceChecks; Consul 1.14 writes the old Checks field only when it was
     * given with a service check in it, after ServiceChecks.
     */
    JsonObject sessionJson(State.Session s) {
        JsonArray serviceChecks = new JsonArray();
        s.spec.serviceChecks().forEach(id -> serviceChecks.add(obj("ID", id, "Namespace", "")));
        JsonObject session = obj("ID", s.id, "Name", s.spec.name(), "Node", s.spec.node(), "LockDelay", s.spec.lockDelay().toNanos(),
                "Behavior", s.spec.behavior(), "TTL", s.spec.ttl(), "NodeChecks", array(s.spec.nodeChecks()),
                "ServiceChecks", serviceChecks.isEmpty() ? JsonNull.INSTANCE : serviceChecks);
        if (!s.spec.legacyChecks().isEmpty()) {
            session.add("Checks", array(s.spec.legacyChecks()));
        }
        session.addProperty("CreateIndex", s.createIndex);
        session.addProperty("ModifyIndex", s.createIndex);
        return session;
    }
}
