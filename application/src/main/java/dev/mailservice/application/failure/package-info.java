/**
 * The failures of the service's use cases, one sealed family ({@link
 * dev.mailservice.application.failure.ServiceFailure}): what in-ports declare and out-port
 * adapters throw, so that an inbound adapter answers every failure from this one package.
 */
package dev.mailservice.application.failure;
