package dev.mailservice.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request to send one templated mail, checked when built: every problem is refused with an
 * {@link InvalidMailRequestException} whose message starts with the field it blames, by this
 * record's names ({@code to[1]}, {@code templateData.link}, {@code attachments[0].filename}).
 *
 * @param template     which mail
 * @param to           at least one recipient
 * @param cc           carbon-copy recipients, possibly none
 * @param subject      the subject line, or empty for the template's own
 * @param templateData the values the template shows; one left out shows empty
 * @param attachments  files to attach, possibly none
 */
public record MailRequest(
        MailTemplate template,
        List<EmailAddress> to,
        List<EmailAddress> cc,
        Optional<String> subject,
        Map<String, String> templateData,
        List<MailMessage.Attachment> attachments) {

    /** The fields' names, as refusals name them. */
    public static final String TEMPLATE = "template";
    public static final String TO = "to";
    public static final String CC = "cc";

    /** RFC 2045's {@code type/subtype} with optional {@code ; name=value} parameters, on one line. */
    private static final Pattern MEDIA_TYPE = mediaTypePattern();
    private static final Pattern COMPOSITE_TYPE = Pattern.compile("(multipart|message)/", Pattern.CASE_INSENSITIVE);
    /**
     * A link's host and port as written: dot-separated names of letters (any script, with their
     * marks), digits, {@code -} and {@code _}, each starting with a letter, a digit or {@code _}; or an
     * address in brackets. Then a port in digits, if any (RFC 3986 lets it be empty).
     */
    private static final Pattern WEB_HOST = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[\\p{L}\\p{N}_][\\p{L}\\p{M}\\p{N}_-]*"
            + "(\\.[\\p{L}\\p{N}_][\\p{L}\\p{M}\\p{N}_-]*)*\\.?)(:(?<port>[0-9]{0,5}))?");
    /**
     * The longest attachment type taken. Media types are short (RFC 6838 allows 127 characters for
     * each half); matching a long one against {@link #MEDIA_TYPE} recurses once per character, and
     * a type of a few thousand characters overflows a thread's stack.
     */
    static final int MAX_CONTENT_TYPE_CHARS = 255;

    public MailRequest {
        Objects.requireNonNull(template, "template");
        to = List.copyOf(to);
        cc = List.copyOf(cc);
        Objects.requireNonNull(subject, "subject");
        templateData = Map.copyOf(templateData);
        attachments = List.copyOf(attachments);
        if (to.isEmpty()) {
            throw new InvalidMailRequestException(TO, "needs at least one e-mail address");
        }
        for (String field : MailTemplate.LINK_FIELDS) {
            String link = templateData.get(field);
            if (link != null && !link.isBlank() && !isWebLink(link)) {
                throw new InvalidMailRequestException("templateData." + field,
                        "must be an http or https URL, got '" + link + "'");
            }
        }
        for (int i = 0; i < attachments.size(); i++) {
            checkAttachment("attachments[" + i + "].", attachments.get(i));
        }
    }

    /**
     * An attachment's name and type go into the headers of its part: a line break there would
     * let the sender write headers of their own, and a type the mail library cannot parse would
     * fail the send after the request was accepted.
     */
    private static void checkAttachment(String prefix, MailMessage.Attachment attachment) {
        if (attachment.filename().isBlank() || attachment.filename().codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidMailRequestException(prefix + "filename",
                    "must be a name without line breaks or other control characters");
        }
        if (attachment.contentType().length() > MAX_CONTENT_TYPE_CHARS) {
            throw new InvalidMailRequestException(prefix + "contentType",
                    "must be a media type of at most " + MAX_CONTENT_TYPE_CHARS + " characters");
        }
        if (!MEDIA_TYPE.matcher(attachment.contentType()).matches()) {
            throw new InvalidMailRequestException(prefix + "contentType",
                    "must be a media type like application/pdf or text/plain; charset=utf-8");
        }
        if (COMPOSITE_TYPE.matcher(attachment.contentType()).lookingAt()) {
            throw new InvalidMailRequestException(prefix + "contentType",
                    "must not be a multipart or message type: an attachment is one file");
        }
    }

    /**
     * Builds a request from the contract's field values.
     *
     * @param templateName the template's key ({@link MailTemplate#key()})
     * @param to           the recipients' addresses, as given
     * @param cc           the carbon-copy recipients' addresses, as given
     * @throws InvalidMailRequestException naming the field that is wrong
     */
    public static MailRequest of(String templateName, List<String> to, List<String> cc, String subject,
            Map<String, String> templateData, List<MailMessage.Attachment> attachments) {
        MailTemplate template = MailTemplate.byKey(templateName).orElseThrow(() ->
                new InvalidMailRequestException(TEMPLATE, templateName == null
                        ? "is required: one of " + MailTemplate.keys()
                        : "must be one of " + MailTemplate.keys() + ", got '" + templateName + "'"));
        return new MailRequest(template, addresses(TO, to), addresses(CC, cc),
                Optional.ofNullable(subject).filter(text -> !text.isBlank()),
                new LinkedHashMap<>(templateData), attachments);
    }

    private static List<EmailAddress> addresses(String field, List<String> values) {
        List<EmailAddress> addresses = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            try {
                addresses.add(new EmailAddress(values.get(i) == null ? null : values.get(i).strip()));
            } catch (IllegalArgumentException e) {
                String element = field + "[" + i + "]";
                throw new InvalidMailRequestException(element, e.getMessage());
            }
        }
        return addresses;
    }

    private static Pattern mediaTypePattern() {
        String token = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
        String quoted = "\"([ !#-\\[\\]-~]|\\\\[ -~])*\"";
        String space = "[ \t]*";
        return Pattern.compile(token + "/" + token + "(" + space + ";" + space + token + "=(" + token + "|" + quoted + "))*"
                + space + ";?");
    }

    /**
     * An http or https URL that names a host, with a port in digits if any. The host is read from
     * the authority as written ({@link #WEB_HOST}), not from {@link URI#getHost()}, which is null for
     * names a browser opens (an underscore, as in a container's name {@code http://pipeshub_frontend:3001},
     * or letters outside ASCII).
     */
    private static boolean isWebLink(String value) {
        try {
            URI uri = new URI(value.strip());
            String authority = uri.getRawAuthority();
            if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) || authority == null) {
                return false;
            }
            Matcher host = WEB_HOST.matcher(authority.replaceFirst("^.*@", ""));
            if (!host.matches()) {
                return false;
            }
            String port = host.group("port");
            return port == null || port.isEmpty() || Integer.parseInt(port) <= 65_535;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
