package org.moe4j.server;

import java.util.List;
import org.moe4j.spi.CommandProvider;

/** The subcommands the server module adds to {@code moe4j}. */
public final class ServerCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(new ServeCommand(), new LoadTestCommand());
    }
}
