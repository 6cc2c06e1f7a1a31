package dev.mailservice.bench.floor;

import io.helidon.webserver.WebServer;

/**
 * Helidon's web server and nothing else, answering {@code POST /api/v1/mail/updateSmtpConfig} with a
 * fixed 200 on {@code PORT}: the floor under the service's start-up. The benchmark starts it as it
 * starts the service (the same JVM flags, the same wait for the first 200, plain and with a start-up
 * cache of its own), so that the service's start can be read against what the web stack alone takes
 * on the same machine at the same hour.
 */
public final class WebServerFloor {

    private WebServerFloor() {}

    public static void main(String[] args) {
        WebServer.builder()
                .port(Integer.parseInt(System.getenv("PORT")))
                .routing(routing -> routing.post("/api/v1/mail/updateSmtpConfig",
                        (request, response) -> response.send("{}")))
                .build()
                .start();
    }
}
