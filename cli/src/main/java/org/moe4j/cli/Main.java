package org.moe4j.cli;

import java.util.ServiceLoader;
import org.moe4j.spi.CommandProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code moe4j} command line. Subcommands of other modules arrive through {@link CommandProvider}. */
@Command(name = "moe4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
                "moe4j: run, inspect, trace, steer, train and serve sparse Mixture-of-Experts language models (GGUF) on the CPU.",
                "",
                "Without --model, commands use the bundled default model (models/moe4j-default.gguf), a small MoE "
                        + "trained by moe4j itself on public-domain text; see README.md for how it was made."},
        subcommands = {RunCommand.class, ChatCommand.class, InspectCommand.class, LogitsCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (CommandProvider p : ServiceLoader.load(CommandProvider.class)) {
            for (Object c : p.commands()) {
                cl.addSubcommand(c);
            }
        }
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setUsageHelpAutoWidth(true);
        return cl;
    }

    /** Prints what went wrong in one line (the stack trace only with MOE4J_DEBUG=1). */
    static final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parse) {
            if ("1".equals(System.getenv("MOE4J_DEBUG"))) {
                ex.printStackTrace();
            }
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            cl.getErr().println("moe4j " + cl.getCommandName() + ": error: " + msg);
            return 1;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"moe4j " + (v == null ? "0.1.0-SNAPSHOT" : v), "Java " + Runtime.version()};
        }
    }
}
