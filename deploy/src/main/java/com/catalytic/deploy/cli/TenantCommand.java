package com.catalytic.deploy.cli;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.tenant.TenantCommands.ChangePlanCommand;
import com.catalytic.api.tenant.TenantCommands.ReinstateTenantCommand;
import com.catalytic.api.tenant.TenantCommands.SuspendTenantCommand;
import com.catalytic.deploy.CatalyticApplication;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Operator actions on one tenant, recorded as events by the system actor (as billing will). */
@Command(name = "tenant", mixinStandardHelpOptions = true, description = "Operator actions on a tenant.",
        subcommands = {TenantCommand.Plan.class, TenantCommand.Suspend.class, TenantCommand.Reinstate.class})
public class TenantCommand {

    static int send(Function<String, Object> command, String tenantId, String done) {
        return send(List.of(tenantId), command, t -> done);
    }

    /** Sends the command to each tenant in turn; stops at the first failure. */
    static int send(List<String> tenantIds, Function<String, Object> command, Function<String, String> done) {
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(CatalyticApplication.class)
                .web(WebApplicationType.NONE).logStartupInfo(false).run()) {
            CommandGateway commands = ctx.getBean(CommandGateway.class);
            for (String tenantId : tenantIds) {
                commands.sendAndWait(command.apply(tenantId));
                System.out.println(done.apply(tenantId));
            }
            return 0;
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause != cause.getCause()) {
                cause = cause.getCause();
            }
            System.err.println("failed: " + e.getMessage() + (cause != e ? " (" + cause.getMessage() + ")" : ""));
            return 1;
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Move one or more tenants to a plan of the catalogue (one start for all of them).")
    public static class Plan implements Callable<Integer> {
        @Parameters(arity = "2..*", paramLabel = "TENANT_ID... PLAN",
                description = "tenant ids, then free, starter, professional or enterprise") List<String> args;

        @Override
        public Integer call() {
            String plan = args.get(args.size() - 1);
            List<String> tenants = args.subList(0, args.size() - 1);
            return send(tenants, t -> new ChangePlanCommand(t, plan, Actor.system()), t -> "tenant " + t + " is on the " + plan + " plan");
        }
    }

    @Command(name = "suspend", mixinStandardHelpOptions = true, description = "Suspend a tenant (403 on every call).")
    public static class Suspend implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "TENANT_ID") String tenantId;
        @Parameters(index = "1", paramLabel = "REASON", defaultValue = "operator") String reason;

        @Override
        public Integer call() {
            return send(t -> new SuspendTenantCommand(t, reason, Actor.system()), tenantId,
                    "tenant " + tenantId + " is suspended");
        }
    }

    @Command(name = "reinstate", mixinStandardHelpOptions = true, description = "Lift a tenant's suspension.")
    public static class Reinstate implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "TENANT_ID") String tenantId;
        @Parameters(index = "1", paramLabel = "REASON", defaultValue = "operator") String reason;

        @Override
        public Integer call() {
            return send(t -> new ReinstateTenantCommand(t, reason, Actor.system()), tenantId,
                    "tenant " + tenantId + " is reinstated");
        }
    }
}
