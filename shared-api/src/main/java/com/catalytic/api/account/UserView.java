package com.catalytic.api.account;

import java.time.Instant;

public record UserView(String id, String tenantId, String email, String role, boolean active, boolean invited,
                       Instant createdAt) {
}
