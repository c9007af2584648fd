package com.catalytic.infrastructure.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.catalytic.infrastructure.node.NodeRoles.Role;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class NodeRolesTest {

    @Test
    void blankOrAllIsEveryRole() {
        assertThat(NodeRoles.parse(null).roles()).isEqualTo(EnumSet.allOf(Role.class));
        assertThat(NodeRoles.parse(" ").roles()).isEqualTo(EnumSet.allOf(Role.class));
        assertThat(NodeRoles.parse("all").roles()).isEqualTo(EnumSet.allOf(Role.class));
        assertThat(NodeRoles.all()).hasToString("commands,queries,projections,dispatchers");
    }

    @Test
    void apiIsCommandsAndQueries() {
        assertThat(NodeRoles.parse("api, Projections").roles())
                .isEqualTo(EnumSet.of(Role.COMMANDS, Role.QUERIES, Role.PROJECTIONS));
        assertThat(NodeRoles.parse("dispatchers,queries")).hasToString("queries,dispatchers");
    }

    @Test
    void anUnknownOrEmptyRoleIsRefusedByName() {
        assertThatThrownBy(() -> NodeRoles.parse("api,projection"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown role 'projection'")
                .hasMessageContaining("catalytic.node.roles");
        assertThatThrownBy(() -> NodeRoles.parse("api,,queries"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown role ''");
    }
}
