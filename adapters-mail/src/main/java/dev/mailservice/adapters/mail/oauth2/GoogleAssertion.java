package dev.mailservice.adapters.mail.oauth2;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mailservice.domain.OAuth2Login;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The assertion of Google's JWT-bearer grant (RFC 7523, as Google's service accounts use it): a
 * JWT signed RS256 with the account's private key, whose claims say who asks ({@code iss}, the
 * account's e-mail), for which mailbox ({@code sub}, domain-wide delegation), of which endpoint
 * ({@code aud}), for which {@code scope}, and for how long ({@code iat}, {@code exp}: an hour,
 * the most Google takes).
 */
final class GoogleAssertion {

    static final Duration LIFETIME = Duration.ofHours(1);

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----(.*?)-----END PRIVATE KEY-----", Pattern.DOTALL);

    /** The key cannot be read or used; its words name what is wrong, never the key. */
    static final class UnusableKey extends Exception {
        UnusableKey(String problem) {
            super(problem, null, false, false);
        }
    }

    private GoogleAssertion() {}

    /** The assertion for {@code google} acting for {@code mailbox}, issued at {@code now}. */
    static SignedJWT signed(OAuth2Login.Google google, String mailbox, Instant now) throws UnusableKey {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(google.clientEmail())
                .subject(mailbox)
                .audience(google.tokenUri().toString())
                .claim("scope", OAuth2Login.Google.SCOPE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)))
                .build();
        SignedJWT assertion = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).build(),
                claims);
        try {
            assertion.sign(new RSASSASigner(privateKey(google.privateKey().reveal())));
        } catch (JOSEException | IllegalArgumentException e) { // e.g. an RSA key shorter than 2048 bits
            throw new UnusableKey("it cannot sign an RS256 assertion (an RSA key of 2048 bits or more is needed)");
        }
        return assertion;
    }

    /**
     * The key of a PEM PKCS #8 block ({@code -----BEGIN PRIVATE KEY-----}), as a service account's
     * JSON key file holds it; its line breaks may be written {@code \n}, as in the JSON string.
     */
    static PrivateKey privateKey(String pem) throws UnusableKey {
        String text = pem.replace("\\n", "\n");
        Matcher block = PKCS8.matcher(text);
        if (!block.find()) {
            if (text.contains("BEGIN RSA PRIVATE KEY")) {
                throw new UnusableKey("it is a PKCS #1 key (BEGIN RSA PRIVATE KEY), where PKCS #8 (BEGIN PRIVATE KEY) "
                        + "is needed, as in the service account's key file; openssl pkcs8 -topk8 -nocrypt converts it");
            }
            if (text.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
                throw new UnusableKey("it is encrypted; the service account's key file holds it unencrypted "
                        + "(BEGIN PRIVATE KEY)");
            }
            throw new UnusableKey("it has no PEM block -----BEGIN PRIVATE KEY----- ... -----END PRIVATE KEY-----");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(block.group(1)); // skips the line breaks
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new UnusableKey("its PEM block is not an RSA private key in PKCS #8");
        }
    }
}
