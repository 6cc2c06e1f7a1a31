package dev.mailservice.bootstrap.endtoend;

import static dev.mailservice.bootstrap.endtoend.SendMailEndToEndTest.otpMail;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.Browser;
import dev.mailservice.testkit.Tokens;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real headless Chromium, against the assembled service and a real SMTP
 * server (GreenMail): signing in, the views, and what the page must never do.
 */
class ConsoleBrowserTest {

    private static final String PASSWORD = "Console-Pa55-2026";

    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("ops@example.com", "ops", PASSWORD));

    @RegisterExtension
    final AssembledService service = new AssembledService(PASSWORD);

    @TempDir
    Path directory;

    private ServiceClient client;
    private Browser browser;

    /** The tag of a test whose service runs with {@code HIDE_SECRET_CONFIG=true}. */
    private static final String HIDING_SECRET_CONFIG = "hide-secret-config";

    @BeforeEach
    void start(TestInfo test) throws Exception {
        // A send to a server that is down is given up on after 5 s, not the default 30: the recent
        // sends' failed mail comes back sooner, and a first send on a cold service still has room.
        client = service.start(Map.of("SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString(),
                "SMTP_SEND_DEADLINE_MS", "5000", "SMTP_TIMEOUT_MS", "5000",
                "HIDE_SECRET_CONFIG", Boolean.toString(test.getTags().contains(HIDING_SECRET_CONFIG))));
        browser = Browser.start(1280);
    }

    @AfterEach
    void stop() throws Exception {
        browser.close();
    }

    private String configuration(int port, String fromEmail) {
        return "{\"host\": \"127.0.0.1\", \"port\": " + port + ", \"username\": \"ops\", \"password\": \"" + PASSWORD
                + "\", \"fromEmail\": " + fromEmail + "}";
    }

    private String link(String token) {
        return "http://localhost:" + service.port() + "/console/#token=" + token;
    }

    private String adminLink() {
        return link(Tokens.user(USER_SECRET, "admin"));
    }

    /** Opens {@code address} and waits for {@code view} to show the service's data. */
    private WebElement open(String address, String view) {
        browser.driver().get(address);
        return awaitView(view);
    }

    /** Opens {@code view} of the console signed in already, and waits for its data. */
    private WebElement openView(String view) {
        return open("http://localhost:" + service.port() + "/console/#/" + view, view);
    }

    /** Stores a configuration for the test's SMTP server and opens the console signed in, on its status. */
    private void signInWithAConfigurationStored() throws Exception {
        assertEquals(200, client.storeConfiguration(configuration(SMTP.getSmtp().getPort(),
                "\"noreply@acme.test\"")).statusCode());
        open(adminLink(), "status");
    }

    /**
     * Puts something between the console and the service that runs {@code changeHeaders} (JavaScript,
     * on the {@code headers} of each answer), then opens the configuration view through it.
     */
    private WebElement openConfigurationBehind(String changeHeaders) {
        browser.driver().executeScript("""
                const answered = window.fetch;
                window.fetch = async (...request) => {
                  const answer = await answered(...request);
                  const headers = new Headers(answer.headers);
                  %s
                  return new Response(await answer.text(), { status: answer.status, headers });
                };
                location.hash = '#/configuration';""".formatted(changeHeaders));
        return awaitView("configuration");
    }

    /** Types {@code fromEmail} over what the configuration {@code view}'s From field holds. */
    private static void typeFromEmail(WebElement view, String fromEmail) {
        WebElement field = view.findElement(By.id("field-fromEmail"));
        field.clear();
        field.sendKeys(fromEmail);
    }

    private WebElement awaitView(String view) {
        browser.await().until(ExpectedConditions.attributeToBe(By.id("view"), "data-ready", view));
        return browser.driver().findElement(By.id("view"));
    }

    @Test
    void aLinkSignsInShowsTheActiveConfigurationAndLeavesNoTokenInTheAddressBar() throws Exception {
        assertEquals(200, client.storeConfiguration(configuration(SMTP.getSmtp().getPort(),
                "\"Acme <noreply@acme.test>\"")).statusCode());

        WebElement status = open(adminLink(), "status");

        assertTrue(status.getText().contains("127.0.0.1:" + SMTP.getSmtp().getPort()), status.getText());
        assertTrue(status.getText().contains("Acme <noreply@acme.test>"), status.getText());
        assertFalse(browser.driver().getCurrentUrl().contains("token"), browser.driver().getCurrentUrl());
        assertTrue(browser.driver().getCurrentUrl().endsWith("/console/#/status"));
    }

    @Test
    void aStoredDisplayNameHoldingMarkupShowsAsTextAndRunsNothing() throws Exception {
        String hostile = "<img src=x onerror=alert(1)>";
        assertEquals(200, client.storeConfiguration(configuration(SMTP.getSmtp().getPort(),
                "\"\\\"" + hostile + "\\\" <noreply@acme.test>\"")).statusCode());

        WebElement status = open(adminLink(), "status");

        assertTrue(status.getText().contains(hostile), status.getText());
        assertEquals(List.of(), status.findElements(By.tagName("img")));
        assertThrows(NoAlertPresentException.class, () -> browser.driver().switchTo().alert());
    }

    @Test
    void anExpiredOrNonAdminTokenIsTurnedAwayWithItsReason() {
        browser.driver().get(link(Tokens.signed(USER_SECRET, AlgorithmIdentifiers.HMAC_SHA256, claims -> {
            claims.setStringClaim("role", "admin");
            claims.setExpirationTime(Tokens.secondsFromNow(-60));
        })));
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-reason")));
        assertTrue(browser.driver().findElement(By.id("sign-in-reason")).getText().startsWith("This token expired"));

        browser.driver().get(link(Tokens.user(USER_SECRET, "member")));
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-reason"),
                "not an admin's"));

        browser.driver().get(link(Tokens.user("another-secret-of-20-chars", "admin")));
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-reason"),
                "Invalid token"));

        // Claims that are JSON but no object ("null").
        browser.driver().get(link("eyJhbGciOiJIUzI1NiJ9.bnVsbA.c2lnbmF0dXJl"));
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-reason"),
                "This is not a token the service issues"));
    }

    @Test
    void aWrongPortFailsVerifyAtConnectTheRightOnePassesSendsATestMailAndSavesIt() throws Exception {
        signInWithAConfigurationStored();
        WebElement view = openView("configuration");
        WebElement port = view.findElement(By.id("field-port"));
        port.clear();
        port.sendKeys("1");
        view.findElement(By.id("verify")).click();
        // The stored password is kept only for the server it was stored for: another port needs it again.
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("field-password-error")));
        assertTrue(view.findElement(By.id("field-password-error")).getText().startsWith("password must be given again"));
        view.findElement(By.id("field-password")).clear();
        view.findElement(By.id("field-password")).sendKeys(PASSWORD);

        view.findElement(By.id("verify")).click();
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("verification"), "A step failed"));
        String failed = browser.driver().findElement(By.id("verification")).getText();
        assertTrue(failed.contains("connect failed"), failed);
        assertTrue(failed.contains("What to try"), failed);

        port.clear();
        port.sendKeys(Integer.toString(SMTP.getSmtp().getPort()));
        view.findElement(By.id("field-sendTestTo")).sendKeys("ops@example.com");
        view.findElement(By.id("send-test")).click();
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("verification"),
                "Every step passed"));
        assertTrue(browser.driver().findElement(By.id("verification")).getText().contains("send passed"));
        assertEquals(1, SMTP.getReceivedMessages().length, "the test mail arrived");

        WebElement loaded = view.findElement(By.id("field-fromEmail"));
        loaded.clear();
        loaded.sendKeys("console@acme.test");
        view.findElement(By.id("save")).click();
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("form-summary"), "Saved"));
        assertTrue(client.status().contains("\"fromEmail\":\"console@acme.test\""), client.status());
        // A second change from the same view, once it is drawn again from what is stored, is saved
        // over the first, not refused as someone else's.
        browser.await().until(ExpectedConditions.stalenessOf(loaded));
        WebElement fromEmail = browser.driver().findElement(By.id("field-fromEmail"));
        assertEquals("console@acme.test", fromEmail.getDomProperty("value"));
        fromEmail.clear();
        fromEmail.sendKeys("console-again@acme.test");
        browser.driver().findElement(By.id("save")).click(); // clears the summary before it answers
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("form-summary"), "Saved"));
        assertTrue(client.status().contains("\"fromEmail\":\"console-again@acme.test\""), client.status());
        assertTrue(openView("status").getText().contains("console-again@acme.test"));
    }

    @Test
    void aChangeStoredBetweenLoadAndSaveIsShownAndNotOverwritten() throws Exception {
        signInWithAConfigurationStored();
        WebElement view = openView("configuration");
        assertEquals(200, client.storeConfiguration(configuration(SMTP.getSmtp().getPort(),
                "\"someone-else@acme.test\"")).statusCode());

        typeFromEmail(view, "mine@acme.test");
        view.findElement(By.id("save")).click();

        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("form-summary"),
                "changed since it was read"));
        assertTrue(view.findElement(By.id("form-summary")).getText().contains("someone-else@acme.test"));
        assertTrue(client.status().contains("someone-else@acme.test"), "the other change stays");
        view.findElement(By.id("save")).click(); // again, without loading what is stored
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("form-summary"),
                "changed since it was read"));
        Thread.sleep(500);
        assertTrue(client.status().contains("someone-else@acme.test"), "a second try is refused too");
        view.findElement(By.id("reload-stored")).click();
        // The form is drawn anew: a field found just before that is gone when read.
        browser.await().ignoring(StaleElementReferenceException.class).until(driver -> "someone-else@acme.test".equals(
                driver.findElement(By.id("field-fromEmail")).getDomProperty("value")));
    }

    @Test
    void aSaveLandsThroughAProxyThatMarksTheETagWeak() throws Exception {
        signInWithAConfigurationStored();

        // As nginx's gzip and Cloudflare do to the ETag of an answer they compress.
        WebElement view = openConfigurationBehind(
                "const version = headers.get('ETag'); if (version !== null) headers.set('ETag', `W/${version}`);");
        typeFromEmail(view, "behind-a-proxy@acme.test");
        view.findElement(By.id("save")).click();

        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("form-summary"), "Saved"));
        assertTrue(client.status().contains("\"fromEmail\":\"behind-a-proxy@acme.test\""), client.status());
    }

    @Test
    void aSaveIsNotSentWhenTheStoredConfigurationCameWithoutItsVersion() throws Exception {
        signInWithAConfigurationStored();

        // As something in between that drops the header would.
        WebElement view = openConfigurationBehind("headers.delete('ETag');");
        typeFromEmail(view, "unversioned@acme.test");
        view.findElement(By.id("save")).click();

        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("form-summary"),
                "nothing was saved"));
        assertTrue(client.status().contains("\"fromEmail\":\"noreply@acme.test\""), client.status());
    }

    @Test
    void aStoredPasswordIsKeptWhenLeftEmptyReplacedByWhatIsTypedAndRemovedOnlyByItsBox() throws Exception {
        Path stored = directory.resolve("smtp.json");
        assertEquals(200, client.storeConfiguration("{\"host\": \"127.0.0.1\", \"port\": " + SMTP.getSmtp().getPort()
                + ", \"username\": \"ops\", \"password\": \"" + PASSWORD + "\", \"fromEmail\": \"noreply@acme.test\", "
                + "\"team\": {\"owner\": \"mail-ops\"}}").statusCode());
        open(adminLink(), "status");

        saveFromTheForm(field -> { }, "kept@acme.test");
        String kept = Files.readString(stored);
        assertTrue(kept.contains("\"password\" : \"" + PASSWORD + "\"") || kept.contains("\"password\":\"" + PASSWORD + "\""), kept);
        assertTrue(kept.contains("mail-ops"), "a stored field the form does not show is kept: " + kept);

        // Typed where the field showed that one is stored: the typing alone is the new password.
        saveFromTheForm(field -> field.sendKeys("Typed-Pa55-2026"), "typed@acme.test");
        String typed = Files.readString(stored);
        assertTrue(typed.contains("Typed-Pa55-2026") && !typed.contains("*"), typed);

        saveFromTheForm(field -> browser.driver().findElement(By.id("field-password-remove")).click(), "removed@acme.test");
        String removed = Files.readString(stored);
        assertFalse(removed.contains("password"), removed);
        assertTrue(removed.contains("mail-ops"), removed);
    }

    /**
     * Opens the configuration view, whose password field must be empty and say that one is stored,
     * does {@code withPassword} to that field, sets the from address to {@code fromEmail} (so that
     * each save changes something), saves, and waits for it.
     */
    private void saveFromTheForm(Consumer<WebElement> withPassword, String fromEmail) {
        // Through another view: the same address again would keep the form the last save is redrawing.
        openView("status");
        WebElement view = openView("configuration");
        WebElement password = view.findElement(By.id("field-password"));
        assertEquals("", password.getDomProperty("value"), "the form holds no secret, not even the placeholder");
        assertTrue(password.getDomProperty("placeholder").startsWith("Stored"), password.getDomProperty("placeholder"));
        withPassword.accept(password);
        typeFromEmail(view, fromEmail);
        view.findElement(By.id("save")).click();
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("form-summary"), "Saved"));
    }

    @Test
    @Tag(HIDING_SECRET_CONFIG)
    void valuesTheServiceHidesShowAsEmptyFieldsThatKeepThemAndWhatIsTypedReplacesThem() throws Exception {
        signInWithAConfigurationStored();
        WebElement view = openView("configuration");
        for (String field : List.of("field-host", "field-username", "field-fromEmail")) {
            WebElement control = view.findElement(By.id(field));
            assertEquals("", control.getDomProperty("value"), field);
            assertEquals("Hidden: leave empty to keep it", control.getDomProperty("placeholder"), field);
        }

        view.findElement(By.id("field-fromEmail")).sendKeys("typed@acme.test");
        view.findElement(By.id("save")).click();

        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("form-summary"), "Saved"));
        String stored = Files.readString(directory.resolve("smtp.json"));
        assertTrue(stored.contains("typed@acme.test") && !stored.contains("*"), stored);
        assertTrue(stored.contains("127.0.0.1") && stored.contains("\"ops\""), "the hidden host and username are kept: " + stored);
    }

    @Test
    void signedOutNeitherTheViewsNorTheSessionAreShown() throws Exception {
        browser.driver().get("http://localhost:" + service.port() + "/console/");
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in")));
        assertFalse(browser.driver().findElement(By.id("views")).isDisplayed());
        assertFalse(browser.driver().findElement(By.id("session")).isDisplayed());

        open(adminLink(), "status");
        assertTrue(browser.driver().findElement(By.id("views")).isDisplayed());
        assertTrue(browser.driver().findElement(By.id("session-expiry")).getText().startsWith("Token valid until"));

        browser.driver().findElement(By.id("sign-out")).click();
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in")));
        assertFalse(browser.driver().findElement(By.id("views")).isDisplayed());
        assertFalse(browser.driver().findElement(By.id("session")).isDisplayed());
        assertEquals("", browser.driver().findElement(By.id("session-expiry")).getDomProperty("textContent"));
    }

    @Test
    void aFormBeingEditedWhenTheTokenStopsWorkingComesBackAsItWasAtTheSameUsersNextSignIn() throws Exception {
        signInWithAConfigurationStored();
        WebElement view = openView("configuration");
        typeFromEmail(view, "typed@acme.test");
        // The service stops taking the token while the admin types, as it does once one has expired.
        useToken(Tokens.user("another-secret-of-20-chars", "admin"));
        view.findElement(By.id("save")).click();

        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-kept")));
        Screenshots.of(browser, "sign-in-form-kept");
        assertTrue(client.status().contains("noreply@acme.test"), "nothing saved with the refused token");
        // A token turned away on the sign-in page first (not an admin's) does not drop the form.
        signInByPasting(Tokens.user(USER_SECRET, "member"));
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-reason"), "not an admin's"));
        // Nor does one the service refuses, though its claims name the same admin: the form is not shown to it.
        signInByPasting(Tokens.user("another-secret-of-20-chars", "admin"));
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-reason"), "Invalid token"));
        assertTrue(browser.driver().findElement(By.id("sign-in-kept")).isDisplayed());
        assertEquals(List.of(), browser.driver().findElements(By.id("field-fromEmail")));
        signInByPasting(Tokens.user(USER_SECRET, "admin"));
        WebElement again = awaitResumedForm();
        Screenshots.of(browser, "configuration-resumed");
        assertEquals("typed@acme.test", again.getDomProperty("value"));
        browser.driver().findElement(By.id("save")).click();
        // Saved, and drawn again from what is stored: the old field goes.
        browser.await().until(ExpectedConditions.stalenessOf(again));
        assertTrue(client.status().contains("typed@acme.test"), client.status());

        // A new console link opened in the tab while the form is being edited: the form stays as it is.
        awaitView("configuration").findElement(By.id("field-fromEmail")).sendKeys(".uk");
        browser.driver().get(adminLink());
        assertEquals("typed@acme.test.uk", awaitResumedForm().getDomProperty("value"));
        assertTrue(browser.driver().getCurrentUrl().endsWith("#/configuration"), browser.driver().getCurrentUrl());

        // An expired token met on the way to another view keeps the form too, for the same user only.
        awaitView("configuration").findElement(By.id("field-fromEmail")).sendKeys(".org");
        useToken(Tokens.signed(USER_SECRET, AlgorithmIdentifiers.HMAC_SHA256, claims -> {
            claims.setStringClaim("role", "admin");
            claims.setExpirationTime(Tokens.secondsFromNow(-60));
        }));
        browser.driver().findElement(By.cssSelector("#views a[data-view=status]")).click();
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-kept")));
        signInByPasting(Tokens.signed(USER_SECRET, AlgorithmIdentifiers.HMAC_SHA256, claims -> {
            claims.setStringClaim("role", "admin");
            claims.setStringClaim("userId", "another-admin");
        }));
        WebElement another = awaitView("configuration");
        assertEquals("typed@acme.test", another.findElement(By.id("field-fromEmail")).getDomProperty("value"),
                "another admin gets the form drawn from what is stored, not what the first one typed");
        assertFalse(another.getText().contains("Signed in again"));
    }

    @Test
    void aFormLeftForAnotherViewComesBackAsItWasAndTheTabAsksBeforeItIsClosed() throws Exception {
        signInWithAConfigurationStored();
        WebElement view = openView("configuration");
        assertFalse(leavingTheTabIsAsked(), "nothing typed yet");
        typeFromEmail(view, "typed@acme.test");
        assertTrue(leavingTheTabIsAsked());

        browser.driver().findElement(By.cssSelector("#views a[data-view=status]")).click();
        awaitView("status");
        WebElement focused = browser.driver().switchTo().activeElement();
        assertEquals("h2 Status", focused.getTagName() + " " + focused.getText(), "the new view's heading has the focus");
        assertTrue(leavingTheTabIsAsked(), "the form left on the configuration view is not saved yet");
        browser.driver().findElement(By.cssSelector("#views a[data-view=configuration]")).click();

        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("resumed"),
                "The form is as you left it"));
        WebElement again = awaitView("configuration").findElement(By.id("field-fromEmail"));
        assertEquals("typed@acme.test", again.getDomProperty("value"));
        browser.driver().findElement(By.id("save")).click();
        browser.await().until(ExpectedConditions.stalenessOf(again));
        assertTrue(client.status().contains("typed@acme.test"), client.status());
        assertFalse(leavingTheTabIsAsked(), "saved");
    }

    @Test
    void whatIsTypedForALoginKindComesBackWhenTheKindIsChosenAgainAndAPrivateKeyIsHidden() throws Exception {
        signInWithAConfigurationStored();
        WebElement view = openView("configuration");
        Select kind = new Select(view.findElement(By.id("field-kind")));

        kind.selectByValue("microsoft");
        view.findElement(By.id("field-oauth2-tenantId")).sendKeys("tenant-1");
        kind.selectByValue("google");
        assertEquals("disc", view.findElement(By.id("field-oauth2-privateKey")).getCssValue("-webkit-text-security"));
        kind.selectByValue("");
        kind.selectByValue("microsoft");

        assertEquals("tenant-1", view.findElement(By.id("field-oauth2-tenantId")).getDomProperty("value"));
    }

    @Test
    void theLinkOfTheViewOnScreenDrawsItAgainWithWhatTheServiceHoldsNow() throws Exception {
        signInWithAConfigurationStored();
        assertEquals(200, client.storeConfiguration(configuration(SMTP.getSmtp().getPort(),
                "\"changed@acme.test\"")).statusCode());

        browser.driver().findElement(By.cssSelector("#views a[data-view=status]")).click();

        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("view"), "changed@acme.test"));
    }

    @Test
    void aFormSavedAfterItsViewWasLeftIsNotKeptAsUnsaved() throws Exception {
        signInWithAConfigurationStored();
        typeFromEmail(openView("configuration"), "typed@acme.test");
        // The save is held on its way to the service while the admin opens another view.
        holdCalls("options?.method === 'POST' && String(url).endsWith('configurationManager/smtpConfig')");
        browser.driver().findElement(By.id("save")).click();
        browser.driver().findElement(By.cssSelector("#views a[data-view=status]")).click();
        awaitView("status");
        releaseCalls();
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!client.status().contains("typed@acme.test")) {
            assertTrue(System.nanoTime() < until, "the save never landed");
            Thread.sleep(50);
        }

        browser.driver().findElement(By.cssSelector("#views a[data-view=configuration]")).click();

        WebElement view = awaitView("configuration");
        assertEquals(List.of(), view.findElements(By.id("resumed")), "a saved form was shown as not saved yet");
        assertEquals("typed@acme.test", view.findElement(By.id("field-fromEmail")).getDomProperty("value"));
        assertFalse(leavingTheTabIsAsked());
    }

    /**
     * Holds the console's calls that {@code which} picks (JavaScript, of the call's {@code url} and
     * {@code options}) on their way to the service, until {@link #releaseCalls()}.
     */
    private void holdCalls(String which) {
        browser.driver().executeScript("""
                const answered = window.fetch;
                const held = new Promise((resolve) => { window.releaseCalls = resolve; });
                window.fetch = async (url, options) => {
                  if (%s) {
                    await held;
                    const answer = await answered(url, options);
                    // Answered once the console has read it and run the steps that follow without waiting on
                    // a call or a timer: a task queued as it reads the body runs only after those.
                    const read = answer.json.bind(answer);
                    answer.json = async () => {
                      try {
                        return await read();
                      } finally {
                        setTimeout(() => { window.heldCallAnswered = true; }, 0);
                      }
                    };
                    return answer;
                  }
                  return answered(url, options);
                };""".formatted(which));
    }

    /**
     * Lets the calls {@link #holdCalls} held go on, and waits for the first of them to be answered and
     * its answer (JSON, as the service's are) handled by the console.
     */
    private void releaseCalls() {
        browser.driver().executeScript("window.releaseCalls()");
        browser.await().until(driver -> Boolean.TRUE.equals(
                browser.driver().executeScript("return window.heldCallAnswered")));
    }

    /** Whether closing or reloading the tab now would ask first (its {@code beforeunload} is cancelled). */
    private boolean leavingTheTabIsAsked() {
        return (Boolean) browser.driver().executeScript("""
                const leaving = new Event('beforeunload', { cancelable: true });
                window.dispatchEvent(leaving);
                return leaving.defaultPrevented;""");
    }

    @Test
    void signingOutWhileAKeptFormWaitsForItsTokenToBeCheckedDropsTheForm() throws Exception {
        signInWithAConfigurationStored();
        typeFromEmail(openView("configuration"), "typed@acme.test");
        useToken(Tokens.user("another-secret-of-20-chars", "admin"));
        browser.driver().findElement(By.id("save")).click();
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-kept")));
        // The check of the next token is held on its way to the service.
        holdCalls("String(url).includes('mail/smtpConfig')");
        signInByPasting(Tokens.user(USER_SECRET, "admin"));
        browser.await().until(ExpectedConditions.elementToBeClickable(By.id("sign-out"))).click();
        releaseCalls();

        assertTrue(browser.driver().findElement(By.id("sign-in")).isDisplayed());
        assertFalse(browser.driver().findElement(By.id("sign-in-kept")).isDisplayed());
        assertEquals(List.of(), browser.driver().findElements(By.id("field-fromEmail")), "the kept form came back");
    }

    /** Puts {@code token} in the tab's session in place of the one signed in with. */
    private void useToken(String token) {
        browser.driver().executeScript("sessionStorage.setItem('mail-service-console-token', arguments[0])", token);
    }

    /** Signs in on the sign-in page with {@code token}, as one pasted. */
    private void signInByPasting(String token) {
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        browser.driver().findElement(By.id("token")).clear();
        browser.driver().findElement(By.id("token")).sendKeys(token);
        browser.driver().findElement(By.cssSelector("#sign-in-form button")).click();
    }

    /** Waits for the configuration form set aside to be shown again, and answers its From field. */
    private WebElement awaitResumedForm() {
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("resumed"), "Signed in again"));
        return awaitView("configuration").findElement(By.id("field-fromEmail"));
    }

    @Test
    void theHeaderSaysWhenTheTokenHasExpired() {
        open(link(Tokens.signed(USER_SECRET, AlgorithmIdentifiers.HMAC_SHA256, claims -> {
            claims.setStringClaim("role", "admin");
            claims.setExpirationTime(Tokens.secondsFromNow(10));
        })), "status");
        assertTrue(browser.driver().findElement(By.id("session-expiry")).getText().startsWith("Token valid until"));
        new WebDriverWait(browser.driver(), Duration.ofSeconds(30)).until(
                ExpectedConditions.textToBePresentInElementLocated(By.id("session-expiry"), "Token expired at"));
    }

    @Test
    void aSaveWritesOverTheVersionItsFormShowsNotOneAnOvertakenLoadReadLater() throws Exception {
        signInWithAConfigurationStored();

        // The configuration view's first load is held back; the admin leaves it and opens it again.
        browser.driver().executeScript("""
                const answered = window.fetch;
                let holding = true;
                window.fetch = async (...request) => {
                  const [address, options] = request;
                  if (!holding || !String(address).endsWith('/configurationManager/smtpConfig')
                      || (options?.method ?? 'GET') !== 'GET') {
                    return answered(...request);
                  }
                  holding = false;
                  await new Promise((resolve) => { window.releaseFirstLoad = resolve; });
                  const answer = await answered(...request);
                  window.firstLoadAnswered = true;
                  return answer;
                };
                location.hash = '#/configuration';""");
        browser.await().until(driver -> browser.driver().executeScript("return window.releaseFirstLoad") != null);
        browser.driver().executeScript("location.hash = '#/status'");
        awaitView("status");
        browser.driver().executeScript("location.hash = '#/configuration'");
        WebElement view = awaitView("configuration");
        assertEquals("noreply@acme.test", view.findElement(By.id("field-fromEmail")).getDomProperty("value"));
        // Someone else stores a change, which the overtaken load, let go now, reads.
        assertEquals(200, client.storeConfiguration(configuration(SMTP.getSmtp().getPort(),
                "\"someone-else@acme.test\"")).statusCode());
        browser.driver().executeScript("window.releaseFirstLoad()");
        browser.await().until(driver -> Boolean.TRUE.equals(browser.driver().executeScript("return window.firstLoadAnswered")));
        browser.driver().executeAsyncScript("setTimeout(arguments[arguments.length - 1], 500)");

        typeFromEmail(view, "mine@acme.test");
        view.findElement(By.id("save")).click();

        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("form-summary"),
                "changed since it was read"));
        assertTrue(client.status().contains("someone-else@acme.test"), "the other change stays");
    }

    @Test
    void aRefusedFieldIsNamedNextToIt() throws Exception {
        signInWithAConfigurationStored();
        WebElement view = openView("configuration");
        WebElement host = view.findElement(By.id("field-host"));
        host.clear();
        host.sendKeys("smtp example com");

        view.findElement(By.id("save")).click();

        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("field-host-error")));
        assertTrue(view.findElement(By.id("field-host-error")).getText().startsWith("host must be"));
        assertEquals("true", host.getAttribute("aria-invalid"));
        assertEquals("field-host-error", host.getAttribute("aria-describedby"));
        assertEquals("field-host", browser.driver().switchTo().activeElement().getAttribute("id"), "the field has the focus");

        // A field with a hint keeps it described beside the refusal.
        WebElement port = view.findElement(By.id("field-port"));
        assertEquals("field-port-hint", port.getAttribute("aria-describedby"));
        host.clear();
        host.sendKeys("smtp.example.com");
        port.clear();
        port.sendKeys("0");
        view.findElement(By.id("save")).click();
        browser.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("field-port-error")));
        assertEquals("field-port-error field-port-hint", port.getAttribute("aria-describedby"));
    }

    @Test
    void theRecentSendsShowASentAndAFailedMailWithTheServersReplies() throws Exception {
        assertEquals(200, client.storeConfiguration(configuration(SMTP.getSmtp().getPort(),
                "\"noreply@acme.test\"")).statusCode());
        assertEquals(200, client.sendEmail(otpMail("Ann")).statusCode());
        assertEquals(200, client.storeConfiguration(configuration(1, "\"noreply@acme.test\"")).statusCode());
        HttpResponse<String> failed = client.sendEmail(otpMail("Bob"));
        assertEquals(503, failed.statusCode(), failed.body());

        open(adminLink(), "status");
        WebElement view = openView("sends");

        List<WebElement> rows = view.findElements(By.cssSelector("tbody tr"));
        assertEquals(2, rows.size(), view.getText());
        assertTrue(rows.get(0).getText().contains("temporary failure"), rows.get(0).getText());
        assertTrue(rows.get(1).getText().contains("sent"), rows.get(1).getText());
        assertTrue(rows.get(1).getText().contains("250"), rows.get(1).getText());
        assertTrue(rows.get(1).getText().contains("user@example.com"), rows.get(1).getText());
        assertEquals("2 sends", view.findElement(By.tagName("caption")).getText());

        new Select(view.findElement(By.id("filter-outcome"))).selectByValue("sent");
        assertEquals(1, view.findElements(By.cssSelector("tbody tr")).size());
        assertEquals("1 send of 2", view.findElement(By.tagName("caption")).getText());
    }

    @Test
    void aViewLeftBeforeItsDataArrivedDoesNotReplaceTheOneOpenedAfterIt() throws Exception {
        signInWithAConfigurationStored();

        // The recent sends answer a second late; meanwhile the admin goes back to the status view.
        browser.driver().executeScript("""
                const answered = window.fetch;
                window.sendsAnswered = false;
                window.fetch = async (...request) => {
                  const answer = await answered(...request);
                  if (String(request[0]).includes('/mail/sends')) {
                    await new Promise((resolve) => setTimeout(resolve, 1000));
                    window.sendsAnswered = true;
                  }
                  return answer;
                };
                location.hash = '#/sends';
                setTimeout(() => { location.hash = '#/status'; }, 100);""");
        browser.await().until(driver -> Boolean.TRUE.equals(browser.driver().executeScript("return window.sendsAnswered")));
        // Time for the late answer to be drawn, were it drawn.
        browser.driver().executeAsyncScript("setTimeout(arguments[arguments.length - 1], 500)");

        WebElement view = browser.driver().findElement(By.id("view"));
        assertEquals("status", view.getAttribute("data-ready"));
        assertTrue(view.getText().startsWith("Status"), view.getText());
        assertTrue(browser.driver().getCurrentUrl().endsWith("#/status"), browser.driver().getCurrentUrl());
    }

    @Test
    void theConsoleIsServedWithHeadersThatKeepItSafe() throws Exception {
        HttpResponse<String> page = client.call("GET", "/console/", "none", null);

        assertEquals(200, page.statusCode());
        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(policy.contains("default-src 'self'"), policy);
        assertTrue(policy.contains("script-src 'self';"), "scripts from the service alone, none inline: " + policy);
        assertTrue(policy.contains("frame-ancestors 'none'"), policy);
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElseThrow());
        assertFalse(page.headers().firstValue("Set-Cookie").isPresent());
        Matcher scripts = Pattern.compile("<script\\b([^>]*)>(.*?)</script\\s*>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL)
                .matcher(page.body());
        int count = 0;
        for (; scripts.find(); count++) {
            assertTrue(scripts.group(1).contains("src=") && scripts.group(2).isBlank(), "an inline script: " + scripts.group());
        }
        assertTrue(count > 0, "the page loads its script");
        assertEquals(count, Pattern.compile("<script\\b", Pattern.CASE_INSENSITIVE).matcher(page.body()).results().count(),
                "a script element not closed as the check reads it");
    }

    @Test
    void theFormCanBeCompletedAndSavedByKeyboardAlone() throws Exception {
        signInWithAConfigurationStored();
        browser.driver().get("http://localhost:" + service.port() + "/console/#/configuration");
        awaitView("configuration");
        List<String> reached = new ArrayList<>();
        browser.driver().executeScript("document.getElementById('main').focus()");
        for (int press = 0; press < 40 && !reached.contains("save"); press++) {
            browser.driver().switchTo().activeElement().sendKeys(Keys.TAB);
            String id = browser.driver().switchTo().activeElement().getAttribute("id");
            reached.add(id == null ? "" : id);
            if ("field-fromEmail".equals(id)) {
                WebElement from = browser.driver().switchTo().activeElement();
                from.sendKeys(Keys.chord(Keys.CONTROL, "a"), "keyboard@acme.test");
            }
        }

        List<String> controls = List.of("field-host", "field-port", "field-secure", "field-username", "field-password",
                "field-password-remove", "field-kind", "field-fromEmail", "field-sendTestTo", "verify", "send-test", "save");
        assertEquals(controls, reached.stream().filter(controls::contains).toList(), "every control, in order: " + reached);
        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("form-summary"), "Saved"));
        assertTrue(client.status().contains("keyboard@acme.test"), client.status());
    }

    @Test
    void axeFindsNoSeriousViolationOnAnyViewInALightAndADarkTheme() throws Exception {
        assertEquals(200, client.storeConfiguration(configuration(SMTP.getSmtp().getPort(),
                "\"noreply@acme.test\"")).statusCode());
        assertEquals(200, client.sendEmail(otpMail("Ann")).statusCode());
        for (String scheme : List.of("light", "dark")) {
            browser.driver().executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
                    List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
            browser.driver().get("http://localhost:" + service.port() + "/console/");
            assertAccessible("sign-in, " + scheme);
            open(adminLink(), "status");
            for (String view : List.of("status", "configuration", "sends")) {
                openView(view);
                assertAccessible(view + ", " + scheme);
                Screenshots.of(browser, view + "-" + scheme);
            }
            browser.driver().executeScript("sessionStorage.clear()");
        }
    }

    @Test
    void everyViewFitsA360PixelScreenWithoutSidewaysScrolling() throws Exception {
        browser.close();
        browser = Browser.start(360);
        assertEquals(200, client.storeConfiguration(configuration(SMTP.getSmtp().getPort(),
                "\"noreply@acme.test\"")).statusCode());
        assertEquals(200, client.sendEmail(otpMail("Ann")).statusCode());
        open(adminLink(), "status");
        for (String view : List.of("status", "configuration", "sends")) {
            openView(view);
            Object overflow = browser.driver().executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertEquals(0L, ((Number) overflow).longValue(), view + " scrolls sideways");
            Screenshots.of(browser, view + "-360px");
        }
    }

    /** Runs axe-core (from its WebJar) on the page; fails on any serious or critical violation. */
    private void assertAccessible(String where) throws Exception {
        browser.driver().executeScript(AxeCore.SOURCE);
        Object result = browser.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document).then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
                + ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))");
        assertEquals(List.of(), result, where);
    }
}
