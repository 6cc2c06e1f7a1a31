package dev.mailservice.application.port.out;

import dev.mailservice.domain.MailRequest;

/** Out-port: turns a mail request into the text of the mail, from the service's templates. */
public interface MailRenderer {

    /**
     * Renders {@code request}'s template with its data. Every value from the request is escaped
     * in the HTML, so it shows as text and never becomes markup.
     */
    RenderedMail render(MailRequest request);

    /**
     * Renders the test mail a verification sends: short, naming the server it went through
     * ({@code host:port}) and nothing secret.
     */
    RenderedMail renderTestMail(String server);

    /**
     * @param defaultSubject the template's own subject, used when the request gives none
     * @param html           the HTML part
     * @param text           the plain-text alternative
     */
    record RenderedMail(String defaultSubject, String html, String text) {}
}
