package com.catalytic.command.tenant;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;
import static org.axonframework.modelling.command.AggregateLifecycle.createNew;

import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.lattice.LatticeMessages.CreateLatticeCommand;
import com.catalytic.api.lattice.LatticeMessages.LatticeCreatedEvent;
import com.catalytic.api.lattice.LatticeMessages.ReleaseLatticeCommand;
import com.catalytic.api.lattice.LatticeMessages.TenantLatticeAddedEvent;
import com.catalytic.api.lattice.LatticeMessages.TenantLatticeReleasedEvent;
import com.catalytic.api.personal.PersonalData;
import com.catalytic.api.personal.PersonalDataMessages.ErasePersonalDataCommand;
import com.catalytic.api.personal.PersonalDataMessages.PersonalDataErasedEvent;
import com.catalytic.api.plan.Plan;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.api.tenant.RegisterTenantCommand;
import com.catalytic.api.tenant.TenantCommands.AddUserCommand;
import com.catalytic.api.tenant.TenantCommands.ApplyBillingStatusCommand;
import com.catalytic.api.tenant.TenantCommands.ChangeMemberCommand;
import com.catalytic.api.tenant.TenantCommands.ChangePlanCommand;
import com.catalytic.api.tenant.TenantCommands.ChangeUserRoleCommand;
import com.catalytic.api.tenant.TenantCommands.DeactivateUserCommand;
import com.catalytic.api.tenant.TenantCommands.ReactivateUserCommand;
import com.catalytic.api.tenant.TenantCommands.ReinstateTenantCommand;
import com.catalytic.api.tenant.TenantCommands.RemoveUserCommand;
import com.catalytic.api.tenant.TenantCommands.RenameTenantCommand;
import com.catalytic.api.tenant.TenantCommands.SuspendTenantCommand;
import com.catalytic.api.tenant.TenantCommands;
import com.catalytic.api.tenant.TenantEvents.TenantPlanChangedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantReinstatedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantRenamedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantSuspendedEvent;
import com.catalytic.api.tenant.TenantEvents.UserAddedEvent;
import com.catalytic.api.tenant.TenantEvents.UserDeactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserReactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRemovedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRoleChangedEvent;
import com.catalytic.api.tenant.TenantRegisteredEvent;
import com.catalytic.api.user.UserMessages.InvitationIssuedEvent;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.command.lattice.LatticeAggregate;
import com.catalytic.command.lattice.LatticeCreation;
import com.catalytic.command.lattice.LatticePlanLimits;
import com.catalytic.command.lattice.engine.LatticeDefinition;
import com.catalytic.command.uniqueness.UniqueKeyRegistry.Scope;
import com.catalytic.command.uniqueness.UniqueKeyRegistry;
import com.catalytic.command.user.Emails;
import com.catalytic.command.user.PasswordPolicy;
import com.catalytic.command.user.UserAggregate;
import com.catalytic.infrastructure.secrets.Hashing;
import com.catalytic.infrastructure.secrets.Ids;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * The tenant: a company account. It is the consistency boundary of its membership (who holds which role, who is
 * active), so the rules "nobody grants a role above their own", "admins cannot touch owners", "a tenant always keeps
 * an active owner" and the plan's user limit are decided here. Each user's own account (e-mail, password,
 * invitation) is a {@link UserAggregate} created together with its membership. It also holds the ids of its live
 * lattices, so the plan's lattice count is decided here; each lattice is a {@link LatticeAggregate} it creates.
 */
@Aggregate(type = "tenant", snapshotTriggerDefinition = "tenantSnapshotTrigger")
@Revision("2")
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public class TenantAggregate {

    public static final String DEFAULT_PLAN = PlanCatalogue.FREE;
    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";

    private record Member(Role role, boolean active, String email) {
        Member withRole(Role r) { return new Member(r, active, email); }

        Member withActive(boolean a) { return new Member(role, a, email); }
    }

    @AggregateIdentifier
    private String tenantId;
    private String name;
    private String slug;
    private String plan;
    private String status;
    private String suspensionReason;
    private final Map<String, Member> members = new HashMap<>();
    /** Removed members' sealed addresses, by user id: their personal data can still be erased. */
    private final Map<String, String> formerMembers = new HashMap<>();
    private final Set<String> erased = new HashSet<>();
    private final LinkedHashSet<String> lattices = new LinkedHashSet<>(); // concrete: a snapshot keeps the order

    protected TenantAggregate() {
    }

    @CommandHandler
    public TenantAggregate(RegisterTenantCommand cmd, UniqueKeyRegistry registry, PasswordEncoder passwordEncoder,
                           PersonalData personalData) {
        String email = Emails.normalize(cmd.ownerEmail());
        Emails.requireValid(email, "email");
        String companyName = validName(cmd.companyName(), "company_name");
        if (!Slugs.isValid(cmd.slug())) {
            throw DomainException.validation("company_name", "invalid_slug", "the tenant slug is not valid");
        }
        PasswordPolicy.requireAcceptable(cmd.ownerPassword(), email);
        if (!registry.claim(Scope.TENANT_SLUG, cmd.slug(), cmd.tenantId(), cmd.tenantId())) {
            throw DomainException.conflict("slug_taken", "a tenant with this slug already exists", "company_name");
        }
        claimEmail(registry, email, cmd.ownerUserId(), cmd.tenantId());
        String hash = passwordEncoder.encode(cmd.ownerPassword());
        String sealed = personalData.seal(cmd.ownerUserId(), email);
        UserRegisteredEvent owner = new UserRegisteredEvent(cmd.ownerUserId(), cmd.tenantId(), sealed, hash,
                Role.OWNER);
        // events applied in a constructor are held until it returns; creating the owner afterwards keeps the
        // stream in causal order: the tenant first, then its owner
        apply(new TenantRegisteredEvent(cmd.tenantId(), companyName, cmd.slug(), DEFAULT_PLAN, cmd.ownerUserId(),
                sealed))
                .andThen(() -> createUser(owner, null));
    }

    @CommandHandler
    public void handle(RenameTenantCommand cmd) {
        requireRole(cmd.actor(), Role.OWNER, "only owners can change the tenant");
        String newName = validName(cmd.name(), "name");
        if (!newName.equals(name)) {
            apply(new TenantRenamedEvent(tenantId, newName));
        }
    }

    @CommandHandler
    public void handle(SuspendTenantCommand cmd) {
        requireSystem(cmd.actor());
        if (!SUSPENDED.equals(status)) {
            apply(new TenantSuspendedEvent(tenantId, cmd.reason()));
        }
    }

    @CommandHandler
    public void handle(ReinstateTenantCommand cmd) {
        requireSystem(cmd.actor());
        if (SUSPENDED.equals(status)) {
            apply(new TenantReinstatedEvent(tenantId, cmd.reason()));
        }
    }

    @CommandHandler
    public void handle(ApplyBillingStatusCommand cmd, PlanCatalogue plans) {
        requireSystem(cmd.actor());
        if (plans.find(cmd.plan()).isEmpty()) {
            throw DomainException.validation("plan", "unknown_plan", "no plan named '" + cmd.plan() + "'");
        }
        if (!cmd.plan().equals(plan)) {
            apply(new TenantPlanChangedEvent(tenantId, plan, cmd.plan()));
        }
        boolean suspendedForNonPayment = SUSPENDED.equals(status) && TenantCommands.isNonPaymentReason(suspensionReason);
        if (cmd.suspendForNonPayment() && !SUSPENDED.equals(status)) {
            apply(new TenantSuspendedEvent(tenantId, TenantCommands.NON_PAYMENT_REASON + ": "
                    + cmd.failedPayments() + " payments failed in a row; pay the open invoice to reinstate it"));
        } else if (!cmd.suspendForNonPayment() && suspendedForNonPayment) {
            apply(new TenantReinstatedEvent(tenantId, "invoice paid"));
        }
    }

    @CommandHandler
    public void handle(ChangePlanCommand cmd, PlanCatalogue plans) {
        requireSystem(cmd.actor());
        if (plans.find(cmd.plan()).isEmpty()) {
            throw DomainException.validation("plan", "unknown_plan", "no plan named '" + cmd.plan() + "'");
        }
        if (!cmd.plan().equals(plan)) {
            apply(new TenantPlanChangedEvent(tenantId, plan, cmd.plan()));
        }
    }

    @CommandHandler
    public void handle(AddUserCommand cmd, UniqueKeyRegistry registry, PasswordEncoder passwordEncoder,
                       PlanCatalogue plans, PersonalData personalData) {
        requireNotSuspended();
        requireManager(cmd.actor());
        requireGrantable(cmd.actor(), cmd.role());
        requireWithinKey(cmd.actor(), cmd.role());
        String email = Emails.normalize(cmd.email());
        Emails.requireValid(email, "email");
        if (members.values().stream().anyMatch(m -> email.equals(personalData.open(m.email())))) {
            throw emailTaken(); // the caller sees this tenant's members anyway
        }
        requireSeat(plans);
        if (cmd.initialPassword() != null) {
            PasswordPolicy.requireAcceptable(cmd.initialPassword(), email);
        } else if (cmd.invitationTokenHash() == null || cmd.invitationExpiresAt() == null) {
            throw DomainException.validation("password", "password_or_invitation",
                    "give an initial password or ask for an invitation");
        }
        // An address held in another tenant is answered as a fresh one, so that it cannot be probed: the member
        // added never signs in (no claim on the address, no password, an invitation nobody can accept) and the
        // address's holder is told by e-mail instead (NotificationMailer).
        boolean holdsAddress = registry.claim(Scope.EMAIL, email, cmd.userId(), tenantId);
        // hashed either way, so that both answers take as long
        String hash = cmd.initialPassword() == null ? null : passwordEncoder.encode(cmd.initialPassword());
        String sealed = personalData.seal(cmd.userId(), email);
        UserRegisteredEvent account = new UserRegisteredEvent(cmd.userId(), tenantId, sealed,
                holdsAddress ? hash : null, cmd.role());
        InvitationIssuedEvent invitation = cmd.initialPassword() != null ? null
                : new InvitationIssuedEvent(cmd.userId(), tenantId,
                        holdsAddress ? cmd.invitationTokenHash() : Hashing.sha256Hex(Ids.secret(32)),
                        cmd.invitationExpiresAt());
        apply(new UserAddedEvent(tenantId, cmd.userId(), sealed, cmd.role(), cmd.initialPassword() == null,
                actorId(cmd.actor()))).andThen(() -> createUser(account, invitation));
    }

    @CommandHandler
    public void handle(ChangeUserRoleCommand cmd) {
        if (cmd.role() == null) {
            throw DomainException.validation("role", "invalid_role", "role must be one of owner, admin, member, viewer");
        }
        changeMember(cmd.actor(), cmd.userId(), cmd.role(), null, null);
    }

    @CommandHandler
    public void handle(DeactivateUserCommand cmd) {
        changeMember(cmd.actor(), cmd.userId(), null, false, null);
    }

    @CommandHandler
    public void handle(ReactivateUserCommand cmd, PlanCatalogue plans) {
        changeMember(cmd.actor(), cmd.userId(), null, true, plans);
    }

    @CommandHandler
    public void handle(ChangeMemberCommand cmd, PlanCatalogue plans) {
        changeMember(cmd.actor(), cmd.userId(), cmd.role(), cmd.active(), plans);
    }

    /**
     * A member's new role and/or active flag (null: unchanged). Every rule is decided against the member as the
     * whole change leaves them before any event is applied, so the change happens entirely or not at all.
     */
    private void changeMember(Actor actor, String userId, Role role, Boolean active, PlanCatalogue plans) {
        if (role != null || Boolean.TRUE.equals(active)) {
            requireNotSuspended(); // a suspended tenant may still switch a member off
        }
        Member target = manageable(actor, userId);
        if (role != null) {
            requireGrantable(actor, role);
        }
        Member after = new Member(role == null ? target.role() : role,
                active == null ? target.active() : active, target.email());
        boolean roleChanges = after.role() != target.role();
        boolean activeChanges = after.active() != target.active();
        if (!roleChanges && !activeChanges) {
            return;
        }
        if (roleChanges && !target.role().includes(after.role())) {
            requireWithinKey(actor, after.role()); // a demotion gives nobody more
        }
        if (activeChanges && after.active()) {
            requireSeat(plans);
        }
        boolean losesAnActiveOwner = target.role() == Role.OWNER && target.active()
                && !(after.role() == Role.OWNER && after.active());
        if (losesAnActiveOwner && activeOwners() == 1) {
            throw lastOwner();
        }
        if (roleChanges) {
            apply(new UserRoleChangedEvent(tenantId, userId, target.role(), after.role()));
        }
        if (activeChanges) {
            apply(after.active() ? new UserReactivatedEvent(tenantId, userId)
                    : new UserDeactivatedEvent(tenantId, userId));
        }
    }

    @CommandHandler
    public void handle(RemoveUserCommand cmd, UniqueKeyRegistry registry, PersonalData personalData) {
        remove(manageable(cmd.actor(), cmd.userId()), cmd.userId(), registry, personalData);
    }

    private void remove(Member target, String userId, UniqueKeyRegistry registry, PersonalData personalData) {
        if (target.role() == Role.OWNER && target.active() && activeOwners() == 1) {
            throw lastOwner();
        }
        // the address may sign up again or be added elsewhere
        registry.release(Scope.EMAIL, personalData.open(target.email()), userId, tenantId);
        apply(new UserRemovedEvent(tenantId, userId, target.email()));
    }

    /**
     * Erases a member's or former member's personal data (owners, or the system): a member is removed first, by
     * the same rules as a removal. Erasing again changes nothing.
     */
    @CommandHandler
    public void handle(ErasePersonalDataCommand cmd, UniqueKeyRegistry registry, PersonalData personalData) {
        requireRole(cmd.actor(), Role.OWNER, "only owners can erase a user's personal data");
        if (erased.contains(cmd.userId())) {
            return;
        }
        Member target = members.get(cmd.userId());
        if (target == null && !formerMembers.containsKey(cmd.userId())) {
            throw DomainException.notFound("user");
        }
        String sealedEmail = target != null ? target.email() : formerMembers.get(cmd.userId());
        if (target != null) {
            remove(target, cmd.userId(), registry, personalData);
        }
        apply(new PersonalDataErasedEvent(tenantId, cmd.userId(), sealedEmail));
    }

    @CommandHandler
    public LatticeCreation handle(CreateLatticeCommand cmd, PlanCatalogue plans) {
        requireNotSuspended();
        requireScope(cmd.actor(), Scopes.LATTICES_WRITE);
        String latticeName = LatticeAggregate.acceptableName(cmd.name());
        if (lattices.contains(cmd.latticeId())) {
            throw DomainException.conflict("lattice_exists", "a lattice with this id already exists", null);
        }
        LatticeDefinition definition = LatticePlanLimits.admit(plans.get(plan), lattices.size(), cmd.dimensions(),
                cmd.size(), cmd.obstacles());
        LatticeCreatedEvent created = new LatticeCreatedEvent(cmd.latticeId(), tenantId, latticeName,
                definition.dimensions(), definition.size(), definition.obstacles(),
                definition.vertexCount().toString(), definition.edgeCount().toString(), definition.memoryBytes(),
                actorId(cmd.actor()));
        AtomicReference<LatticeCreation> creation = new AtomicReference<>();
        apply(new TenantLatticeAddedEvent(tenantId, cmd.latticeId()))
                .andThen(() -> creation.set(createLattice(created)));
        return creation.get();
    }

    /** Idempotent: releasing a lattice the tenant does not hold (already released, or never its own) changes nothing. */
    @CommandHandler
    public void handle(ReleaseLatticeCommand cmd) {
        if (lattices.contains(cmd.latticeId())) {
            apply(new TenantLatticeReleasedEvent(tenantId, cmd.latticeId()));
        }
    }

    // --- rules

    /** The actor's role reaches the scope, and through an API key, the key holds it. */
    private static void requireScope(Actor actor, String scope) {
        boolean allowed = actor != null && (actor.isSystem()
                || (Scopes.allowedFor(scope, actor.role()) && actor.keyHolds(Set.of(scope))));
        if (!allowed) {
            throw DomainException.forbidden("insufficient_scope", "this needs the " + scope + " scope");
        }
    }

    private Member manageable(Actor actor, String userId) {
        requireManager(actor);
        Member target = members.get(userId);
        if (target == null) {
            throw DomainException.notFound("user");
        }
        if (!actor.isSystem() && !actor.role().includes(target.role())) {
            throw DomainException.forbidden("forbidden", "you cannot change a user whose role is above yours");
        }
        return target;
    }

    private static void requireManager(Actor actor) {
        requireRole(actor, Role.ADMIN, "managing users needs the admin or owner role");
    }

    private static void requireRole(Actor actor, Role least, String message) {
        if (actor == null || (!actor.isSystem() && (actor.role() == null || !actor.role().includes(least)))) {
            throw DomainException.forbidden("forbidden", message);
        }
    }

    private static void requireSystem(Actor actor) {
        if (actor == null || !actor.isSystem()) {
            throw DomainException.forbidden("forbidden", "only the system can do this");
        }
    }

    private static void requireGrantable(Actor actor, Role role) {
        if (role == null) {
            throw DomainException.validation("role", "invalid_role", "role must be one of owner, admin, member, viewer");
        }
        if (!actor.isSystem() && !actor.role().includes(role)) {
            throw DomainException.forbidden("forbidden", "you cannot grant a role above your own");
        }
    }

    /** Whoever holds the key could take the role for themselves (a password they chose, an invitation to them). */
    private static void requireWithinKey(Actor actor, Role role) {
        if (!actor.keyHolds(Scopes.heldBy(role))) {
            throw DomainException.forbidden("role_above_key", "through an API key you can give only a role whose "
                    + "every scope the key holds; the " + role.wire() + " role needs " + Scopes.heldBy(role));
        }
    }

    private void requireNotSuspended() {
        if (SUSPENDED.equals(status)) {
            throw DomainException.forbidden("tenant_suspended", "this tenant is suspended");
        }
    }

    private void requireSeat(PlanCatalogue plans) {
        Plan current = plans.get(plan);
        long seats = members.values().stream().filter(Member::active).count();
        if (!current.allowsUsers(seats + 1)) {
            throw new DomainException(Kind.PAYMENT_REQUIRED, "plan_limit",
                    "the " + current.name() + " plan allows " + current.users() + " active users; upgrade to add more");
        }
    }

    private long activeOwners() {
        return members.values().stream().filter(m -> m.active() && m.role() == Role.OWNER).count();
    }

    private static DomainException lastOwner() {
        return DomainException.conflict("last_owner", "a tenant must keep at least one active owner", null);
    }

    private static void claimEmail(UniqueKeyRegistry registry, String email, String userId, String tenantId) {
        if (!registry.claim(Scope.EMAIL, email, userId, tenantId)) {
            throw emailTaken();
        }
    }

    private static DomainException emailTaken() {
        return DomainException.conflict("email_taken", "this e-mail address is already registered", "email");
    }

    private static String validName(String value, String field) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty() || v.length() > 200) {
            throw DomainException.validation(field, "invalid_" + field, field + " must be 1 to 200 characters");
        }
        return v;
    }

    private static String actorId(Actor actor) {
        return actor.isSystem() ? "system" : actor.userId();
    }

    private static void createUser(UserRegisteredEvent account, InvitationIssuedEvent invitation) {
        try {
            createNew(UserAggregate.class, () -> new UserAggregate(account, invitation));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not create the user account", e);
        }
    }

    private static LatticeCreation createLattice(LatticeCreatedEvent created) {
        try {
            return createNew(LatticeAggregate.class, () -> new LatticeAggregate(created))
                    .invoke(LatticeAggregate::creation);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not create the lattice", e);
        }
    }

    // --- state

    @EventSourcingHandler
    void on(TenantRegisteredEvent event) {
        this.tenantId = event.tenantId();
        this.name = event.name();
        this.slug = event.slug();
        this.plan = event.plan();
        this.status = ACTIVE;
        members.put(event.ownerUserId(), new Member(Role.OWNER, true, event.ownerEmail()));
    }

    @EventSourcingHandler
    void on(TenantRenamedEvent event) { this.name = event.name(); }

    @EventSourcingHandler
    void on(TenantSuspendedEvent event) {
        this.status = SUSPENDED;
        this.suspensionReason = event.reason();
    }

    @EventSourcingHandler
    void on(TenantReinstatedEvent event) {
        this.status = ACTIVE;
        this.suspensionReason = null;
    }

    @EventSourcingHandler
    void on(TenantPlanChangedEvent event) { this.plan = event.plan(); }

    @EventSourcingHandler
    void on(UserAddedEvent event) {
        members.put(event.userId(), new Member(event.role(), true, event.email()));
    }

    @EventSourcingHandler
    void on(UserRoleChangedEvent event) { members.computeIfPresent(event.userId(), (k, m) -> m.withRole(event.role())); }

    @EventSourcingHandler
    void on(UserDeactivatedEvent event) { members.computeIfPresent(event.userId(), (k, m) -> m.withActive(false)); }

    @EventSourcingHandler
    void on(UserReactivatedEvent event) { members.computeIfPresent(event.userId(), (k, m) -> m.withActive(true)); }

    @EventSourcingHandler
    void on(UserRemovedEvent event) {
        members.remove(event.userId());
        formerMembers.put(event.userId(), event.email());
    }

    @EventSourcingHandler
    void on(PersonalDataErasedEvent event) {
        formerMembers.remove(event.userId());
        erased.add(event.userId());
    }

    @EventSourcingHandler
    void on(TenantLatticeAddedEvent event) { lattices.add(event.latticeId()); }

    @EventSourcingHandler
    void on(TenantLatticeReleasedEvent event) { lattices.remove(event.latticeId()); }

    String slug() { return slug; }
}
