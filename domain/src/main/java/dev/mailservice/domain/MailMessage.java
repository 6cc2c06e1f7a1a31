package dev.mailservice.domain;

import java.util.List;
import java.util.Objects;

/**
 * A rendered mail, ready to hand to a transport. It has no sender: mail always goes out from
 * the {@code fromEmail} of the configuration whose transport sends it.
 *
 * @param to          recipients, at least one
 * @param cc          carbon-copy recipients, possibly none
 * @param subject     subject line
 * @param htmlBody    the HTML part
 * @param textBody    the plain-text alternative of the HTML part
 * @param attachments files attached to the mail, possibly none
 */
public record MailMessage(
        List<EmailAddress> to,
        List<EmailAddress> cc,
        String subject,
        String htmlBody,
        String textBody,
        List<Attachment> attachments) {

    public MailMessage {
        to = List.copyOf(to);
        cc = List.copyOf(cc);
        attachments = List.copyOf(attachments);
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(htmlBody, "htmlBody");
        Objects.requireNonNull(textBody, "textBody");
        if (to.isEmpty()) {
            throw new IllegalArgumentException("a mail needs at least one recipient");
        }
    }

    /**
     * A file attached to a mail.
     *
     * @param filename    the name the recipient sees
     * @param contentType its MIME type
     * @param content     its bytes
     */
    public record Attachment(String filename, String contentType, byte[] content) {

        public Attachment {
            Objects.requireNonNull(filename, "filename");
            Objects.requireNonNull(contentType, "contentType");
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }
    }
}
