package dev.mailservice.adapters.mail;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;
import dev.mailservice.application.port.out.MailRenderer;
import dev.mailservice.domain.MailRequest;
import dev.mailservice.domain.MailTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Renders the mail templates (Mustache, in {@code templates/} beside this class): for each
 * template an HTML body, a plain-text body and a default subject, all sharing a layout that
 * names the product.
 *
 * <p>In the HTML every value is escaped, so a {@code name} of {@code <script>} shows as text. The
 * text body and the subject are not HTML and are left as given. Every template is compiled when
 * this class is built, so a broken template stops the start instead of a send.
 */
public final class MustacheMailRenderer implements MailRenderer {

    /** The product a mail names when the request names none. */
    public static final String DEFAULT_PRODUCT_NAME = "PipesHub";

    private static final String TEMPLATES = "dev/mailservice/adapters/mail/templates";

    private record Compiled(Mustache subject, Mustache html, Mustache text) {}

    private final Map<MailTemplate, Compiled> templates = new EnumMap<>(MailTemplate.class);

    public MustacheMailRenderer() {
        MustacheFactory html = new DefaultMustacheFactory(TEMPLATES);
        MustacheFactory plain = new DefaultMustacheFactory(TEMPLATES) {
            @Override
            public void encode(String value, Writer writer) {
                try {
                    writer.write(value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        Properties subjects = subjects();
        for (MailTemplate template : MailTemplate.values()) {
            String name = template.wireName();
            String subject = subjects.getProperty(name);
            if (subject == null) {
                throw new IllegalStateException("templates/subjects.properties has no subject for " + name);
            }
            templates.put(template, new Compiled(
                    plain.compile(new StringReader(subject), name + ".subject"),
                    html.compile(name + ".html.mustache"),
                    plain.compile(name + ".txt.mustache")));
        }
    }

    @Override
    public RenderedMail render(MailRequest request) {
        Map<String, Object> values = new HashMap<>(request.templateData());
        values.put("productName", request.productName().orElse(DEFAULT_PRODUCT_NAME));
        Compiled compiled = templates.get(request.template());
        return new RenderedMail(execute(compiled.subject(), values).strip(), execute(compiled.html(), values),
                execute(compiled.text(), values).strip() + "\n");
    }

    private static String execute(Mustache mustache, Map<String, Object> values) {
        StringWriter out = new StringWriter();
        mustache.execute(out, values);
        return out.toString();
    }

    private static Properties subjects() {
        Properties subjects = new Properties();
        try (InputStream in = MustacheMailRenderer.class.getClassLoader()
                .getResourceAsStream(TEMPLATES + "/subjects.properties")) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATES + "/subjects.properties is missing");
            }
            subjects.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return subjects;
    }
}
