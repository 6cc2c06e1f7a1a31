/**
 * The HTTP adapter: the contract's routes on the Helidon SE WebServer, in rooms by role.
 *
 * <ul>
 *   <li>this package: {@link dev.mailservice.adapters.http.HttpServer}, which assembles the rooms
 *       into one server (used by the service and the tests alike);</li>
 *   <li>{@code routes}: the contract's routes; handlers are thin (check the token, call a use
 *       case, answer JSON);</li>
 *   <li>{@code edge}: what guards every route alike: tokens, body sizes and media types, the
 *       memory held by bodies, read deadlines, connections, requests under way while stopping;</li>
 *   <li>{@code answers}: JSON bodies, and every failure as the contract's error shape
 *       ({@code ErrorMapper}, the one place a failure becomes an answer);</li>
 *   <li>{@code observe}: health, metrics and the OpenAPI document through Helidon's features, the
 *       access log and request ids;</li>
 *   <li>{@code metrics}: an outbound adapter, the application's {@code ServiceMetrics} port as
 *       Helidon meters.</li>
 * </ul>
 *
 * <p>Routes lean on the edge and the answers, the edge on the answers; observability and the
 * meters stand apart; only this package knows every room (the architecture tests say so).
 */
package dev.mailservice.adapters.http;
