package com.catalytic.deploy.health;

import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Every user of the application's connection pool goes through the {@link DatabaseAvailability} breaker. */
@Configuration
class DatabaseGuardConfiguration {

    @Bean(destroyMethod = "close")
    DatabaseAvailability databaseAvailability(
            @Value("${catalytic.database.probe-interval:500ms}") Duration probeInterval) {
        return new DatabaseAvailability(probeInterval);
    }

    @Bean
    static BeanPostProcessor guardedDataSource(ObjectProvider<DatabaseAvailability> availability) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return "dataSource".equals(name) && bean instanceof DataSource pool && !(bean instanceof GuardedDataSource)
                        ? new GuardedDataSource(pool, availability.getObject()) : bean;
            }
        };
    }
}
