package com.catalytic.deploy.support;

import java.util.Properties;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/** How often a Redis server has run a command, from {@code INFO commandstats}. */
public final class RedisCommandStats {

    private RedisCommandStats() {
    }

    /** The calls of {@code command} (lower case, e.g. {@code get}, {@code evalsha}) so far; 0 before the first. */
    public static long calls(StringRedisTemplate redis, String command) {
        Properties stats = redis.execute((RedisCallback<Properties>) c -> c.serverCommands().info("commandstats"));
        String line = stats.getProperty("cmdstat_" + command, "calls=0,");
        return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
    }
}
