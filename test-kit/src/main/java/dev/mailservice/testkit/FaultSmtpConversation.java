package dev.mailservice.testkit;

import static dev.mailservice.testkit.FaultSmtpServer.HOST_NAME;

import dev.mailservice.testkit.FaultSmtpServer.Delivery;
import dev.mailservice.testkit.SmtpScenario.Farewell;
import dev.mailservice.testkit.SmtpScenario.Greeting;
import dev.mailservice.testkit.SmtpScenario.Moment;
import dev.mailservice.testkit.SmtpScenario.Pause;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * One client's conversation with a {@link FaultSmtpServer}: the SMTP it speaks (EHLO, STARTTLS, AUTH PLAIN and
 * LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), and where its {@link SmtpScenario} says so, how it misbehaves. It
 * counts and keeps what it was sent with the server.
 */
final class FaultSmtpConversation {

    /** The most a mail may hold; more is refused with 552. */
    private static final int MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
    /** The most a command line may hold; longer is refused with 500 and the connection closed. */
    private static final int MAX_LINE_BYTES = 64 * 1024;

    private final FaultSmtpServer server;
    private final SmtpScenario scenario;
    private final int number;
    private final SmtpWire wire;
    private boolean tls;
    private boolean loggedIn;
    private int mailsOnConnection;
    private int acceptedOnConnection;
    private String from;
    private Moment mailMoment;
    private final List<String> to = new ArrayList<>();

    FaultSmtpConversation(FaultSmtpServer server, SmtpScenario scenario, Socket socket, int number)
            throws IOException {
        this.server = server;
        this.scenario = scenario;
        this.number = number;
        this.wire = new SmtpWire(socket);
    }

    void run() throws IOException {
        if (scenario.implicitTls != null) {
            upgrade(scenario.implicitTls);
        }
        if (!greet()) {
            return;
        }
        while (true) {
            Optional<String> line = command();
            if (line.isEmpty()) {
                return;
            }
            String[] words = line.get().split(" ", 2);
            String verb = words[0].toUpperCase(Locale.ROOT);
            String argument = words.length > 1 ? words[1] : "";
            server.countCommand(verb);
            Moment moment = upcoming(verb);
            Pause pause = scenario.pauses.get(verb);
            if (pause != null && pause.when().test(moment)) {
                sleep(pause.pause());
            }
            Predicate<Moment> reset = scenario.resets.get(verb);
            if (reset != null && reset.test(moment)) {
                wire.reset();
                return;
            }
            Predicate<Moment> close = scenario.closes.get(verb);
            if (close != null && close.test(moment)) {
                wire.close();
                return;
            }
            if (!answer(verb, argument)) {
                return;
            }
        }
    }

    /** The moment the command {@code verb} would make: a MAIL counts its mail, a RCPT its recipient. */
    private Moment upcoming(String verb) {
        boolean mail = "MAIL".equals(verb);
        return new Moment(number, mailsOnConnection + (mail ? 1 : 0), server.mailsCounted() + (mail ? 1 : 0),
                server.recipientsCounted() + ("RCPT".equals(verb) ? 1 : 0));
    }

    /** Greets as the scenario says; false when the conversation ends there. */
    private boolean greet() throws IOException {
        if (scenario.greeting == null || !scenario.greetingChanged.test(number)) {
            wire.say("220 " + HOST_NAME + " ESMTP ready");
            return true;
        }
        switch (scenario.greeting) {
            case Greeting.Reply reply -> {
                wire.say(reply.reply());
                return !reply.reply().startsWith("221") && !reply.reply().startsWith("421");
            }
            case Greeting.EndlessLine ignored -> {
                wire.write("220 ");
                endless("x".repeat(8192));
                return false;
            }
            case Greeting.EndlessLines ignored -> {
                endless(("220-" + HOST_NAME + " still greeting you\r\n").repeat(64));
                return false;
            }
            case Greeting.Trickle trickle -> {
                while (true) {
                    wire.say("220-please wait");
                    sleep(trickle.every());
                }
            }
        }
    }

    /** Answers one command; false when the conversation ends. */
    private boolean answer(String verb, String argument) throws IOException {
        switch (verb) {
            case "EHLO" -> {
                server.greetedAs(argument);
                ehlo();
            }
            case "HELO" -> {
                server.greetedAs(argument);
                wire.say("250 " + HOST_NAME);
            }
            case "STARTTLS" -> {
                if (scenario.startTls == null || tls) {
                    wire.say("502 5.5.1 STARTTLS not offered");
                } else {
                    wire.say("220 2.0.0 Ready to start TLS");
                    upgrade(scenario.startTls);
                }
            }
            case "AUTH" -> {
                return auth(argument);
            }
            case "MAIL" -> {
                return mailFrom(argument);
            }
            case "RCPT" -> {
                return recipient(argument);
            }
            case "DATA" -> {
                return data();
            }
            case "RSET" -> {
                resetTransaction();
                wire.say(scenario.resetReply);
            }
            case "NOOP" -> wire.say("250 2.0.0 Ok");
            case "QUIT" -> {
                wire.say(scenario.quitReply);
                return false;
            }
            default -> wire.say("502 5.5.2 Command not recognized");
        }
        return true;
    }

    private void ehlo() throws IOException {
        if (scenario.endlessEhlo) {
            endless(("250-" + HOST_NAME + " offers you this line too\r\n").repeat(64));
            return;
        }
        List<String> offers = new ArrayList<>(List.of(HOST_NAME, "PIPELINING", "SIZE " + MAX_MESSAGE_BYTES,
                "8BITMIME"));
        boolean startTlsFirst = scenario.startTls != null && !tls;
        if (startTlsFirst) {
            offers.add("STARTTLS");
        }
        if (scenario.username != null && !startTlsFirst) {
            offers.add("AUTH PLAIN LOGIN");
        }
        for (int i = 0; i < offers.size(); i++) {
            wire.say("250" + (i == offers.size() - 1 ? " " : "-") + offers.get(i));
        }
    }

    /** Answers a login; false when the conversation ends there. */
    private boolean auth(String argument) throws IOException {
        if (scenario.username == null || (scenario.startTls != null && !tls)) {
            wire.say("503 5.5.1 AUTH not offered");
            return true;
        }
        String[] words = argument.split(" ");
        String mechanism = words[0].toUpperCase(Locale.ROOT);
        String user;
        String secret;
        if ("PLAIN".equals(mechanism)) {
            String response = words.length > 1 ? words[1] : prompt("");
            String[] parts = decode(response).split("\0", -1);
            user = parts.length == 3 ? parts[1] : "";
            secret = parts.length == 3 ? parts[2] : "";
        } else if ("LOGIN".equals(mechanism)) {
            user = decode(words.length > 1 ? words[1] : prompt("VXNlcm5hbWU6"));
            secret = decode(prompt("UGFzc3dvcmQ6"));
        } else {
            wire.say("504 5.5.4 Unrecognized authentication type");
            return true;
        }
        if (scenario.loginReply != null && scenario.loginReplied.test(upcoming("AUTH"))) {
            wire.say(scenario.loginReply);
            if (scenario.closesAfterLoginReply) {
                wire.close();
                return false;
            }
            return true;
        }
        loggedIn = scenario.username.equals(user) && scenario.password.equals(secret);
        wire.say(loggedIn ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
        return true;
    }

    private String prompt(String challenge) throws IOException {
        wire.say("334 " + challenge);
        return command().orElse("");
    }

    private boolean mailFrom(String argument) throws IOException {
        if (scenario.username != null && !loggedIn) {
            wire.say("530 5.7.0 Authentication required");
            return true;
        }
        mailsOnConnection++;
        mailMoment = new Moment(number, mailsOnConnection, server.countMail(), 0);
        if (scenario.mailFromReply != null && scenario.mailFromRefused.test(mailMoment)) {
            return refuse(scenario.mailFromReply, true);
        }
        resetTransaction();
        from = address(argument);
        wire.say("250 2.1.0 Ok");
        return true;
    }

    private boolean recipient(String argument) throws IOException {
        if (from == null) {
            wire.say("503 5.5.1 MAIL first");
            return true;
        }
        Moment moment = new Moment(number, mailsOnConnection, mailMoment.mail(), server.countRecipient());
        if (scenario.recipientReply != null && scenario.recipientRefused.test(moment)) {
            // That recipient alone: the mail goes on with the others, as RFC 5321 has it.
            return refuse(scenario.recipientReply, false);
        }
        if (scenario.recipientsPerMail > 0 && to.size() >= scenario.recipientsPerMail) {
            wire.say("452 4.5.3 Too many recipients");
            return true;
        }
        to.add(address(argument));
        wire.say("250 2.1.5 Ok");
        return true;
    }

    private boolean data() throws IOException {
        if (to.isEmpty()) {
            wire.say("554 5.5.1 No valid recipients");
            return true;
        }
        wire.say("354 End data with <CR><LF>.<CR><LF>");
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            String line = wire.line(MAX_MESSAGE_BYTES).orElse(null);
            if (line == null) {
                return false;
            }
            if (".".equals(line)) {
                break;
            }
            if (message.size() + line.length() > MAX_MESSAGE_BYTES) {
                wire.say("552 5.3.4 Message too big");
                return false;
            }
            message.writeBytes((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.ISO_8859_1));
            message.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        String text = message.toString(StandardCharsets.UTF_8);
        Pause silence = scenario.pauses.get(".");
        if (silence != null && silence.when().test(mailMoment)) {
            keep(text);
            sleep(silence.pause());
            return false;
        }
        if (scenario.resetAfterDot.test(mailMoment)) {
            keep(text);
            wire.reset();
            return false;
        }
        if (scenario.dotReply != null && scenario.dotRefused.test(mailMoment)) {
            return refuse(scenario.dotReply, true);
        }
        keep(text);
        wire.say("250 2.0.0 Ok: queued as " + server.countAccepted());
        acceptedOnConnection++;
        resetTransaction();
        if (scenario.mailsPerConnection > 0 && acceptedOnConnection >= scenario.mailsPerConnection) {
            farewell(scenario.mailsFarewell, "421 4.7.0 " + HOST_NAME + " Too many messages, closing connection");
            return false;
        }
        return true;
    }

    private void keep(String text) {
        server.keep(new Delivery(number, from, List.copyOf(to), subjectOf(text), text));
    }

    /**
     * Says {@code reply}, forgetting the mail under way when {@code endsTransaction}. Whether to go on:
     * a 421 closes the connection after it, as RFC 5321 has it, and so may the scenario.
     */
    private boolean refuse(String reply, boolean endsTransaction) throws IOException {
        wire.say(reply);
        if (endsTransaction) {
            resetTransaction();
        }
        return !reply.startsWith("421") && !scenario.closesAfterRefusals;
    }

    private void resetTransaction() {
        from = null;
        to.clear();
    }

    /** The next command; empty when the client went, or stayed idle beyond the scenario's limit. */
    private Optional<String> command() throws IOException {
        if (scenario.idleLimit != null) {
            wire.readTimeout((int) scenario.idleLimit.toMillis());
        }
        try {
            return wire.line(MAX_LINE_BYTES);
        } catch (SocketTimeoutException idle) {
            farewell(scenario.idleFarewell, "421 4.4.2 " + HOST_NAME + " Idle too long, closing connection");
            return Optional.empty();
        } finally {
            wire.readTimeout(0);
        }
    }

    private void farewell(Farewell farewell, String reply) throws IOException {
        if (farewell == Farewell.SAY_421) {
            wire.say(reply);
        }
    }

    private void upgrade(SSLContext context) throws IOException {
        server.track(wire.upgrade(context));
        tls = true;
        loggedIn = false;
        resetTransaction();
    }

    /** Writes {@code chunk} again and again until the client stops taking it, or the server closes. */
    private void endless(String chunk) throws IOException {
        wire.endless(chunk, server::isClosed);
    }

    private static String subjectOf(String text) {
        for (String line : text.split("\r\n")) {
            if (line.isEmpty()) {
                break;
            }
            if (line.regionMatches(true, 0, "Subject:", 0, 8)) {
                return line.substring(8).strip();
            }
        }
        return "";
    }

    private static String address(String argument) {
        int open = argument.indexOf('<');
        int close = argument.indexOf('>', open + 1);
        return open >= 0 && close > open ? argument.substring(open + 1, close) : argument;
    }

    private static String decode(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
