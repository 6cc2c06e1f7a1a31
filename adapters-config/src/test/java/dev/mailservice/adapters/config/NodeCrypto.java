package dev.mailservice.adapters.config;

import dev.mailservice.testkit.ExternalTools;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Decrypts a stored value with Node's crypto module, as PipesHub reads what it stores in etcd. */
final class NodeCrypto {

    private static final String DECRYPT = """
            const c = require('crypto');
            const [iv, ct, tag] = process.argv[1].split(':').map(h => Buffer.from(h, 'hex'));
            const key = c.createHash('sha256').update(process.argv[2], 'utf8').digest();
            const d = c.createDecipheriv('aes-256-gcm', key, iv);
            d.setAuthTag(tag);
            process.stdout.write(Buffer.concat([d.update(ct), d.final()]).toString('utf8'));
            """;

    private NodeCrypto() {}

    /** The plaintext of {@code value}; fails if Node cannot decrypt it with {@code secretKey}. */
    static String decrypt(String value, String secretKey) throws Exception {
        Process node = ExternalTools.start("node", "-e", DECRYPT, value, secretKey);
        String plaintext = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!node.waitFor(30, TimeUnit.SECONDS) || node.exitValue() != 0) {
            throw new AssertionError("node could not decrypt the value: "
                    + new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return plaintext;
    }
}
