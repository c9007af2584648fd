package com.catalytic.deploy.config;

import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.TenantScoped;
import com.catalytic.api.personal.DataSubject;
import com.catalytic.api.personal.PersonalData;
import com.catalytic.deploy.web.AuthenticationFilter;
import com.catalytic.deploy.web.RequestIdFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.MessageOriginProvider;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Every command carries who sent it and from where as metadata ({@code tenant_id}, {@code actor_type},
 * {@code actor_id}, {@code api_key_id}, {@code request_id}, {@code ip}, {@code user_agent}); Axon copies that
 * metadata onto every event the command causes, so the audit trail can name actor and context. The IP address and
 * user agent are personal data: sealed under the key of the user acting (or acted for, {@link DataSubject}), and
 * left out when the request has no such user.
 */
@Configuration
class MessageMetadataConfiguration {

    public static final List<String> KEYS = List.of("tenant_id", "actor_type", "actor_id", "api_key_id", "request_id",
            "ip", "user_agent");

    @Bean
    public static CorrelationDataProvider requestContextCorrelation() {
        return new SimpleCorrelationDataProvider(KEYS.toArray(String[]::new));
    }

    @Bean
    public static CorrelationDataProvider messageOriginProvider() {
        return new MessageOriginProvider();
    }

    @Autowired
    public void registerInterceptors(CommandBus commandBus, EventBus eventBus, PersonalData personalData) {
        commandBus.registerDispatchInterceptor(requestContext(personalData));
        eventBus.registerDispatchInterceptor(tenantOfEvent());
    }

    /** Events whose command did not know the tenant (e.g. a token refresh) still carry it, from their payload. */
    static MessageDispatchInterceptor<EventMessage<?>> tenantOfEvent() {
        return messages -> (index, event) -> event.getPayload() instanceof TenantScoped scoped
                && scoped.tenantId() != null && !event.getMetaData().containsKey("tenant_id")
                ? event.andMetaData(Map.of("tenant_id", scoped.tenantId()))
                : event;
    }

    static MessageDispatchInterceptor<CommandMessage<?>> requestContext(PersonalData personalData) {
        return messages -> (index, command) -> {
            Map<String, Object> md = new HashMap<>();
            Object payload = command.getPayload();
            Caller caller = null;
            if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs) {
                HttpServletRequest req = attrs.getRequest();
                caller = req.getAttribute(AuthenticationFilter.CALLER) instanceof Caller c ? c : null;
                put(md, "request_id", req.getAttribute(RequestIdFilter.ATTRIBUTE));
                String subject = caller != null && caller.userId() != null ? caller.userId()
                        : payload instanceof DataSubject s ? s.dataSubjectId() : null;
                if (subject != null) {
                    String ua = req.getHeader("User-Agent");
                    put(md, "ip", personalData.seal(subject, req.getRemoteAddr()));
                    put(md, "user_agent", personalData.seal(subject, ua == null ? null
                            : ua.substring(0, Math.min(ua.length(), 256))));
                }
                md.put("actor_type", caller == null ? "anonymous" : caller.isApiKey() ? "api_key" : "user");
            } else {
                md.put("actor_type", "system");
            }
            if (caller != null) {
                put(md, "actor_id", caller.userId());
                put(md, "api_key_id", caller.apiKeyId());
            }
            if (payload instanceof TenantScoped scoped && scoped.tenantId() != null) {
                md.put("tenant_id", scoped.tenantId());
            } else if (caller != null) {
                md.put("tenant_id", caller.tenantId());
            }
            return command.andMetaData(md);
        };
    }

    private static void put(Map<String, Object> md, String key, Object value) {
        if (value != null) {
            md.put(key, value.toString());
        }
    }
}
