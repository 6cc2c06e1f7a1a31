package dev.mailservice.adapters.mail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An SMTP server written out line by line on a free loopback port, for the servers SubEthaSMTP will
 * not play: one that refuses EHLO but takes HELO, one offering its login only in the old {@code
 * AUTH=LOGIN} form, one whose refusal of a login echoes the credentials it received.
 */
final class ScriptedSmtpServer implements AutoCloseable {

    /** How the server behaves. */
    enum Kind {
        /** Refuses EHLO, takes HELO, offers nothing. */
        HELO_ONLY,
        /** Offers {@code AUTH=LOGIN} alone and accepts any login through it. */
        OLD_AUTH_LOGIN,
        /** Offers AUTH PLAIN and refuses every login, quoting what it received, raw and decoded. */
        ECHOES_CREDENTIALS,
        /** As {@link #ECHOES_CREDENTIALS}, in a reply without a number. */
        ECHOES_CREDENTIALS_UNNUMBERED
    }

    private final Kind kind;
    private final ServerSocket listener;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    private ScriptedSmtpServer(Kind kind) throws IOException {
        this.kind = kind;
        this.listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    static ScriptedSmtpServer start(Kind kind) throws IOException {
        return new ScriptedSmtpServer(kind);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        try {
            while (true) {
                Socket connection = listener.accept();
                connections.add(connection);
                Thread.ofVirtual().start(() -> converse(connection));
            }
        } catch (IOException e) {
            // closed by the test
        }
    }

    private void converse(Socket connection) {
        try (connection) {
            BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                    StandardCharsets.US_ASCII));
            OutputStream out = connection.getOutputStream();
            say(out, "220 scripted.test ESMTP");
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String command = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                switch (command) {
                    case "EHLO" -> say(out, switch (kind) {
                        case HELO_ONLY -> "502 5.5.2 EHLO not implemented";
                        case OLD_AUTH_LOGIN -> "250-scripted.test\r\n250 AUTH=LOGIN";
                        case ECHOES_CREDENTIALS, ECHOES_CREDENTIALS_UNNUMBERED -> "250-scripted.test\r\n250 AUTH PLAIN";
                    });
                    case "HELO" -> say(out, "250 scripted.test");
                    case "AUTH" -> auth(line, in, out);
                    case "QUIT" -> {
                        say(out, "221 2.0.0 bye");
                        return;
                    }
                    default -> say(out, "250 2.0.0 ok");
                }
            }
        } catch (IOException e) {
            // the client went
        }
    }

    private void auth(String line, BufferedReader in, OutputStream out) throws IOException {
        String[] words = line.split(" ");
        List<String> received = new ArrayList<>();
        if (words.length > 2) {
            received.add(words[2]);
        }
        if (kind == Kind.OLD_AUTH_LOGIN) {
            say(out, "334 VXNlcm5hbWU6");
            in.readLine();
            say(out, "334 UGFzc3dvcmQ6");
            in.readLine();
            say(out, "235 2.7.0 accepted");
            return;
        }
        if (received.isEmpty()) {
            say(out, "334 ");
            received.add(in.readLine());
        }
        List<String> decoded = received.stream().map(ScriptedSmtpServer::decoded).toList();
        say(out, (kind == Kind.ECHOES_CREDENTIALS ? "535 5.7.8 " : "") + "refused " + String.join(" ", received) + " ("
                + String.join(" ", decoded) + ")");
    }

    private static String decoded(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IllegalArgumentException e) {
            return base64;
        }
    }

    private static void say(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket connection : connections) {
            connection.close();
        }
    }
}
