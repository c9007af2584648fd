package com.catalytic.api.account;

import java.time.Instant;

public record TenantView(String id, String name, String slug, String plan, String status, int userCount, Instant createdAt) {
}
