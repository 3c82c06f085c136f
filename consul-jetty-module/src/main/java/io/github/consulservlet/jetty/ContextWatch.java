package io.github.consulservlet.jetty;

import org.eclipse.jetty.server.Context;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.component.LifeCycle;

import io.github.consulservlet.spi.OncePerStart;

/**
 * What a {@link ConsulJettyListener} adds to one context: hears its lifecycle and sees each
 * request that enters it, and passes both on to the webapp consul-servlet follows in it now, if
 * any (a context may be stopped and started again: each start is a new {@link FollowedWebapp}).
 *
 * <p>Added before the context starts (from {@code beanAdded}), it is one of the context's durable
 * listeners: a {@code ServletContextHandler} drops the listeners added while it started when it
 * stops, before {@code lifeCycleStopped}. A watch added only as the webapp starts ({@code late})
 * still hears {@code lifeCycleStopping}; the webapp's {@code contextDestroyed} then ends it.
 */
final class ContextWatch implements LifeCycle.Listener, ContextHandler.ContextScopeListener {
    private final ConsulJettyListener owner;
    private final ContextHandler context;
    private final boolean late;
    private volatile FollowedWebapp webapp;
    /** Whether this start of the context has been followed (even if consul-servlet let go of it since). */
    private final OncePerStart claimed = new OncePerStart();

    ContextWatch(ConsulJettyListener owner, ContextHandler context, boolean late) {
        this.owner = owner;
        this.context = context;
        this.late = late;
    }

    ConsulJettyListener owner() {
        return owner;
    }

    ContextHandler context() {
        return context;
    }

    /** Takes this start of the context for consul-servlet's initializer: true once per start. */
    boolean claim() {
        return claimed.claim();
    }

    private void startEnded() {
        claimed.startEnded();
    }

    void follow(FollowedWebapp started) {
        FollowedWebapp previous = webapp;
        webapp = started;
        if (previous != null && previous != started) {
            previous.detach();
        }
    }

    void unfollow(FollowedWebapp gone) {
        if (webapp == gone) {
            webapp = null;
            // a late watch let go during the start stays until the start ends, keeping it claimed
            if (late && !context.isStarting()) {
                context.removeEventListener(this);
            }
        }
    }

    @Override
    public void lifeCycleStarted(LifeCycle event) {
        FollowedWebapp current = webapp;
        if (event == context && current != null) {
            current.contextStarted();
        } else if (event == context && late) {
            context.removeEventListener(this); // let go of during the start: a later start gets a new watch
        }
    }

    @Override
    public void lifeCycleFailure(LifeCycle event, Throwable cause) {
        FollowedWebapp current = webapp;
        if (event == context) {
            startEnded();
            if (current != null) {
                current.stopped();
            } else if (late) {
                context.removeEventListener(this);
            }
        }
    }

    @Override
    public void lifeCycleStopping(LifeCycle event) {
        FollowedWebapp current = webapp;
        if (event == context && current != null) {
            current.stopping();
        }
    }

    @Override
    public void lifeCycleStopped(LifeCycle event) {
        FollowedWebapp current = webapp;
        if (event == context) {
            startEnded();
            if (current != null) {
                current.stopped();
            }
        }
    }

    /** Called as a request enters the context, and again as its callbacks run in the context's scope. */
    @Override
    public void enterScope(Context scope, Request request) {
        FollowedWebapp current = webapp;
        if (request != null && current != null) {
            current.entered(request);
        }
    }

    @Override
    public String toString() {
        return "%s@%x{%s}".formatted(getClass().getSimpleName(), hashCode(), ConsulJettyListener.servletContextPath(context));
    }
}
