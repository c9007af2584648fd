package com.catalytic.deploy.cluster;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.tenant.RegisterTenantCommand;
import com.catalytic.command.uniqueness.UniqueKeyRegistry;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.ResultMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Unique claims as they work with Axon Server (the events appended outside PostgreSQL), run here against the JDBC
 * store with {@code catalytic.unique-claims.reservations=true}: a claim is reserved in a transaction of its own and
 * confirmed once the command's events are stored; a failed command's reservations, and what a node that died in
 * between leaves pending, are decided from the events alone: done when an event names the reservation, undone when
 * none does.
 */
class ReservedClaimsTest {

    private static final Pattern RESERVATIONS = Pattern.compile("\"unique_claims\"\\s*:\\s*\"([^\"]+)\"");

    static TestApp app;
    static Http http;
    static JdbcTemplate jdbc;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.unique-claims.reservations", "true"));
        http = app.http();
        jdbc = app.jdbc();
        assertThat(app.bean(UniqueKeyRegistry.class).getClass().getSimpleName())
                .isEqualTo("ReservingUniqueKeyRegistry");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static Response register(String email, String company) {
        return http.post("/auth/register", Http.registration(email, Accounts.PASSWORD, company));
    }

    private static List<Map<String, Object>> claims(String scope, String value) {
        return jdbc.queryForList("SELECT owner_id, state, reservation_id, pending_since FROM unique_claims "
                + "WHERE scope = ? AND claim_value = ?", scope, value);
    }

    private static long count(String where, Object... args) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM unique_claims WHERE " + where, Long.class, args);
    }

    /** The reservations the aggregate's event of this type names in its metadata (one event expected). */
    private static String reservationsOf(String aggregateId, String payloadType) {
        List<byte[]> metadata = jdbc.queryForList("SELECT meta_data FROM domain_event_entry "
                + "WHERE aggregate_identifier = ? AND payload_type LIKE ?", byte[].class, aggregateId,
                "%" + payloadType);
        assertThat(metadata).as("%s events of %s", payloadType, aggregateId).hasSize(1);
        Matcher m = RESERVATIONS.matcher(new String(metadata.get(0), StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : null;
    }

    private static long lastSequence(String aggregateId) {
        return jdbc.queryForObject("SELECT COALESCE(MAX(sequence_number), -1) FROM domain_event_entry "
                + "WHERE aggregate_identifier = ?", Long.class, aggregateId);
    }

    /** Runs the settler now, as its schedule would (the registry's class is package-private). */
    private static int settle() {
        UniqueKeyRegistry registry = app.bean(UniqueKeyRegistry.class);
        try {
            Method settle = registry.getClass().getMethod("settle");
            settle.setAccessible(true);
            return (int) settle.invoke(registry);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The state a node leaves when it stops between its step and the next: pending since ten minutes ago. */
    private static void leavePending(String scope, String value, String state, String reservation,
                                     String aggregateId, long sequence) {
        assertThat(jdbc.update("UPDATE unique_claims SET state = ?, reservation_id = ?, aggregate_id = ?, "
                        + "aggregate_sequence = ?, pending_since = ? WHERE scope = ? AND claim_value = ?", state,
                reservation, aggregateId, sequence, Timestamp.from(Instant.now().minus(10, ChronoUnit.MINUTES)),
                scope, value)).isEqualTo(1);
    }

    @Test
    void aSignUpIsConfirmedOnceItsEventsAreStoredAndAFailedOneLeavesNoReservation() {
        Account owner = Accounts.registerAndLogin(http, "reserved");
        List<Map<String, Object>> email = claims("EMAIL", owner.email());
        assertThat(email).hasSize(1);
        assertThat(email.get(0)).containsEntry("owner_id", owner.userId()).containsEntry("state", "CONFIRMED")
                .containsEntry("reservation_id", null).containsEntry("pending_since", null);
        // the tenant's first event names both reservations (slug and e-mail) of its command
        String named = reservationsOf(owner.tenantId(), "TenantRegisteredEvent");
        assertThat(named).as("reservations named by the event").isNotNull();
        assertThat(named.split(",")).hasSize(2);
        // reserved on connections of their own, named so in pg_stat_activity
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = "
                + "'catalytic-unique-claims'", Long.class)).isPositive();

        // the same address again: the slug is reserved first, then the e-mail is found taken and the command fails
        long slugs = count("scope = 'TENANT_SLUG'");
        Response again = register(owner.email(), "Another " + UUID.randomUUID().toString().substring(0, 8));
        assertThat(again.status()).as("%s", again).isEqualTo(409);
        assertThat(again.text("code")).isEqualTo("email_taken");
        assertThat(count("scope = 'TENANT_SLUG'")).as("the failed command's slug reservation taken back")
                .isEqualTo(slugs);
        assertThat(count("state <> 'CONFIRMED'")).isZero();
    }

    @Test
    void concurrentSignUpsWithOneAddressLeaveOneAccountAndNoReservation() throws Exception {
        String email = Accounts.uniqueEmail("race");
        long slugs = count("scope = 'TENANT_SLUG'");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Response>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String company = "Race " + i + " " + UUID.randomUUID().toString().substring(0, 8);
            answers.add(pool.submit((Callable<Response>) () -> register(email, company)));
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Response> answer : answers) {
            statuses.add(answer.get().status());
        }
        pool.shutdown();
        assertThat(statuses).as("one created, the others refused").containsOnly(201, 409)
                .filteredOn(s -> s == 201).hasSize(1);
        assertThat(claims("EMAIL", email)).singleElement().extracting(c -> c.get("state")).isEqualTo("CONFIRMED");
        assertThat(count("scope = 'TENANT_SLUG'")).as("one slug kept").isEqualTo(slugs + 1);
        assertThat(count("state <> 'CONFIRMED'")).isZero();
    }

    @Test
    void aReservationLeftByANodeThatDiedBeforeTheAppendIsGivenBack() {
        Account witness = Accounts.registerAndLogin(http, "witness");
        String email = Accounts.uniqueEmail("stranded");
        String reservation = UUID.randomUUID().toString();
        // reserved by a command whose events never reached the store
        assertThat(jdbc.update("INSERT INTO unique_claims (scope, claim_value, owner_id, claimed_at, state, "
                        + "reservation_id, aggregate_id, aggregate_sequence, pending_since) "
                        + "VALUES ('EMAIL', ?, ?, now(), 'RESERVED', ?, ?, ?, now())", email,
                UUID.randomUUID().toString(), reservation, witness.tenantId(), lastSequence(witness.tenantId())))
                .isEqualTo(1);
        assertThat(register(email, "Stranded A").status()).as("held while reserved").isEqualTo(409);
        settle();
        assertThat(claims("EMAIL", email)).as("younger than settle-after: left alone").hasSize(1);

        leavePending("EMAIL", email, "RESERVED", reservation, witness.tenantId(), lastSequence(witness.tenantId()));
        // the aggregate goes on after the reservation, with events that do not name it
        assertThat(http.method("PATCH", "/api/tenant", "{\"name\":\"Witness Renamed\"}",
                bearer(witness.accessToken())).status()).isEqualTo(200);
        assertThat(settle()).isGreaterThanOrEqualTo(1);
        assertThat(claims("EMAIL", email)).as("undone: no event names it").isEmpty();
        assertThat(register(email, "Stranded B").status()).as("the address is free again").isEqualTo(201);
    }

    @Test
    void aReservationLeftByANodeThatDiedAfterTheAppendIsConfirmed() {
        Account owner = Accounts.registerAndLogin(http, "appended");
        String reservations = reservationsOf(owner.tenantId(), "TenantRegisteredEvent");
        String emailReservation = List.of(reservations.split(",")).get(1); // the slug is reserved first
        // as if the node stopped after the append, before confirming: pending since before the tenant existed
        leavePending("EMAIL", owner.email(), "RESERVED", emailReservation, owner.tenantId(), -1);
        assertThat(settle()).isGreaterThanOrEqualTo(1);
        assertThat(claims("EMAIL", owner.email())).singleElement().satisfies(c -> assertThat(c)
                .containsEntry("state", "CONFIRMED").containsEntry("owner_id", owner.userId()));
        assertThat(register(owner.email(), "Copycat").status()).isEqualTo(409);
    }

    @Test
    void aCommandWhoseCommitFailsAfterItsEventsWereStoredKeepsItsClaim() {
        // the sign-up runs inside a unit of work whose own commit fails after the sign-up's transaction committed:
        // the caller sees a failure though the events are stored, as when Axon Server's answer to an append is lost
        String tenantId = UUID.randomUUID().toString();
        String userId = UUID.randomUUID().toString();
        String email = Accounts.uniqueEmail("uncertain");
        UnitOfWork<?> outer = DefaultUnitOfWork.startAndGet(null);
        outer.onCommit(u -> {
            throw new IllegalStateException("the append's answer was lost");
        });
        ResultMessage<?> result = outer.executeWithResult(() -> app.bean(CommandGateway.class).sendAndWait(
                new RegisterTenantCommand(tenantId, "Uncertain Inc", "uncertain-" + tenantId.substring(0, 8), userId,
                        email, Accounts.PASSWORD)));
        assertThat(result.isExceptional()).as("the caller's view: failed").isTrue();
        assertThat(result.exceptionResult()).hasMessage("the append's answer was lost");
        assertThat(lastSequence(tenantId)).as("the events, stored").isGreaterThanOrEqualTo(0);

        // decided from the events at once: the claim stands, and the account it belongs to signs in
        assertThat(claims("EMAIL", email)).singleElement().satisfies(c -> assertThat(c)
                .containsEntry("state", "CONFIRMED").containsEntry("owner_id", userId));
        assertThat(Accounts.login(http, email, Accounts.PASSWORD).accessToken()).isNotBlank();
        assertThat(register(email, "Copycat Two").status()).isEqualTo(409);
    }

    @Test
    void aReleaseIsDoneOnceTheRemovalIsStoredAndSettledEitherWayAfterACrash() {
        Account owner = Accounts.registerAndLogin(http, "releaser");
        Accounts.changePlan(app, owner.tenantId(), "professional"); // seats for two members
        String[] auth = bearer(owner.accessToken());
        String removedEmail = Accounts.uniqueEmail("removed");
        String keptEmail = Accounts.uniqueEmail("kept");
        String removedId = addMember(removedEmail, auth);
        String keptId = addMember(keptEmail, auth);
        assertThat(claims("EMAIL", removedEmail)).singleElement().extracting(c -> c.get("state"))
                .isEqualTo("CONFIRMED");

        long before = lastSequence(owner.tenantId());
        assertThat(http.method("DELETE", "/api/users/" + removedId, null, auth).status()).isEqualTo(204);
        assertThat(claims("EMAIL", removedEmail)).as("released once the removal was stored").isEmpty();

        // a node that stopped after appending the removal, before deleting the claim: done by the settler
        String removal = reservationsOf(owner.tenantId(), "UserRemovedEvent");
        assertThat(removal).isNotNull();
        assertThat(jdbc.update("INSERT INTO unique_claims (scope, claim_value, owner_id, claimed_at) "
                + "VALUES ('EMAIL', ?, ?, now())", removedEmail, removedId)).isEqualTo(1);
        leavePending("EMAIL", removedEmail, "RELEASING", removal, owner.tenantId(), before);
        // a node that stopped after marking a release whose removal never reached the store: undone
        leavePending("EMAIL", keptEmail, "RELEASING", UUID.randomUUID().toString(), owner.tenantId(),
                lastSequence(owner.tenantId()));
        assertThat(settle()).isGreaterThanOrEqualTo(2);
        assertThat(claims("EMAIL", removedEmail)).as("the stored removal's release done").isEmpty();
        assertThat(claims("EMAIL", keptEmail)).singleElement().satisfies(c -> assertThat(c)
                .containsEntry("state", "CONFIRMED").containsEntry("owner_id", keptId)
                .containsEntry("reservation_id", null));
    }

    private static String addMember(String email, String[] auth) {
        Response added = http.post("/api/users", Map.of("email", email, "role", "member", "password",
                Accounts.PASSWORD), auth);
        assertThat(added.status()).as("%s", added).isEqualTo(201);
        return added.text("id");
    }
}
