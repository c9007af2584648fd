package com.catalytic.infrastructure.store;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The key-value store the nodes share. */
@Configuration
class KeyValueStoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KeyValueStoreConfiguration.class);

    /** Redis when {@code REDIS_HOST} is set; otherwise the in-process stand-in of the embedded default. */
    @Bean
    KeyValueStore keyValueStore(@Value("${REDIS_HOST:}") String redisHost,
                                @Value("${catalytic.redis.key-prefix:clc:}") String prefix,
                                ObjectProvider<StringRedisTemplate> redis, Clock clock) {
        if (redisHost.isBlank()) {
            log.info("REDIS_HOST is not set: using the in-process store (single node only)");
            return new InMemoryKeyValueStore(clock);
        }
        return new RedisKeyValueStore(redis.getObject(), prefix);
    }
}
