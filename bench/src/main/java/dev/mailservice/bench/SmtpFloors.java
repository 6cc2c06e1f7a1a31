package dev.mailservice.bench;

import dev.mailservice.adapters.mail.MustacheMailRenderer;
import dev.mailservice.application.port.out.MailRenderer.RenderedMail;
import dev.mailservice.domain.MailRequest;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The SMTP floors, from this process: the OTP mail sent straight to the sink with Jakarta Mail over one kept
 * connection, over a connection of its own each, and the cost of a connection alone.
 */
record SmtpFloors(BenchmarkSettings settings, SmtpSink sink) {

    void measure(Map<String, Double> figures) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.host", "127.0.0.1");
        properties.setProperty("mail.smtp.port", Integer.toString(sink.port()));
        Session session = Session.getInstance(properties);
        MimeMessage message = renderedMessage(session);

        try (Transport kept = session.getTransport("smtp")) {
            kept.connect();
            Measurements.Operation overOneConnection = () -> {
                kept.sendMessage(message, message.getAllRecipients());
                return true;
            };
            Measurements.concurrent(1, settings.phaseSeconds() / 2, overOneConnection);
            figures.put("smtp_raw_persistent_rps",
                    Measurements.concurrent(1, settings.phaseSeconds(), overOneConnection).perSecond());
        }
        Measurements.Operation connectAndQuit = () -> {
            try (Transport connection = session.getTransport("smtp")) {
                connection.connect();
            }
            return true;
        };
        Measurements.sequential(settings.warmUpCalls(), connectAndQuit);
        figures.put("smtp_connection_setup_ms",
                Measurements.sequential(settings.sequentialCalls(), connectAndQuit).percentileMillis(50));
        Measurements.Operation connectSendQuit = () -> {
            Transport.send(message);
            return true;
        };
        Measurements.concurrent(16, settings.phaseSeconds() / 2, connectSendQuit);
        figures.put("smtp_per_message_connection_rps_c16",
                Measurements.concurrent(16, settings.phaseSeconds(), connectSendQuit).perSecond());
    }

    /** The OTP mail the send route renders, as the service would compose it. */
    private static MimeMessage renderedMessage(Session session) throws Exception {
        RenderedMail rendered = new MustacheMailRenderer(MustacheMailRenderer.DEFAULT_BRAND).render(MailRequest.of(
                "loginWithOTP", List.of("user@example.com"), List.of(), null, Map.of("name", "Bench User", "otp", "123456"),
                List.of()));
        MimeBodyPart text = new MimeBodyPart();
        text.setText(rendered.text(), "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(rendered.html(), "UTF-8", "html");
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("a@bench.example"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("user@example.com"));
        message.setSubject(rendered.defaultSubject(), "UTF-8");
        message.setContent(new MimeMultipart("alternative", text, html));
        message.saveChanges();
        return message;
    }
}
