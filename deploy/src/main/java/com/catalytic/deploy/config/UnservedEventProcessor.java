package com.catalytic.deploy.config;

import java.util.List;
import org.axonframework.common.Registration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.messaging.MessageHandlerInterceptor;

/**
 * The processor of a group whose role this node does not hold: its handlers are registered (they are beans of every
 * node) but nothing runs them here. It starts no thread and claims no segment, so the nodes holding the role share
 * all of them through the token store.
 */
final class UnservedEventProcessor implements EventProcessor {

    private final String name;

    UnservedEventProcessor(String name) {
        this.name = name;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public List<MessageHandlerInterceptor<? super EventMessage<?>>> getHandlerInterceptors() {
        return List.of();
    }

    @Override
    public Registration registerHandlerInterceptor(MessageHandlerInterceptor<? super EventMessage<?>> interceptor) {
        return () -> true;
    }

    @Override
    public void start() {
        // nothing runs here: the group belongs to a role this node does not hold
    }

    @Override
    public void shutDown() {
        // nothing was started
    }

    @Override
    public boolean isRunning() {
        return false;
    }

    @Override
    public boolean isError() {
        return false;
    }
}
