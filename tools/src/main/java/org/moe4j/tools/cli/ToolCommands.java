package org.moe4j.tools.cli;

import java.util.List;
import org.moe4j.spi.CommandProvider;

/** The subcommands the tools module adds to {@code moe4j}. */
public final class ToolCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(new SynthCommand(), new BenchCommand(), new AnalyzeCommand(), new PerplexityCommand(),
                new TrainCommand(), new CacheSimCommand());
    }
}
