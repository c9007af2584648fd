package com.catalytic.infrastructure.node;

import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class NodeConfiguration {

    @Bean
    NodeRoles nodeRoles(@Value("${" + NodeRoles.SETTING + ":all}") String setting) {
        NodeRoles roles = NodeRoles.parse(setting);
        LoggerFactory.getLogger(NodeRoles.class).info("This node's roles: {}", roles);
        return roles;
    }
}
