package dev.mailservice.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.adapters.http.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar at the heap it is documented to run with, hit by 32 sends of the largest
 * allowed body at once: it must neither run out of memory nor fail a send it accepted; what it
 * cannot take is refused with 503 and Retry-After before its body is sent.
 */
class LargeSendsAtDeployedHeapIT {

    private static final String SCOPED_SECRET = "a1B2c3D4e5F6g7H8i9J0";
    private static final int CONCURRENT_SENDS = 32;
    private static final int BODY_BYTES = 10 * 1024 * 1024;

    @RegisterExtension
    static final GreenMailExtension SMTP_SERVER = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"));

    @TempDir
    Path directory;

    /** What one client saw: the final status, and whether it was asked for its body. */
    private record Outcome(int status, boolean bodySent, String retryAfter, String body) {}

    @Test
    void thirtyTwoConcurrentTenMebibyteSendsNeverExhaustTheHeap() throws Exception {
        Path config = directory.resolve("smtp.json");
        Files.writeString(config, "{\"host\": \"127.0.0.1\", \"port\": " + SMTP_SERVER.getSmtp().getPort()
                + ", \"fromEmail\": \"noreply@example.com\"}");
        byte[] body = sendBody(BODY_BYTES);
        String token = Tokens.scoped(SCOPED_SECRET, "mail:send");

        try (ServiceProcess service = ServiceProcess.launchJarAsDeployed(directory, Map.of(
                "SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", SCOPED_SECRET, "SMTP_CONFIG_FILE", config.toString(),
                "PORT", "0"), Path.of(System.getProperty("service.jar")))) {
            int port = service.awaitReadyPort();
            List<Outcome> outcomes = new ArrayList<>();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Outcome>> sends = new ArrayList<>();
                for (int i = 0; i < CONCURRENT_SENDS; i++) {
                    sends.add(clients.submit(() -> send(port, token, body)));
                }
                for (Future<Outcome> send : sends) {
                    outcomes.add(send.get());
                }
            }

            String output = String.join("\n", service.output());
            assertFalse(output.contains("OutOfMemoryError"), output);
            List<Outcome> sent = outcomes.stream().filter(outcome -> outcome.status() == 200).toList();
            assertTrue(sent.size() >= 4, "only " + sent.size() + " sends succeeded: " + outcomes);
            for (Outcome outcome : outcomes) {
                if (outcome.status() != 200) {
                    assertEquals(503, outcome.status(), outcome.toString());
                    assertEquals("1", outcome.retryAfter(), outcome.toString());
                    assertFalse(outcome.bodySent(), "a refused body was asked for: " + outcome);
                }
            }
            assertEquals(sent.size(), SMTP_SERVER.getReceivedMessages().length, "a send answered 200 was not delivered once");
            try (ServiceClient client = new ServiceClient(port, SCOPED_SECRET)) {
                assertTrue(client.status().contains("\"host\":\"127.0.0.1\""), "the service no longer answers");
            }
        }
    }

    /** One client as curl sends a large body: headers with Expect: 100-continue, the body once asked. */
    private static Outcome send(int port, String token, byte[] body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(120_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("POST /api/v1/mail/emails/sendEmail HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Map<String, String> answer = readHead(in);
            boolean bodySent = false;
            if (answer.get(":status").equals("100")) {
                out.write(body);
                out.flush();
                bodySent = true;
                answer = readHead(in);
            }
            byte[] answerBody = in.readNBytes(Integer.parseInt(answer.getOrDefault("content-length", "0")));
            return new Outcome(Integer.parseInt(answer.get(":status")), bodySent, answer.get("retry-after"),
                    new String(answerBody, StandardCharsets.UTF_8));
        }
    }

    /** A status line and headers, the status under {@code :status} and names in lower case. */
    private static Map<String, String> readHead(InputStream in) throws IOException {
        Map<String, String> head = new java.util.HashMap<>();
        String statusLine = line(in);
        head.put(":status", statusLine.split(" ")[1]);
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            head.put(line.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).strip());
        }
        return head;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int next = in.read(); next != '\n'; next = in.read()) {
            if (next < 0) {
                throw new IOException("the connection closed in the middle of an answer");
            }
            if (next != '\r') {
                line.write(next);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** A send body of exactly {@code length} bytes, nearly all of it a base64 attachment. */
    private static byte[] sendBody(int length) {
        String head = "{\"emailTemplateType\":\"loginWithOTP\",\"sendEmailTo\":[\"a@example.com\"],"
                + "\"templateData\":{\"name\":\"Ann\",\"otp\":\"123456\"},\"attachments\":[{\"filename\":\"a.bin\","
                + "\"contentType\":\"application/octet-stream\",\"encoding\":\"base64\",\"content\":\"";
        String tail = "\"}]}";
        int content = length - head.length() - tail.length();
        return (head + "QUJD".repeat(content / 4) + tail + " ".repeat(content % 4)).getBytes(StandardCharsets.US_ASCII);
    }
}
