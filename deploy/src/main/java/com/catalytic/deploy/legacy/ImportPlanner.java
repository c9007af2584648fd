package com.catalytic.deploy.legacy;

import static com.catalytic.deploy.legacy.LegacyValues.bool;
import static com.catalytic.deploy.legacy.LegacyValues.json;
import static com.catalytic.deploy.legacy.LegacyValues.number;
import static com.catalytic.deploy.legacy.LegacyValues.optionalUuid;
import static com.catalytic.deploy.legacy.LegacyValues.requiredTime;
import static com.catalytic.deploy.legacy.LegacyValues.text;
import static com.catalytic.deploy.legacy.LegacyValues.time;
import static com.catalytic.deploy.legacy.LegacyValues.uuid;

import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyIssuedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRevokedEvent;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.lattice.LatticeMessages.LatticeCreatedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeDeletedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeOperationPerformedEvent;
import com.catalytic.api.lattice.LatticeMessages.TenantLatticeAddedEvent;
import com.catalytic.api.lattice.LatticeMessages.TenantLatticeReleasedEvent;
import com.catalytic.api.plan.Plan;
import com.catalytic.api.personal.PersonalData;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.api.tenant.TenantEvents.TenantPlanChangedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantSuspendedEvent;
import com.catalytic.api.tenant.TenantEvents.UserAddedEvent;
import com.catalytic.api.tenant.TenantEvents.UserDeactivatedEvent;
import com.catalytic.api.tenant.TenantRegisteredEvent;
import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.command.lattice.LatticeAggregate;
import com.catalytic.command.lattice.engine.LatticeDefinition;
import com.catalytic.command.lattice.engine.LatticeInputException;
import com.catalytic.command.tenant.Slugs;
import com.catalytic.command.user.Emails;
import com.catalytic.deploy.legacy.LegacyValues.Invalid;
import com.catalytic.infrastructure.credentials.LegacyAwarePasswordEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Decides, row by row, what of the original database becomes which events here, and what is rejected and why.
 * A tenant is imported whole (its owner, members, keys, lattices, history) or not at all; a row whose tenant is not
 * imported is rejected with it. Reads the source only; the target only to avoid collisions.
 */
final class ImportPlanner {

    static final String TENANTS = "tenants";
    static final String USERS = "users";
    static final String SUBSCRIPTIONS = "tenant_subscriptions";
    static final String API_KEYS = "api_keys";
    static final String LATTICES = "tenant_lattices";
    static final String OPERATIONS = "lattice_operations";
    static final String API_LOGS = "api_logs";
    /** Actor recorded for what the original did not attribute to a user. */
    static final String SYSTEM = "system";

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Set<String> CURRENT_SUBSCRIPTION = Set.of("active", "trial", "past_due");
    private static final Set<String> SUCCEEDED = Set.of("success", "succeeded", "completed");
    private static final int USAGE_PAGE = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record TenantRow(String id, String sourceId, String name, String slug, boolean suspended,
                             Instant createdAt, Instant updatedAt) {
    }

    private record UserRow(String id, String tenantId, String email, String passwordHash, Role role, boolean active,
                           Instant createdAt, Instant updatedAt) {
    }

    private record PlanChoice(String subscriptionId, String plan, Instant at) {
    }

    private final LegacySource source;
    private final TargetState target;
    private final PlanCatalogue plans;
    /** Seals the imported personal data; a dry run's stores nothing (what it seals is never written). */
    private final PersonalData personalData;

    private final List<Rejection> rejections = new ArrayList<>();
    private final List<TenantImport> imports = new ArrayList<>();
    /** Tenants of the source already in the target (a rerun): planned again, written only where missing. */
    private final Set<String> alreadyImported = new TreeSet<>();
    /** Why a tenant of the source is not imported, by its id (lower-case). */
    private final Map<String, String> notImported = new HashMap<>();
    private final Map<String, TenantRow> tenants = new LinkedHashMap<>();

    ImportPlanner(LegacySource source, TargetState target, PlanCatalogue plans, PersonalData personalData) {
        this.personalData = personalData;
        this.source = source;
        this.target = target;
        this.plans = plans;
    }

    List<Rejection> rejections() {
        return rejections;
    }

    List<TenantImport> imports() {
        return imports;
    }

    Set<String> alreadyImported() {
        return alreadyImported;
    }

    /** Reads every table but {@code api_logs} (streamed per tenant by {@link #usage}) and plans the events. */
    ImportPlanner plan() throws SQLException {
        readTenants();
        Map<String, List<UserRow>> users = readUsers();
        Map<String, PlanChoice> subscriptions = readSubscriptions();
        for (TenantRow t : tenants.values()) {
            imports.add(stage(t, users.getOrDefault(t.id(), List.of()), subscriptions.get(t.id())));
        }
        Map<String, TenantImport> byId = new HashMap<>();
        imports.forEach(i -> byId.put(i.tenantId, i));
        readApiKeys(byId);
        readLattices(byId);
        for (TenantImport i : imports) {
            TenantRow t = tenants.get(i.tenantId);
            if (t.suspended()) {
                i.add("tenant", t.id(), new TenantSuspendedEvent(t.id(), "suspended in the original service"),
                        t.updatedAt());
            }
        }
        return this;
    }

    // --- tenants

    private void readTenants() throws SQLException {
        List<TenantRow> valid = new ArrayList<>();
        for (Map<String, Object> row : source.rows(TENANTS)) {
            String raw = text(row, "id");
            try {
                String id = LegacyValues.id(row);
                String status = text(row, "status") == null ? "active" : text(row, "status").trim().toLowerCase(Locale.ROOT);
                Instant deletedAt = time(row, "deleted_at");
                if ("deleted".equals(status) || deletedAt != null) {
                    String why = "deleted in the original service" + (deletedAt == null ? "" : " at " + deletedAt);
                    rejections.add(Rejection.skipped(TENANTS, raw, why));
                    notImported.put(id, why);
                    continue;
                }
                if (!"active".equals(status) && !"suspended".equals(status)) {
                    throw new Invalid("status '" + status + "' is not active, suspended or deleted");
                }
                String name = text(row, "name") == null ? "" : text(row, "name").trim();
                if (name.isEmpty() || name.length() > 200) {
                    throw new Invalid(name.isEmpty() ? "name is missing" : "name is longer than 200 characters");
                }
                String slug = text(row, "slug") == null ? "" : text(row, "slug").trim();
                if (slug.isEmpty()) {
                    throw new Invalid("slug is missing");
                }
                json(row, "metadata");
                Instant created = requiredTime(row, "created_at");
                Instant updated = time(row, "updated_at");
                valid.add(new TenantRow(id, raw, name, Slugs.isValid(slug) ? slug : Slugs.fromName(slug),
                        "suspended".equals(status), created, updated == null || updated.isBefore(created) ? created
                        : updated));
            } catch (Invalid e) {
                rejections.add(Rejection.rejected(TENANTS, raw, e.getMessage()));
                remember(raw, e.getMessage());
            }
        }
        valid.sort(Comparator.comparing(TenantRow::createdAt).thenComparing(TenantRow::id));
        alreadyImported.addAll(target.existing(valid.stream().map(TenantRow::id).toList()));
        Map<String, String> slugs = new HashMap<>();
        for (TenantRow t : valid) {
            String holder = slugs.get(t.slug());
            String claimed = target.claimOwner("TENANT_SLUG", t.slug());
            if (holder != null || (claimed != null && !claimed.equals(t.id()))) {
                String why = holder != null ? "slug '" + t.slug() + "' is also tenant " + holder + "'s"
                        : "slug '" + t.slug() + "' is taken in this installation";
                rejections.add(Rejection.rejected(TENANTS, t.sourceId(), why));
                notImported.put(t.id(), why);
                continue;
            }
            slugs.put(t.slug(), t.id());
            tenants.put(t.id(), t);
        }
    }

    private void remember(String rawTenantId, String why) {
        if (rawTenantId != null) {
            notImported.put(rawTenantId.trim().toLowerCase(Locale.ROOT), why);
        }
    }

    /** Null when the row's tenant is imported; otherwise the reason the row is not. */
    private String tenantProblem(String tenantId) {
        if (tenants.containsKey(tenantId)) {
            return null;
        }
        String why = notImported.get(tenantId);
        return why != null ? "its tenant " + tenantId + " is not imported (" + why + ")"
                : "its tenant " + tenantId + " does not exist in the original database";
    }

    /** Records the rejection of a child row; true when the row may go on. */
    private boolean parentImported(String table, String rawId, String tenantId) {
        String problem = tenantProblem(tenantId);
        if (problem == null) {
            return true;
        }
        rejections.add(notImported.containsKey(tenantId) && notImported.get(tenantId).startsWith("deleted")
                ? Rejection.skipped(table, rawId, problem) : Rejection.rejected(table, rawId, problem));
        return false;
    }

    // --- users

    private Map<String, List<UserRow>> readUsers() throws SQLException {
        List<UserRow> candidates = new ArrayList<>();
        Map<String, String> rawIds = new HashMap<>();
        for (Map<String, Object> row : source.rows(USERS)) {
            String raw = text(row, "id");
            try {
                String id = LegacyValues.id(row);
                String tenantId = uuid(row, "tenant_id");
                String email = Emails.normalize(text(row, "email"));
                if (email == null || !Emails.isValid(email)) {
                    throw new Invalid("email '" + LegacyValues.abbreviate(text(row, "email")) + "' is not an e-mail address");
                }
                String roleName = text(row, "role") == null ? "member" : text(row, "role").trim().toLowerCase(Locale.ROOT);
                Role role = Role.fromWire(roleName);
                if (role == null) {
                    throw new Invalid("role '" + roleName + "' is not owner, admin, member or viewer");
                }
                String hash = text(row, "password_hash");
                if (hash == null || hash.isBlank()) {
                    throw new Invalid("password_hash is missing");
                }
                if (!LegacyAwarePasswordEncoder.isBcrypt(hash.trim()) && !hash.startsWith("$argon2id$")) {
                    throw new Invalid("password_hash is not a bcrypt hash ($2a$/$2b$/$2y$), so no password could "
                            + "be checked against it");
                }
                boolean active = bool(row, "is_active", true);
                json(row, "metadata");
                Instant created = requiredTime(row, "created_at");
                Instant updated = time(row, "updated_at");
                if (!parentImported(USERS, raw, tenantId)) {
                    continue;
                }
                rawIds.put(id, raw);
                candidates.add(new UserRow(id, tenantId, email, hash.trim(), role, active, created,
                        updated == null || updated.isBefore(created) ? created : updated));
            } catch (Invalid e) {
                rejections.add(Rejection.rejected(USERS, raw, e.getMessage()));
            }
        }
        Set<String> taken = target.existing(candidates.stream().map(UserRow::id).toList());
        candidates.removeIf(u -> {
            if (taken.contains(u.id()) && !alreadyImported.contains(u.tenantId())) {
                rejections.add(Rejection.rejected(USERS, rawIds.get(u.id()), "id is already used in this installation"));
                return true;
            }
            return false;
        });
        candidates.sort(Comparator.comparing(UserRow::createdAt).thenComparing(UserRow::id));
        // e-mails are unique across the whole installation here (one login for one address), so the first user
        // to hold an address keeps it; a tenant left without an owner is not imported, which frees its addresses,
        // so this settles in rounds
        Map<String, String> refused;
        boolean changed;
        do {
            changed = false;
            refused = new LinkedHashMap<>();
            Map<String, UserRow> holders = new HashMap<>();
            for (UserRow u : candidates) {
                if (!tenants.containsKey(u.tenantId())) {
                    continue;
                }
                UserRow first = holders.get(u.email());
                String claimed = target.claimOwner("EMAIL", u.email());
                if (first != null) {
                    refused.put(u.id(), "e-mail " + u.email() + " is also user " + first.id() + "'s (tenant "
                            + first.tenantId() + "), who was created first; e-mails are unique across tenants here");
                } else if (claimed != null && !claimed.equals(u.id())) {
                    refused.put(u.id(), "e-mail " + u.email() + " is already registered in this installation");
                } else {
                    holders.put(u.email(), u);
                }
            }
            for (TenantRow t : List.copyOf(tenants.values())) {
                Map<String, String> r = refused;
                boolean hasOwner = candidates.stream().anyMatch(u -> u.tenantId().equals(t.id())
                        && u.role() == Role.OWNER && !r.containsKey(u.id()));
                if (!hasOwner) {
                    String why = "no importable user with the role owner";
                    rejections.add(Rejection.rejected(TENANTS, t.sourceId(), why));
                    tenants.remove(t.id());
                    notImported.put(t.id(), why);
                    changed = true;
                }
            }
        } while (changed);
        Map<String, List<UserRow>> byTenant = new HashMap<>();
        for (UserRow u : candidates) {
            String problem = tenantProblem(u.tenantId());
            if (problem != null) {
                rejections.add(Rejection.rejected(USERS, rawIds.get(u.id()), problem));
            } else if (refused.containsKey(u.id())) {
                rejections.add(Rejection.rejected(USERS, rawIds.get(u.id()), refused.get(u.id())));
            } else {
                byTenant.computeIfAbsent(u.tenantId(), k -> new ArrayList<>()).add(u);
            }
        }
        return byTenant;
    }

    // --- subscriptions: the plan each tenant is on

    private Map<String, PlanChoice> readSubscriptions() throws SQLException {
        Map<String, String> codes = new HashMap<>();
        for (Map<String, Object> row : source.rows("subscription_plans")) {
            String id = text(row, "id");
            if (id != null && text(row, "code") != null) {
                codes.put(id.trim().toLowerCase(Locale.ROOT), text(row, "code").trim().toLowerCase(Locale.ROOT));
            }
        }
        Map<String, PlanChoice> chosen = new HashMap<>();
        for (Map<String, Object> row : source.rows(SUBSCRIPTIONS)) {
            String raw = text(row, "id");
            try {
                String id = LegacyValues.id(row);
                String tenantId = uuid(row, "tenant_id");
                String status = text(row, "status") == null ? "active" : text(row, "status").trim().toLowerCase(Locale.ROOT);
                String planId = uuid(row, "plan_id");
                Instant created = requiredTime(row, "created_at");
                if (!parentImported(SUBSCRIPTIONS, raw, tenantId)) {
                    continue;
                }
                if (!CURRENT_SUBSCRIPTION.contains(status)) {
                    rejections.add(Rejection.skipped(SUBSCRIPTIONS, raw, "status '" + status + "': only a current "
                            + "subscription (active, trial, past_due) sets the plan; history is not carried over"));
                    continue;
                }
                String code = codes.get(planId);
                if (code == null) {
                    throw new Invalid("its plan " + planId + " is not in subscription_plans");
                }
                Plan plan = plans.find(code).orElseThrow(() -> new Invalid("plan '" + code + "' has no counterpart "
                        + "here (" + String.join(", ", plans.all().stream().map(Plan::name).toList()) + ")"));
                PlanChoice choice = new PlanChoice(raw, plan.name(), created);
                PlanChoice before = chosen.get(tenantId);
                if (before == null || before.at().isBefore(created)) {
                    chosen.put(tenantId, choice);
                    if (before != null) {
                        rejections.add(olderSubscription(before));
                    }
                } else {
                    rejections.add(olderSubscription(choice));
                }
            } catch (Invalid e) {
                rejections.add(Rejection.rejected(SUBSCRIPTIONS, raw, e.getMessage()));
            }
        }
        return chosen;
    }

    private static Rejection olderSubscription(PlanChoice c) {
        return Rejection.skipped(SUBSCRIPTIONS, c.subscriptionId(),
                "an older current subscription of its tenant; the latest decides the plan");
    }

    // --- staging: the tenant and its members

    private TenantImport stage(TenantRow t, List<UserRow> members, PlanChoice plan) {
        TenantImport i = new TenantImport(t.id(), t.sourceId(), t.name(), alreadyImported.contains(t.id()));
        UserRow owner = members.stream().filter(u -> u.role() == Role.OWNER && u.active()).findFirst()
                .orElseGet(() -> members.stream().filter(u -> u.role() == Role.OWNER).findFirst().orElseThrow());
        i.add("tenant", t.id(), new TenantRegisteredEvent(t.id(), t.name(), t.slug(), PlanCatalogue.FREE, owner.id(),
                personalData.seal(owner.id(), owner.email())), t.createdAt());
        i.claims.add(new TenantImport.Claim("TENANT_SLUG", t.slug(), t.id()));
        i.counted(TENANTS);
        account(i, owner);
        if (plan != null && !PlanCatalogue.FREE.equals(plan.plan())) {
            i.add("tenant", t.id(), new TenantPlanChangedEvent(t.id(), PlanCatalogue.FREE, plan.plan()),
                    later(plan.at(), t.createdAt()));
            i.counted(SUBSCRIPTIONS);
        }
        for (UserRow u : members) {
            if (u == owner) {
                continue;
            }
            i.add("tenant", t.id(), new UserAddedEvent(t.id(), u.id(), personalData.seal(u.id(), u.email()), u.role(),
                    false, SYSTEM),
                    u.createdAt());
            account(i, u);
        }
        for (UserRow u : members) {
            if (!u.active()) {
                i.add("tenant", t.id(), new UserDeactivatedEvent(t.id(), u.id()), u.updatedAt());
            }
        }
        return i;
    }

    private void account(TenantImport i, UserRow u) {
        i.add("user", u.id(), new UserRegisteredEvent(u.id(), i.tenantId, personalData.seal(u.id(), u.email()),
                u.passwordHash(), u.role()), u.createdAt());
        i.claims.add(new TenantImport.Claim("EMAIL", u.email(), u.id()));
        i.users.put(u.id(), u.role().wire());
        i.counted(USERS);
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    // --- API keys

    private void readApiKeys(Map<String, TenantImport> byId) throws SQLException {
        List<Map<String, Object>> rows = source.rows(API_KEYS);
        Set<String> taken = target.existing(ids(rows));
        for (Map<String, Object> row : rows) {
            String raw = text(row, "id");
            try {
                String id = LegacyValues.id(row);
                String tenantId = uuid(row, "tenant_id");
                String name = text(row, "name") == null ? "" : text(row, "name").trim();
                if (name.isEmpty() || name.length() > 100) {
                    throw new Invalid(name.isEmpty() ? "name is missing" : "name is longer than 100 characters");
                }
                String hash = text(row, "key_hash");
                if (hash == null || !SHA256_HEX.matcher(hash.trim()).matches()) {
                    throw new Invalid("key_hash is not a SHA-256 hex digest, so the key could not be checked here");
                }
                JsonNode permissions = json(row, "permissions");
                String creator = optionalUuid(row, "created_by_id");
                Instant expires = time(row, "expires_at");
                boolean active = bool(row, "is_active", true);
                Instant created = requiredTime(row, "created_at");
                Instant updated = time(row, "updated_at");
                if (!parentImported(API_KEYS, raw, tenantId)) {
                    continue;
                }
                if (taken.contains(id) && !alreadyImported.contains(tenantId)) {
                    throw new Invalid("id is already used in this installation");
                }
                TenantImport i = byId.get(tenantId);
                String createdBy = creator != null && i.users.containsKey(creator) ? creator : ownerOf(i);
                Role role = Role.fromWire(i.users.get(createdBy));
                Set<String> scopes = scopes(permissions, role);
                String prefix = text(row, "key_prefix") == null ? "" : text(row, "key_prefix").trim();
                i.add("api_key", id, new ApiKeyIssuedEvent(id, tenantId, name, scopes, expires,
                        hash.trim().toLowerCase(Locale.ROOT), prefix, createdBy, null, null), created);
                if (!active) {
                    i.add("api_key", id, new ApiKeyRevokedEvent(id, tenantId, SYSTEM),
                            updated == null || updated.isBefore(created) ? created : updated);
                }
                i.apiKeys.put(id, id);
                i.counted(API_KEYS);
            } catch (Invalid e) {
                rejections.add(Rejection.rejected(API_KEYS, raw, e.getMessage()));
            }
        }
    }

    private static String ownerOf(TenantImport i) {
        return ((TenantRegisteredEvent) i.events.get(0).payload()).ownerUserId();
    }

    /**
     * The original's permissions as scopes here: a scope's own name stays; {@code read}, {@code write} and
     * {@code admin} (or {@code *}) stand for reading, for reading and writing lattices, and for everything the
     * key's creator may hold. A key never exceeds its creator's role.
     */
    static Set<String> scopes(JsonNode permissions, Role creator) throws Invalid {
        Set<String> scopes = new TreeSet<>();
        if (permissions == null || permissions.isNull()) {
            return scopes;
        }
        if (!permissions.isArray()) {
            throw new Invalid("permissions is not a list");
        }
        for (JsonNode p : permissions) {
            String name = p.asText("").trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "read" -> scopes.addAll(List.of(Scopes.LATTICES_READ, Scopes.USAGE_READ));
                case "write" -> scopes.addAll(List.of(Scopes.LATTICES_READ, Scopes.LATTICES_WRITE));
                case "admin", "*" -> scopes.addAll(Scopes.heldBy(creator));
                default -> {
                    if (!Scopes.isKnown(name)) {
                        throw new Invalid("permission '" + LegacyValues.abbreviate(p.asText()) + "' has no "
                                + "counterpart here (" + String.join(", ", Scopes.all()) + ")");
                    }
                    scopes.add(name);
                }
            }
        }
        for (String s : scopes) {
            if (!Scopes.heldBy(creator).contains(s)) {
                throw new Invalid("scope " + s + " is more than its creator's role (" + creator.wire() + ") holds");
            }
        }
        return scopes;
    }

    // --- lattices and their computations

    private record LatticeRow(String id, String raw, String tenantId, String name, LatticeDefinition definition,
                              String createdBy, boolean active, Instant createdAt, Instant updatedAt) {
    }

    private void readLattices(Map<String, TenantImport> byId) throws SQLException {
        List<Map<String, Object>> rows = source.rows(LATTICES);
        Set<String> taken = target.existing(ids(rows));
        Map<String, LatticeRow> lattices = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            String raw = text(row, "id");
            try {
                String id = LegacyValues.id(row);
                String tenantId = uuid(row, "tenant_id");
                String name;
                try {
                    name = LatticeAggregate.acceptableName(text(row, "name"));
                } catch (DomainException e) {
                    throw new Invalid("name is longer than " + LatticeAggregate.MAX_NAME + " characters");
                }
                long dimensions = number(row, "dimensions", 0);
                long size = number(row, "size", 0);
                LatticeDefinition definition;
                try {
                    definition = LatticeDefinition.of((int) Math.min(dimensions, Integer.MAX_VALUE),
                            (int) Math.min(size, Integer.MAX_VALUE), List.of());
                } catch (LatticeInputException e) {
                    throw new Invalid(e.getMessage());
                }
                json(row, "metadata");
                String creator = optionalUuid(row, "created_by_id");
                boolean active = bool(row, "is_active", true);
                Instant created = requiredTime(row, "created_at");
                Instant updated = time(row, "updated_at");
                if (!parentImported(LATTICES, raw, tenantId)) {
                    continue;
                }
                if (taken.contains(id) && !alreadyImported.contains(tenantId)) {
                    throw new Invalid("id is already used in this installation");
                }
                TenantImport i = byId.get(tenantId);
                lattices.put(id, new LatticeRow(id, raw, tenantId, name, definition,
                        creator != null && i.users.containsKey(creator) ? creator : SYSTEM, active, created,
                        updated == null || updated.isBefore(created) ? created : updated));
            } catch (Invalid e) {
                rejections.add(Rejection.rejected(LATTICES, raw, e.getMessage()));
            }
        }
        Map<String, List<LatticeOperationPerformedEvent>> operations = readOperations(lattices, byId);
        for (LatticeRow l : lattices.values()) {
            TenantImport i = byId.get(l.tenantId());
            LatticeDefinition d = l.definition();
            i.add("tenant", l.tenantId(), new TenantLatticeAddedEvent(l.tenantId(), l.id()), l.createdAt());
            i.add("lattice", l.id(), new LatticeCreatedEvent(l.id(), l.tenantId(), l.name(), d.dimensions(), d.size(),
                    List.of(), d.vertexCount().toString(), d.edgeCount().toString(), d.memoryBytes(), l.createdBy()),
                    l.createdAt());
            i.counted(LATTICES);
            for (LatticeOperationPerformedEvent op : operations.getOrDefault(l.id(), List.of())) {
                i.add("lattice", l.id(), op, op.performedAt());
                i.counted(OPERATIONS);
            }
            if (!l.active()) {
                i.add("lattice", l.id(), new LatticeDeletedEvent(l.id(), l.tenantId(), SYSTEM), l.updatedAt());
                i.add("tenant", l.tenantId(), new TenantLatticeReleasedEvent(l.tenantId(), l.id()), l.updatedAt());
            }
        }
    }

    private Map<String, List<LatticeOperationPerformedEvent>> readOperations(Map<String, LatticeRow> lattices,
                                                                         Map<String, TenantImport> byId)
            throws SQLException {
        Map<String, List<LatticeOperationPerformedEvent>> byLattice = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Map<String, Object> row : source.rows(OPERATIONS)) {
            String raw = text(row, "id");
            try {
                String id = LegacyValues.id(row);
                String tenantId = uuid(row, "tenant_id");
                String latticeId = uuid(row, "lattice_id");
                String operation = text(row, "operation_type") == null ? "" : text(row, "operation_type").trim();
                if (operation.isEmpty()) {
                    throw new Invalid("operation_type is missing");
                }
                Map<String, Object> parameters = object(json(row, "parameters"), "parameters");
                Map<String, Object> result = object(json(row, "result"), "result");
                long duration = Math.max(0, number(row, "execution_time_ms", 0));
                String status = text(row, "status") == null ? "success" : text(row, "status").trim().toLowerCase(Locale.ROOT);
                String creator = optionalUuid(row, "created_by_id");
                Instant created = requiredTime(row, "created_at");
                if (!parentImported(OPERATIONS, raw, tenantId)) {
                    continue;
                }
                LatticeRow lattice = lattices.get(latticeId);
                if (lattice == null || !lattice.tenantId().equals(tenantId)) {
                    throw new Invalid("its lattice " + latticeId + " is not imported");
                }
                if (!SUCCEEDED.contains(status)) {
                    rejections.add(Rejection.skipped(OPERATIONS, raw, "status '" + status + "': only completed "
                            + "computations are recorded here"));
                    continue;
                }
                if (!seen.add(id)) {
                    throw new Invalid("id appears twice");
                }
                TenantImport i = byId.get(tenantId);
                byLattice.computeIfAbsent(latticeId, k -> new ArrayList<>()).add(new LatticeOperationPerformedEvent(
                        latticeId, tenantId, id, operation, parameters, result, duration, 0, created,
                        creator != null && i.users.containsKey(creator) ? creator : SYSTEM));
            } catch (Invalid e) {
                rejections.add(Rejection.rejected(OPERATIONS, raw, e.getMessage()));
            }
        }
        byLattice.values().forEach(ops -> ops.sort(Comparator.comparing(LatticeOperationPerformedEvent::performedAt)
                .thenComparing(LatticeOperationPerformedEvent::operationId)));
        return byLattice;
    }

    private static Map<String, Object> object(JsonNode node, String column) throws Invalid {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new Invalid(column + " is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = JSON.convertValue(node, LinkedHashMap.class);
        return map;
    }

    private static List<String> ids(List<Map<String, Object>> rows) {
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            String v = text(row, "id");
            if (v != null) {
                ids.add(v.trim().toLowerCase(Locale.ROOT));
            }
        }
        return ids;
    }

    // --- usage history (api_logs), streamed

    /**
     * Hands the tenant's API calls of the original to {@code sink} a page at a time, as usage records; rejects the
     * malformed ones. Calls keep their user and key only when those were imported.
     */
    void usage(TenantImport i, Consumer<List<UsageRecord>> sink) throws SQLException {
        long after = -1;
        while (true) {
            List<Map<String, Object>> page = source.page(API_LOGS, "tenant_id", i.sourceId, after, USAGE_PAGE);
            if (page.isEmpty()) {
                return;
            }
            List<UsageRecord> records = new ArrayList<>(page.size());
            for (Map<String, Object> row : page) {
                after = ((Number) row.get("import_rowid")).longValue();
                String raw = text(row, "id");
                try {
                    String id = LegacyValues.id(row);
                    String endpoint = text(row, "endpoint") == null ? "" : text(row, "endpoint").trim();
                    String method = text(row, "method") == null ? "" : text(row, "method").trim().toUpperCase(Locale.ROOT);
                    if (endpoint.isEmpty() || method.isEmpty()) {
                        throw new Invalid(endpoint.isEmpty() ? "endpoint is missing" : "method is missing");
                    }
                    if (method.length() > 10) {
                        throw new Invalid("method '" + LegacyValues.abbreviate(method) + "' is not an HTTP method");
                    }
                    long status = number(row, "status_code", 0);
                    long duration = Math.max(0, number(row, "response_time_ms", 0));
                    long bytes = Math.max(0, number(row, "response_size_bytes", 0));
                    String user = optionalUuid(row, "user_id");
                    String key = optionalUuid(row, "api_key_id");
                    Instant at = requiredTime(row, "created_at");
                    String ip = text(row, "ip_address");
                    String caller = user != null && i.users.containsKey(user) ? user : null;
                    // the caller's IP address is theirs to have erased; a call of nobody known keeps none
                    records.add(new UsageRecord(id, caller, key != null && i.apiKeys.containsKey(key) ? key : null,
                            endpoint, method, (int) Math.max(0, Math.min(status, 999)), duration, bytes, 0, at, null,
                            ip == null || ip.isBlank() || caller == null ? null : personalData.seal(caller, ip.trim())));
                    i.counted(API_LOGS);
                } catch (Invalid e) {
                    rejections.add(Rejection.rejected(API_LOGS, raw, e.getMessage()));
                }
            }
            if (!records.isEmpty()) {
                sink.accept(records);
            }
        }
    }

    /** Rejects the API calls of every tenant of the source that is not imported, and of tenants that do not exist. */
    void usageNotImported() throws SQLException {
        Set<String> done = new LinkedHashSet<>(tenants.keySet());
        for (Map<String, Object> row : source.rows(TENANTS)) {
            String raw = text(row, "id");
            if (raw == null) {
                continue;
            }
            String id = raw.trim().toLowerCase(Locale.ROOT);
            if (done.contains(id)) {
                continue;
            }
            long after = -1;
            while (true) {
                List<Map<String, Object>> page = source.page(API_LOGS, "tenant_id", raw, after, USAGE_PAGE);
                if (page.isEmpty()) {
                    break;
                }
                for (Map<String, Object> r : page) {
                    after = ((Number) r.get("import_rowid")).longValue();
                    parentImported(API_LOGS, text(r, "id"), id);
                }
            }
        }
        for (Map<String, Object> r : source.orphans(API_LOGS, "tenant_id", TENANTS)) {
            String tenant = text(r, "tenant_id");
            rejections.add(Rejection.rejected(API_LOGS, text(r, "id"), tenant == null ? "tenant_id is missing"
                    : "its tenant " + tenant + " does not exist in the original database"));
        }
    }
}
