/**
 * Start-up: reads the environment into {@link dev.mailservice.bootstrap.Settings}, assembles the
 * service with Guice modules whose {@code @Provides} methods call plain constructors, and starts
 * and stops it. The only package that knows Guice, and the only one that knows every adapter.
 */
package dev.mailservice.bootstrap;
