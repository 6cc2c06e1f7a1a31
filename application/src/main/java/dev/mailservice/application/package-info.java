/**
 * The use cases of the service and the ports they need.
 *
 * <ul>
 *   <li>{@code port.in}: one interface per use case, what the HTTP adapter (or start-up) calls;</li>
 *   <li>{@code port.out}: what the core needs from outside: where configurations are stored,
 *       how a mail transport is built;</li>
 *   <li>{@code service}: the plain classes that implement the use cases, and the holder of the
 *       active mail sender.</li>
 * </ul>
 *
 * <p>Depends on the domain and the JDK alone; adapters implement the out-ports and bootstrap
 * wires everything together.
 */
package dev.mailservice.application;
