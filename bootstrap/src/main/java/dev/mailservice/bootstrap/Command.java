package dev.mailservice.bootstrap;

import dev.mailservice.adapters.config.AesGcmCipher;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The jar's commands, {@code java -jar mail-service.jar [command]}, each with the line {@code help}
 * shows for it. A command takes its environment and streams from the {@link Terminal} it is given,
 * never from {@link System}, so that tests run it in their own JVM; it answers its exit status.
 */
enum Command {

    SERVE("serve", "starts the service; what the jar does with no command") {
        @Override
        int run(List<String> arguments, Terminal terminal) {
            return Main.serve(terminal.environment());
        }
    },
    ENCRYPT("encrypt", "encrypts standard input with SECRET_KEY as PipesHub stores its values, and prints that") {
        @Override
        int run(List<String> arguments, Terminal terminal) {
            AesGcmCipher cipher = cipher(word(), terminal);
            String value = terminal.input().strip();
            if (value.isEmpty()) {
                throw new InvalidSettingsException("encrypt: standard input is empty; give it the value to encrypt");
            }
            terminal.out().println(cipher.encrypt(value));
            return 0;
        }
    },
    DECRYPT("decrypt", "decrypts a value stored by PipesHub, on standard input, with SECRET_KEY, and prints it") {
        @Override
        int run(List<String> arguments, Terminal terminal) {
            AesGcmCipher cipher = cipher(word(), terminal);
            try {
                terminal.out().println(cipher.decrypt(terminal.input()));
                return 0;
            } catch (AesGcmCipher.UndecryptableValueException e) {
                // The reason names neither the key nor the value.
                throw new InvalidSettingsException("decrypt: standard input cannot be decrypted: " + e.getMessage());
            }
        }
    },
    CONSOLE_LINK("console-link [--minutes N]", "prints a link that opens the operator console signed in as an admin") {
        @Override
        int run(List<String> arguments, Terminal terminal) {
            terminal.out().println(ConsoleLink.of(arguments, terminal.environment(), Instant.now()));
            return 0;
        }
    },
    VERSION("version", "prints the service's version") {
        @Override
        int run(List<String> arguments, Terminal terminal) {
            // Written into the jar's manifest by the build; a class directory has none.
            String version = Command.class.getPackage().getImplementationVersion();
            if (version == null) {
                terminal.err().println("version: unknown outside the packaged jar");
                return Main.EXIT_START_FAILED;
            }
            terminal.out().println(version);
            return 0;
        }
    },
    HELP("help", "lists these commands (also --help, -h)") {
        @Override
        int run(List<String> arguments, Terminal terminal) {
            terminal.out().print(list());
            return 0;
        }
    };

    /**
     * Where a command reads and writes: the process's own in {@link Main}, a test's elsewhere.
     *
     * @param environment the environment variables
     * @param in          standard input
     * @param out         standard output: what the command was asked for, and nothing else
     * @param err         standard error: why it did not do it
     */
    record Terminal(Map<String, String> environment, InputStream in, PrintStream out, PrintStream err) {

        /** Standard input, whole, as UTF-8. */
        String input() {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("standard input cannot be read", e);
            }
        }
    }

    private final String synopsis;
    private final String summary;

    Command(String synopsis, String summary) {
        this.synopsis = synopsis;
        this.summary = summary;
    }

    /**
     * Does what the command is for.
     *
     * @param arguments the words after the command's name
     * @return the exit status
     * @throws InvalidSettingsException if the environment, the arguments or the input do not allow it,
     *                                  saying what to do
     * @throws GaveUpWaitingException   if something it needs did not answer in time
     */
    abstract int run(List<String> arguments, Terminal terminal);

    /**
     * Runs the command {@code words} name (their first; {@code serve} when there is none) with the
     * words after it, and answers the exit status: a refusal is written to standard error, never
     * with a secret, and exits with {@link Main#EXIT_INVALID_SETTINGS}; an unknown command, or
     * words after one that takes none, with the list of commands, and nothing run; any other
     * failure with {@link Main#EXIT_START_FAILED}, saying what failed on one line.
     */
    static int execute(List<String> words, Terminal terminal) {
        Optional<Command> command = named(words);
        List<String> arguments = words.isEmpty() ? List.of() : words.subList(1, words.size());
        if (command.isEmpty() || (!command.get().takesArguments() && !arguments.isEmpty())) {
            terminal.err().print((command.isEmpty() ? "Unknown command '" + words.get(0) + "'"
                    : command.get().word() + " takes no arguments") + "\n\n" + list());
            return Main.EXIT_INVALID_SETTINGS;
        }
        try {
            return command.get().run(arguments, terminal);
        } catch (InvalidSettingsException e) {
            terminal.err().println(e.getMessage());
            return Main.EXIT_INVALID_SETTINGS;
        } catch (GaveUpWaitingException e) {
            terminal.err().println(e.getMessage());
            return Main.EXIT_START_FAILED;
        } catch (RuntimeException e) {
            // An input that cannot be read, a provider that fails: a line for the terminal, not a stack trace.
            terminal.err().println(command.get().word() + " failed: " + reasonOf(e));
            return Main.EXIT_START_FAILED;
        }
    }

    /** What {@code failure} says, and its cause when that adds to it, on one line. */
    private static String reasonOf(RuntimeException failure) {
        String reason = Objects.requireNonNullElse(failure.getMessage(), failure.getClass().getSimpleName());
        Throwable cause = failure.getCause();
        if (cause != null && cause.getMessage() != null && !reason.contains(cause.getMessage())) {
            reason += ": " + cause.getMessage();
        }
        return reason.replaceAll("\\s*\\R\\s*", " ");
    }

    /** What {@code help} prints: each command on a line of its own. */
    static String list() {
        return "Usage: java -jar mail-service.jar [command]\n\n" + Arrays.stream(values())
                .map(command -> "  %-28s %s\n".formatted(command.synopsis, command.summary))
                .collect(Collectors.joining());
    }

    /** The name the command is called by. */
    String word() {
        return synopsis.split(" ", 2)[0];
    }

    private boolean takesArguments() {
        return synopsis.contains(" ");
    }

    /** The command {@code words} name: their first, {@code serve} when there is none; empty for an unknown one. */
    static Optional<Command> named(List<String> words) {
        if (words.isEmpty()) {
            return Optional.of(SERVE);
        }
        String word = words.get(0);
        if (word.equals("--help") || word.equals("-h")) {
            return Optional.of(HELP);
        }
        return Arrays.stream(values()).filter(command -> command.word().equals(word)).findFirst();
    }

    /** PipesHub's value encryption under the environment's {@code SECRET_KEY}. */
    private static AesGcmCipher cipher(String command, Terminal terminal) {
        return new Environment(terminal.environment()).nonEmpty(BackendSettings.SECRET_KEY).map(AesGcmCipher::new)
                .orElseThrow(() -> new InvalidSettingsException(command + ": set " + BackendSettings.SECRET_KEY
                        + " to the key PipesHub encrypts its stored values with"));
    }
}
