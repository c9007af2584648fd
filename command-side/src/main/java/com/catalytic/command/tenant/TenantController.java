package com.catalytic.command.tenant;

import com.catalytic.api.account.FindTenantQuery;
import com.catalytic.api.account.TenantView;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.tenant.TenantCommands.RenameTenantCommand;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Changes to the caller's own tenant. */
@RestController
class TenantController {

    public record ChangeTenantRequest(@NotBlank @Size(max = 200) String name) {
    }

    private final CommandGateway commands;
    private final QueryGateway queries;

    public TenantController(CommandGateway commands, QueryGateway queries) {
        this.commands = commands;
        this.queries = queries;
    }

    @PatchMapping(path = "/api/tenant", consumes = MediaType.APPLICATION_JSON_VALUE)
    public TenantView change(Caller caller, @Valid @RequestBody ChangeTenantRequest body) {
        caller.require(Scopes.TENANT_MANAGE);
        commands.sendAndWait(new RenameTenantCommand(caller.tenantId(), body.name(), Actor.of(caller)));
        TenantView tenant = queries.query(new FindTenantQuery(caller.tenantId()),
                ResponseTypes.instanceOf(TenantView.class)).join();
        if (tenant == null) {
            throw DomainException.notFound("tenant");
        }
        return tenant;
    }
}
