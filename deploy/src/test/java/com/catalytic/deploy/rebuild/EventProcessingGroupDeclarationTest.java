package com.catalytic.deploy.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.TestApp;
import com.catalytic.projections.EventProcessingGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.config.ProcessingGroup;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.ClassUtils;

/**
 * {@link EventProcessingGroup} is the one declaration of the processing groups: every group a handler joins is in it,
 * every handler of the projections module builds a declared projection, and a projection's tables are exactly what
 * the projections module's migrations create (what a rebuild builds and swaps in). No Spring context.
 */
class EventProcessingGroupDeclarationTest {

    /** Handler class → the group its {@code @ProcessingGroup} names, for every such class of the application. */
    private static Map<Class<?>, String> handlers() {
        ClassPathScanningCandidateComponentProvider scan = new ClassPathScanningCandidateComponentProvider(false);
        scan.addIncludeFilter(new AnnotationTypeFilter(ProcessingGroup.class));
        Map<Class<?>, String> out = new LinkedHashMap<>();
        for (BeanDefinition candidate : scan.findCandidateComponents("com.catalytic")) {
            Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), null);
            out.put(type, type.getAnnotation(ProcessingGroup.class).value());
        }
        return out;
    }

    @Test
    void everyGroupAHandlerJoinsIsDeclared() {
        Map<Class<?>, String> handlers = handlers();
        assertThat(handlers).as("handlers found on the class path").hasSizeGreaterThan(10);
        handlers.forEach((type, group) -> assertThat(EventProcessingGroup.named(group))
                .as("%s joins group '%s', which EventProcessingGroup does not declare", type.getName(), group)
                .isPresent());
        assertThat(handlers.values()).as("every declared group has a handler")
                .containsAll(Arrays.stream(EventProcessingGroup.values()).map(EventProcessingGroup::groupName)
                        .toList());
    }

    @Test
    void everyHandlerOfTheProjectionsModuleBuildsADeclaredProjection() {
        Map<Class<?>, String> projections = new LinkedHashMap<>();
        handlers().forEach((type, group) -> {
            if (type.getPackageName().startsWith("com.catalytic.projections")) {
                projections.put(type, group);
            }
        });
        assertThat(projections).as("the projections module's handlers").isNotEmpty();
        projections.forEach((type, group) -> assertThat(EventProcessingGroup.named(group)
                .filter(EventProcessingGroup::isProjection))
                .as("%s builds read tables in group '%s', which is not a declared projection with tables",
                        type.getName(), group)
                .isPresent());
    }

    @Test
    void eachTableIsOwnedByOneProjectionAndGroupNamesAreUnique() {
        List<String> tables = declaredTables();
        assertThat(tables).as("tables owned by more than one projection").doesNotHaveDuplicates();
        assertThat(Arrays.stream(EventProcessingGroup.values()).map(EventProcessingGroup::groupName))
                .doesNotHaveDuplicates();
    }

    @Test
    void theDeclaredTablesAreExactlyTheTablesTheProjectionMigrationsCreate() throws Exception {
        String schema = TestApp.newSchema();
        String password = System.getenv().getOrDefault("TEST_DATABASE_PASSWORD", "");
        // the rebuild's own schema creation: the projections module's migrations into a schema of their own
        RebuildSchemas schemas = new RebuildSchemas(new Database(TestApp.pgUrl(), TestApp.pgUser(), password));
        schemas.create(schema);
        try {
            JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestApp.pgUrl(), TestApp.pgUser(),
                    password));
            List<String> created = jdbc.queryForList("SELECT table_name FROM information_schema.tables "
                    + "WHERE table_schema = ? AND table_name <> 'flyway_schema_history'", String.class, schema);
            for (EventProcessingGroup projection : EventProcessingGroup.projections()) {
                assertThat(created).as("tables of projection %s after the migrations", projection.groupName())
                        .containsAll(projection.tables());
            }
            assertThat(declaredTables()).as("a table the projection migrations create is owned by no projection, "
                    + "so a rebuild would leave it alone").containsAll(created);
        } finally {
            schemas.drop(schema);
        }
    }

    private static List<String> declaredTables() {
        List<String> tables = new ArrayList<>();
        EventProcessingGroup.projections().forEach(p -> tables.addAll(p.tables()));
        return tables;
    }
}
