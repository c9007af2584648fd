package com.catalytic.deploy.web;

import com.catalytic.infrastructure.node.NodeRoles.Role;
import com.catalytic.infrastructure.node.NodeRoles;
import java.util.Optional;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcRegistrations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The HTTP routes of a node are those of its roles: the command side's controllers on a node holding the commands
 * role, the query side's on one holding queries. A route of another side is not there at all (404, as any unknown
 * path), so a load balancer routes by path to the nodes that serve it. Health, metrics and errors are on every node.
 */
@Configuration
class NodeRoutes {

    private static final String COMMAND_SIDE = "com.catalytic.command.";
    private static final String QUERY_SIDE = "com.catalytic.query.";

    @Bean
    WebMvcRegistrations routesOfThisNodesRoles(NodeRoles roles) {
        return new WebMvcRegistrations() {
            @Override
            public RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
                return new RequestMappingHandlerMapping() {
                    @Override
                    protected boolean isHandler(Class<?> beanType) {
                        return super.isHandler(beanType) && side(beanType).map(roles::has).orElse(true);
                    }
                };
            }
        };
    }

    /** The role whose routes a controller holds; none for the routes every node has. */
    static Optional<Role> side(Class<?> controller) {
        String name = controller.getName();
        if (name.startsWith(COMMAND_SIDE)) {
            return Optional.of(Role.COMMANDS);
        }
        return name.startsWith(QUERY_SIDE) ? Optional.of(Role.QUERIES) : Optional.empty();
    }
}
