package com.catalytic.projections.user;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

public interface UserRepository extends JpaRepository<UserRow, String> {

    /**
     * The account that signs in with this address: the one with a password. Several rows may share an address (a
     * member added in one tenant while another tenant's user holds it) but only the holder ever has a password.
     */
    Optional<UserRow> findFirstByEmailAndPasswordHashIsNotNullOrderByCreatedAtDesc(String email);

    Optional<UserRow> findByIdAndTenantId(String id, String tenantId);

    List<UserRow> findByTenantIdOrderByCreatedAtAsc(String tenantId);

    /** Active members in these roles who sign in (with a password), in address order. */
    List<UserRow> findByTenantIdAndActiveTrueAndPasswordHashIsNotNullAndRoleInOrderByEmailAsc(
            String tenantId, Collection<String> roles);
}
