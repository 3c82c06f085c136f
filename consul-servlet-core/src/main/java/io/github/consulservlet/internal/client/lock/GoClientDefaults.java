package io.github.consulservlet.internal.client.lock;

import java.time.Duration;

/**
 * The constants of HashiCorp's Go client that a lock or semaphore must share with it to
 * interoperate, each with where it comes from. Flags are unsigned 64-bit numbers held in the
 * bits of a {@code long}.
 */
final class GoClientDefaults {
    /** api/lock.go, DefaultLockSessionName. */
    static final String LOCK_SESSION_NAME = "Consul API Lock";
    /** api/semaphore.go, DefaultSemaphoreSessionName. */
    static final String SEMAPHORE_SESSION_NAME = "Consul API Semaphore";
    /** api/lock.go DefaultLockSessionTTL and api/semaphore.go DefaultSemaphoreSessionTTL, both "15s". */
    static final Duration SESSION_TTL = Duration.ofSeconds(15);
    /** api/lock.go DefaultLockWaitTime and api/semaphore.go DefaultSemaphoreWaitTime: each blocking query while waiting. */
    static final Duration WAIT_TIME = Duration.ofSeconds(15);
    /** api/lock.go, DefaultLockRetryTime: the pause after an acquire refused with the key free (a lock delay). */
    static final Duration LOCK_RETRY_TIME = Duration.ofSeconds(5);
    /** api/lock.go, DefaultMonitorRetryTime: the pause before a monitor retry. */
    static final Duration MONITOR_RETRY_TIME = Duration.ofSeconds(2);
    /** api/lock.go and api/semaphore.go, LockOptions.MonitorRetries: "defaults to 0 which means no retries". */
    static final int MONITOR_RETRIES = 0;
    /** api/lock.go, LockFlagValue: marks a key used for a lock. */
    static final long LOCK_FLAG = 0x2ddccbc058a50c18L;
    /** api/semaphore.go, SemaphoreFlagValue: marks a key used for a semaphore. */
    static final long SEMAPHORE_FLAG = 0xe0f69a2baa414de0L;
    /** api/semaphore.go, DefaultSemaphoreKey: the holder list within a semaphore's prefix. */
    static final String SEMAPHORE_KEY = ".lock";
    /**
     * api/session.go, RenewPeriodic: a session is renewed every half TTL; a failed renewal is
     * retried every second until a whole TTL has passed since the last good one.
     */
    static final int RENEWALS_PER_TTL = 2;
    /** api/session.go, RenewPeriodic: the pause after a failed renewal. */
    static final Duration RENEW_RETRY_TIME = Duration.ofSeconds(1);

    private GoClientDefaults() {
    }
}
