package com.catalytic.command.tenant;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.tenant.TenantEvents.TenantPlanChangedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantSuspendedEvent;
import com.catalytic.api.tenant.TenantEvents.UserAddedEvent;
import com.catalytic.api.tenant.TenantEvents.UserDeactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserReactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRemovedEvent;
import com.catalytic.api.tenant.TenantRegisteredEvent;
import java.util.ArrayList;
import java.util.List;

/** Past events of one tenant, for the membership tests: who is on the roster, on which plan. */
final class TenantHistory {

    static final String TENANT_ID = "tenant-1";
    static final String OWNER_ID = "user-owner";
    static final String SECOND_OWNER_ID = "user-owner-2";
    static final String ADMIN_ID = "user-admin";
    static final String MEMBER_ID = "user-member";
    static final String VIEWER_ID = "user-viewer";

    static final Actor OWNER = new Actor(OWNER_ID, Role.OWNER, null);
    static final Actor SECOND_OWNER = new Actor(SECOND_OWNER_ID, Role.OWNER, null);
    static final Actor ADMIN = new Actor(ADMIN_ID, Role.ADMIN, null);
    static final Actor MEMBER = new Actor(MEMBER_ID, Role.MEMBER, null);
    static final Actor VIEWER = new Actor(VIEWER_ID, Role.VIEWER, null);

    private TenantHistory() {
    }

    /** The user of the given role in {@link #team()}. */
    static Actor actor(Role role) {
        return switch (role) {
            case OWNER -> OWNER;
            case ADMIN -> ADMIN;
            case MEMBER -> MEMBER;
            case VIEWER -> VIEWER;
        };
    }

    static String emailOf(String userId) {
        return userId + "@acme.io";
    }

    static TenantRegisteredEvent registered() {
        return new TenantRegisteredEvent(TENANT_ID, "Acme Corp", "acme-corp", "free", OWNER_ID, emailOf(OWNER_ID));
    }

    static TenantPlanChangedEvent planChanged(String from, String to) {
        return new TenantPlanChangedEvent(TENANT_ID, from, to);
    }

    static UserAddedEvent added(String userId, Role role) {
        return new UserAddedEvent(TENANT_ID, userId, emailOf(userId), role, false, OWNER_ID);
    }

    static UserDeactivatedEvent deactivated(String userId) {
        return new UserDeactivatedEvent(TENANT_ID, userId);
    }

    static UserReactivatedEvent reactivated(String userId) {
        return new UserReactivatedEvent(TENANT_ID, userId);
    }

    static UserRemovedEvent removed(String userId) {
        return new UserRemovedEvent(TENANT_ID, userId, emailOf(userId));
    }

    static TenantSuspendedEvent suspended() {
        return new TenantSuspendedEvent(TENANT_ID, "unpaid invoice");
    }

    /** A professional tenant (room for 10) with one user of each role: 4 active users. */
    static List<Object> team(Object... then) {
        List<Object> events = new ArrayList<>(List.of(registered(), planChanged("free", "professional"),
                added(ADMIN_ID, Role.ADMIN), added(MEMBER_ID, Role.MEMBER), added(VIEWER_ID, Role.VIEWER)));
        events.addAll(List.of(then));
        return events;
    }

    /** A tenant on {@code plan} with {@code active} active users (the owner and {@code active - 1} members). */
    static List<Object> onPlanWithActiveUsers(String plan, int active, Object... then) {
        List<Object> events = new ArrayList<>(List.of(registered()));
        if (!"free".equals(plan)) {
            events.add(planChanged("free", plan));
        }
        for (int i = 1; i < active; i++) {
            events.add(added("user-" + i, Role.MEMBER));
        }
        events.addAll(List.of(then));
        return events;
    }
}
