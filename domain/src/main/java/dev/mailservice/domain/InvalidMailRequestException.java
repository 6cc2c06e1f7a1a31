package dev.mailservice.domain;

/** A request to send mail was refused, naming the field, e.g. {@code sendEmailTo[1]} or {@code templateData.otp}. */
public class InvalidMailRequestException extends InvalidInputException {

    private static final long serialVersionUID = 1L;

    public InvalidMailRequestException(String field, String message) {
        super(field, message);
    }
}
