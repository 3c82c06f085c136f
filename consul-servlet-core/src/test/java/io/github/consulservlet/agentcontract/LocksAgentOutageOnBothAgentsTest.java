package io.github.consulservlet.agentcontract;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsulLock;
import io.github.consulservlet.LockLost;
import io.github.consulservlet.LockOptions;
import io.github.consulservlet.testagent.AgentKind;
import io.github.consulservlet.testagent.ConsulTestAgent;

/**
 * A held lock whose agent goes away: with no monitor retries (the Go client's default) the
 * first failed read is a loss; with retries, the session that cannot be renewed for its whole
 * TTL is. Either way the holder is told, and after the agent is back (having forgotten
 * everything, as a restarted dev agent does) the lock can be taken again.
 */
class LocksAgentOutageOnBothAgentsTest extends OnBothAgents {

    @Override
    ConsulTestAgent startAgent(AgentKind kind) {
        return ConsulTestAgent.own(kind);
    }

    @Test
    void withoutRetriesTheFirstFailedReadOfAHeldLockIsALoss() throws Exception {
        ConsulLock lock = consul.locks().lock(prefix + "outage", LockOptions.builder().sessionName(prefix + "lock").build());
        assertTrue(lock.tryAcquire());
        agent.kill();
        LockLost lost = lock.lost().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(LockLost.Cause.AGENT_UNREACHABLE, lost.cause(), lost.toString());
        assertFalse(lock.isHeld());

        agent.startAgain();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(lock::tryAcquire);
        lock.release();
    }

    @Test
    void withRetriesAnAgentAwayForLongerThanTheTtlIsALossWithinTheTtl() throws Exception {
        Duration ttl = Duration.ofSeconds(10);
        ConsulLock lock = consul.locks().lock(prefix + "away", LockOptions.builder().sessionName(prefix + "lock")
                .sessionTtl(ttl).monitorRetries(1000).monitorRetryTime(Duration.ofMillis(500)).build());
        assertTrue(lock.tryAcquire());
        agent.kill();
        long killed = System.nanoTime();
        LockLost lost = lock.lost().toCompletableFuture().get(ttl.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        Duration after = Duration.ofNanos(System.nanoTime() - killed);
        assertEquals(LockLost.Cause.AGENT_UNREACHABLE, lost.cause(), lost.toString());
        assertTrue(lost.detail().contains("could not be renewed"), lost.detail());
        assertTrue(after.compareTo(ttl.dividedBy(2)) >= 0, "the retries rode out the start of the outage: " + after);
        assertFalse(lock.isHeld());
        agent.startAgain();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(lock::tryAcquire);
        lock.release();
    }
}
