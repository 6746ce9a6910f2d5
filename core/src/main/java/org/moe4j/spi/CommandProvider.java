package org.moe4j.spi;

import java.util.List;

/**
 * Contributes subcommands to the {@code moe4j} command line. Modules other than the cli (tools, server)
 * register an implementation in {@code META-INF/services/org.moe4j.spi.CommandProvider}; the cli discovers
 * them with {@link java.util.ServiceLoader}, so no module depends on another besides core.
 *
 * <p>Each returned object is a picocli command (a class annotated with {@code @Command}); core itself
 * does not depend on picocli.
 */
public interface CommandProvider {
    List<Object> commands();
}
