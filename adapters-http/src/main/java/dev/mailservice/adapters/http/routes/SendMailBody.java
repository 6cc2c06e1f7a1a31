package dev.mailservice.adapters.http.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailservice.adapters.http.answers.HttpError;
import dev.mailservice.adapters.http.answers.RefusalWording;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.domain.InvalidInputException;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.MailRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the body of {@code POST /mail/emails/sendEmail} (the contract's {@code MailBody}) into a
 * {@link MailRequest}. This class checks the JSON shapes; the domain checks the values.
 *
 * <p>Accepted beyond the letter of the schema, as PipesHub's clients send it: a single address
 * instead of an array, numbers in {@code templateData} (an OTP of {@code 123456}). Ignored:
 * {@code isAutoEmail} and {@code fromEmailDomain}, which are for audit logs (mail always goes out
 * From the active configuration's {@code fromEmail}), and {@code productName}, which PipesHub's
 * callers set to {@code PIP} while its mails name the brand.
 *
 * <p>Attachment {@code content} is raw text or base64. An {@code encoding} field says which
 * ({@code base64}, or {@code utf8}/{@code utf-8} for text), as with nodemailer; without it, content
 * whose {@code contentType} is textual ({@code text/*}, JSON, XML) is text, and other content is
 * base64 when it is valid base64 and text otherwise.
 */
final class SendMailBody {

    private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    private SendMailBody() {}

    /** A send's refusals name the domain's fields as the contract names them: {@code to[1]} is {@code sendEmailTo[1]}. */
    static final RefusalWording REFUSALS = new RefusalWording(RefusalWording.PLAIN.code(), Map.of(
            MailRequest.TEMPLATE, "emailTemplateType", MailRequest.TO, "sendEmailTo", MailRequest.CC, "sendCcTo"));

    /**
     * @throws HttpError    a 400 when a field has the wrong JSON type, naming it as the contract does
     * @throws InvalidInput when the request breaks a rule of the domain
     */
    static MailRequest read(ObjectNode body) {
        try {
            return request(body);
        } catch (InvalidInputException refusal) {
            throw InvalidInput.of(refusal);
        }
    }

    private static MailRequest request(ObjectNode body) {
        return MailRequest.of(
                text(body, "emailTemplateType"),
                addresses(body, "sendEmailTo"),
                addresses(body, "sendCcTo"),
                text(body, "subject"),
                templateData(body.get("templateData")),
                attachments(body.get("attachments")));
    }

    private static String text(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw HttpError.badRequest(field + " must be a string");
        }
        return value.asText();
    }

    private static List<String> addresses(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (value.isTextual()) {
            return List.of(value.asText());
        }
        if (!value.isArray()) {
            throw HttpError.badRequest(field + " must be an array of e-mail addresses");
        }
        List<String> addresses = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isTextual()) {
                throw HttpError.badRequest(field + "[" + addresses.size() + "] must be a string");
            }
            addresses.add(element.asText());
        }
        return addresses;
    }

    /** As PipesHub's renderer, refuses data that is not there at all; a field in it may be missing or null. */
    private static Map<String, String> templateData(JsonNode value) {
        if (value == null || value.isNull() || !value.isObject()) {
            throw HttpError.badRequest("templateData is required and must be a JSON object (its fields may be left out)");
        }
        Map<String, String> data = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            JsonNode fieldValue = field.getValue();
            if (fieldValue.isTextual() || fieldValue.isNumber() || fieldValue.isBoolean()) {
                data.put(field.getKey(), fieldValue.asText());
            } else if (!fieldValue.isNull()) {
                throw HttpError.badRequest("templateData." + field.getKey() + " must be a string");
            }
        }
        return data;
    }

    private static List<MailMessage.Attachment> attachments(JsonNode value) {
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw HttpError.badRequest("attachments must be an array");
        }
        List<MailMessage.Attachment> attachments = new ArrayList<>();
        for (JsonNode element : value) {
            String prefix = "attachments[" + attachments.size() + "].";
            if (!element.isObject()) {
                throw HttpError.badRequest("attachments[" + attachments.size() + "] must be a JSON object");
            }
            String filename = required(element, "filename", prefix);
            String content = required(element, "content", prefix);
            String contentType = text(element, "contentType");
            String type = contentType == null || contentType.isBlank() ? DEFAULT_CONTENT_TYPE : contentType.strip();
            attachments.add(new MailMessage.Attachment(filename, type,
                    content(content, type, text(element, "encoding"), prefix)));
        }
        return attachments;
    }

    private static String required(JsonNode object, String field, String prefix) {
        JsonNode value = object.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw HttpError.badRequest(prefix + field + " is required and must be a string");
        }
        return value.asText();
    }

    private static byte[] content(String content, String contentType, String encoding, String prefix) {
        String declared = encoding == null ? "" : encoding.strip().toLowerCase(Locale.ROOT);
        return switch (declared) {
            case "base64" -> {
                try {
                    yield Base64.getMimeDecoder().decode(content);
                } catch (IllegalArgumentException e) {
                    throw HttpError.badRequest(prefix + "content is not valid base64");
                }
            }
            case "utf8", "utf-8", "text" -> content.getBytes(StandardCharsets.UTF_8);
            case "" -> isTextual(contentType) ? content.getBytes(StandardCharsets.UTF_8) : base64OrText(content);
            default -> throw HttpError.badRequest(prefix + "encoding must be base64 or utf-8, got '" + encoding + "'");
        };
    }

    /**
     * {@code text/*}, JSON and XML ({@code application/json}, {@code image/svg+xml}): by the type and
     * subtype alone, not a word anywhere in them, as an Office document's type names XML too
     * ({@code application/vnd.openxmlformats-officedocument...}) and its content is binary.
     */
    private static boolean isTextual(String contentType) {
        String mediaType = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].strip();
        String subtype = mediaType.substring(mediaType.indexOf('/') + 1);
        return mediaType.startsWith("text/") || subtype.equals("json") || subtype.equals("xml")
                || subtype.endsWith("+json") || subtype.endsWith("+xml");
    }

    private static byte[] base64OrText(String content) {
        try {
            return Base64.getDecoder().decode(content.replaceAll("\\s", ""));
        } catch (IllegalArgumentException notBase64) {
            return content.getBytes(StandardCharsets.UTF_8);
        }
    }
}
