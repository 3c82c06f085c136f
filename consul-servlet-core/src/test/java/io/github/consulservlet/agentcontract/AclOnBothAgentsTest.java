package io.github.consulservlet.agentcontract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsulPermissionException;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.testagent.AgentKind;
import io.github.consulservlet.testagent.ConsulTestAgent;

/**
 * An agent with ACLs on and {@code default_policy = "deny"}: a call without a token, or with one
 * the agent does not know ("ACL not found"), is a {@link ConsulPermissionException} with Consul's
 * status and message; the token travels in the {@code X-Consul-Token} header only, never in a URL.
 */
class AclOnBothAgentsTest extends OnBothAgents {

    @Override
    ConsulTestAgent startAgent(AgentKind kind) {
        return ConsulTestAgent.ownWithAcl(kind);
    }

    @Test
    void theManagementTokenMayDoEverythingTheSuiteDoes() {
        assertTrue(consul.kv().set(prefix + "k", "v"));
        assertEquals("v", consul.kv().getString(prefix + "k").orElseThrow());
        String id = uniqueService("guarded");
        register(ServiceRegistration.builder(id).port(1).check(CheckDefinition.ttl(Duration.ofMinutes(1)).build()).build());
        assertTrue(consul.agent().service(id).isPresent());
        assertFalse(consul.sessions().create().isEmpty());
    }

    @Test
    void aCallWithoutATokenIsDeniedWithConsulsStatusAndMessage() {
        try (ConsulClient anonymous = ConsulClient.builder().agents(agent.address()).build()) {
            ConsulPermissionException read = assertThrows(ConsulPermissionException.class, () -> anonymous.kv().get(prefix + "k"));
            assertEquals(403, read.status());
            assertTrue(read.consulMessage().startsWith("Permission denied"), read::consulMessage);
            assertThrows(ConsulPermissionException.class, () -> anonymous.kv().set(prefix + "k", "v"));
            assertThrows(ConsulPermissionException.class, () -> anonymous.agent().register(
                    ServiceRegistration.builder(uniqueService("denied")).port(1).build()));
            assertThrows(ConsulPermissionException.class, () -> anonymous.sessions().create());
        }
        assertTrue(consul.kv().get(prefix + "k").isEmpty(), "nothing was written");
    }

    @Test
    void aTokenTheAgentDoesNotKnowIsAclNotFound() {
        try (ConsulClient stranger = ConsulClient.builder().agents(agent.address())
                .token("00000000-0000-4000-8000-000000000000").build()) {
            ConsulPermissionException denied = assertThrows(ConsulPermissionException.class, () -> stranger.kv().get(prefix + "k"));
            assertEquals(403, denied.status());
            assertEquals("ACL not found", denied.consulMessage());
            assertFalse(denied.getMessage().contains("00000000-0000-4000-8000-000000000000"), "the token is never told");
        }
    }

    @Test
    void theTokenIsSentAsAHeaderAndNeverInAUrl() {
        String token = agent.token().orElseThrow();
        try (RecordingProxy proxy = new RecordingProxy(agent.uri());
                ConsulClient proxied = ConsulClient.builder().agents(proxy.address()).token(token).build()) {
            proxied.kv().set(prefix + "k", "v");
            proxied.kv().getString(prefix + "k");
            proxied.kv().keys(prefix);
            proxied.discovery().services();
            proxied.agent().checks();
            proxied.sessions().destroy(proxied.sessions().create());

            assertEquals(7, proxy.requests().size(), proxy.requests()::toString);
            for (RecordingProxy.Seen request : proxy.requests()) {
                assertEquals(token, request.token(), request::toString);
                assertFalse(request.uri().contains(token), request::toString);
            }
        }
    }
}
