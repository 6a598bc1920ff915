package io.exodus.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code exodus tenant}: {@code PUT /exodus/migration/tenants/{tenant}} with {@code {"percent": …}}, or {@code DELETE}
 * for {@code rollback}.
 */
@Command(name = "tenant", description = "Sets the share of one tenant's reads the target answers in phase canary "
        + "(100 moves the tenant), or rolls the tenant back to the fleet's share, on every replica "
        + "(docs/strategies.md, user-by-user).")
final class TenantCommand extends ChangeCommand {

    @Parameters(index = "0", paramLabel = "TENANT", description = "As exodus.migration.tenant-key names it: a user, "
            + "an application_name or a database.")
    String tenant;

    @Parameters(index = "1", paramLabel = "PERCENT|rollback", description = "0 to 100, or rollback.")
    String value;

    @Override
    String name() {
        return "tenant " + tenant;
    }

    @Override
    Answer send(AdminClient client, ObjectNode body) {
        String path = MIGRATION + "/tenants/" + URLEncoder.encode(tenant, StandardCharsets.UTF_8).replace("+", "%20");
        if (value.equals("rollback")) {
            return client.delete(path);
        }
        double percent;
        try {
            percent = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new CliFailure(ExitCode.USAGE, "tenant " + tenant + ": give a share from 0 to 100, or rollback, not "
                    + value);
        }
        return client.put(path, body.put("percent", percent));
    }
}
