package com.catalytic.deploy.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.axonframework.queryhandling.QueryHandler;
import org.junit.jupiter.api.Test;
import org.springframework.data.repository.Repository;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.stereotype.Controller;

/**
 * The boundaries of docs/ARCHITECTURE.md ("Boundaries"), checked on the main classes of every module: module
 * directions, one read path (no SQL in controllers, controllers are not query handlers), the command side does not
 * read read tables, and no package cycles.
 */
class ArchitectureTest {

    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("com.catalytic");

    /** Working directory of the tests: the deploy module, beside the other modules. */
    static final Path ROOT = Path.of("..");
    /** The write side and the infrastructure it runs on: neither reads a table of the projections. */
    static final List<Path> WRITE_SIDE_SOURCES = List.of(ROOT.resolve("command-side/src/main/java"),
            ROOT.resolve("infrastructure/src/main/java"));
    static final Path PROJECTION_MIGRATIONS = ROOT.resolve("projections/src/main/resources/db/migration/projections");

    static final DescribedPredicate<JavaClass> SQL_ACCESS = describe("access the database directly (JDBC, JPA, "
                    + "java.sql, Spring Data repositories)",
            c -> assignableTo(JdbcOperations.class).test(c)
                    || assignableTo(NamedParameterJdbcOperations.class).test(c)
                    || assignableTo(DataSource.class).test(c)
                    || assignableTo(EntityManager.class).test(c)
                    || assignableTo(EntityManagerFactory.class).test(c)
                    || assignableTo(Repository.class).test(c)
                    || resideInAPackage("java.sql..").test(c)
                    || c.getSimpleName().endsWith("Repository"));

    @Test
    void everyModuleIsImported() {
        for (String module : List.of("api", "infrastructure", "command", "projections", "query", "deploy")) {
            assertThat(CLASSES.stream().anyMatch(c -> c.getPackageName().startsWith("com.catalytic." + module + ".")))
                    .as("classes of com.catalytic.%s", module).isTrue();
        }
    }

    /** The directions of the Maven dependencies, so that a new import cannot go against them through deploy. */
    @Test
    void modulesDependOnlyInTheirDirections() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("shared-api").definedBy("com.catalytic.api..")
                .layer("infrastructure").definedBy("com.catalytic.infrastructure..")
                .layer("command-side").definedBy("com.catalytic.command..")
                .layer("projections").definedBy("com.catalytic.projections..")
                .layer("query-side").definedBy("com.catalytic.query..")
                .layer("deploy").definedBy("com.catalytic.deploy..")
                .whereLayer("deploy").mayNotBeAccessedByAnyLayer()
                .whereLayer("command-side").mayOnlyBeAccessedByLayers("deploy")
                .whereLayer("query-side").mayOnlyBeAccessedByLayers("deploy")
                .whereLayer("projections").mayOnlyBeAccessedByLayers("query-side", "deploy")
                .whereLayer("infrastructure").mayOnlyBeAccessedByLayers("command-side", "query-side", "deploy")
                .whereLayer("shared-api").mayOnlyBeAccessedByLayers("infrastructure", "command-side", "projections",
                        "query-side", "deploy")
                .check(CLASSES);
    }

    /** One read path: controller → QueryGateway → @QueryHandler → repository. */
    @Test
    void controllersDoNotAccessTheDatabase() {
        noClasses().that().areMetaAnnotatedWith(Controller.class)
                .should().dependOnClassesThat(SQL_ACCESS)
                .because("a controller sends a query; the query handler's repository owns the SQL")
                .check(CLASSES);
    }

    @Test
    void controllersAreNotQueryHandlers() {
        noMethods().that().areDeclaredInClassesThat().areMetaAnnotatedWith(Controller.class)
                .should().beAnnotatedWith(QueryHandler.class)
                .because("a controller translates HTTP to messages; the query handler is a class of its own")
                .check(CLASSES);
    }

    /**
     * The command side asks the query side instead of reading the tables of projections. ArchUnit does not see SQL, so
     * this reads the command side's string literals (adjacent literals joined by {@code +} taken as one) for a
     * projection table named after FROM, JOIN, UPDATE or INTO.
     */
    @Test
    void commandSideDoesNotTouchReadTables() throws IOException {
        List<String> tables = projectionTables();
        assertThat(tables).as("tables created by " + PROJECTION_MIGRATIONS).contains("tenants", "users");
        Pattern sql = Pattern.compile("\\b(?:FROM|JOIN|UPDATE|INTO)\\s+(" + String.join("|", tables) + ")\\b",
                Pattern.CASE_INSENSITIVE);
        List<String> found = new ArrayList<>();
        for (Path root : WRITE_SIDE_SOURCES) {
            List<Path> sources;
            try (Stream<Path> files = Files.walk(root)) {
                sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            }
            assertThat(sources).as("sources under " + root).isNotEmpty();
            for (Path file : sources) {
                String source = Files.readString(file, StandardCharsets.UTF_8);
                for (Literal literal : literals(source)) {
                    Matcher m = sql.matcher(literal.text());
                    while (m.find()) {
                        found.add(ROOT.relativize(file) + ":" + literal.line() + " reads or writes "
                                + m.group(1).toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        assertThat(found).as("command-side SQL naming a projection table (ask the query side with a query)")
                .isEmpty();
    }

    /** Between the capability packages of each module ({@code com.catalytic.<module>.<capability>}). */
    @Test
    void noPackageCycles() {
        slices().matching("com.catalytic.(*).(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    /**
     * Package-private by default: a top-level class of the main code is public only when a class of another package
     * (main or test code) uses it or one of its nested types. Classes with a {@code main} method stay public, and so do
     * the few that other packages use in ways the class files do not show ({@link #PUBLIC_FOR_UNSEEN_USES}).
     */
    /**
     * Used from other packages only through compile-time constants (inlined by the compiler, so absent from the class
     * files), or only by another module's tests or the benchmarks, which this test's class path does not hold.
     */
    static final Set<String> PUBLIC_FOR_UNSEEN_USES = Set.of(
            "com.catalytic.api.ProcessingGroupNames", // constants of @ProcessingGroup
            "com.catalytic.deploy.web.AuthenticationFilter", // CALLER, the request attribute
            "com.catalytic.deploy.web.RequestIdFilter", // ATTRIBUTE, the request attribute
            "com.catalytic.deploy.config.RuntimeEnvironment", // constants read by the CLI
            "com.catalytic.infrastructure.metering.TokenBuckets", // command-side AdmissionPolicyTest
            "com.catalytic.infrastructure.credentials.ApiKeyUsageTracker"); // bench ApiKeyAuthBenchmark

    @Test
    void publicOnlyWhenAnotherPackageUsesIt() {
        JavaClasses withTests = new ClassFileImporter().importPackages("com.catalytic");
        List<String> needlesslyPublic = new ArrayList<>();
        for (JavaClass c : CLASSES) {
            if (!c.isTopLevelClass() || !c.getModifiers().contains(JavaModifier.PUBLIC)
                    || c.tryGetMethod("main", String[].class).isPresent()
                    || PUBLIC_FOR_UNSEEN_USES.contains(c.getName())) {
                continue;
            }
            boolean usedElsewhere = withTests.stream()
                    .filter(t -> t.getName().equals(c.getName()) || t.getName().startsWith(c.getName() + "$"))
                    .flatMap(t -> t.getDirectDependenciesToSelf().stream())
                    .anyMatch(d -> !d.getOriginClass().getPackageName().equals(c.getPackageName()));
            if (!usedElsewhere) {
                needlesslyPublic.add(c.getName());
            }
        }
        assertThat(CLASSES.stream().filter(c -> c.isTopLevelClass() && c.getModifiers().contains(JavaModifier.PUBLIC)))
                .as("public classes checked").hasSizeGreaterThan(50);
        assertThat(needlesslyPublic).as("public classes that no other package uses (make them package-private)")
                .isEmpty();
    }

    /** Tables created by the projections' migrations. */
    static List<String> projectionTables() throws IOException {
        Pattern create = Pattern.compile("CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(\\w+)",
                Pattern.CASE_INSENSITIVE);
        TreeSet<String> tables = new TreeSet<>();
        try (Stream<Path> files = Files.list(PROJECTION_MIGRATIONS)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".sql")).toList()) {
                Matcher m = create.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (m.find()) {
                    tables.add(m.group(1).toLowerCase(Locale.ROOT));
                }
            }
        }
        return List.copyOf(tables);
    }

    record Literal(int line, String text) {
    }

    /**
     * The string literals and text blocks of a Java source outside comments, with literals joined only by
     * {@code +} merged into one (escapes are kept as written: table names contain none).
     */
    static List<Literal> literals(String source) {
        List<Literal> out = new ArrayList<>();
        int i = 0;
        int line = 1;
        int n = source.length();
        StringBuilder current = null;
        int currentLine = 0;
        boolean afterLiteral = false; // only whitespace since the end of the last literal
        boolean joinable = false; // only whitespace and one '+' since the end of the last literal
        while (i < n) {
            char c = source.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (source.startsWith("//", i)) {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                line += count(source, i, end);
                i = end;
            } else if (c == '\'') {
                int j = i + 1;
                while (j < n && source.charAt(j) != '\'') {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                afterLiteral = false;
                joinable = false;
            } else if (c == '"') {
                boolean block = source.startsWith("\"\"\"", i);
                int start = block ? i + 3 : i + 1;
                int j = start;
                while (j < n && !(block ? source.startsWith("\"\"\"", j) : source.charAt(j) == '"')) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                String text = source.substring(start, Math.min(j, n));
                if (current != null && joinable) {
                    current.append(text);
                } else {
                    if (current != null) {
                        out.add(new Literal(currentLine, current.toString()));
                    }
                    current = new StringBuilder(text);
                    currentLine = line;
                }
                line += count(source, i, Math.min(j, n));
                i = j + (block ? 3 : 1);
                afterLiteral = true;
                joinable = false;
            } else if (c == '+' && afterLiteral) {
                afterLiteral = false;
                joinable = true;
                i++;
            } else {
                if (!Character.isWhitespace(c)) {
                    afterLiteral = false;
                    joinable = false;
                }
                i++;
            }
        }
        if (current != null) {
            out.add(new Literal(currentLine, current.toString()));
        }
        return out;
    }

    private static int count(String s, int from, int to) {
        int lines = 0;
        for (int k = from; k < to; k++) {
            if (s.charAt(k) == '\n') {
                lines++;
            }
        }
        return lines;
    }
}
