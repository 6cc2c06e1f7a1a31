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
 * template an HTML body, a plain-text body and a default subject, all sharing a layout headed by
 * {@code orgName} when given, else by the brand.
 *
 * <p>As PipesHub's templates, these refuse nothing: a {@code templateData} field left out shows
 * empty (a button whose link is missing is left out). The brand is the service's setting, not the
 * request's {@code productName}: PipesHub's callers send {@code PIP} there, and PipesHub's mails say
 * "PipesHub". In the HTML every value is escaped, so a {@code name} of {@code <script>} shows as
 * text; the text body and the subject are not HTML and are left as given. Every template is
 * compiled when this class is built, so a broken template stops the start instead of a send.
 */
public final class MustacheMailRenderer implements MailRenderer {

    /** The brand PipesHub's mails name; {@code MAIL_BRAND_NAME} changes it. */
    public static final String DEFAULT_BRAND = "PipesHub";

    private static final String TEMPLATES = "dev/mailservice/adapters/mail/templates";
    private static final String BRAND = "brand";

    private record Compiled(Mustache subject, Mustache html, Mustache text) {}

    /** The verification's test mail: not one of PipesHub's templates, so no caller can ask for it by name. */
    private static final String TEST_MAIL = "smtpTest";

    private final String brand;
    private final Map<MailTemplate, Compiled> templates = new EnumMap<>(MailTemplate.class);
    private final Compiled testMail;

    /** @param brand the product name every mail shows */
    public MustacheMailRenderer(String brand) {
        if (brand == null || brand.isBlank()) {
            throw new IllegalArgumentException("a mail needs a brand to name the product");
        }
        this.brand = brand;
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
            templates.put(template, compile(template.key(), subjects, html, plain));
        }
        testMail = compile(TEST_MAIL, subjects, html, plain);
    }

    private static Compiled compile(String name, Properties subjects, MustacheFactory html, MustacheFactory plain) {
        String subject = subjects.getProperty(name);
        if (subject == null) {
            throw new IllegalStateException("templates/subjects.properties has no subject for " + name);
        }
        return new Compiled(plain.compile(new StringReader(subject), name + ".subject"),
                html.compile(name + ".html.mustache"), plain.compile(name + ".txt.mustache"));
    }

    @Override
    public RenderedMail render(MailRequest request) {
        return render(templates.get(request.template()), request.templateData());
    }

    @Override
    public RenderedMail renderTestMail(String server) {
        return render(testMail, Map.of("server", server));
    }

    private RenderedMail render(Compiled compiled, Map<String, String> data) {
        Map<String, Object> values = new HashMap<>(data);
        values.put(BRAND, brand);
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
