package dev.mailservice.domain;

/** A request to send mail was refused; the message names the field and says what is wrong. */
public class InvalidMailRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidMailRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The offending field, e.g. {@code sendEmailTo[1]} or {@code templateData.otp}. */
    public String field() {
        return field;
    }
}
