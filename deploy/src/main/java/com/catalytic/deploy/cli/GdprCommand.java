package com.catalytic.deploy.cli;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.personal.PersonalDataMessages.ErasePersonalDataCommand;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.deploy.CatalyticApplication;
import com.catalytic.deploy.config.DatabaseUrl;
import java.util.concurrent.Callable;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Data-protection requests an operator carries out. */
@Command(name = "gdpr", mixinStandardHelpOptions = true, description = "Data-protection requests.",
        subcommands = GdprCommand.Erase.class)
public class GdprCommand {

    @Command(name = "erase", mixinStandardHelpOptions = true,
            description = "Erase a user's personal data (their key is destroyed: e-mail address, IP addresses and "
                    + "user agents in every event, audit entry and rebuilt table read as erased). A member is "
                    + "removed from the tenant first. Cannot be undone.")
    public static class Erase implements Callable<Integer> {

        @Option(names = "--user", required = true, paramLabel = "USER_ID", description = "the user's id")
        String userId;

        @Option(names = "--database-url", paramLabel = "URL", description = "default: $DATABASE_URL, else the "
                + "embedded database")
        String databaseUrl;

        @Override
        public Integer call() {
            DatabaseUrl db = DatabaseUrl.forCommand(databaseUrl);
            try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(CatalyticApplication.class)
                    .web(WebApplicationType.NONE).logStartupInfo(false).properties(db.datasourceProperties()).run()) {
                String tenantId = tenantOf(ctx.getBean(EventStore.class), userId);
                if (tenantId == null) {
                    System.err.println("no user " + userId);
                    return 1;
                }
                ctx.getBean(CommandGateway.class).sendAndWait(new ErasePersonalDataCommand(tenantId, userId,
                        Actor.system()));
                System.out.println("personal data of user " + userId + " (tenant " + tenantId + ") erased");
                return 0;
            } catch (RuntimeException e) {
                System.err.println("failed: " + e.getMessage());
                return 1;
            }
        }

        /** The tenant named by the user's first event, their registration; null when there is no such user. */
        private static String tenantOf(EventStore events, String userId) {
            DomainEventStream stream = events.readEvents(userId);
            if (!stream.hasNext()) {
                return null;
            }
            Object first = stream.next().getPayload();
            return first instanceof UserRegisteredEvent registered ? registered.tenantId() : null;
        }
    }
}
