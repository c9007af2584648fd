package com.catalytic.api.query;

/** What login needs to know about an account. Never leaves the process. */
public record Credentials(String userId, String tenantId, String email, String passwordHash, String role,
                          boolean active, String tenantStatus) {
    @Override
    public String toString() {
        return "Credentials[userId=" + userId + ", tenantId=" + tenantId + "]";
    }
}
